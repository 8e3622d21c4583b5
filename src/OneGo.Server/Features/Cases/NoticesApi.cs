using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Features.Zone;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Cases;

/// <summary>
/// The lead departments' inbox of the deadline job's notices, and the webhook a region registers for its own
/// messaging: its admin gives the address, OneGo answers the signing secret once, and every notice is POSTed there
/// signed (<c>X-OneGo-Timestamp</c>, <c>X-OneGo-Signature: sha256=</c>, <c>Idempotency-Key</c>) by <see cref="WebhookRelay"/>.
/// </summary>
internal static class NoticesApi
{
    /// <summary>A notice as the inbox lists it.</summary>
    public sealed record NoticeView(long Id, string Department, NoticeKind Kind, int Count, DateOnly Day, IReadOnlyList<NoticeItem> Items, DateTimeOffset CreatedAt);

    /// <summary>Where the region's notices go: an http(s) address outside OneGo's own network.</summary>
    public sealed record WebhookRequest(string? Url);

    /// <summary>The region's webhook; <paramref name="Secret"/> only in the answer to its registration, once.</summary>
    /// <param name="Pending">Notices not delivered yet.</param>
    /// <param name="LastError">Why the last failed delivery failed, as a class.</param>
    public sealed record WebhookView(string Url, DateTimeOffset RegisteredAt, string RegisteredBy, int Pending, string? LastError, string? Secret = null);

