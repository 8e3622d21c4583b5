using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OneGo.Server.Features.Catalogue;

namespace OneGo.Server.Hosting;

/// <summary>
/// The server's one cache (<see cref="HybridCache"/>), in memory on each node and bounded by
/// <c>Catalogue:CacheMegabytes</c>: HybridCache gives each entry its serialized size, and past the bound the memory
/// cache lets the least recently used go. The bound is on a memory cache of its own, in a container of its own: the
/// host's <see cref="IMemoryCache"/> stays unbounded for the libraries that keep entries in it without a size
/// (OpenIddict's stores), which a bounded one refuses.
/// </summary>
internal static class NodeCache
{
    public static IServiceCollection AddNodeCache(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton(host =>
        {
            var cache = new ServiceCollection();
            // The host's clock and logs: tag removals are timed by the clock the rest of the node keeps.
            cache.AddSingleton(host.GetRequiredService<TimeProvider>());
            cache.AddSingleton(host.GetRequiredService<ILoggerFactory>());
            cache.AddMemoryCache(memory =>
            {
                memory.SizeLimit = (long)host.GetRequiredService<IOptions<CatalogueSettings>>().Value.CacheMegabytes << 20;
                memory.TrackStatistics = true;
            });
            // No entry is too large to be counted: one larger than the whole bound is simply not kept.
            cache.AddHybridCache(hybrid => hybrid.MaximumPayloadBytes = int.MaxValue);
            return new Container(cache.BuildServiceProvider());
        });
        services.AddSingleton(host => host.GetRequiredService<Container>().Services.GetRequiredService<HybridCache>());
        return services;
    }

    /// <summary>How full the cache is, in serialized bytes (its memory cache's estimate).</summary>
    public static long? EstimatedBytes(IServiceProvider host) =>
        ((MemoryCache)host.GetRequiredService<Container>().Services.GetRequiredService<IMemoryCache>()).GetCurrentStatistics()?.CurrentEstimatedSize;

    /// <summary>The cache's own services, disposed with the host's.</summary>
    internal sealed class Container(ServiceProvider services) : IDisposable
    {
        public ServiceProvider Services => services;

        public void Dispose() => services.Dispose();
    }
}
