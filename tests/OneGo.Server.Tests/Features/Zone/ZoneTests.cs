using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Storage;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// Publishing into the national service zone: publish now and on a schedule, the feed in commit order, the zone's
/// search across regions, snapshots in blob storage (the file system on SQLite, Azurite on PostgreSQL), and pushes
/// to a real receiver that verifies every signature — with failures retried, a poison item dead-lettered and replayed.
/// </summary>
public abstract class ZoneTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _haicangAdmin = null!;
    private HttpClient _operator = null!;
    private HttpClient _reader = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        var settings = new Dictionary<string, string?>
        {
            // Retries come quickly in tests; the backoff's shape is the same.
            ["Zone:FirstRetry"] = "00:00:00.200",
            ["Zone:MaxDelay"] = "00:00:01",
            ["Zone:PollInterval"] = "00:00:00.200",
            ["Zone:MaxAttempts"] = "4",
            ["Zone:PushTimeout"] = "00:00:02",
            // The receiver runs on this machine's loopback address, which pushes may not reach unless allowed.
            ["Zone:Push:AllowedNetworks"] = "127.0.0.1/32",
            // A schedule that fires every second, to see a scheduled run without waiting.
            ["Publishing:MinimumInterval"] = "00:00:01",
        };
        if (provider == Provider.Postgres)
        {
            settings["Blobs:Provider"] = "Azure";
            settings["Blobs:ConnectionString"] = TestAzurite.ConnectionString;
            settings["Blobs:Container"] = TestAzurite.NewContainerName();
        }

        _app = new OneGoApp(_database, settings: settings);
        _haicangAdmin = await _app.AsAsync(Roles.Admin, Haicang);
        _operator = await _app.AsAsync(Roles.Admin, "national");
        _reader = _app.CreateClient();
        _reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.RequestAsync(_reader, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope));
    }

    public async Task DisposeAsync()
    {
        _haicangAdmin.Dispose();
        _operator.Dispose();
        _reader.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what) =>
        Eventually.HoldsAsync(read, done, what, timeout: TimeSpan.FromSeconds(60));

    /// <summary>Publishes now as the tenant's admin and waits for the run to end; returns the run with what it published.</summary>
    private static Task<JsonNode> PublishAsync(HttpClient admin, string tenant) => admin.PublishNowAsync(tenant);

    private Task<List<JsonNode>> FeedAsync() => _reader.FeedAsync();

    [Fact]
    public async Task PublishNowPutsEachLiveBundleInTheZoneOnceAndTheFeedAndSearchShowThem()
    {
        var live = (await (await _app.CreateClient().GetAsync($"/api/t/{Haicang}/bundles?limit=500")).JsonAsync())["items"]!.AsArray().Count;
        var run = await PublishAsync(_haicangAdmin, Haicang);
        Assert.Equal(("succeeded", live, "manual"), ((string?)run["run"]!["status"], (int)run["run"]!["published"]!, (string?)run["run"]!["trigger"]));
        Assert.Equal(live, run["publications"]!.AsArray().Count);

        // Nothing new: the next run publishes nothing.
        Assert.Equal(0, (int)(await PublishAsync(_haicangAdmin, Haicang))["run"]!["published"]!);

        var feed = await FeedAsync();
        Assert.Equal(Enumerable.Range(1, live).Select(i => (long)i), feed.Select(p => (long)p["sequence"]!));
        var enrolment = feed.Single(p => (string?)p["bundle"] == "enrolment");
        Assert.Equal((Haicang, 1, "version"), ((string)enrolment["tenant"]!, (int)enrolment["version"]!, (string)enrolment["kind"]!));
        Assert.NotNull(enrolment["content"]!["matters"]);
        var one = await _reader.GetAsync($"/api/zone/publications/{enrolment["id"]}");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Contains("immutable", one.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient().GetAsync("/api/zone/feed")).StatusCode);

        // Anyone searches the zone across regions: Fujian and below has Haicang's, Zhejiang none of them.
        using var citizen = _app.CreateClient();
        var fujian = await (await citizen.GetAsync("/api/zone/bundles?region=350000")).JsonAsync();
        Assert.Equal(live, fujian["items"]!.AsArray().Count(i => (string?)i!["tenant"] == Haicang));
        Assert.Empty((await (await citizen.GetAsync("/api/zone/bundles?region=zhejiang")).JsonAsync())["items"]!.AsArray());

        // A new approved version reaches the zone at the next run; so does a withdrawal, after which search drops it.
        using var staff = ActAsTenantStaff.For(_app);
        var draft = await staff.GetAsync($"/api/t/{Haicang}/bundles/enrolment/draft");
        var saved = await staff.SendJsonAsync(HttpMethod.Put, $"/api/t/{Haicang}/bundles/enrolment/draft", (await draft.JsonAsync())["document"], draft.ETag());
        Assert.Equal(HttpStatusCode.OK, (await staff.SubmitAndApproveAsync($"/api/t/{Haicang}/bundles/enrolment/draft", saved.ETag())).StatusCode);
        Assert.Equal(1, (int)(await PublishAsync(_haicangAdmin, Haicang))["run"]!["published"]!);
        var latest = (await FeedAsync()).Last();
        Assert.Equal(("enrolment", 2, live + 1L), ((string)latest["bundle"]!, (int)latest["version"]!, (long)latest["sequence"]!));

        var read = await staff.GetAsync($"/api/t/{Haicang}/bundles/enrolment/draft");
        var proposed = await staff.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/withdrawal", new { comment = "改由市级统一办理" }, read.ETag());
        Assert.Equal(HttpStatusCode.OK, (await staff.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/draft/approve", ifMatch: proposed.ETag())).StatusCode);
        Assert.Equal(1, (int)(await PublishAsync(_haicangAdmin, Haicang))["run"]!["withdrawn"]!);
        Assert.Equal(("enrolment", "withdrawal", 2), ((string)(await FeedAsync()).Last()["bundle"]!, (string)(await FeedAsync()).Last()["kind"]!, (int)(await FeedAsync()).Last()["version"]!));
        // A withdrawal describes no service: it has no CPSV-AP form.
        using (var asCpsv = new HttpRequestMessage(HttpMethod.Get, $"/api/zone/publications/{(await FeedAsync()).Last()["id"]}"))
        {
            asCpsv.Headers.Accept.ParseAdd("application/ld+json");
            Assert.Equal(HttpStatusCode.NotAcceptable, (await _reader.SendAsync(asCpsv)).StatusCode);
        }

        Assert.DoesNotContain((await (await citizen.GetAsync("/api/zone/bundles?region=fujian.xiamen")).JsonAsync())["items"]!.AsArray(), i => (string?)i!["code"] == "enrolment");

        // Every publication's snapshot lands in blob storage at {tenant}/{bundle}/{version}.json.
        var blobs = _app.Services.GetRequiredService<IBlobStore>();
        await EventuallyAsync(async () => await blobs.GetAsync($"{Haicang}/enrolment/2.withdrawal.json"), b => b is not null, "the withdrawal's snapshot");
        var snapshot = JsonNode.Parse((await blobs.GetAsync($"{Haicang}/enrolment/1.json"))!)!;
        Assert.Equal((string?)enrolment["id"], (string?)snapshot["id"]);
    }

    [Fact]
    public async Task ARunAlreadyUnderWayIsReturnedInsteadOfASecondAndOnlyAdminsPublish()
    {
        var first = await _haicangAdmin.PostAsync($"/api/t/{Haicang}/publishing-runs", null);
        var second = await _haicangAdmin.PostAsync($"/api/t/{Haicang}/publishing-runs", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        async Task<JsonNode> EndedAsync(Uri location) => (await EventuallyAsync(async () => await (await _haicangAdmin.GetAsync(location)).JsonAsync(),
            r => (string?)r["run"]!["status"] is "succeeded" or "failed", $"run {location}"))["run"]!;
        var firstRun = await EndedAsync(first.Headers.Location!);
        var secondRun = await EndedAsync(second.Headers.Location!);
        var live = (await (await _haicangAdmin.GetAsync($"/api/t/{Haicang}/bundles?limit=500")).JsonAsync())["items"]!.AsArray().Count;
        Assert.Equal("succeeded", (string?)firstRun["status"]);
        Assert.Equal(live, (int)firstRun["published"]!);
        if (first.Headers.Location != second.Headers.Location)
        {
            // A second run only once the first had ended; it found nothing left to publish.
            Assert.True(DateTimeOffset.Parse((string)firstRun["finishedAt"]!, CultureInfo.InvariantCulture) <= DateTimeOffset.Parse((string)secondRun["requestedAt"]!, CultureInfo.InvariantCulture),
                $"A second run was queued while the first was under way: {firstRun.ToJsonString()} {secondRun.ToJsonString()}");
            Assert.Equal(0, (int)secondRun["published"]!);
        }

        // In the zone once each.
        var feed = await FeedAsync();
        Assert.Equal(live, feed.Count);
        Assert.Equal(live, feed.Select(p => (string)p["bundle"]!).Distinct().Count());

        using var editor = await _app.AsAsync(Roles.Editor, Haicang);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsync($"/api/t/{Haicang}/publishing-runs", null)).StatusCode);
        var runs = await (await editor.GetAsync($"/api/t/{Haicang}/publishing-runs")).JsonAsync();
        Assert.NotEmpty(runs["items"]!.AsArray());
    }

    [Fact]
    public async Task ARunLeftRunningByADeadNodeDoesNotBlockPublishNow()
    {
        // A node died between two batches of a run: the run still says it is running, and no node runs the job.
        var tenants = new OneGo.Tenancy.CurrentTenant();
        var dead = Guid.CreateVersion7();
        await using (var db = _database.NewContext(tenants))
        {
            using (tenants.Enter(Haicang))
            {
                db.Add(new OneGo.Server.Features.Zone.PublishingRun
                {
                    Id = dead, Trigger = "schedule", Status = OneGo.Server.Features.Zone.RunStatus.Running, RequestedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync();
            }
        }

        var run = await PublishAsync(_haicangAdmin, Haicang);
        Assert.NotEqual(dead.ToString(), (string?)run["run"]!["id"]);
        Assert.Equal("succeeded", (string?)run["run"]!["status"]);
        Assert.True((int)run["run"]!["published"]! > 0);
        var interrupted = await (await _haicangAdmin.GetAsync($"/api/t/{Haicang}/publishing-runs/{dead}")).JsonAsync();
        Assert.Equal("failed", (string?)interrupted["run"]!["status"]);
        Assert.StartsWith("interrupted", (string?)interrupted["run"]!["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task L7_AFailedRunShowsTheKindOfFailureAndNotWhatTheExceptionSaid()
    {
        // A live version the database does not hold: the run cannot find what it is to publish.
        var tenants = new OneGo.Tenancy.CurrentTenant();
        await using (var db = _database.NewContext(tenants))
        {
            using (tenants.Enter(Haicang))
            {
                Assert.Equal(1, await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database,
                    "UPDATE \"Bundles\" SET \"LiveVersion\" = 99 WHERE \"TenantId\" = {0} AND \"Code\" = {1}", Haicang, "enrolment"));
            }
        }

        var run = await PublishAsync(_haicangAdmin, Haicang);
        Assert.Equal(("failed", "failed: an internal error; the details are in the node's log"), ((string?)run["run"]!["status"], (string?)run["run"]!["error"]));
    }

    [Fact]
    public async Task ConcurrentRunsOfSeveralTenantsAreAllInTheFeedWithoutAGap()
    {
        string[] tenants = ["jiangsu.nanjing.gulou", "jiangsu.nanjing.jiangning", "chongqing", "zhejiang", Haicang];
        var admins = await Task.WhenAll(tenants.Select(t => _app.AsAsync(Roles.Admin, t)));
        var runs = await Task.WhenAll(tenants.Select((t, i) => PublishAsync(admins[i], t)));
        Assert.All(runs, r => Assert.Equal("succeeded", (string?)r["run"]!["status"]));
        var expected = runs.Sum(r => (int)r["run"]!["published"]!);

        var feed = await FeedAsync();
        Assert.Equal(expected, feed.Count);
        Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), feed.Select(p => (long)p["sequence"]!));
        Assert.Equal(expected, feed.Select(p => (string)p["id"]!).Distinct().Count());
        foreach (var admin in admins)
        {
            admin.Dispose();
        }
    }

    [Fact]
    public async Task TwoRunsOfOneTenantAtOncePublishEachBundleOnceAndTheFeedHasNoGap()
    {
        // A run taken over from a node that was only slow: both runs read the same bundles as due, then both write.
        var ids = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        var tenants = new OneGo.Tenancy.CurrentTenant();
        await using (var db = _database.NewContext(tenants))
        {
            using (tenants.Enter(Haicang))
            {
                foreach (var id in ids)
                {
                    db.Add(new PublishingRun { Id = id, Trigger = "now", Status = RunStatus.Queued, RequestedAt = DateTimeOffset.UtcNow });
                }

                await db.SaveChangesAsync();
            }
        }

        async Task<PublishingRun> RunAsync(Guid id)
        {
            await using var scope = _app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ZonePublisher>().RunAsync(Haicang, id, CancellationToken.None);
        }

        PublishingRun[] ended;
        if (provider == Provider.Postgres)
        {
            // The bundles locked against writes until both runs have read what is due and wait to mark it.
            await using var owner = new NpgsqlConnection(_database.OwnerConnectionString);
            await owner.OpenAsync();
            await using var hold = await owner.BeginTransactionAsync();
            await new NpgsqlCommand("LOCK TABLE \"Bundles\" IN EXCLUSIVE MODE", owner, hold).ExecuteNonQueryAsync();
            var runs = ids.Select(RunAsync).ToArray();
            await EventuallyAsync(async () => (long)(await new NpgsqlCommand(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'Bundles' AND NOT l.granted", owner, hold).ExecuteScalarAsync())!,
                waiting => waiting == 2, "both runs waiting to mark the bundles they read as due");
            await hold.CommitAsync();
            ended = await Task.WhenAll(runs);
            Assert.Equal(0, ended.Min(r => r.Published));
        }
        else
        {
            ended = await Task.WhenAll(ids.Select(RunAsync));
        }

        Assert.All(ended, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        var feed = await FeedAsync();
        Assert.NotEmpty(feed);
        Assert.Equal(ended.Sum(r => r.Published), feed.Count);
        Assert.Equal(Enumerable.Range(1, feed.Count).Select(i => (long)i), feed.Select(p => (long)p["sequence"]!));
        Assert.Equal(feed.Count, feed.Select(p => (string)p["bundle"]!).Distinct().Count());
    }

    [Fact]
    public async Task PushesAreSignedRetriedOnFailureAndTimeoutDeadLetteredOnA422AndReplayed()
    {
        await using var receiver = await PushReceiver.StartAsync("a-shared-secret-of-the-platform");
        var created = await _operator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations",
            new { name = "national-platform", url = receiver.Url, secret = receiver.Secret, regions = new[] { "350000" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // Where it was created, it can be read: the same integration, with nothing waiting yet.
        var registered = await created.JsonAsync();
        var read = await _operator.GetAsync(created.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(registered.ToJsonString(), (await read.JsonAsync()).ToJsonString());
        Assert.Equal($"/api/zone/integrations/{registered["id"]}", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await _haicangAdmin.GetAsync(created.Headers.Location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _operator.GetAsync($"/api/zone/integrations/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _haicangAdmin.GetAsync("/api/zone/integrations")).StatusCode);
        var invalid = await _operator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations", new { name = "x", url = "ftp://x", secret = "short", regions = new[] { "nowhere" } });
        Assert.Equal(["/url", "/secret", "/regions/0"], await invalid.ErrorPlacesAsync());

        // The first deliveries fail (500, 503 with Retry-After, a dropped answer, an answer later than the sender's
        // timeout of 2 s); one publication is refused for good.
        receiver.Then(500, 503);
        receiver.ThenAcceptAndDropTheAnswer();
        receiver.ThenAcceptSlowly(TimeSpan.FromSeconds(10));
        var run = await PublishAsync(_haicangAdmin, Haicang);
        var keys = run["publications"]!.AsArray().Select(p => (string)p!["id"]!).ToList();
        var poison = keys[0];
        receiver.Refuse[poison] = 422;

        await EventuallyAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= keys.Count - 1, "every push but the poison one");
        var dead = await EventuallyAsync(async () => (await (await _operator.GetAsync("/api/zone/dead-letters")).JsonAsync())["items"]!.AsArray(),
            d => d.Count == 1, "the poison item's dead letter");
        Assert.Equal((poison, 422), ((string)dead[0]!["publication"]!, (int)dead[0]!["lastStatus"]!));
        // A 422 is not retried: it was the poison item's last attempt, and its only 422.
        Assert.Equal(1, receiver.Arrivals.Count(a => a.Key == poison && a.Status == 422));
        Assert.Equal(receiver.Arrivals.Count(a => a.Key == poison), (int)dead[0]!["attempts"]!);
        Assert.All(receiver.Arrivals, a => Assert.True(a.SignatureValid));
        Assert.Equal(keys.Where(k => k != poison).Order(StringComparer.Ordinal), receiver.Accepted.Keys.Where(k => k != poison).Order(StringComparer.Ordinal));
        // Retried items arrived more than once, always under the same Idempotency-Key; the one answered too late too.
        Assert.True(receiver.Arrivals.Count > keys.Count);
        // The one answered after the sender's timeout is sent again; the others may all be in before that retry.
        var late = Assert.Single(receiver.Arrivals, a => a.Status == 202).Key;
        await EventuallyAsync(() => Task.FromResult(receiver.Arrivals.Count(a => a.Key == late)), n => n >= 2, "the delivery answered after the sender's timeout, sent again");

        // The receiver is fixed; the operator replays the dead letter and it goes through.
        receiver.Refuse.TryRemove(poison, out _);
        Assert.Equal(HttpStatusCode.Accepted, (await _operator.PostAsync($"/api/zone/dead-letters/{dead[0]!["id"]}/replay", null)).StatusCode);
        await EventuallyAsync(() => Task.FromResult(receiver.Accepted.ContainsKey(poison)), d => d, "the replayed delivery");
        Assert.Empty((await (await _operator.GetAsync("/api/zone/dead-letters")).JsonAsync())["items"]!.AsArray());
        var body = JsonNode.Parse(receiver.Accepted[poison])!;
        Assert.Equal(poison, (string?)body["id"]);
    }

    [Fact]
    public async Task AChangedScheduleInATenantsSettingsTakesEffectWithoutARestart()
    {
        var settings = await _haicangAdmin.GetAsync($"/api/t/{Haicang}/settings");
        var body = await settings.JsonAsync();
        // Every second (Quartz cron, Asia/Shanghai).
        Assert.Equal(HttpStatusCode.OK, (await _haicangAdmin.SendJsonAsync(HttpMethod.Put, $"/api/t/{Haicang}/settings",
            new JsonObject { ["name"] = body["name"]!.DeepClone(), ["publishingSchedule"] = "* * * * * ?" }, settings.ETag())).StatusCode);
        var runs = await EventuallyAsync(async () => (await (await _haicangAdmin.GetAsync($"/api/t/{Haicang}/publishing-runs")).JsonAsync())["items"]!.AsArray(),
            r => r.Any(x => (string?)x!["trigger"] == "schedule" && (string?)x["status"] == "succeeded"), "a scheduled run");
        Assert.Contains(runs, r => (int)r!["published"]! > 0);
    }
}

public sealed class ZoneTestsOnSqlite() : ZoneTests(Provider.Sqlite);

public sealed class ZoneTestsOnPostgresAndAzurite() : ZoneTests(Provider.Postgres);
