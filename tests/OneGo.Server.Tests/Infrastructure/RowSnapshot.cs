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
        Add("Departments", await db.Departments.AsNoTracking().ToListAsync(), d => d.RegionId + ":" + d.Code);
        Add("TenantSettings", await db.TenantSettings.IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), s => s.TenantId);
        Add("TenantFiles", await db.TenantFiles.IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), f => f.TenantId + ":" + f.Path);
        Add("Matters", await db.Set<MatterRecord>().IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), m => m.TenantId + ":" + m.Code);
        Add("Bundles", await db.Set<BundleRecord>().IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), b => b.TenantId + ":" + b.Code);
        Add("BundleVersions", await db.Set<BundleVersion>().IgnoreQueryFilters([TenancyModel.FilterName]).AsNoTracking().ToListAsync(), v => $"{v.TenantId}:{v.BundleCode}:{v.Version}");
        return rows;
    }

    /// <summary>
    /// What a refused call must leave as it was, for each of <paramref name="tenants"/>: every row of every tenant-owned
    /// table (taken from the model, so a new table is in without being named here — catalogue, audit entries, runs,
    /// publications, zone entries, outbox, files), the regions at and below it and its accounts; and the deployment's
    /// shared rows a refused call could reach (integrations, the zone's counter).
    /// </summary>
    public static async Task<SortedDictionary<string, string>> OfTenantsAsync(TestDatabase database, params string[] tenants)
    {
        await using var db = database.NewContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inTenants = string.Join(", ", tenants.Select((_, i) => $"@t{i}"));
        var tables = db.Model.GetEntityTypes().Where(e => e.GetTableName() is not null && e.FindPrimaryKey() is not null)
            .GroupBy(e => e.GetTableName()!).Select(g => g.First()).ToList();
        var hashed = new List<string>();
        foreach (var entity in tables)
        {
            var where = entity.IsTenantOwned() ? $"\"TenantId\" IN ({inTenants})"
                : entity.ClrType.Name == "Account" ? $"\"TenantId\" IN ({inTenants})"
                : entity.ClrType.Name == "Region" ? string.Join(" OR ", tenants.Select((_, i) => $"\"Id\" = @t{i} OR \"Id\" LIKE @t{i} || '.%'"))
                : entity.ClrType.Name is "Integration" or "ZoneHead" ? "1 = 1"
                : null;
            if (where is null)
            {
                continue;
            }

            var table = entity.GetTableName()!;
            var key = entity.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()).ToList();
            if (database.Provider == Provider.Postgres)
            {
                // Each row hashed where it is: only its table, key and hash travel (the matrix snapshots the victim's
                // whole catalogue around each of its two thousand refused calls).
                hashed.Add($"SELECT '{table}', concat_ws(':', {string.Join(", ", key.Select(k => $"r.\"{k}\"::text"))}), md5(r::text) FROM \"{table}\" r WHERE {where}");
                continue;
            }

            await using var command = Command(connection, $"SELECT * FROM \"{table}\" WHERE {where}", tenants);
            await using var reader = await command.ExecuteReaderAsync();
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            while (await reader.ReadAsync())
            {
                var values = columns.Select((c, i) => (c, Text(reader.IsDBNull(i) ? null : reader.GetValue(i)))).ToList();
                var id = string.Join(":", key.Select(k => values.First(v => v.c == k).Item2));
                rows[$"{table}/{id}"] = string.Join("|", values.Select(v => $"{v.c}={v.Item2}"));
            }
        }

        if (hashed.Count > 0)
        {
            await using var command = Command(connection, string.Join("\nUNION ALL ", hashed), tenants);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[$"{reader.GetString(0)}/{reader.GetString(1)}"] = reader.GetString(2);
            }
        }

        return rows;
    }

    private static System.Data.Common.DbCommand Command(System.Data.Common.DbConnection connection, string sql, string[] tenants)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < tenants.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = $"t{i}";
            parameter.Value = tenants[i];
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        byte[] bytes => Convert.ToBase64String(bytes),
        DateTime t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The keys of the rows that were added, removed or changed.</summary>
    public static List<string> Changed(IDictionary<string, string> before, IDictionary<string, string> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || a != b)
            .Order(StringComparer.Ordinal)
            .ToList();
}
