using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;
using OpenIddict.Abstractions;
using Quartz;

namespace OneGo.Server.Tests.Scheduling;

/// <summary>Several nodes on one PostgreSQL database form one Quartz cluster, as production runs them.</summary>
public sealed class SchedulingClusterTestsOnPostgres
{
    [Fact]
    public async Task TwoNodesRunEverySlotOfAJobExactlyOnce()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, Content.Migrated);
        await SchedulingTestSupport.CreateFiresTableAsync(database);
        await using var appA = SchedulingTestSupport.Node(database);
        await using var appB = SchedulingTestSupport.Node(database);
        await using var nodeA = appA.WithFireRecorder("* * * * * ?");
        await using var nodeB = appB.WithFireRecorder("* * * * * ?");
        await Task.WhenAll(Task.Run(() => nodeA.Services), Task.Run(() => nodeB.Services));
        var ids = new[] { (await nodeA.SchedulerAsync()).SchedulerInstanceId, (await nodeB.SchedulerAsync()).SchedulerInstanceId };
        Assert.NotEqual(ids[0], ids[1]);

        // Both nodes are up, and stay up, for the slots counted.
        var first = DateTimeOffset.UtcNow.AddSeconds(1);
        var fires = await SchedulingTestSupport.FiresAsync(database, f => f.Count(x => x.Scheduled >= first) >= 6, "six slots with both nodes up");
        var counted = fires.Where(f => f.Scheduled >= first).ToList();

        Assert.All(counted.GroupBy(f => f.Scheduled), slot => Assert.Single(slot));
        Assert.All(counted, f => Assert.Contains(f.Node, ids));
        // Every second in the window ran: none lost between the nodes.
        var slots = counted.Select(f => f.Scheduled).Order().ToList();
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
    }

    [Fact]
    public async Task TheSchedulerRunsAsTheApplicationRoleWhichOwnsNoQuartzTable()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, Content.Migrated);
        await SchedulingTestSupport.CreateFiresTableAsync(database);
        await using var app = SchedulingTestSupport.Node(database);
        await using var node = app.WithFireRecorder("00:00:01");
        var scheduler = await node.SchedulerAsync();
        Assert.Equal(SchedulerStatus.Running, scheduler.Status);
        Assert.True((await scheduler.GetMetadata()).JobStoreClustered);

        await SchedulingTestSupport.FiresAsync(database, f => f.Count >= 2, "two firings as the application role");
        string expired;
        await using (var scope = node.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
            expired = (await tokens.GetIdAsync(await tokens.CreateAsync(new OpenIddictTokenDescriptor
            {
                CreationDate = DateTimeOffset.UtcNow.AddDays(-30),
                ExpirationDate = DateTimeOffset.UtcNow.AddDays(-29),
                Status = OpenIddictConstants.Statuses.Valid,
                Subject = "prune-test",
                Type = OpenIddictConstants.TokenTypeHints.RefreshToken,
            })))!;
        }

        await node.Services.GetRequiredService<Jobs>().RunNowAsync(PruneTokensJob.Key, CancellationToken.None);
        await SchedulingTestSupport.EventuallyAsync(async () =>
        {
            await using var scope = node.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().FindByIdAsync(expired) is null;
        }, pruned => pruned, "the pruning run as the application role");

        await using var owner = new NpgsqlConnection(database.OwnerConnectionString);
        await owner.OpenAsync();
        await using var owned = owner.CreateCommand();
        owned.CommandText = $"SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz%' AND tableowner = '{TestPostgres.AppRole}'";
        Assert.Equal(0L, await owned.ExecuteScalarAsync());
    }
}

