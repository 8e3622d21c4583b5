using OneGo.Server.Hosting;
using System.Collections.Concurrent;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// The bytes of each live bundle, ready to send. An entry is trusted for <c>Catalogue:LiveCheckSeconds</c>
/// (2 s by default); after that the live version number is read again (one indexed row), so a bundle approved
/// on another node is served here within seconds. Keys carry the tenant: no tenant is served another's bytes.
/// </summary>
public sealed class LiveBundles(TimeProvider clock, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<(string Tenant, string Code), Entry> _entries = new();
    private readonly TimeSpan _trust = TimeSpan.FromSeconds(configuration.GetValue("Catalogue:LiveCheckSeconds", 2.0));

    public sealed record Entry(int Version, string ETag, byte[] Bytes, DateTimeOffset CheckedAt);

    /// <summary>An entry recent enough to send without asking the database.</summary>
    public Entry? Fresh(string tenant, string code) =>
        _entries.TryGetValue((tenant, code), out var entry) && clock.Now() - entry.CheckedAt < _trust ? entry : null;

    /// <summary>An entry of any age, to reuse its bytes when the live version has not moved.</summary>
    public Entry? Known(string tenant, string code) => _entries.GetValueOrDefault((tenant, code));

    public Entry Remember(string tenant, string code, int version, string etag, byte[] bytes) =>
        _entries[(tenant, code)] = new Entry(version, etag, bytes, clock.Now());

    public void Forget(string tenant, string code) => _entries.TryRemove((tenant, code), out _);
}
