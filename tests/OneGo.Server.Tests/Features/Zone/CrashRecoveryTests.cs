using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;
using Xunit.Abstractions;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// A server process killed at a fixed point of publishing or delivery (<c>Testing:CrashAt</c>), then started again
/// without the fault: the zone holds every live bundle once, every publication has its snapshot in blob storage,
/// and the integration has every publication at least once, repeated only under its own Idempotency-Key.
/// </summary>
public sealed class CrashRecoveryTestsOnPostgres(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
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
        using var nationalOperator = await node.ClientAsync(DemoAccounts.UserName(Roles.Admin, RegionRules.NationalId));
        var created = await nationalOperator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations",
            new { name = "national-platform", url = _receiver.Url, secret = _receiver.Secret, regions = new[] { region } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    /// <summary>Asks for a run of <paramref name="tenant"/> now; a node that dies while answering is what the test wanted.</summary>
    private static async Task RequestRunAsync(ServerProcess node, string tenant)
    {
        using var admin = await node.ClientAsync(DemoAccounts.UserName(Roles.Admin, tenant));
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null)).StatusCode);
        }
        catch (HttpRequestException)
        {
            // Killed before the answer went out.
        }
    }

    private static async Task<List<JsonNode>> FeedAsync(HttpClient reader)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        while (true)
        {
            var page = await (await reader.GetAsync("/api/zone/feed?limit=100" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string)page["next"]!;
            if (!(bool)page["more"]!)
            {
                return items;
            }
        }
    }

    private async Task<HashSet<string>> SnapshotsAsync()
    {
        var container = new BlobContainerClient(TestAzurite.ConnectionString, _container);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!await container.ExistsAsync())
        {
            return names;
        }

        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static string SnapshotOf(JsonNode publication) =>
        $"{publication["tenant"]}/{publication["bundle"]}/{publication["version"]}{((string?)publication["kind"] == "withdrawal" ? ".withdrawal" : "")}.json";

    /// <summary>
    /// Waits on a healthy node until the tenants' live bundles are all in the zone, snapshotted and pushed, then checks
    /// that nothing is there twice; returns the feed.
    /// </summary>
    private async Task<List<JsonNode>> AssertEachLiveBundleOnceSnapshottedAndPushedAsync(ServerProcess node, params string[] tenants)
    {
        using var anonymous = node.Client();
        var live = 0;
        foreach (var tenant in tenants)
        {
            live += (await (await anonymous.GetAsync($"/api/t/{tenant}/bundles?limit=500")).JsonAsync())["items"]!.AsArray().Count;
        }

        using var reader = await node.ClientAsync(DemoAccounts.ZoneReader, OneGoClaims.ZoneReadScope);
        var (feed, snapshots) = await Eventually.HoldsAsync(async () => (await FeedAsync(reader), await SnapshotsAsync()),
            s => s.Item1.Count >= live && s.Item1.All(p => s.Item2.Contains(SnapshotOf(p)) && _receiver.Accepted.ContainsKey((string)p["id"]!)),
            "every live bundle in the zone, snapshotted and pushed",
            s => $"{s.Item1.Count} of {live} in the feed, {s.Item2.Count} snapshots, {_receiver.Accepted.Count} pushes accepted\n{node.Output}",
            timeout: Patience);

        // In the zone exactly once: one publication per live bundle, none of a bundle@version twice.
        Assert.Equal(live, feed.Count);
        Assert.Equal(live, feed.Select(p => $"{p["tenant"]}/{p["bundle"]}@{p["version"]}").Distinct().Count());
        Assert.Equal(Enumerable.Range(1, live).Select(i => (long)i), feed.Select(p => (long)p["sequence"]!));
        Assert.Subset(snapshots, feed.Select(SnapshotOf).ToHashSet());

        // Pushed at least once each, and only ever under the publication's own key, each signature right.
        var ids = feed.Select(p => (string)p["id"]!).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(ids.Order(StringComparer.Ordinal), _receiver.Accepted.Keys.Order(StringComparer.Ordinal));
        Assert.All(_receiver.Accepted, a => Assert.Equal(a.Key, (string?)JsonNode.Parse(a.Value)!["id"]));
        Assert.All(_receiver.Arrivals, a => Assert.True(a.SignatureValid && ids.Contains(a.Key), $"{a.Key}: signature valid {a.SignatureValid}"));

        using var nationalOperator = await node.ClientAsync(DemoAccounts.UserName(Roles.Admin, RegionRules.NationalId));
        Assert.Empty((await (await nationalOperator.GetAsync("/api/zone/dead-letters")).JsonAsync())["items"]!.AsArray());
        return feed;
    }

    private async Task CrashThenRecoverAsync(string point, string tenant = Haicang, string? integrationRegion = Haicang, params string[] publishedBefore)
    {
        await using (var doomed = await StartNodeAsync(point))
        {
            if (integrationRegion is not null)
            {
                await RegisterIntegrationAsync(doomed, integrationRegion);
            }

            await RequestRunAsync(doomed, tenant);
            // 137: killed by SIGKILL, at the point armed.
            Assert.Equal(137, await doomed.ExitedAsync(Patience));
            Assert.Contains($"{CrashPoints.Setting}={point}", doomed.Output, StringComparison.Ordinal);
        }

        await using var node = await StartNodeAsync();
        await RequestRunAsync(node, tenant);
        await AssertEachLiveBundleOnceSnapshottedAndPushedAsync(node, [.. publishedBefore, tenant]);
    }

    [Fact]
    public async Task KilledAtARandomPointRunAfterRunNothingIsLostOrPublishedTwice()
    {
        string[] points = [CrashPoints.AfterZoneCommit, CrashPoints.AfterBlobWrite, CrashPoints.AfterPushSent];
        string[] tenants = [Haicang, "jiangsu", "zhejiang"];
        var done = new List<string>();
        foreach (var tenant in tenants)
        {
            var point = points[Random.Shared.Next(points.Length)];
            output.WriteLine($"{tenant}: killed {point}");
            // One integration for the whole nation, registered on the first node; each run adds to what came before.
            await CrashThenRecoverAsync(point, tenant, done.Count == 0 ? RegionRules.NationalId : null, [.. done]);
            done.Add(tenant);
        }
    }

    [Fact]
    public async Task KilledAfterTheZoneCommitTheRestartedServerDeliversEverythingPublishedOnce()
    {
        await CrashThenRecoverAsync(CrashPoints.AfterZoneCommit);
        // The killed node had committed the publications but pushed none of them: the restarted relay sent each once.
        Assert.All(_receiver.Arrivals.GroupBy(a => a.Key), g => Assert.Single(g));
    }

    [Fact]
    public async Task KilledAfterASnapshotWasWrittenTheRestartedServerFinishesWithoutWritingItTwice()
    {
        await CrashThenRecoverAsync(CrashPoints.AfterBlobWrite);
    }

    [Fact]
    public async Task KilledAfterAPushWasAcceptedTheRestartedServerSendsItAgainUnderTheSameIdempotencyKey()
    {
        await CrashThenRecoverAsync(CrashPoints.AfterPushSent);
        // The receiver had accepted it, but the killed node never recorded that: at least once means twice here.
        Assert.Contains(_receiver.Arrivals.GroupBy(a => a.Key), g => g.Count(a => a.Status == 204) >= 2);
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
        new(new HostingEnvironment { EnvironmentName = environment },
            new ConfigurationBuilder().AddInMemoryCollection([new(CrashPoints.Setting, CrashPoints.AfterPushSent)]).Build());
}
