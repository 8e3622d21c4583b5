using Microsoft.EntityFrameworkCore;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// The snapshot the isolation matrix takes around every refused call sees a change to one row of a watched tenant, and
/// only there: were it blind, "refusals change nothing" would hold whatever a refused call did.
/// </summary>
public abstract class RowSnapshotTests(Provider provider)
{
    [Fact]
    public async Task AChangedRowOfAWatchedTenantIsNamedAndARowOfAnotherTenantIsNot()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var db = database.NewContext();
        var bundles = await db.Database.SqlQueryRaw<string>("SELECT \"TenantId\" || '/' || \"Code\" || '/' || CAST(\"Id\" AS TEXT) AS \"Value\" FROM \"Bundles\" ORDER BY \"TenantId\", \"Code\"").ToListAsync();
        var (watched, code, id) = (bundles[0].Split('/')[0], bundles[0].Split('/')[1], bundles[0].Split('/')[2]);
        var elsewhere = bundles.First(b => b.Split('/')[0] != watched).Split('/');

        var before = await RowSnapshot.OfTenantsAsync(database, watched);
        await db.Database.ExecuteSqlAsync($"UPDATE \"Bundles\" SET \"SearchText\" = \"SearchText\" || ' changed' WHERE \"TenantId\" = {watched} AND \"Code\" = {code}");
        await db.Database.ExecuteSqlAsync($"UPDATE \"Bundles\" SET \"SearchText\" = \"SearchText\" || ' changed' WHERE \"TenantId\" = {elsewhere[0]} AND \"Code\" = {elsewhere[1]}");
        var changed = RowSnapshot.Changed(before, await RowSnapshot.OfTenantsAsync(database, watched));

        Assert.Equal($"Bundles/{id}", Assert.Single(changed));
        Assert.Empty(RowSnapshot.Changed(before, before));
    }
}

public sealed class RowSnapshotTestsOnSqlite() : RowSnapshotTests(Provider.Sqlite);

public sealed class RowSnapshotTestsOnPostgres() : RowSnapshotTests(Provider.Postgres);
