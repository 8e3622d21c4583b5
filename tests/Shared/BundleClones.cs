using Npgsql;

namespace OneGo.Testing;

/// <summary>
/// Many approved bundles at once, for runs that publish in bulk (the zone benchmark, the cluster run and its test):
/// copies of one imported bundle under new codes (<c>{code}-1</c> … <c>{code}-n</c>), each with its versions, so each
/// is approved (live) and not yet in the zone as the original was. Written with SQL on PostgreSQL, as the owner.
/// </summary>
internal static class BundleClones
{
    public static async Task CloneAsync(string ownerConnectionString, string tenant, string code, int count)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        foreach (var (table, key) in new[] { ("Bundles", "Code"), ("BundleVersions", "BundleCode") })
        {
            var columns = new List<string>();
            await using (var read = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_name = @t AND column_name <> 'Id' ORDER BY ordinal_position", connection))
            {
                read.Parameters.AddWithValue("t", table);
                await using var reader = await read.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    columns.Add(reader.GetString(0));
                }
            }

            var list = string.Join(", ", columns.Select(c => $"\"{c}\""));
            var select = string.Join(", ", columns.Select(c => c == key ? $"\"{c}\" || '-' || g" : $"\"{c}\""));
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO \"{table}\" ({list}) SELECT {select} FROM \"{table}\", generate_series(1, @n) g WHERE \"TenantId\" = @tenant AND \"{key}\" = @code",
                connection) { CommandTimeout = 600 };
            insert.Parameters.AddWithValue("n", count);
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("code", code);
            if (await insert.ExecuteNonQueryAsync() < count)
            {
                throw new InvalidOperationException($"{tenant} has no bundle {code} in {table} to copy.");
            }
        }
    }
}
