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

    /// <summary>How long the node trusts every tenant's live stamp before it reads them again, in one query (approvals on other nodes).</summary>
    [Positive(orZero: true)]
    public double LiveCheckSeconds { get; set; } = 2;

    /// <summary>
    /// The most the node's cache holds (live bundles' bytes, effective bundles, resolutions), counted as the cached values'
    /// serialized size: past it the least recently used entries go first. Without a bound, a node that publishes or
    /// serves a whole nation keeps every bundle it touched for 30 minutes.
    /// </summary>
    [Positive]
    public int CacheMegabytes { get; set; } = 256;
}

/// <summary>
/// The bytes of each live bundle, ready to send, from the server's one cache (<see cref="HybridCache"/>). Which
/// versions of a tenant's bundles are live is kept under the tenant's live stamp (<see cref="LiveStamp"/>), which moves
/// in the transaction of every change of them; the node trusts the stamps of all tenants for
/// <c>Catalogue:LiveCheckSeconds</c> (2 s by default) and then reads them again, in one query for every tenant, so a
/// bundle approved, withdrawn or imported on another node is served here within seconds — and a tenant's live versions
/// are read again only when its stamp has moved. One approved, withdrawn or imported on this node is served at once
/// (<see cref="ForgetAsync"/>). A version's bytes never change: a live version that has not moved is sent from memory.
/// Keys and tags carry the tenant: no tenant is served another's bytes.
/// </summary>
public sealed class LiveBundles(HybridCache cache, IServiceScopeFactory scopes, CurrentTenant tenants, IOptions<CatalogueSettings> settings)
{
    // Not a tenant's: the stamps of every tenant, as this node last read them.
    private const string StampsKey = "live-stamps";

    private readonly HybridCacheEntryOptions _stamps = new()
    {
        Expiration = TimeSpan.FromSeconds(settings.Value.LiveCheckSeconds),
        LocalCacheExpiration = TimeSpan.FromSeconds(settings.Value.LiveCheckSeconds),
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
    };

    /// <summary>A live version's canonical bytes and their ETag.</summary>
    [ImmutableObject(true)]
    public sealed record Entry(int Version, string ETag, byte[] Bytes);

    /// <summary>Which version of each of a tenant's bundles is live (bundles with none are not in it).</summary>
    [ImmutableObject(true)]
    private sealed record LiveVersions(FrozenDictionary<string, int> ByCode);

    /// <summary>Every tenant's live stamp; a tenant whose live versions never changed since stamps were kept has none.</summary>
    [ImmutableObject(true)]
    private sealed record Stamps(FrozenDictionary<string, Guid> ByTenant);

    /// <summary>The live version of a tenant's bundle, or null when it has none.</summary>
    public async Task<Entry?> FindAsync(string tenant, string code, CancellationToken cancellationToken)
    {
        // One read of every tenant's stamp per LiveCheckSeconds, shared by all requests of the node.
        var stamps = await cache.GetOrCreateAsync(
            StampsKey,
            this,
            static async (self, token) => new Stamps(await self.ReadAsync(RegionRules.NationalId, readsBelow: true, async db =>
                (await db.Set<LiveStamp>().Select(s => new { s.TenantId, s.Stamp }).ToListAsync(token))
                .ToFrozenDictionary(s => s.TenantId, s => s.Stamp, StringComparer.Ordinal))),
            _stamps,
            cancellationToken: cancellationToken);

        // Read after the stamp was (never before), so what is kept under a stamp holds at least every change before it;
        // a change since has moved the stamp, and the next read of the stamps names another entry.
        var stamp = stamps.ByTenant.GetValueOrDefault(tenant);
        var live = await cache.GetOrCreateAsync(
            ResolvedBundles.Key("live", tenant, stamp.ToString("N")),
            (self: this, tenant),
            static async (s, token) => new LiveVersions(await s.self.ReadAsync(s.tenant, readsBelow: false, async db =>
                (await db.Set<BundleRecord>().Where(b => b.LiveVersion != null).Select(b => new { b.Code, b.LiveVersion }).ToListAsync(token))
                .ToFrozenDictionary(b => b.Code, b => b.LiveVersion!.Value, StringComparer.Ordinal))),
            ResolvedBundles.Kept,
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
            static async (s, token) => await s.self.ReadAsync(s.tenant, readsBelow: false, db => db.Set<BundleVersion>()
                .Where(v => v.BundleCode == s.code && v.Version == s.version)
                .Select(v => new Entry(v.Version, v.ETag, v.Effective))
                .SingleAsync(token)),
            ResolvedBundles.Kept,
            tags,
            cancellationToken);
    }

    /// <summary>
    /// Drops what this node keeps of a tenant's bundle after a change saved here: the next request reads the stamps,
    /// finds the tenant's moved, and reads which versions are live.
    /// </summary>
    public async ValueTask ForgetAsync(string tenant, string code, CancellationToken cancellationToken)
    {
        await cache.RemoveAsync(StampsKey, cancellationToken);
        await cache.RemoveByTagAsync(ResolvedBundles.BundleTag(tenant, code), cancellationToken);
    }

    // Read in a scope of its own (the cache may share one read between requests) and in a public scope: the tenant's,
    // or national's reading below for the stamps of every tenant.
    private async Task<T> ReadAsync<T>(string tenant, bool readsBelow, Func<OneGoDbContext, Task<T>> read)
    {
        await using var scope = scopes.CreateAsyncScope();
        using (tenants.EnterPublic(tenant, readsBelow))
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            return await read(db);
        }
    }
}
