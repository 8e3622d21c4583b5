using Microsoft.Extensions.Caching.Memory;
using OneGo.Catalogue;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// Effective bundles of approved versions, kept in memory. A version never changes, so an entry never goes
/// stale; the cache is bounded and keyed by tenant, code and version, so no tenant can be served another's.
/// </summary>
public sealed class ResolvedBundles : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 20_000 });

    public EffectiveBundle? Find(string tenant, string code, int version) =>
        _cache.TryGetValue((tenant, code, version), out EffectiveBundle? bundle) ? bundle : null;

    public void Remember(string tenant, BundleVersion version, EffectiveBundle bundle) =>
        _cache.Set((tenant, version.BundleCode, version.Version), bundle, new MemoryCacheEntryOptions { Size = 1 });

    public void Dispose() => _cache.Dispose();
}
