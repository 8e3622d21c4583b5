using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGo.Server.Data;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;
using Quartz;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// The relay's retry timing on a clock the test moves: Retry-After honoured to the second, the exponential backoff's
/// doubling within its jitter, which answers are retried and which dead-lettered at once, and the attempts limit.
/// The background relay is off; each test runs <see cref="OutboxRelay.DeliverDueAsync"/> itself, against a real
/// receiver that verifies every signature.
/// </summary>
public abstract class RelayBackoffTests(Provider provider) : IAsyncLifetime
{
    // Jiangsu has enough bundles for one refusal of each kind.
    private const string Jiangsu = "jiangsu";
    private const int MaxAttempts = 6;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    // Whole milliseconds, as OneGo stores time, so that "now" read by the relay is exactly the fake clock's.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private WebApplicationFactory<Program> _host = null!;
    private PushReceiver _receiver = null!;
    private HttpClient _operator = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        var settings = new Dictionary<string, string?>
        {
            ["Zone:RelayEnabled"] = "false",
            ["Zone:FirstRetry"] = FirstRetry.ToString(),
            ["Zone:MaxDelay"] = MaxDelay.ToString(),
            ["Zone:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The receiver runs on this machine's loopback address, which pushes may not reach unless allowed.
            ["Zone:Push:AllowedNetworks"] = "127.0.0.1/32",
        };
        if (provider == Provider.Postgres)
        {
            settings["Blobs:Provider"] = "Azure";
            settings["Blobs:ConnectionString"] = TestAzurite.ConnectionString;
            settings["Blobs:Container"] = TestAzurite.NewContainerName();
        }

        _app = new OneGoApp(_database, settings: settings);
        _host = _app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        // Only "publish now" publishes here. The clock these tests move drives the scheduler too: a region's nightly slot
        // crossed by a test's jump (01:30 or 03:00, Asia/Shanghai) would publish beside what it counts, so the tenants'
        // scheduled triggers are taken off.
        var scheduler = await _host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.UnscheduleJobs(await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(PublishingJob.Group)));
        _receiver = await PushReceiver.StartAsync("a-shared-secret-of-the-platform");
        _operator = await _host.AsAsync(Roles.Admin, RegionRules.NationalId);
        var created = await _operator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations",
            new { name = "national-platform", url = _receiver.Url, secret = _receiver.Secret, regions = new[] { Jiangsu } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _operator.Dispose();
        await _receiver.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Publishes Jiangsu now and returns the public ids it published, in order.</summary>
    private async Task<List<string>> PublishAsync()
    {
        using var admin = await _host.AsAsync(Roles.Admin, Jiangsu);
        return Publishing.Published(await admin.PublishNowAsync(Jiangsu));
    }

    /// <summary>One pass of the relay at the fake clock's now, as a node's relay loop would make it.</summary>
    private Task<int> DeliverDueAsync() => _host.Services.GetRequiredService<OutboxRelay>().DeliverDueAsync(CancellationToken.None);

    /// <summary>The push of one publication to the receiver, as stored.</summary>
    private async Task<OutboxItem> PushOfAsync(string publication)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        using var tenant = scope.ServiceProvider.GetRequiredService<CurrentTenant>().Enter(Jiangsu);
        return await db.Set<OutboxItem>().AsNoTracking().SingleAsync(i => i.Publication!.PublicId == publication && i.Kind == OutboxKind.Push);
    }

    /// <summary>Passes until nothing more is due, as a node's relay loop makes them.</summary>
    private async Task DeliverAllDueAsync()
    {
        while (await DeliverDueAsync() > 0)
        {
        }
    }

    private int ArrivalsOf(string publication) => _receiver.Arrivals.Count(a => a.Key == publication);

    private async Task<JsonArray> DeadLettersAsync() => (await (await _operator.GetAsync("/api/zone/dead-letters")).JsonAsync())["items"]!.AsArray();

