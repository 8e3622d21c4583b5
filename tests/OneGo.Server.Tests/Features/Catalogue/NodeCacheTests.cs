using System.Net;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Hosting;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>A node's cache holds at most <c>Catalogue:CacheMegabytes</c>, and what it lets go is read again, unchanged.</summary>
public sealed class NodeCacheTestsOnSqlite : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Sqlite);
        _app = new OneGoApp(_database, settings: new Dictionary<string, string?> { ["Catalogue:CacheMegabytes"] = "1" });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task EveryLiveBundleIsServedWhileTheCacheStaysWithinItsBound()
    {
        List<(string Tenant, string Code)> live;
        await using (var db = _database.NewContext())
        {
            live = (await db.Set<BundleRecord>().IgnoreQueryFilters([TenancyModel.FilterName]).Where(b => b.LiveVersion != null)
                .Select(b => new { b.TenantId, b.Code }).ToListAsync()).Select(b => (b.TenantId, b.Code)).ToList();
        }

        using var client = _app.CreateClient();
        var first = new Dictionary<(string, string), byte[]>();
        foreach (var bundle in live)
        {
            var response = await client.GetAsync($"/api/t/{bundle.Tenant}/bundles/{bundle.Code}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            first[bundle] = await response.Content.ReadAsByteArrayAsync();
        }

        // More than the bound was served, so the cache had to let entries go.
        Assert.True(first.Values.Sum(b => (long)b.Length) > 2 << 20, $"the repository's live bundles are {first.Values.Sum(b => (long)b.Length):N0} bytes: too few to fill the bound");
        Assert.InRange(NodeCache.EstimatedBytes(_app.Services) ?? -1, 1, 1 << 20);

        // What was let go is read again, byte for byte.
        foreach (var bundle in live)
        {
            Assert.Equal(first[bundle], await client.GetByteArrayAsync($"/api/t/{bundle.Tenant}/bundles/{bundle.Code}"));
        }
    }
}
