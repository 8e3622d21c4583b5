using System.Collections.Frozen;
using System.ComponentModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary><c>Catalogue</c>: how long a node trusts what it knows of the catalogue before reading it again.</summary>
public sealed class CatalogueSettings : ISettings
{
    public static string Section => "Catalogue";

    /// <summary>How long the live version of a bundle is trusted before it is read again (approvals on other nodes).</summary>
    [Positive(orZero: true)]
    public double LiveCheckSeconds { get; set; } = 2;
}

/// <summary>
/// The bytes of each live bundle, ready to send, from the server's one cache (<see cref="HybridCache"/>). Which
/// versions of a tenant's bundles are live is trusted for <c>Catalogue:LiveCheckSeconds</c> (2 s by default); after
/// that it is read again (one query per tenant, its code and version columns), so a bundle approved or withdrawn on
/// another node is served here within seconds, and one
/// approved, withdrawn or imported on this node at once (<see cref="ForgetAsync"/>). A version's bytes never
/// change: a live version that has not moved is sent from memory. Keys and tags carry the tenant: no tenant is
/// served another's bytes.
/// </summary>
public sealed class LiveBundles(HybridCache cache, IServiceScopeFactory scopes, CurrentTenant tenants, IOptions<CatalogueSettings> settings)
{
    private readonly HybridCacheEntryOptions _liveVersion = TrustedFor(TimeSpan.FromSeconds(settings.Value.LiveCheckSeconds));

    private static HybridCacheEntryOptions TrustedFor(TimeSpan trust) =>
        new() { Expiration = trust, LocalCacheExpiration = trust, Flags = HybridCacheEntryFlags.DisableDistributedCache };

    /// <summary>A live version's canonical bytes and their ETag.</summary>
    [ImmutableObject(true)]
    public sealed record Entry(int Version, string ETag, byte[] Bytes);

    /// <summary>Which version of each of a tenant's bundles is live (bundles with none are not in it).</summary>
    [ImmutableObject(true)]
    private sealed record LiveVersions(FrozenDictionary<string, int> ByCode);

    /// <summary>The live version of a tenant's bundle, or null when it has none.</summary>
    public async Task<Entry?> FindAsync(string tenant, string code, CancellationToken cancellationToken)
    {
        // One entry per tenant, read in one query: a visitor asking for any of a region's bundles renews what the node
        // knows of all of them, so requests spread over thousands of bundles do not each read the database.
        var live = await cache.GetOrCreateAsync(
            LiveKey(tenant),
            (self: this, tenant),
            static async (s, token) => new LiveVersions(await s.self.ReadAsync(s.tenant, async db =>
                (await db.Set<BundleRecord>().Where(b => b.LiveVersion != null).Select(b => new { b.Code, b.LiveVersion }).ToListAsync(token))
                .ToFrozenDictionary(b => b.Code, b => b.LiveVersion!.Value, StringComparer.Ordinal))),
            _liveVersion,
            [ResolvedBundles.TenantTag(tenant)],
            cancellationToken);
        if (!live.ByCode.TryGetValue(code, out var version))
        {
            return null;
        }

        var tags = ResolvedBundles.Tags(tenant, code);

        return await cache.GetOrCreateAsync(
            ResolvedBundles.Key("bytes", tenant, $"{version}:{code}"),
            (self: this, tenant, code, version),
            static async (s, token) => await s.self.ReadAsync(s.tenant, db => db.Set<BundleVersion>()
                .Where(v => v.BundleCode == s.code && v.Version == s.version)
                .Select(v => new Entry(v.Version, v.ETag, v.Effective))
                .SingleAsync(token)),
            ResolvedBundles.Kept,
            tags,
            cancellationToken);
    }

    /// <summary>Drops what this node keeps of a tenant's bundle: the next request reads which versions are live.</summary>
    public async ValueTask ForgetAsync(string tenant, string code, CancellationToken cancellationToken)
    {
        await cache.RemoveAsync(LiveKey(tenant), cancellationToken);
        await cache.RemoveByTagAsync(ResolvedBundles.BundleTag(tenant, code), cancellationToken);
    }

    private static string LiveKey(string tenant) => ResolvedBundles.Key("live", tenant, "");

    // Read in a scope of its own (the cache may share one read between requests) and in the tenant's public scope.
    private async Task<T> ReadAsync<T>(string tenant, Func<OneGoDbContext, Task<T>> read)
    {
        await using var scope = scopes.CreateAsyncScope();
        using (tenants.EnterPublic(tenant))
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            return await read(db);
        }
    }
}
