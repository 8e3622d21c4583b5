using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Catalogue;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>Every row of every table, as text, read across tenants for a test to compare before and after.</summary>
public static class RowSnapshot
{
    public static async Task<SortedDictionary<string, string>> TakeAsync(TestDatabase database)
    {
        await using var db = database.NewContext();
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add<T>(string table, IEnumerable<T> items, Func<T, string> key)
        {
            foreach (var item in items)
            {
                rows[$"{table}/{key(item)}"] = JsonSerializer.Serialize(item);
            }
        }

        // The test reads across tenants on purpose: it checks what an import did to everyone.
        Add("Regions", await db.Regions.AsNoTracking().ToListAsync(), r => r.Id);
        Add("TenantSettings", await db.TenantSettings.IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), s => s.TenantId);
        Add("TenantFiles", await db.TenantFiles.IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), f => f.TenantId + ":" + f.Path);
        Add("Matters", await db.Set<MatterRecord>().IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), m => m.TenantId + ":" + m.Code);
        Add("Bundles", await db.Set<BundleRecord>().IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), b => b.TenantId + ":" + b.Code);
        Add("BundleVersions", await db.Set<BundleVersion>().IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), v => $"{v.TenantId}:{v.BundleCode}:{v.Version}");
        return rows;
    }

    /// <summary>Every row one tenant owns, and its accounts, as text: what a refused call must leave as it was.</summary>
    public static async Task<SortedDictionary<string, string>> TakeAsync(TestDatabase database, string tenant)
    {
        await using var db = database.NewContext();
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add<T>(string table, IEnumerable<T> items, Func<T, string> key)
        {
            foreach (var item in items)
            {
                rows[$"{table}/{key(item)}"] = JsonSerializer.Serialize(item);
            }
        }

        var filter = new[] { TenancyModel.FilterName };
        Add("TenantSettings", await db.TenantSettings.IgnoreQueryFilters(filter).Where(s => s.TenantId == tenant).AsNoTracking().ToListAsync(), s => s.TenantId);
        Add("Matters", await db.Set<MatterRecord>().IgnoreQueryFilters(filter).Where(m => m.TenantId == tenant).AsNoTracking().ToListAsync(), m => m.Code);
        Add("Bundles", await db.Set<BundleRecord>().IgnoreQueryFilters(filter).Where(b => b.TenantId == tenant).AsNoTracking().ToListAsync(), b => b.Code);
        Add("BundleVersions", await db.Set<BundleVersion>().IgnoreQueryFilters(filter).Where(v => v.TenantId == tenant).AsNoTracking().Select(v => new { v.BundleCode, v.Version, v.ETag }).ToListAsync(), v => $"{v.BundleCode}:{v.Version}");
        Add("Accounts", await db.Set<OneGo.Server.Identity.Account>().Where(a => a.TenantId == tenant).AsNoTracking().ToListAsync(), a => a.UserName + ":" + a.Kind);
        return rows;
    }

    /// <summary>The keys of the rows that were added, removed or changed.</summary>
    public static List<string> Changed(IDictionary<string, string> before, IDictionary<string, string> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Order(StringComparer.Ordinal)
            .ToList();
}
