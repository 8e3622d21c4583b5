using System.ComponentModel;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using OneGo.Catalogue;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// What the catalogue works out and keeps, in the server's one cache (<see cref="HybridCache"/>, in memory on each
/// node): the effective bundle of an approved version, resolved standards at pinned versions, and resolutions of
/// bundle documents. Every key is made of what the result depends on — a version (which never changes), a pinned
/// standard, or the hash of a document with the ETags of the matters it names — so an entry never goes stale: a
/// change makes a new key. Keys and tags carry the tenant, so no tenant is served another's; entries are tagged
/// with their tenant and bundle (<see cref="Tags"/>) and expire after <see cref="KeptFor"/>.
/// </summary>
public sealed class ResolvedBundles(HybridCache cache)
{
    private static readonly Meter Meter = new(Telemetry.SourceName);
    private static readonly Counter<long> ResolutionsCounter = Meter.CreateCounter<long>("onego.catalogue.resolutions", description: "Bundle documents resolved (cache misses).");

    /// <summary>How long an entry whose key never goes stale stays in memory after it was made.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(30);

    /// <summary>Entries kept in this node's memory only: the nodes share no cache service, and these are cheap to make again.</summary>
    public static readonly HybridCacheEntryOptions Kept = new()
    {
        Expiration = KeptFor,
        LocalCacheExpiration = KeptFor,
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
    };

    /// <summary>A value the cache hands out as it is, without a defensive copy: nothing changes what it holds.</summary>
    [ImmutableObject(true)]
    public sealed record Held<T>(T Value);

    /// <summary>The tags of everything kept for a tenant's bundle: the tenant's, and the bundle's.</summary>
    public static string[] Tags(string tenant, string code) => [TenantTag(tenant), BundleTag(tenant, code)];

    /// <summary>The tag every entry of a tenant carries.</summary>
    public static string TenantTag(string tenant) => "tenant:" + tenant;

    /// <summary>The tag of one bundle of one tenant; the tenant's length first, so no other pair spells the same tag.</summary>
    public static string BundleTag(string tenant, string code) => $"bundle:{tenant.Length}:{tenant}:{code}";

    /// <summary>A key under <paramref name="kind"/> for a tenant's <paramref name="rest"/>, unambiguous in the same way.</summary>
    public static string Key(string kind, string tenant, string rest) => $"{kind}:{tenant.Length}:{tenant}:{rest}";

    /// <summary>The effective bundle of an approved version, read by <paramref name="read"/> the first time.</summary>
    public async Task<EffectiveBundle> EffectiveAsync(string tenant, string code, int version, Func<CancellationToken, Task<EffectiveBundle>> read, CancellationToken cancellationToken)
    {
        var held = await cache.GetOrCreateAsync(
            Key("effective", tenant, $"{version}:{code}"),
            read,
            static async (read, token) => new Held<EffectiveBundle>(await read(token)),
            Kept,
            Tags(tenant, code),
            cancellationToken);
        return held.Value;
    }

    /// <summary>The resolution of a document of a tenant's bundle under <paramref name="key"/> (everything it depends on), made by <paramref name="resolve"/> the first time.</summary>
    public async Task<Resolution<EffectiveBundle>> ResolutionAsync(string tenant, string code, string key, Func<Resolution<EffectiveBundle>> resolve, CancellationToken cancellationToken)
    {
        var held = await cache.GetOrCreateAsync(
            Key("resolution", tenant, key),
            resolve,
            static (resolve, _) =>
            {
                ResolutionsCounter.Add(1);
                return ValueTask.FromResult(new Held<Resolution<EffectiveBundle>>(resolve()));
            },
            Kept,
            Tags(tenant, code),
            cancellationToken);
        return held.Value;
    }

    /// <summary>A standard at a pinned version, loaded and resolved by <paramref name="load"/> the first time; a standard that does not resolve is not kept (it may be approved later).</summary>
    public async Task<Resolution<ResolvedStandard>> StandardAsync(TemplateRef reference, Func<CancellationToken, Task<Resolution<ResolvedStandard>>> load, CancellationToken cancellationToken)
    {
        var key = Key("standard", reference.Tenant, $"{reference.Version}:{reference.Code}");
        var held = await cache.GetOrCreateAsync(
            key,
            load,
            static async (load, token) => new Held<Resolution<ResolvedStandard>>(await load(token)),
            Kept,
            Tags(reference.Tenant, reference.Code),
            cancellationToken);
        if (!held.Value.IsValid)
        {
            await cache.RemoveAsync(key, cancellationToken);
        }

        return held.Value;
    }
}
