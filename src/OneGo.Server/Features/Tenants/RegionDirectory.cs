using OneGo.Server.Hosting;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Tenants;

/// <summary>One region as the rest of the server sees it: immutable, from the directory's snapshot.</summary>
public sealed record RegionInfo(string Id, string? DivisionCode, string Name, string? NameEn, RegionLevel Level, string? ParentId, IReadOnlyList<string> ChildIds);

/// <summary><c>Tenancy</c>: regions served on host names of their own, and how fresh each node's region tree is.</summary>
public sealed class TenancySettings : ISettings
{
    public static string Section => "Tenancy";

    /// <summary>A host name and the region (id or division code) served on it, e.g. <c>haicang.example.cn</c> → <c>350205</c>.</summary>
    public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [Positive(orZero: true)]
    public double DirectoryRefreshSeconds { get; set; } = 5;
}

/// <summary>
/// The region tree in memory, for resolving <c>{tenant}</c> by id or division code on every request without a
/// query. A snapshot is reloaded when this node changes the tree and, so that several nodes agree, when it is
/// older than <c>Tenancy:DirectoryRefreshSeconds</c> (5 s by default).
/// </summary>
public sealed class RegionDirectory(IServiceScopeFactory scopes, TimeProvider clock, IOptions<TenancySettings> settings)
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly TimeSpan _maxAge = TimeSpan.FromSeconds(settings.Value.DirectoryRefreshSeconds);
    private volatile Snapshot? _snapshot;

    /// <summary>The region named by an id or a division code, or null when there is none.</summary>
    public async ValueTask<RegionInfo?> ResolveAsync(string idOrCode, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        return snapshot.ById.GetValueOrDefault(idOrCode) ?? snapshot.ByCode.GetValueOrDefault(idOrCode);
    }

    /// <summary>The region from the snapshot in memory, however old, without waiting; null when none is loaded or it is unknown.</summary>
    public RegionInfo? Cached(string idOrCode) =>
        _snapshot is { } snapshot ? snapshot.ById.GetValueOrDefault(idOrCode) ?? snapshot.ByCode.GetValueOrDefault(idOrCode) : null;

    /// <summary>All regions, ordered by id.</summary>
    public async ValueTask<IReadOnlyList<RegionInfo>> AllAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Ordered;

    /// <summary>Drops the snapshot: the next resolution reads the tree again.</summary>
    public void Invalidate() => _snapshot = null;

    private async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && clock.Now() - snapshot.LoadedAt < _maxAge)
        {
            return snapshot;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && clock.Now() - snapshot.LoadedAt < _maxAge)
            {
                return snapshot;
            }

            snapshot = await LoadAsync(cancellationToken);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<Snapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var loadedAt = clock.Now();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var rows = await db.Regions.AsNoTracking().ToListAsync(cancellationToken);
        var children = rows.Where(r => r.ParentId is not null).ToLookup(r => r.ParentId!, r => r.Id);
        var infos = rows
            .Select(r => new RegionInfo(r.Id, r.DivisionCode, r.Name, r.NameEn, r.Level, r.ParentId,
                children[r.Id].Order(StringComparer.Ordinal).ToArray()))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToArray();
        return new Snapshot(
            loadedAt,
            infos,
            infos.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal),
            infos.Where(r => r.DivisionCode is not null).ToFrozenDictionary(r => r.DivisionCode!, StringComparer.Ordinal));
    }

    private sealed record Snapshot(
        DateTimeOffset LoadedAt,
        IReadOnlyList<RegionInfo> Ordered,
        FrozenDictionary<string, RegionInfo> ById,
        FrozenDictionary<string, RegionInfo> ByCode);
}
