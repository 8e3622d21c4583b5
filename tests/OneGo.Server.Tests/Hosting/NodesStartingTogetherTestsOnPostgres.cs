using System.Net;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// Nodes of one deployment start together after a deploy: each migrates as the schema's owner and grants the
/// application's role its rights. Two GRANTs on one table at once fail in PostgreSQL ("tuple concurrently updated"),
/// which stopped a node from starting; the nodes now take turns.
/// </summary>
public sealed class NodesStartingTogetherTestsOnPostgres
{
    [Fact]
    public async Task FourNodesStartingAtOnceAllStartAndServeAsTheApplicationsRole()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, Content.Migrated);
        var nodes = Enumerable.Range(0, 4).Select(_ => new OneGoApp(database, importOnStartup: false)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(node => Task.Run(() => node.Services)));
            foreach (var node in nodes)
            {
                using var client = node.CreateClient();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenants")).StatusCode);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
