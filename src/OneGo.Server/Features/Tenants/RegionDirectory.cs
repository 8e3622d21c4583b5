using OneGo.Server.Hosting;
using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Tenants;

/// <summary>One region as the rest of the server sees it: immutable, from the directory's snapshot.</summary>
public sealed record RegionInfo(string Id, string? DivisionCode, string Name, string? NameEn, RegionLevel Level, string? ParentId, IReadOnlyList<string> ChildIds)
{
    /// <summary>The division code is not a GB/T 2260 code (<see cref="Region.DivisionCodeOutsideStandard"/>).</summary>
    public bool DivisionCodeOutsideStandard { get; init; }

    /// <summary>The region's own departments, by code.</summary>
    public IReadOnlyDictionary<string, OneGo.Catalogue.Department> Departments { get; init; } = FrozenDictionary<string, OneGo.Catalogue.Department>.Empty;
}

/// <summary>A department as a region's documents name it: the department, and the region that lists it (the region itself or one above).</summary>
public sealed record DepartmentInReach(OneGo.Catalogue.Department Department, string RegionId);

/// <summary>The names of the departments a region's documents name by code, for pages and publications.</summary>
public sealed class DepartmentNames(IReadOnlyDictionary<string, DepartmentInReach> reach)
{
    public IReadOnlyDictionary<string, DepartmentInReach> Reach => reach;

    /// <summary>The department's name; the code itself when it names none (a document saved before its department was removed).</summary>
    public string Of(string? code) => code is null ? "" : reach.TryGetValue(code, out var found) ? found.Department.Name : code;
}

/// <summary>
/// The departments a region's documents can name: its own and those of the regions above, a code meaning the nearest
/// region's department (<see cref="OneGo.Catalogue.Department"/>).
/// </summary>
public static class DepartmentDirectory
{
    /// <summary>
    /// The department a code names from <paramref name="tenantId"/>: the region's own, or the nearest region above's;
    /// <paramref name="region"/> gives a region's parent and departments (null when there is no such region).
    /// </summary>
    public static DepartmentInReach? Find(string tenantId, string code, Func<string, (string? ParentId, IReadOnlyList<OneGo.Catalogue.Department> Departments)?> region)
    {
        for (var id = tenantId; id is not null;)
        {
            if (region(id) is not { } found)
            {
                return null;
            }

            foreach (var department in found.Departments)
            {
                if (department.Code == code)
                {
                    return new DepartmentInReach(department, id);
                }
            }

            id = found.ParentId;
        }

        return null;
    }
}

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

    /// <summary>Every department a region's documents can name, by code: the nearest region's for each code.</summary>
    public async ValueTask<IReadOnlyDictionary<string, DepartmentInReach>> DepartmentsInReachAsync(string tenantId, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        var reach = new Dictionary<string, DepartmentInReach>(StringComparer.Ordinal);
        for (var region = snapshot.ById.GetValueOrDefault(tenantId); region is not null; region = region.ParentId is { } parent ? snapshot.ById.GetValueOrDefault(parent) : null)
        {
            foreach (var (code, department) in region.Departments)
            {
                reach.TryAdd(code, new DepartmentInReach(department, region.Id));
            }
        }

        return reach;
    }

    /// <summary>The names of the departments a region's documents can name.</summary>
    public async ValueTask<DepartmentNames> DepartmentNamesAsync(string tenantId, CancellationToken cancellationToken) =>
        new(await DepartmentsInReachAsync(tenantId, cancellationToken));

    /// <summary>The references that name no department in reach of the region: what an API save of a matter or a bundle refuses.</summary>
    public async ValueTask<IReadOnlyList<OneGo.Catalogue.CatalogueError>> UnknownDepartmentsAsync(
        RegionInfo region, IEnumerable<OneGo.Catalogue.DepartmentReferences.Reference> references, CancellationToken cancellationToken)
    {
        var reach = await DepartmentsInReachAsync(region.Id, cancellationToken);
        return OneGo.Catalogue.DepartmentReferences.Unknown(references, reach.ContainsKey, $"{region.Name} ({region.Id})").ToList();
    }

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
        var departments = (await db.Departments.AsNoTracking().ToListAsync(cancellationToken)).ToLookup(d => d.RegionId, StringComparer.Ordinal);
        var children = rows.Where(r => r.ParentId is not null).ToLookup(r => r.ParentId!, r => r.Id);
        var infos = rows
            .Select(r => new RegionInfo(r.Id, r.DivisionCode, r.Name, r.NameEn, r.Level, r.ParentId,
                children[r.Id].Order(StringComparer.Ordinal).ToArray())
            {
                DivisionCodeOutsideStandard = r.DivisionCodeOutsideStandard,
                Departments = departments[r.Id].ToFrozenDictionary(d => d.Code, d => d.ToDepartment(), StringComparer.Ordinal),
            })
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