/// <summary>Two server processes on one database and blob container: a tenant's schedule survives the node that ran it.</summary>
public sealed partial class SchedulingFailoverTestsOnPostgresAndAzurite
{
    [Fact]
    public async Task ATenantsScheduledPublishingFiresOncePerSlotOnTwoServersAndTheSurvivorFiresTheNextSlotsWhenTheOneThatRanTheLastIsKilled()
    {
        const string tenant = "fujian.xiamen.haicang";
        var patience = TimeSpan.FromSeconds(180);
        var container = TestAzurite.NewContainerName();
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres);
        try
        {
            // Quick check-ins, so that the survivor takes the killed node for dead within seconds, not Quartz's fifteen.
            string[] options =
            [
                "--Scheduling:ClusterCheckinInterval=00:00:01",
                "--Scheduling:ClusterCheckinMisfireThreshold=00:00:03",
                "--Blobs:Provider=Azure",
                $"--Blobs:ConnectionString={TestAzurite.ConnectionString}",
                $"--Blobs:Container={container}",
                // A schedule every five seconds, to see slots fire on both nodes without waiting.
                "--Publishing:MinimumInterval=00:00:05",
            ];
            var nodes = await StartTwoAsync(database, options);
            await using var first = nodes[0];
            await using var second = nodes[1];

            // Every five seconds, set through the tenant's settings on one node: the store is shared, so both fire it.
            using var admin = await first.AsAsync(Roles.Admin, tenant);
            var settings = await admin.GetAsync($"/api/t/{tenant}/settings");
            var changed = await admin.SendJsonAsync(HttpMethod.Put, $"/api/t/{tenant}/settings",
                new JsonObject { ["name"] = (await settings.JsonAsync())["name"]!.DeepClone(), ["publishingSchedule"] = "0/5 * * * * ?" }, settings.ETag());
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

            List<Firing> Firings() => [.. nodes.SelectMany((node, i) => FiringsIn(node.Output, i)).Where(f => f.Tenant == tenant)];
            string Outputs() => string.Join("\n", nodes.Select((node, i) => $"--- node {i}:\n{node.Output}"));

            var before = await Eventually.HoldsAsync(() => Task.FromResult(Firings()), f => f.Count >= 3, "three slots fired with both nodes up",
                f => $"{string.Join(", ", f)}\n{Outputs()}", patience);
            var killed = before.MaxBy(f => f.Slot)!.Node;
            var survivor = 1 - killed;
            await nodes[killed].KillAsync();
            // Read again once it is dead: it may have fired one more slot while the test looked.
            var lastKilled = Firings().Where(f => f.Node == killed).Max(f => f.Slot);

            // The survivor fires the slots after the last one the killed node ran; if the cluster never took the dead
            // node's reservation over, or the survivor stopped firing, these never come.
            var after = await Eventually.HoldsAsync(() => Task.FromResult(Firings()), f => f.Count(x => x.Node == survivor && x.Slot > lastKilled) >= 2,
                "two slots fired by the survivor after the other node was killed", f => $"{string.Join(", ", f)}\n{Outputs()}", patience);

            // Once per slot across both nodes, before and after the kill; every slot on the schedule's five-second grid.
            Assert.All(after.GroupBy(f => f.Slot), slot => Assert.Single(slot));
            Assert.All(after, f => Assert.Equal(0, f.Slot.Second % 5));

            // Each firing is a scheduled run the tenant's runs list shows; the survivor's ran to the end.
            using var survivorAdmin = await nodes[survivor].AsAsync(Roles.Admin, tenant);
            var taken = after.Where(f => f.Node == survivor && f.Slot > lastKilled).Select(f => f.Run).ToHashSet();
            var runs = await Eventually.HoldsAsync(async () => (await (await survivorAdmin.GetAsync($"/api/t/{tenant}/publishing-runs?limit=100")).JsonAsync())["items"]!.AsArray(),
                r => taken.All(id => r.Any(x => (Guid)x!["id"]! == id && (string?)x["status"] == "succeeded")),
                "the survivor's runs succeeded", r => r.ToJsonString(), patience);
            Assert.Subset(runs.Where(r => (string?)r!["trigger"] == "schedule").Select(r => (Guid)r!["id"]!).ToHashSet(), after.Select(f => f.Run).ToHashSet());
        }
        finally
        {
            await new BlobContainerClient(TestAzurite.ConnectionString, container).DeleteIfExistsAsync();
        }
    }

    /// <summary>Two server processes on one database, started side by side.</summary>
    private static async Task<ServerProcess[]> StartTwoAsync(TestDatabase database, string[] options)
    {
        Task<ServerProcess>[] starting = [ServerProcess.StartAsync(database, options), ServerProcess.StartAsync(database, options)];
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            // One that failed to start must not leave the other running.
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>A firing of a tenant's publishing job, as the node that ran it logged it.</summary>
    private sealed record Firing(Guid Run, string Tenant, DateTimeOffset Slot, int Node);

    private static IEnumerable<Firing> FiringsIn(string output, int node) =>
        FiringLine().Matches(output).Select(m => new Firing(
            Guid.Parse(m.Groups["run"].Value), m.Groups["tenant"].Value,
            DateTimeOffset.Parse(m.Groups["slot"].Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), node));

    [GeneratedRegex(@"Publishing run (?<run>[0-9a-f-]{36}) of (?<tenant>\S+): the firing for (?<slot>\S+) runs on node \S+")]
    private static partial Regex FiringLine();
}
