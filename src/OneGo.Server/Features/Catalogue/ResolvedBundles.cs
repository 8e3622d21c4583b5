using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Memory;
using OneGo.Catalogue;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// Resolved bundles and standards, kept in memory. Every key is made of what the result depends on — a
/// version (which never changes), a pinned standard, or the hash of a document with the ETags of the matters
/// it names — so an entry never goes stale: a change makes a new key. Keys carry the tenant, so no tenant can
/// be served another's. The cache is bounded.
/// </summary>
public sealed class ResolvedBundles : IDisposable
{
    private static readonly Meter Meter = new(Telemetry.SourceName);
    private static readonly Counter<long> ResolutionsCounter = Meter.CreateCounter<long>("onego.catalogue.resolutions", description: "Bundle documents resolved (cache misses).");
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 50_000 });
    private long _resolutions;

    /// <summary>How many documents this node has resolved (not served from the cache).</summary>
    public long Resolutions => Interlocked.Read(ref _resolutions);

    public EffectiveBundle? Find(string tenant, string code, int version) =>
        _cache.TryGetValue(("version", tenant, code, version), out EffectiveBundle? bundle) ? bundle : null;

    public void Remember(string tenant, BundleVersion version, EffectiveBundle bundle) =>
        _cache.Set(("version", tenant, version.BundleCode, version.Version), bundle, new MemoryCacheEntryOptions { Size = 1 });

    public Resolution<EffectiveBundle>? Resolution(string key) =>
        _cache.TryGetValue(("resolution", key), out Resolution<EffectiveBundle>? resolution) ? resolution : null;

    public Resolution<EffectiveBundle> Keep(string key, Resolution<EffectiveBundle> resolution)
    {
        Interlocked.Increment(ref _resolutions);
        ResolutionsCounter.Add(1);
        return _cache.Set(("resolution", key), resolution, new MemoryCacheEntryOptions { Size = 1 });
    }

    public Resolution<ResolvedStandard>? Standard(TemplateRef reference) =>
        _cache.TryGetValue(("standard", reference.Tenant, reference.Code, reference.Version), out Resolution<ResolvedStandard>? standard) ? standard : null;

    public Resolution<ResolvedStandard> Keep(TemplateRef reference, Resolution<ResolvedStandard> standard) =>
        standard.IsValid
            ? _cache.Set(("standard", reference.Tenant, reference.Code, reference.Version), standard, new MemoryCacheEntryOptions { Size = 1 })
            : standard;

    public void Dispose() => _cache.Dispose();
}