    [Fact]
    public async Task A503WithRetryAfterIsNotRetriedBeforeItsSecondsHavePassedAndIsRetriedThen()
    {
        _receiver.RetryAfter = "120";
        _receiver.Then(503);
        var published = await PublishAsync();
        await DeliverAllDueAsync();
        var refused = _receiver.Arrivals.Single(a => a.Status == 503).Key;
        Assert.Equal(published.Where(p => p != refused).Order(StringComparer.Ordinal), _receiver.Accepted.Keys.Order(StringComparer.Ordinal));
        var waiting = await PushOfAsync(refused);
        Assert.Equal((OutboxStatus.Pending, 1, 503), (waiting.Status, waiting.Attempts, waiting.LastStatus));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(120), waiting.NextAttemptAt);

        // Well past the backoff's first retry (10 s at most), a millisecond short of the 120 s asked for: not yet.
        _clock.Advance(TimeSpan.FromSeconds(120) - Tick);
        Assert.Equal(0, await DeliverDueAsync());
        Assert.Equal(1, ArrivalsOf(refused));

        _clock.Advance(Tick);
        Assert.Equal(1, await DeliverDueAsync());
        Assert.Equal(2, ArrivalsOf(refused));
        Assert.True(_receiver.Accepted.ContainsKey(refused));
        Assert.Equal(OutboxStatus.Delivered, (await PushOfAsync(refused)).Status);
        Assert.All(_receiver.Arrivals, a => Assert.True(a.SignatureValid));
    }

    [Fact]
    public async Task PushesToAReceiverThatIsDownAreRetriedAndOnceItIsBackEachIsDeliveredOnceSignedAndNoneDeadLettered()
    {
        await _receiver.StopListeningAsync();
        var published = await PublishAsync();

        // Nothing listens at the integration's address: each attempt is refused before any answer, and waits its backoff.
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await DeliverAllDueAsync();
            foreach (var key in published)
            {
                var item = await PushOfAsync(key);
                Assert.Equal((OutboxStatus.Pending, attempt, (int?)null), (item.Status, item.Attempts, item.LastStatus));
                Assert.Equal("connection refused", item.LastError);
            }

            _clock.Advance(MaxDelay + Tick);
        }

        Assert.Empty(_receiver.Arrivals);

        // Back at the same address: the next pass delivers every publication, each once, under its own key.
        await _receiver.ListenAgainAsync();
        await DeliverAllDueAsync();
        Assert.Equal(published.Order(StringComparer.Ordinal), _receiver.Accepted.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(published.Order(StringComparer.Ordinal), _receiver.Arrivals.Select(a => a.Key).Order(StringComparer.Ordinal));
        Assert.All(_receiver.Arrivals, a => Assert.True(a.SignatureValid && a.Status == 204, $"{a.Key}: signature valid {a.SignatureValid}, {a.Status}"));
        Assert.All(_receiver.Accepted, a => Assert.Equal(a.Key, (string?)JsonNode.Parse(a.Value)!["id"]));
        foreach (var key in published)
        {
            var item = await PushOfAsync(key);
            Assert.Equal((OutboxStatus.Delivered, 3, (int?)204), (item.Status, item.Attempts, item.LastStatus));
        }

        Assert.Empty(await DeadLettersAsync());
    }

    [Fact]
    public async Task A500IsRetriedAfterABackoffThatDoublesWithinItsJitterAndIsDeadLetteredAfterTheLastAttempt()
    {
        var published = await PublishAsync();
        var failing = published[0];
        _receiver.Refuse[failing] = 500;
        await DeliverAllDueAsync();

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt < MaxAttempts; attempt++)
        {
            var item = await PushOfAsync(failing);
            Assert.Equal((OutboxStatus.Pending, attempt, 500), (item.Status, item.Attempts, item.LastStatus));
            var delay = item.NextAttemptAt - _clock.GetUtcNow();
            // Between half and all of FirstRetry·2^(n-1), capped at MaxDelay: the jitter spreads the retries of many items.
            var ceiling = TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << (attempt - 1), MaxDelay.Ticks));
            Assert.InRange(delay, ceiling / 2 - Tick, ceiling + Tick);
            delays.Add(delay);

            // Not a millisecond early; then, when due, exactly one more attempt.
            _clock.Advance(delay - Tick);
            Assert.Equal(0, await DeliverDueAsync());
            Assert.Equal(attempt, ArrivalsOf(failing));
            _clock.Advance(Tick * 2);
            Assert.Equal(1, await DeliverDueAsync());
            Assert.Equal(attempt + 1, ArrivalsOf(failing));
        }

        // Roughly doubling until the cap: each of the first delays is longer than the one before but for the jitter.
        Assert.True(delays[2] > delays[0] && delays[3] > delays[1], string.Join(", ", delays));
        var dead = await PushOfAsync(failing);
        Assert.Equal((OutboxStatus.DeadLetter, MaxAttempts), (dead.Status, dead.Attempts));
        var letter = Assert.Single(await DeadLettersAsync());
        Assert.Equal((failing, MaxAttempts, 500), ((string)letter!["publication"]!, (int)letter["attempts"]!, (int)letter["lastStatus"]!));
        Assert.Equal($"gave up after {MaxAttempts} attempts; last: HTTP 500", (string)letter["lastError"]!);

        // Dead means no more attempts, however long one waits.
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await DeliverDueAsync());
        Assert.Equal(MaxAttempts, ArrivalsOf(failing));
        Assert.Equal(published.Skip(1).Order(StringComparer.Ordinal), _receiver.Accepted.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A429AndA408AreRetriedAndA400A404A422AreDeadLetteredAtOnceWithTheirStatus()
    {
        var published = await PublishAsync();
        int[] statuses = [429, 408, 400, 404, 422];
        Assert.True(published.Count >= statuses.Length, $"{Jiangsu} published {published.Count}");
        var refused = statuses.Select((status, i) => (Key: published[i], Status: status)).ToList();
        foreach (var (key, status) in refused)
        {
            _receiver.Refuse[key] = status;
        }

        await DeliverAllDueAsync();
        foreach (var (key, status) in refused)
        {
            var item = await PushOfAsync(key);
            var retried = status is 429 or 408;
            Assert.Equal((retried ? OutboxStatus.Pending : OutboxStatus.DeadLetter, 1, status), (item.Status, item.Attempts, item.LastStatus));
        }

        var letters = await DeadLettersAsync();
        Assert.Equal(refused.Where(r => r.Status is 400 or 404 or 422).Select(r => (r.Key, r.Status, true)),
            letters.Select(l => ((string)l!["publication"]!, (int)l["lastStatus"]!, (string)l["lastError"]! == $"HTTP {(int)l["lastStatus"]!}"))
                .OrderBy(l => refused.FindIndex(r => r.Key == l.Item1)));

        // The receiver recovers; after the longest backoff the 429 and the 408 go through, the dead letters stay.
        _receiver.Refuse.Clear();
        _clock.Advance(MaxDelay + Tick);
        Assert.Equal(2, await DeliverDueAsync());
        Assert.Equal(published.Count - 3, _receiver.Accepted.Count);
        Assert.All(refused, r => Assert.Equal(r.Status is 429 or 408 ? 2 : 1, ArrivalsOf(r.Key)));
        Assert.Equal(3, (await DeadLettersAsync()).Count);
        Assert.All(_receiver.Arrivals, a => Assert.True(a.SignatureValid));
    }
}

public sealed class RelayBackoffTestsOnSqlite() : RelayBackoffTests(Provider.Sqlite);

public sealed class RelayBackoffTestsOnPostgresAndAzurite() : RelayBackoffTests(Provider.Postgres);