    public static IEndpointRouteBuilder MapNoticesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/t/{tenant}/notices").WithTags("Case work").Requires(Capability.WorkCases)
            .MapGet("", ListAsync).WithName("listNotices")
            .WithSummary("The deadline job's notices to the lead departments, the newest first: an officer reads their department's; the window reads the region's.");
        var hook = app.MapGroup("/api/t/{tenant}/webhook").WithTags("Case work").Requires(Capability.Administer);
        hook.MapPut("", RegisterAsync).WithName("registerWebhook")
            .WithSummary("Registers (or replaces) the region's webhook for its own messaging: every deadline notice is POSTed there, signed with the secret this answer gives once.")
            .Accepts<WebhookRequest>(MediaTypes.Json);
        hook.MapGet("", GetAsync).WithName("getWebhook").WithSummary("The region's webhook: its address, and what waits to be delivered (never its secret).");
        hook.MapDelete("", DeleteAsync).WithName("deleteWebhook").WithSummary("Removes the region's webhook; what was not delivered is dropped.");
        return app;
    }

    private static async Task<Results<Ok<Page<NoticeView>>, InvalidProblem>> ListAsync(OneGoDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // The scope decides: a department's officer sees its own notices; the window and the region's staff see every one.
        var notices = await db.Set<DepartmentNotice>().AsNoTracking().OrderByDescending(n => n.Id).Take(1000).ToListAsync(cancellationToken);
        var page = paging.Take(notices, n => (long.MaxValue - n.Id).ToString("D19"));
        return TypedResults.Ok(new Page<NoticeView>(page.Items.Select(n =>
            new NoticeView(n.Id, n.Department, n.Kind, n.Count, n.Day, DepartmentNotice.ItemsOf(n), n.CreatedAt)).ToList(), page.Next));
    }

    private static async Task<Results<Ok<WebhookView>, BodyProblem, InvalidProblem>> RegisterAsync(
        HttpContext context, OneGoDbContext db, PushTargets targets, IDataProtectionProvider protection, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<WebhookRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Fragment.Length > 0 || (request.Url?.Length ?? 0) > 2000)
        {
            return ApiProblems.Invalid([ApiError.At("/url", "url", "url is the absolute http(s) address the region's messaging receives the notices at.")]);
        }

        // The address is checked as the zone's pushes are (no loopback, private or metadata address), and again on every connection.
        if (await targets.CheckAsync(url, cancellationToken) is { } refusal)
        {
            return ApiProblems.Invalid([ApiError.At("/url", "address", refusal)]);
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var hook = await db.Set<RegionWebhook>().SingleOrDefaultAsync(cancellationToken);
        if (hook is null)
        {
            hook = new RegionWebhook { Url = "", Secret = "", RegisteredBy = "" };
            db.Add(hook);
        }

        hook.Url = url.ToString();
        hook.Secret = protection.CreateProtector(DeadlineTelling.SecretPurpose).Protect(secret);
        hook.RegisteredAt = clock.Now();
        hook.RegisteredBy = context.Actor();
        db.Audit(new AuditEvent(context.Actor(), "webhook.register", $"tenant/{context.Tenant().Id}", new { url = hook.Url }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ViewAsync(db, hook, cancellationToken) with { Secret = secret });
    }

    private static async Task<Results<Ok<WebhookView>, NotFoundProblem>> GetAsync(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken) =>
        await db.Set<RegionWebhook>().AsNoTracking().SingleOrDefaultAsync(cancellationToken) is { } hook
            ? TypedResults.Ok(await ViewAsync(db, hook, cancellationToken))
            : ApiProblems.NotFound("No webhook", $"{context.Tenant().Id} has registered no webhook.");

    /// <summary>Idempotent: with no webhook registered, there is nothing to remove and the answer is the same.</summary>
    private static async Task<NoContent> DeleteAsync(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Set<RegionWebhook>().SingleOrDefaultAsync(cancellationToken) is not { } hook)
        {
            return TypedResults.NoContent();
        }

        db.Remove(hook);
        db.RemoveRange(await db.Set<WebhookDelivery>().Where(d => d.DeliveredAt == null).ToListAsync(cancellationToken));
        db.Audit(new AuditEvent(context.Actor(), "webhook.delete", $"tenant/{context.Tenant().Id}", new { url = hook.Url }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<WebhookView> ViewAsync(OneGoDbContext db, RegionWebhook hook, CancellationToken cancellationToken)
    {
        var pending = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.DeliveredAt == null).ToListAsync(cancellationToken);
        return new WebhookView(hook.Url, hook.RegisteredAt, hook.RegisteredBy, pending.Count, pending.OrderByDescending(d => d.Id).FirstOrDefault(d => d.LastError is not null)?.LastError);
    }
}

/// <summary>
/// Delivers the deadline notices to the regions' webhooks at least once: every few seconds, each due delivery leased by
/// one node, POSTed signed through the push client (only to addresses the push rules allow, no redirect followed),
/// marked delivered on a 2xx and otherwise tried again after 30 s, 1 min, 2 min … (at most an hour).
/// </summary>
internal sealed class WebhookRelay(IServiceScopeFactory scopes, IHttpClientFactory clients, TimeProvider clock, ILogger<WebhookRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "Delivering the regions' webhook notices failed; trying again shortly");
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Delivers what is due now; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var tenants = scope.ServiceProvider.GetRequiredService<CurrentTenant>();
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector(DeadlineTelling.SecretPurpose);
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            return 0;
        }

        var now = clock.Now();
        List<(long Id, string TenantId)> due;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            due = (await db.Set<WebhookDelivery>().AsNoTracking()
                .Where(d => d.DeliveredAt == null && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
                .OrderBy(d => d.Id).Take(20).Select(d => new { d.Id, d.TenantId }).ToListAsync(cancellationToken)).Select(d => (d.Id, d.TenantId)).ToList();
        }

        foreach (var (id, tenant) in due)
        {
            using (tenants.Enter(tenant))
            {
                var lease = now.AddMinutes(2);
                // Taken by exactly one node: the update succeeds only where no live lease is held.
                if (await db.Set<WebhookDelivery>().Where(d => d.Id == id && d.DeliveredAt == null && (d.LeaseUntil == null || d.LeaseUntil < now))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, lease), cancellationToken) == 0)
                {
                    continue;
                }

                var delivery = await db.Set<WebhookDelivery>().AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
                var hook = await db.Set<RegionWebhook>().AsNoTracking().SingleOrDefaultAsync(cancellationToken);
                var (status, error) = hook is null ? (null, "no webhook registered") : await PostAsync(hook, protector.Unprotect(hook.Secret), delivery, cancellationToken);
                var attempts = delivery.Attempts + 1;
                var done = status is >= 200 and < 300;
                var wait = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Min(attempts - 1, 7))));
                await db.Set<WebhookDelivery>().Where(d => d.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Attempts, attempts).SetProperty(d => d.LastStatus, status).SetProperty(d => d.LastError, done ? null : error)
                    .SetProperty(d => d.DeliveredAt, done ? clock.Now() : null).SetProperty(d => d.NextAttemptAt, clock.Now() + wait)
                    .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null), cancellationToken);
            }
        }

        return due.Count;
    }

    private async Task<(int? Status, string? Error)> PostAsync(RegionWebhook hook, string secret, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(RequestSignature.TimestampHeader, timestamp);
        request.Headers.Add(RequestSignature.SignatureHeader, "sha256=" + RequestSignature.Sign(secret, timestamp, body));
        request.Headers.Add("Idempotency-Key", $"notice-{delivery.TenantId}-{delivery.Id}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await clients.CreateClient(OutboxRelay.HttpClientName).SendAsync(request, timeout.Token);
            return ((int)response.StatusCode, response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}");
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The webhook of {Tenant} was not reached ({Reason}); it will be tried again", delivery.TenantId, failure.GetType().Name);
            return (null, failure is TaskCanceledException ? "no answer in time" : "not reached");
        }
    }
}
