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
        const string appRole = "onego_app";
        await using (var admin = new NpgsqlConnection(TestPostgres.ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var create = admin.CreateCommand();
            create.CommandText = $"""
                DO $$ BEGIN
                  CREATE ROLE {appRole} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                """;
            await create.ExecuteNonQueryAsync();
        }

        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, Content.Migrated);
        await SchedulingTestSupport.CreateFiresTableAsync(database);
        var asApp = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = appRole }.ConnectionString;
        await using var app = SchedulingTestSupport.Node(new AppDatabaseAs(database, asApp),
            ("Database:OwnerConnectionString", database.ConnectionString),
            ("Database:AppRole", appRole));
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

        await using var owner = new NpgsqlConnection(database.ConnectionString);
        await owner.OpenAsync();
        await using var owned = owner.CreateCommand();
        owned.CommandText = $"SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz%' AND tableowner = '{appRole}'";
        Assert.Equal(0L, await owned.ExecuteScalarAsync());
    }

    private sealed class AppDatabaseAs(TestDatabase database, string connectionString) : IAppDatabase
    {
        public string ProviderName => database.ProviderName;

        public string ConnectionString => connectionString;
    }
}
