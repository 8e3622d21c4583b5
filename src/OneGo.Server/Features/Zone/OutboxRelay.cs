using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Storage;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone;

/// <summary>Wakes the relay when a publishing run has committed, instead of waiting for its next poll.</summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Delivers the outbox at least once: each publication's JSON snapshot to blob storage at
/// <c>{tenant}/{bundle}/{version}.json</c>, and a signed POST to each integration that wants it. An item is held by
/// one node at a time (a lease in its row), marked delivered only after the delivery succeeded, retried with
/// exponential backoff and jitter (honouring Retry-After), and dead-lettered after a 4xx other than 408 and 429 or
/// after <see cref="ZoneSettings.MaxAttempts"/>. A crash at any point leaves the item to be delivered again.
/// </summary>
internal sealed class OutboxRelay(
    IServiceScopeFactory scopes, IBlobStore blobs, IHttpClientFactory http, IDataProtectionProvider protection, TimeProvider clock, CrashPoints crash,
    Microsoft.Extensions.Options.IOptions<ZoneSettings> options, ILogger<OutboxRelay> logger)
{
    public const string HttpClientName = "zone-push";
    public const string SecretPurpose = "OneGo.Zone.IntegrationSecret";
    private ZoneSettings Options => options.Value;

    /// <summary>Delivers every item due now; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var tenants = scope.ServiceProvider.GetRequiredService<CurrentTenant>();
        var now = clock.Now();
        List<OutboxItem> due;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            due = await db.Set<OutboxItem>().AsNoTracking()
                .Where(i => i.Status == OutboxStatus.Pending && i.NextAttemptAt <= now && (i.LockedUntil == null || i.LockedUntil < now))
                .OrderBy(i => i.NextAttemptAt).ThenBy(i => i.Id).Take(Options.BatchSize).ToListAsync(cancellationToken);
        }

        var integrations = await db.Set<Integration>().AsNoTracking().ToDictionaryAsync(i => i.Id, cancellationToken);
        var attempted = 0;
        foreach (var item in due)
        {
            using (tenants.Enter(item.TenantId))
            {
                // Claim it: only one node wins the lease.
                var until = clock.Now() + Options.Lease;
                var claimed = await db.Set<OutboxItem>()
                    .Where(i => i.Id == item.Id && i.Status == OutboxStatus.Pending && (i.LockedUntil == null || i.LockedUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.LockedUntil, until), cancellationToken);
                if (claimed == 0)
                {
                    continue;
                }

                attempted++;
                var publication = await db.Set<Publication>().AsNoTracking().SingleAsync(p => p.Id == item.PublicationId, cancellationToken);
                var outcome = await DeliverAsync(item, publication, item.IntegrationId is { } id ? integrations.GetValueOrDefault(id) : null, cancellationToken);
                if (outcome.Delivered)
                {
                    crash.Reached(item.Kind == OutboxKind.Snapshot ? CrashPoints.AfterBlobWrite : CrashPoints.AfterPushSent);
                }

                await RecordAsync(db, item, outcome, cancellationToken);
            }
        }

        return attempted;
    }

    /// <summary>What one attempt came to.</summary>
    private sealed record Outcome(bool Delivered, bool Retry, int? Status, string? Error, TimeSpan? RetryAfter);

    private async Task<Outcome> DeliverAsync(OutboxItem item, Publication publication, Integration? integration, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(ZoneApi.View(publication), CatalogueJson.Options);
        if (item.Kind == OutboxKind.Snapshot)
        {
            try
            {
                // Create-only: a snapshot written before a crash is the same bytes; it stays as it is.
                await blobs.PutAsync(SnapshotPath(publication), body, "application/json", BlobWrite.CreateOnly, cancellationToken);
                return new Outcome(true, false, null, null, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The snapshot of {Publication} could not be written to blob storage", publication.PublicId);
                return new Outcome(false, true, null, "blob storage unavailable", null);
            }
        }

        if (integration is null)
        {
            return new Outcome(false, false, null, "the integration was removed", null);
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var secret = protection.CreateProtector(SecretPurpose).Unprotect(integration.ProtectedSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, integration.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-OneGo-Timestamp", timestamp);
        request.Headers.Add("X-OneGo-Signature", "sha256=" + Sign(secret, timestamp, body));
        request.Headers.Add("Idempotency-Key", publication.PublicId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.PushTimeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new Outcome(true, false, status, null, null);
            }

            var retryAfter = response.Headers.RetryAfter is { } header
                ? header.Delta ?? (header.Date is { } date ? date - clock.GetUtcNow() : null)
                : null;
            // A 4xx says the request itself is wrong: sending it again would not help — except a timeout or a rate limit.
            // A 3xx is not followed (it could lead anywhere): the integration's URL is wrong, as with a 4xx.
            var retry = status is 408 or 429 || status >= 500;
            return new Outcome(false, retry, status, $"HTTP {status}", retryAfter);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // What the operator reads (and the dead letters show) is the kind of failure; what the network said stays in the log.
            var error = e is OperationCanceledException ? "timeout" : ErrorClass((HttpRequestException)e);
            logger.LogInformation(e, "Push of {Publication} to integration {Integration} failed: {Error}", publication.PublicId, integration.Name, error);
            // An address the zone does not push to stays refused however often it is tried: dead-lettered at once.
            return new Outcome(false, error != AddressNotAllowed, null, error, null);
        }
    }

    private const string AddressNotAllowed = "address not allowed";

    /// <summary>The kind of a failed connection, in a few words that say nothing of the network behind it.</summary>
    private static string ErrorClass(HttpRequestException error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is OutboundAddressRefusedException)
            {
                return AddressNotAllowed;
            }

            if (e is System.Net.Sockets.SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    System.Net.Sockets.SocketError.ConnectionRefused => "connection refused",
                    System.Net.Sockets.SocketError.TimedOut => "timeout",
                    System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.TryAgain => "host not found",
                    System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.ConnectionAborted => "connection closed",
                    _ => "connection failed",
                };
            }
        }

        return error.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.SecureConnectionError => "TLS failed",
            HttpRequestError.ResponseEnded => "connection closed",
            HttpRequestError.InvalidResponse => "invalid answer",
            _ => "delivery failed",
        };
    }

    private async Task RecordAsync(OneGoDbContext db, OutboxItem item, Outcome outcome, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var attempts = item.Attempts + 1;
        var query = db.Set<OutboxItem>().Where(i => i.Id == item.Id);
        if (outcome.Delivered)
        {
            await query.ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, OutboxStatus.Delivered).SetProperty(i => i.Attempts, attempts).SetProperty(i => i.DeliveredAt, now)
                .SetProperty(i => i.LastStatus, outcome.Status).SetProperty(i => i.LockedUntil, (DateTimeOffset?)null), cancellationToken);
            return;
        }

        var dead = !outcome.Retry || attempts >= Options.MaxAttempts;
        var reason = dead && outcome.Retry ? $"gave up after {attempts} attempts; last: {outcome.Error}" : outcome.Error;
        var next = now + (outcome.RetryAfter is { } after && after > TimeSpan.Zero ? after : Backoff(attempts));
        await query.ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, dead ? OutboxStatus.DeadLetter : OutboxStatus.Pending).SetProperty(i => i.Attempts, attempts)
            .SetProperty(i => i.NextAttemptAt, next).SetProperty(i => i.LastStatus, outcome.Status)
            .SetProperty(i => i.LastError, reason).SetProperty(i => i.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        if (dead)
        {
            logger.LogWarning("Outbox item {Item} ({Kind}) dead-lettered: {Reason}", item.Id, item.Kind, reason);
        }
    }

    /// <summary>Exponential backoff with jitter: half the doubled delay fixed, the other half random.</summary>
    public TimeSpan Backoff(int attempts)
    {
        var doubled = Options.FirstRetry.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = Math.Min(doubled, Options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay / 2 + Random.Shared.NextDouble() * delay / 2);
    }

    /// <summary>Where a publication's snapshot is kept: <c>{tenant}/{bundle}/{version}.json</c>; a withdrawal beside it.</summary>
    public static string SnapshotPath(Publication publication) =>
        $"{publication.TenantId}/{publication.BundleCode}/{publication.Version}{(publication.Kind == PublicationKind.Withdrawal ? ".withdrawal" : "")}.json";

    /// <summary>The signature receivers check (<see cref="RequestSignature"/>).</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body) => RequestSignature.Sign(secret, timestamp, body);
}

/// <summary>Runs the relay on every node: woken by a publishing run, or every poll interval.</summary>
internal sealed class OutboxRelayService(OutboxRelay relay, OutboxSignal signal, Microsoft.Extensions.Options.IOptions<ZoneSettings> options, ILogger<OutboxRelayService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RelayEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await relay.DeliverDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The outbox relay failed; it tries again at its next poll");
            }

            try
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
