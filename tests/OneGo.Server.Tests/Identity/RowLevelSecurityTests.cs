using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Defence in depth on PostgreSQL: the server connects as a role that neither owns the tables nor bypasses
/// row-level security, and the database itself refuses what the scope may not see or write.
/// </summary>
public sealed class RowLevelSecurityTestsOnPostgres : IAsyncLifetime
{
    private const string AppRole = "onego_app";
    private TestDatabase _database = null!;
    private string _app = "";

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(TestPostgres.ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var create = admin.CreateCommand();
            create.CommandText = $"""
                DO $$ BEGIN
                  CREATE ROLE {AppRole} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
                EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                """;
            await create.ExecuteNonQueryAsync();
        }

        _database = await TestDatabase.CreateAsync(Provider.Postgres);
        _app = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Username = AppRole }.ConnectionString;
    }

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    private OneGoApp Server() => new(new TestDatabaseAs(_database, _app), settings: new Dictionary<string, string?>
    {
        ["Database:OwnerConnectionString"] = _database.ConnectionString,
        ["Database:AppRole"] = AppRole,
    });

    private async Task<NpgsqlConnection> AsAppAsync(string? tenant)
    {
        var connection = new NpgsqlConnection(_app);
        await connection.OpenAsync();
        await using var scope = connection.CreateCommand();
        scope.CommandText = "SELECT set_config('onego.tenant', $1, false)";
        scope.Parameters.Add(new NpgsqlParameter { Value = tenant ?? "" });
        await scope.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task RowLevelSecurityIsOnAndForcedOnEveryTenantOwnedTableAndTheAppRoleOwnsNone()
    {
        await using (var server = Server())
        {
            _ = server.Services;
        }

        await using var db = _database.NewContext();
        var tables = db.Model.GetEntityTypes().Where(e => e.IsTenantOwned()).Select(e => e.GetTableName()!).Order().ToList();
        Assert.NotEmpty(tables);
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        foreach (var table in tables)
        {
            Assert.Equal(1, await ScalarAsync(connection, $"SELECT count(*) FROM pg_class WHERE relname = '{table}' AND relrowsecurity AND relforcerowsecurity AND pg_get_userbyid(relowner) <> '{AppRole}'"));
        }

        Assert.Equal(0, await ScalarAsync(connection, $"SELECT count(*) FROM pg_roles WHERE rolname = '{AppRole}' AND (rolsuper OR rolbypassrls)"));
    }

    [Fact]
    public async Task RawSqlAsTheAppRoleReachesNoOtherTenantsRows()
    {
        await using (var server = Server())
        {
            _ = server.Services;
        }

        await using (var outside = await AsAppAsync(null))
        {
            Assert.Equal(0, await ScalarAsync(outside, "SELECT count(*) FROM \"Matters\""));
        }

        await using var haicang = await AsAppAsync("fujian.xiamen.haicang");
        Assert.True(await ScalarAsync(haicang, "SELECT count(*) FROM \"Matters\"") > 0);
        Assert.Equal(0, await ScalarAsync(haicang, "SELECT count(*) FROM \"Matters\" WHERE \"TenantId\" <> 'fujian.xiamen.haicang'"));
        Assert.Equal(0, await ScalarAsync(haicang, "SELECT count(*) FROM \"BundleVersions\" WHERE \"TenantId\" = 'zhejiang'"));
        Assert.Equal(0, await ExecuteAsync(haicang, "UPDATE \"Matters\" SET \"Origin\" = 'tampered' WHERE \"TenantId\" = 'zhejiang'"));
        Assert.Equal(0, await ExecuteAsync(haicang, "DELETE FROM \"Bundles\" WHERE \"TenantId\" = 'zhejiang'"));
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(haicang,
            "UPDATE \"Matters\" SET \"TenantId\" = 'zhejiang' WHERE \"TenantId\" = 'fujian.xiamen.haicang'"));

        await using var owner = new NpgsqlConnection(_database.ConnectionString);
        await owner.OpenAsync();
        Assert.Equal(0, await ScalarAsync(owner, "SELECT count(*) FROM \"Matters\" WHERE \"Origin\" = 'tampered'"));
        Assert.True(await ScalarAsync(owner, "SELECT count(*) FROM \"Bundles\" WHERE \"TenantId\" = 'zhejiang'") > 50);
    }

    [Fact]
    public async Task ThePublicScopeSeesLiveContentOnlyAndWritesNothing()
    {
        await using (var server = Server())
        {
            _ = server.Services;
        }

        await using var connection = await AsAppAsync("fujian.xiamen.siming");
        await using (var set = connection.CreateCommand())
        {
            set.CommandText = "SELECT set_config('onego.public', 'on', false)";
            await set.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM \"Matters\""));
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM \"TenantFiles\""));
        Assert.Equal(0, await ScalarAsync(connection, "SELECT count(*) FROM \"Bundles\" WHERE \"LiveVersion\" IS NULL"));
        Assert.True(await ScalarAsync(connection, "SELECT count(*) FROM \"BundleVersions\"") > 0);
        Assert.Equal(1, await ScalarAsync(connection, "SELECT count(*) FROM \"TenantSettings\""));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection,
            "INSERT INTO \"TenantFiles\" (\"TenantId\", \"Path\", \"Sha256\", \"ImportedAt\") VALUES ('fujian.xiamen.siming', 'x', 'y', now())"));
        Assert.Contains("row-level security", refused.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAppRoleAppendsToItsTenantsAuditLogButCannotUpdateDeleteOrTruncateIt()
    {
        await using (var server = Server())
        {
            _ = server.Services;
        }

        await using var haicang = await AsAppAsync("fujian.xiamen.haicang");
        Assert.True(await ScalarAsync(haicang, "SELECT count(*) FROM \"AuditEntries\"") > 0);
        foreach (var sql in (string[])[
            "UPDATE \"AuditEntries\" SET \"Comment\" = 'tampered' WHERE \"TenantId\" = 'fujian.xiamen.haicang'",
            "DELETE FROM \"AuditEntries\" WHERE \"TenantId\" = 'fujian.xiamen.haicang'",
            "TRUNCATE \"AuditEntries\""])
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(haicang, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        // Appending is what the server does with every change — as the app role, through the API.
        await using var server2 = Server();
        using var staff = ActAsTenantStaff.For(server2);
        var before = await ScalarAsync(haicang, "SELECT count(*) FROM \"AuditEntries\"");
        var read = await staff.GetAsync("/api/t/350205/matters/vaccination-check/draft");
        var matter = (await read.JsonAsync())["document"]!;
        matter["promisedDays"] = 3;
        Assert.Equal(HttpStatusCode.OK, (await staff.SendJsonAsync(HttpMethod.Put, "/api/t/350205/matters/vaccination-check/draft", matter, read.ETag())).StatusCode);
        Assert.Equal(before + 1, await ScalarAsync(haicang, "SELECT count(*) FROM \"AuditEntries\""));
        Assert.Equal(0, await ScalarAsync(haicang, "SELECT count(*) FROM \"AuditEntries\" WHERE \"Comment\" = 'tampered'"));
    }

    [Fact]
    public async Task TheServerServesAndWritesAsTheAppRole()
    {
        await using var server = Server();
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/t/350205/bundles/enrolment")).StatusCode);
        var adoptions = await (await anonymous.GetAsync("/api/t/jiangsu/templates/newborn/adoptions")).JsonAsync();
        Assert.Equal(2, adoptions["items"]!.AsArray().Count);
        var diff = await (await anonymous.GetAsync("/api/t/350205/bundles/enrolment/diff")).JsonAsync();
        Assert.Null(diff["mattersChangedSinceApproval"]);
        Assert.True((await (await anonymous.GetAsync("/api/t/350205/bundles")).JsonAsync())["items"]!.AsArray().Count >= 3);

        using var staff = ActAsTenantStaff.For(server);
        var matter = await (await staff.GetAsync("/api/t/350205/matters/vaccination-check")).JsonAsync();
        matter["promisedDays"] = 4;
        Assert.Equal(HttpStatusCode.OK, (await staff.ReviseMatterAsync("350205", matter)).StatusCode);
    }

    /// <summary>The same database, reached through another role's connection string.</summary>
    private sealed class TestDatabaseAs(TestDatabase database, string connectionString) : IAppDatabase
    {
        public string ProviderName => database.ProviderName;

        public string ConnectionString => connectionString;
    }
}
