using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// A server process killed at a point of publishing or delivery (<c>Testing:CrashAt</c>) — before a batch commits,
/// after it commits, between two batches, after a snapshot was written, after a push was accepted — then started
/// again without the fault: the zone holds every live bundle (and every withdrawal) once, in sequence, each
/// snapshot in blob storage is the publication's bytes and was never written twice, the integration has every
/// publication, repeated only under its own Idempotency-Key, and the interrupted run was taken over by the restarted node or says it was interrupted.
/// Runs publish two bundles per transaction here, so that a run has several batches. Each fixed point is killed in
/// <c>infra/crash-tests.sh</c>; the test command kills at random points run after run, and during a withdrawal.
/// </summary>
public sealed class CrashRecoveryTestsOnPostgresAndAzurite(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string SeedVariable = "ONEGO_TEST_CRASH_SEED";
    private const int BatchSize = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly string _container = TestAzurite.NewContainerName();
    private TestDatabase _database = null!;
    private PushReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Postgres);
        _receiver = await PushReceiver.StartAsync("a-shared-secret-of-the-platform");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _database.DisposeAsync();
        await new BlobContainerClient(TestAzurite.ConnectionString, _container).DeleteIfExistsAsync();
    }

    /// <summary>A node on the test's database and container; a short lease, so that an item held by the killed node is taken over soon.</summary>
    private Task<ServerProcess> StartNodeAsync(string? crashAt = null)
    {
        List<string> options =
        [
            "--Blobs:Provider=Azure",
            $"--Blobs:ConnectionString={TestAzurite.ConnectionString}",
            $"--Blobs:Container={_container}",
            "--Zone:Lease=00:00:03",
            "--Zone:PollInterval=00:00:00.500",
            $"--Zone:PublishBatchSize={BatchSize}",
            // Quick check-ins, so that the restarted node's cluster takes the killed one for dead within seconds.
            "--Scheduling:ClusterCheckinInterval=00:00:01",
            "--Scheduling:ClusterCheckinMisfireThreshold=00:00:03",
            // The receiver runs on this machine's loopback address, which pushes may not reach unless allowed.
            "--Zone:Push:AllowedNetworks=127.0.0.1/32",
        ];
        if (crashAt is not null)
        {
            options.Add($"--{CrashPoints.Setting}={crashAt}");
        }

        return ServerProcess.StartAsync(_database, [.. options]);
    }

    private async Task RegisterIntegrationAsync(ServerProcess node, string region)
    {
        using var nationalOperator = await node.AsAsync(Roles.Admin, RegionRules.NationalId);
        var created = await nationalOperator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations",
            new { name = "national-platform", url = _receiver.Url, secret = _receiver.Secret, regions = new[] { region } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>Asks a node that is to be killed for a run of <paramref name="tenant"/>: a node that dies while answering is what the test wanted.</summary>
    private static async Task RequestRunOfTheDoomedAsync(ServerProcess node, string tenant)
    {
        using var admin = await node.AsAsync(Roles.Admin, tenant);
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null)).StatusCode);
        }
        catch (HttpRequestException)
        {
            // Killed before the answer went out.
        }
    }

    /// <summary>
    /// Asks a healthy node for a run of <paramref name="tenant"/>, as an admin would, and follows it until one has
    /// succeeded; any other end fails the test. Until the cluster takes the killed node for dead, "publish now" answers
    /// with the run it left under way; then the restarted node takes that run over, or, asked between the recovery and
    /// the takeover, marks it interrupted and starts a new one, so the test asks again whenever the run it follows ended
    /// interrupted or is one of <paramref name="killed"/>.
    /// </summary>
    private static async Task<JsonNode> RunAsync(ServerProcess node, string tenant, IReadOnlyCollection<Guid>? killed = null)
    {
        using var admin = await node.AsAsync(Roles.Admin, tenant);
        Uri? following = null;
        return await Eventually.HoldsAsync(async () =>
        {
            if (following is not null)
            {
                var run = (await (await admin.GetAsync(following)).JsonAsync())["run"]!;
                var status = (string?)run["status"];
                Assert.True(status != "failed" || ((string?)run["error"])?.StartsWith("interrupted", StringComparison.Ordinal) == true, run.ToJsonString() + "\n" + node.Output);
                if (status is "queued" or "succeeded" || (status == "running" && killed?.Contains(Guid.Parse((string)run["id"]!)) != true))
                {
                    return run;
                }
            }

            var accepted = await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null);
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{(int)accepted.StatusCode} {await accepted.Content.ReadAsStringAsync()}\n{node.Output}");
            following = accepted.Headers.Location;
            return (await (await admin.GetAsync(following)).JsonAsync())["run"]!;
        }, r => (string?)r["status"] == "succeeded", $"a run of {tenant} to succeed on the restarted node", r => r.ToJsonString() + "\n" + node.Output, Patience);
    }


    /// <summary>What blob storage holds: each snapshot's ETag, last change and bytes.</summary>
    private async Task<Dictionary<string, (string ETag, DateTimeOffset Modified, byte[] Bytes)>> SnapshotsAsync()
    {
        var container = new BlobContainerClient(TestAzurite.ConnectionString, _container);
        var snapshots = new Dictionary<string, (string, DateTimeOffset, byte[])>(StringComparer.Ordinal);
        if (!await container.ExistsAsync())
        {
            return snapshots;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            if (blob.Name.StartsWith("audit/", StringComparison.Ordinal))
            {
                continue;
            }

            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
            snapshots[blob.Name] = (content.Value.Details.ETag.ToString(), content.Value.Details.LastModified, content.Value.Content.ToArray());
        }

        return snapshots;
    }

    private static string SnapshotOf(JsonNode publication) =>
        $"{publication["tenant"]}/{publication["bundle"]}/{publication["version"]}{((string?)publication["kind"] == "withdrawal" ? ".withdrawal" : "")}.json";

    private static string KeyOf(JsonNode p) => $"{p["tenant"]}/{p["bundle"]}@{p["version"]}:{p["kind"]}";

    /// <summary>How many publications the tenants have in the zone, read as the owner: what a killed node left.</summary>
    private async Task<int> PublishedAsync(string tenant)
    {
        await using var db = _database.NewContext();
        return await db.Set<Publication>().IgnoreQueryFilters([TenancyModel.FilterName]).CountAsync(p => p.TenantId == tenant);
    }

    /// <summary>
    /// Waits on a healthy node until the tenants' live bundles, and the withdrawals of <paramref name="withdrawn"/>, are
    /// all in the zone, snapshotted and pushed, then checks that nothing is there twice and every snapshot is the
    /// publication's own bytes; returns the feed.
    /// </summary>
    private async Task<List<JsonNode>> AssertTheZoneHoldsEachOnceAsync(ServerProcess node, string[] tenants, params (string Tenant, string Bundle)[] withdrawn)
    {
        using var anonymous = node.Client();
        var live = 0;
        foreach (var tenant in tenants)
        {
            live += (await (await anonymous.GetAsync($"/api/t/{tenant}/bundles?limit=500")).JsonAsync())["items"]!.AsArray().Count;
        }

        // A withdrawn bundle was in the zone as a version first, then as its withdrawal.
        var expected = live + 2 * withdrawn.Length;
        using var reader = await node.ClientAsync(DemoAccounts.ZoneReader, OneGoClaims.ZoneReadScope);
        // The regions under test only: a region's publishing schedule (tenants/: 01:30 and 03:00 China time) may fire on
        // these nodes meanwhile and publish regions this test does not count.
        bool Ours(JsonNode p) => tenants.Contains((string?)p["tenant"]);
        var (feed, snapshots) = await Eventually.HoldsAsync(async () => ((await reader.FeedAsync()).Where(Ours).ToList(), await SnapshotsAsync()),
            s => s.Item1.Count >= expected && s.Item1.All(p => s.Item2.ContainsKey(SnapshotOf(p)) && _receiver.Accepted.ContainsKey((string)p["id"]!)),
            "every live bundle and withdrawal in the zone, snapshotted and pushed",
            s => $"{s.Item1.Count} of {expected} in the feed, {s.Item2.Count} snapshots, {_receiver.Accepted.Count} pushes accepted\n{node.Output}",
            timeout: Patience);

        // In the zone exactly once: one publication per live bundle (and per withdrawal), none twice, in sequence.
        Assert.Equal(expected, feed.Count);
        Assert.Equal(expected, feed.Select(KeyOf).Distinct().Count());
        var sequences = feed.Select(p => (long)p["sequence"]!).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(expected, sequences.Distinct().Count());
        foreach (var (tenant, bundle) in withdrawn)
        {
            Assert.Single(feed, p => (string?)p["tenant"] == tenant && (string?)p["bundle"] == bundle && (string?)p["kind"] == "withdrawal");
        }

        // Each snapshot is the publication, byte for byte what the integration was sent, and what the feed serves.
        using var nationalOperator = await node.AsAsync(Roles.Admin, RegionRules.NationalId);
        foreach (var publication in feed)
        {
            var id = (string)publication["id"]!;
            var bytes = snapshots[SnapshotOf(publication)].Bytes;
            Assert.Equal(Encoding.UTF8.GetBytes(_receiver.Accepted[id]), bytes);
            var served = await (await reader.GetAsync($"/api/zone/publications/{id}")).JsonAsync();
            Assert.True(JsonNode.DeepEquals(served, JsonNode.Parse(bytes)), $"{SnapshotOf(publication)} differs from GET /api/zone/publications/{id}");
        }

        // Pushed at least once each, and only ever under the publication's own key, each signature right.
        var ids = feed.Select(p => (string)p["id"]!).ToHashSet(StringComparer.Ordinal);
        var others = _receiver.Accepted.Where(a => !Ours(JsonNode.Parse(a.Value)!)).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(ids.Order(StringComparer.Ordinal), _receiver.Accepted.Keys.Where(k => !others.Contains(k)).Order(StringComparer.Ordinal));
        Assert.All(_receiver.Accepted, a => Assert.Equal(a.Key, (string?)JsonNode.Parse(a.Value)!["id"]));
        Assert.All(_receiver.Arrivals, a => Assert.True(a.SignatureValid && (ids.Contains(a.Key) || others.Contains(a.Key)), $"{a.Key}: signature valid {a.SignatureValid}"));
        Assert.Empty((await (await nationalOperator.GetAsync("/api/zone/dead-letters")).JsonAsync())["items"]!.AsArray());
        return feed;
    }

    /// <summary>
    /// What the killed node left behind, for the test to hold against what the restarted node does: how many
    /// publications, which snapshots, and the runs it left saying they were running (whoever asked for them: a run
    /// on the schedule at start may be the one the fault killed).
    /// </summary>
    private sealed record Wreck(int Published, Dictionary<string, (string ETag, DateTimeOffset Modified, byte[] Bytes)> Snapshots, List<Guid> Running);

    /// <summary>The tenant's runs that say they are running, read as the owner.</summary>
    private async Task<List<Guid>> RunningAsync(string tenant)
    {
        await using var db = _database.NewContext();
        return await db.Set<PublishingRun>().IgnoreQueryFilters([TenancyModel.FilterName])
            .Where(r => r.TenantId == tenant && r.Status == RunStatus.Running).Select(r => r.Id).ToListAsync();
    }

    private async Task<Wreck> KillAtAsync(string point, string tenant, string? integrationRegion)
    {
        await using var doomed = await StartNodeAsync(point);
        if (integrationRegion is not null)
        {
            await RegisterIntegrationAsync(doomed, integrationRegion);
        }

        await RequestRunOfTheDoomedAsync(doomed, tenant);
        // 137: killed by SIGKILL, at the point armed.
        Assert.Equal(137, await doomed.ExitedAsync(Patience));
        Assert.Contains($"{CrashPoints.Setting}={point}", doomed.Output, StringComparison.Ordinal);
        return new Wreck(await PublishedAsync(tenant), await SnapshotsAsync(), await RunningAsync(tenant));
    }

    /// <summary>Kills a node at <paramref name="point"/> during a run of <paramref name="tenant"/>, then lets a healthy node finish; returns what the kill left.</summary>
    private async Task<Wreck> CrashThenRecoverAsync(string point, string tenant = Haicang, string? integrationRegion = Haicang, string[]? publishedBefore = null,
        (string Tenant, string Bundle)[]? withdrawn = null)
    {
        var wreck = await KillAtAsync(point, tenant, integrationRegion);
        await using var node = await StartNodeAsync();
        await RunAsync(node, tenant, wreck.Running);
        await AssertTheZoneHoldsEachOnceAsync(node, [.. publishedBefore ?? [], tenant], withdrawn ?? []);

        if (point is CrashPoints.BeforeZoneCommit or CrashPoints.AfterZoneCommit or CrashPoints.BetweenBatches)
        {
            // The killed node's run did not stay running: the restarted node took it over and finished it, or (asked
            // for a run between the cluster's recovery and the takeover's start) found it abandoned and says so. A run
            // killed just after committing its last batch had ended with it, in the batch's transaction: none was left running.
            if (point == CrashPoints.AfterZoneCommit && wreck.Running.Count == 0)
            {
                return wreck;
            }

            var killed = Assert.Single(wreck.Running);
            using var admin = await node.AsAsync(Roles.Admin, tenant);
            var ended = (await (await admin.GetAsync($"/api/t/{tenant}/publishing-runs/{killed}")).JsonAsync())["run"]!;
            Assert.True((string?)ended["status"] == "succeeded" || ((string?)ended["status"] == "failed" && ((string?)ended["error"])?.StartsWith("interrupted", StringComparison.Ordinal) == true),
                $"the killed node's run {killed} reads {ended.ToJsonString()}\n{node.Output}");
        }

        return wreck;
    }

    [Fact]
    [Trait(Script.Trait, Script.CrashTests)]
    public async Task KilledBeforeABatchCommitsNothingOfItIsPublishedAndTheRestartedServerPublishesEverythingOnce()
    {
        var wreck = await CrashThenRecoverAsync(CrashPoints.BeforeZoneCommit);
        Assert.Equal(0, wreck.Published);
        Assert.Empty(wreck.Snapshots);
    }

    [Fact]
    [Trait(Script.Trait, Script.CrashTests)]
    public async Task KilledAfterTheZoneCommitTheRestartedServerDeliversEverythingPublishedOnce()
    {
        var wreck = await CrashThenRecoverAsync(CrashPoints.AfterZoneCommit);
        Assert.Equal(BatchSize, wreck.Published);
        // The killed node had committed the publications but pushed none of them: the restarted relay sent each once.
        Assert.All(_receiver.Arrivals.GroupBy(a => a.Key), g => Assert.Single(g));
    }

    [Fact]
    [Trait(Script.Trait, Script.CrashTests)]
    public async Task KilledBetweenTwoBatchesTheFirstStaysPublishedAndTheRestartedServerPublishesTheRestOnce()
    {
        var wreck = await CrashThenRecoverAsync(CrashPoints.BetweenBatches);
        Assert.Equal(BatchSize, wreck.Published);
    }

    [Fact]
    [Trait(Script.Trait, Script.CrashTests)]
    public async Task KilledAfterASnapshotWasWrittenTheRestartedServerFinishesWithoutWritingItTwice()
    {
        var wreck = await CrashThenRecoverAsync(CrashPoints.AfterBlobWrite);
        // The snapshot written before the kill is the very blob there now: not written again (same ETag and time), same bytes.
        Assert.NotEmpty(wreck.Snapshots);
        var now = await SnapshotsAsync();
        foreach (var (name, before) in wreck.Snapshots)
        {
            Assert.True(now.TryGetValue(name, out var after), $"{name} is gone");
            Assert.Equal((before.ETag, before.Modified), (after.ETag, after.Modified));
            Assert.Equal(before.Bytes, after.Bytes);
        }
    }

    [Fact]
    [Trait(Script.Trait, Script.CrashTests)]
    public async Task KilledAfterAPushWasAcceptedTheRestartedServerSendsItAgainUnderTheSameIdempotencyKey()
    {
        await CrashThenRecoverAsync(CrashPoints.AfterPushSent);
        // The receiver had accepted it, but the killed node never recorded that: at least once means twice here.
        Assert.Contains(_receiver.Arrivals.GroupBy(a => a.Key), g => g.Count(a => a.Status == 204) >= 2);
    }

    [Fact]
    public async Task KilledWhilePublishingAWithdrawalTheRestartedServerPublishesTheWithdrawalOnce()
    {
        // Haicang's bundles are in the zone, then its enrolment is withdrawn: reviewed, then published by a run that is killed.
        int published;
        await using (var node = await StartNodeAsync())
        {
            await RegisterIntegrationAsync(node, Haicang);
            // Counted in the zone, not from the run's answer: a run at start may already have published them.
            await RunAsync(node, Haicang);
            published = await PublishedAsync(Haicang);
            Assert.True(published > 0, "Haicang's live bundles are in the zone before the withdrawal.");
            using var editor = await node.ClientAsync(DemoAccounts.UserName(Roles.Editor, Haicang));
            using var reviewer = await node.ClientAsync(DemoAccounts.UserName(Roles.Reviewer, Haicang));
            var draft = await editor.GetAsync($"/api/t/{Haicang}/bundles/enrolment/draft");
            var proposed = await editor.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/withdrawal", new { comment = "并入新的一件事。" }, draft.ETag());
            Assert.Equal(HttpStatusCode.OK, proposed.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await reviewer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/draft/approve", ifMatch: proposed.ETag())).StatusCode);
        }

        var wreck = await CrashThenRecoverAsync(CrashPoints.AfterZoneCommit, integrationRegion: null, withdrawn: [(Haicang, "enrolment")]);
        // The withdrawal was the killed run's one and last batch: the run ended with it, and no run was left running.
        Assert.Empty(wreck.Running);
        // The killed node had committed the withdrawal (and only it); the restarted relay delivered it, with its snapshot beside the version's.
        Assert.Equal(published + 1, wreck.Published);
        Assert.Contains(await SnapshotsAsync(), s => s.Key.StartsWith($"{Haicang}/enrolment/", StringComparison.Ordinal) && s.Key.EndsWith(".withdrawal.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KilledAtARandomPointRunAfterRunNothingIsLostOrPublishedTwice()
    {
        // The points are drawn from a seed: a failure names it, and ONEGO_TEST_CRASH_SEED=<seed> draws the same points again.
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        string[] tenants = [Haicang, "jiangsu", "zhejiang"];
        var done = new List<string>();
        var killed = new List<string>();
        try
        {
            foreach (var tenant in tenants)
            {
                var point = CrashPoints.All[random.Next(CrashPoints.All.Length)];
                killed.Add($"{tenant} at {point}");
                output.WriteLine($"seed {seed}: {tenant} killed at {point}");
                // One integration for the whole nation, registered on the first node; each run adds to what came before.
                var wreck = await KillAtAsync(point, tenant, done.Count == 0 ? RegionRules.NationalId : null);
                await using var node = await StartNodeAsync();
                await RunAsync(node, tenant);
                await AssertTheZoneHoldsEachOnceAsync(node, [.. done, tenant]);
                done.Add(tenant);
            }
        }
        catch (Exception e)
        {
            throw new XunitException($"Crash seed {seed} ({string.Join(", ", killed)}); {SeedVariable}={seed} repeats it.\n{e}");
        }
    }
}

/// <summary>The crash hook is for tests only: armed in the Testing environment, ignored in any other.</summary>
public sealed class CrashPointsTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    [InlineData("Staging")]
    public void TheSettingIsIgnoredOutsideTheTestingEnvironment(string environment) =>
        Assert.Null(CrashPointsIn(environment).Armed);

    [Fact]
    public void TheSettingArmsItInTheTestingEnvironment() =>
        Assert.Equal(CrashPoints.AfterPushSent, CrashPointsIn("Testing").Armed);

    private static CrashPoints CrashPointsIn(string environment) =>
        new(new HostingEnvironment { EnvironmentName = environment }, Options.Create(new TestingSettings { CrashAt = CrashPoints.AfterPushSent }));
}
