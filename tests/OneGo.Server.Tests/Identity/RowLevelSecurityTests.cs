using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Identity;
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
    private const string AppRole = TestPostgres.AppRole;
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Gulou = "jiangsu.nanjing.gulou";
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Provider.Postgres);

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    /// <summary>A node on the test's database; mail goes to the test server, as a node outside Development requires.</summary>
    private OneGoApp Server(IReadOnlyDictionary<string, string?>? settings = null) =>
        new(_database, settings: new Dictionary<string, string?>(TestSmtp.Settings.Concat(settings ?? new Dictionary<string, string?>())));

    /// <summary>A connection as the application's role, in a scope set as <see cref="PostgresTenantScope"/> sets it.</summary>
    private async Task<NpgsqlConnection> AsAppAsync(string? tenant, bool below = false, bool isPublic = false, string? applicant = null)
    {
        var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var scope = connection.CreateCommand();
        scope.CommandText = "SELECT set_config('onego.tenant', $1, false), set_config('onego.below', $2, false), set_config('onego.public', $3, false), set_config('onego.applicant', $4, false)";
        scope.Parameters.Add(new NpgsqlParameter { Value = tenant ?? "" });
        scope.Parameters.Add(new NpgsqlParameter { Value = below ? "on" : "off" });
        scope.Parameters.Add(new NpgsqlParameter { Value = isPublic ? "on" : "off" });
        scope.Parameters.Add(new NpgsqlParameter { Value = applicant ?? "" });
        await scope.ExecuteNonQueryAsync();
        return connection;
    }

    private async Task<NpgsqlConnection> AsOwnerAsync()
    {
        var connection = new NpgsqlConnection(_database.OwnerConnectionString);
        await connection.OpenAsync();
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

    /// <summary>Every tenant-owned table, from the model: a new one is covered without being named here.</summary>
    private List<string> TenantOwnedTables()
    {
        using var db = _database.NewContext();
        return db.Model.GetEntityTypes().Where(e => e.IsTenantOwned()).Select(e => e.GetTableName()!).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Publishing runs in two regions of different provinces, and a demo applicant applies in each, so that every
    /// tenant-owned table — catalogue, audit, runs, publications, the zone's entries, the outbox, applications and their
    /// cases — holds rows of both; fails naming a table that still has none.
    /// </summary>
    private async Task SeedTwoTenantsAsync(params string[] tenants)
    {
        using var exchange = new StandInExchange();
        var settings = exchange.Settings();
        settings["Zone:RelayEnabled"] = "false";
        await using (var server = Server(settings))
        {
            using var anonymous = server.CreateClient();
            using var applicant = await server.ApplicantAsync();
            foreach (var tenant in tenants)
            {
                using var admin = await server.AsAsync(Roles.Admin, tenant);
                var run = await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null);
                Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
                await Eventually.HoldsAsync(async () => (string?)(await (await admin.GetAsync(run.Headers.Location)).JsonAsync())["run"]!["status"],
                    s => s is "succeeded" or "failed", $"the publishing run of {tenant}");
                await applicant.ApplyOnceAsync(tenant);
                var (draft, material) = await applicant.DraftWithMaterialAsync(tenant);
                Assert.Equal(HttpStatusCode.Created, (await applicant.AttachAsync(tenant, draft, material)).StatusCode);
                // A draft that shares data: its consents and the record of its fetches.
                var (sharing, _) = await applicant.SubmittableAsync(tenant);
                var created = await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/applications", sharing);
                await applicant.ShareAllAsync(tenant, (string)(await created.JsonAsync())["id"]!);
            }
        }

        await using var owner = await AsOwnerAsync();
        // The deadline job's notices, a region's webhook and a delivery waiting for it, as the owner writes them (no job ran here).
        foreach (var tenant in tenants)
        {
            await ExecuteAsync(owner, $"""
                INSERT INTO "DepartmentNotices" ("TenantId", "Department", "Kind", "Count", "Items", "Day", "CreatedAt") VALUES ('{tenant}', 'education', 'AtRisk', 1, '[]', '2026-09-28', now());
                INSERT INTO "RegionWebhooks" ("TenantId", "Url", "Secret", "RegisteredAt", "RegisteredBy") VALUES ('{tenant}', 'https://8.8.8.8/onego', 'protected', now(), 'seed');
                INSERT INTO "WebhookDeliveries" ("TenantId", "Body", "CreatedAt", "Attempts", "NextAttemptAt") VALUES ('{tenant}', '[]', now(), 0, now() + interval '1 day');
                INSERT INTO "ZoneStatistics" ("TenantId", "Month", "Figures", "PublishedAt") VALUES ('{tenant}', '2026-10', '[]', now());
                INSERT INTO "Ratings" ("Id", "TenantId", "ApplicantId", "Department", "ApplicationId", "Number", "Matter", "BundleCode", "LeadDepartment", "Level", "AtCounter", "GivenAt", "Key", "Hash", "DueProvisional", "Overdue", "Excluded", "Revision")
                    SELECT gen_random_uuid(), a."TenantId", a."ApplicantId", 'education', a."Id", a."Number", '', a."BundleCode", 'education', 'Dissatisfied', false, now(), 'seed', 'seed', false, false, false, 0
                    FROM "Applications" a WHERE a."TenantId" = '{tenant}' AND a."Number" IS NOT NULL LIMIT 1;
                """);
        }

        var empty = new List<string>();
        foreach (var table in TenantOwnedTables())
        {
            foreach (var tenant in tenants)
            {
                if (await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\" WHERE \"TenantId\" = '{tenant}'") == 0)
                {
                    empty.Add($"{table} ({tenant})");
                }
            }
        }

        Assert.True(empty.Count == 0, "These tenant-owned tables have no row to test row-level security on; make the seed above write some: " + string.Join(", ", empty));
    }

    /// <summary>
    /// What the application's role, in <paramref name="own"/>'s scope, can do to the rows of <paramref name="other"/>
    /// in <paramref name="table"/>: see them, update them, delete them, or move its own rows to that tenant. Run in a
    /// transaction that is rolled back, so a breach found changes nothing. Empty when row-level security holds.
    /// </summary>
    private async Task<List<string>> BreachesAsync(string table, string own, string other)
    {
        await using var app = await AsAppAsync(own);
        await using var transaction = await app.BeginTransactionAsync();
        var breaches = new List<string>();
        if (await ScalarAsync(app, $"SELECT count(*) FROM \"{table}\" WHERE \"TenantId\" = '{own}'") == 0)
        {
            breaches.Add($"{table}: {own}'s scope sees none of its own rows (nothing to compare with)");
        }

        if (await ScalarAsync(app, $"SELECT count(*) FROM \"{table}\" WHERE \"TenantId\" <> '{own}'") is > 0 and var seen)
        {
            breaches.Add($"{table}: {own}'s scope sees {seen} rows of other tenants");
        }

        foreach (var (what, sql) in new[]
                 {
                     ("updates", $"UPDATE \"{table}\" SET \"TenantId\" = \"TenantId\" WHERE \"TenantId\" = '{other}'"),
                     ("deletes", $"DELETE FROM \"{table}\" WHERE \"TenantId\" = '{other}'"),
                     ("moves to another tenant", $"UPDATE \"{table}\" SET \"TenantId\" = '{other}' WHERE \"TenantId\" = '{own}'"),
                 })
        {
            await using (var savepoint = app.CreateCommand())
            {
                savepoint.CommandText = "SAVEPOINT attempt";
                await savepoint.ExecuteNonQueryAsync();
            }

            try
            {
                if (await ExecuteAsync(app, sql) is > 0 and var rows)
                {
                    breaches.Add($"{table}: {own}'s scope {what} {rows} rows ({sql})");
                }
            }
            catch (PostgresException refused) when (refused.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // Refused outright: by a policy's WITH CHECK, or (the audit log) for want of the privilege.
                await ExecuteAsync(app, "ROLLBACK TO SAVEPOINT attempt");
            }
        }

        await transaction.RollbackAsync();
        return breaches;
    }

    [Fact]
    public async Task RowLevelSecurityIsOnAndForcedOnEveryTenantOwnedTableAndTheAppRoleOwnsNone()
    {
        await using var db = _database.NewContext();
        var tables = db.Model.GetEntityTypes().Where(e => e.IsTenantOwned()).Select(e => e.GetTableName()!).Order().ToList();
        Assert.NotEmpty(tables);
        await using var connection = new NpgsqlConnection(_database.OwnerConnectionString);
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

        await using var owner = new NpgsqlConnection(_database.OwnerConnectionString);
        await owner.OpenAsync();
        Assert.Equal(0, await ScalarAsync(owner, "SELECT count(*) FROM \"Matters\" WHERE \"Origin\" = 'tampered'"));
        Assert.True(await ScalarAsync(owner, "SELECT count(*) FROM \"Bundles\" WHERE \"TenantId\" = 'zhejiang'") > 50);
    }

    [Fact]
    public async Task ThePublicScopeSeesLiveContentOnlyAndWritesNothing()
    {
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
        // Nanjing, Gulou and Jiangning: read across the tenants below, as the app role.
        Assert.Equal(3, adoptions["items"]!.AsArray().Count);
        var diff = await (await anonymous.GetAsync("/api/t/350205/bundles/enrolment/diff")).JsonAsync();
        Assert.Null(diff["mattersChangedSinceApproval"]);
        Assert.True((await (await anonymous.GetAsync("/api/t/350205/bundles")).JsonAsync())["items"]!.AsArray().Count >= 3);

        using var staff = ActAsTenantStaff.For(server);
        var matter = await (await staff.GetAsync("/api/t/350205/matters/vaccination-check")).JsonAsync();
        matter["promisedDays"] = 4;
        Assert.Equal(HttpStatusCode.OK, (await staff.ReviseMatterAsync("350205", matter)).StatusCode);
        Assert.Equal(4, (int)(await (await staff.GetAsync("/api/t/350205/matters/vaccination-check")).JsonAsync())["promisedDays"]!);

        // The server's own connection is the application's role, not the owner.
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        Assert.Equal(AppRole, await db.Database.SqlQueryRaw<string>("SELECT current_user::text AS \"Value\"").SingleAsync());
        await using var look = _database.NewContext();
        var stored = await look.Set<MatterRecord>().IgnoreQueryFilters([TenancyModel.FilterName])
            .Where(m => m.TenantId == Haicang && m.Code == "vaccination-check").Select(m => m.Document).SingleAsync();
        Assert.Equal(4, (int)System.Text.Json.Nodes.JsonNode.Parse(stored!)!["promisedDays"]!);
    }

    /// <summary>
    /// Inside a transaction the server sets a scope once for the commands that run in it; a scope changed in the
    /// transaction, a savepoint rolled back past where a scope was set, a failed command, and the next transaction on the
    /// same pooled connection each still read as the scope in force says, row-level security alone deciding.
    /// </summary>
    [Fact]
    public async Task InATransactionEachCommandRunsInItsOwnScopeAfterAScopeChangeASavepointRollbackAndAFailure()
    {
        await using var server = Server();
        await using var services = server.Services.CreateAsyncScope();
        var db = services.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var tenants = services.ServiceProvider.GetRequiredService<CurrentTenant>();
        // The query filter left out: only the database's own policy stands between a scope and another tenant's rows.
        async Task<List<string>> SeenAsync(string tenant)
        {
            using var scope = tenants.Enter(tenant);
            return await db.Set<BundleRecord>().IgnoreQueryFilters([TenancyModel.FilterName]).Select(b => b.TenantId).Distinct().OrderBy(t => t).ToListAsync();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal([Haicang], await SeenAsync(Haicang));
            Assert.Equal([Gulou], await SeenAsync(Gulou));
            Assert.Equal([Haicang], await SeenAsync(Haicang));

            // Rolled back to a savepoint taken before Gulou's scope was set, PostgreSQL is back in Haicang's.
            await transaction.CreateSavepointAsync("before");
            Assert.Equal([Gulou], await SeenAsync(Gulou));
            await transaction.RollbackToSavepointAsync("before");
            Assert.Equal([Gulou], await SeenAsync(Gulou));

            // A failed command aborts what follows until the savepoint is rolled back to.
            await transaction.CreateSavepointAsync("failing");
            using (tenants.Enter(Haicang))
            {
                await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync("SELECT 1 / 0"));
            }

            await transaction.RollbackToSavepointAsync("failing");
            Assert.Equal([Haicang], await SeenAsync(Haicang));
            Assert.Equal([Gulou], await SeenAsync(Gulou));
            await transaction.CommitAsync();
        }

        // The next transactions, on a connection the pool hands back reset: the scope is set again in each.
        for (var i = 0; i < 2; i++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            Assert.Equal([Gulou], await SeenAsync(Gulou));
            Assert.Equal([Haicang], await SeenAsync(Haicang));
            await transaction.RollbackAsync();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal([Haicang], await SeenAsync(Haicang));
        }

        Assert.Equal([Gulou], await SeenAsync(Gulou));
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal([Gulou], await SeenAsync(Gulou));
        }
    }

    [Fact]
    public async Task OnEveryTenantOwnedTableAScopeSeesNoOtherTenantsRowAndUpdatesDeletesOrMovesNone()
    {
        await SeedTwoTenantsAsync(Haicang, Gulou);
        await using var owner = await AsOwnerAsync();
        var before = new Dictionary<string, long>();
        var breaches = new List<string>();
        foreach (var table in TenantOwnedTables())
        {
            before[table] = await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\" WHERE \"TenantId\" = '{Gulou}'");
            breaches.AddRange(await BreachesAsync(table, Haicang, Gulou));
            breaches.AddRange(await BreachesAsync(table, Gulou, Haicang));
        }

        Assert.True(breaches.Count == 0, string.Join("\n", breaches));
        foreach (var (table, count) in before)
        {
            Assert.Equal(count, await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\" WHERE \"TenantId\" = '{Gulou}'"));
        }
    }

    [Fact]
    public async Task AnApplicantsScopeSeesAndWritesOnlyThatApplicantsRowsAndAcrossTenantsOnlyReads()
    {
        await SeedTwoTenantsAsync(Haicang, Gulou);
        await using var owner = await AsOwnerAsync();
        var zhang = (await ScalarTextAsync(owner, $"SELECT \"ApplicantId\" FROM \"Applications\" WHERE \"TenantId\" = '{Haicang}' LIMIT 1"))!;
        var stranger = Guid.NewGuid().ToString();
        var applicantTables = new[] { "Applications", "Cases", "ApplicationFiles", "DataConsents", "DataFetches" };

        foreach (var table in applicantTables)
        {
            var all = await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\"");
            // The applicant in a region: their rows there, no other region's.
            await using (var inHaicang = await AsAppAsync(Haicang, applicant: zhang))
            {
                Assert.Equal(await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\" WHERE \"TenantId\" = '{Haicang}' AND \"ApplicantId\" = '{zhang}'"),
                    await ScalarAsync(inHaicang, $"SELECT count(*) FROM \"{table}\""));
            }

            // Another applicant in the same region sees none of them, and updates or deletes none.
            await using (var other = await AsAppAsync(Haicang, applicant: stranger))
            {
                Assert.Equal(0, await ScalarAsync(other, $"SELECT count(*) FROM \"{table}\""));
                Assert.Equal(0, await ExecuteAsync(other, $"UPDATE \"{table}\" SET \"ApplicantId\" = '{stranger}'"));
                Assert.Equal(0, await ExecuteAsync(other, $"DELETE FROM \"{table}\""));
            }

            // Across regions: their rows of both regions, read only; no other tenant-owned row.
            await using (var everywhere = await AsAppAsync(null, applicant: zhang))
            {
                Assert.Equal(await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\" WHERE \"ApplicantId\" = '{zhang}'"),
                    await ScalarAsync(everywhere, $"SELECT count(*) FROM \"{table}\""));
                Assert.Equal(2, await ScalarAsync(everywhere, $"SELECT count(DISTINCT \"TenantId\") FROM \"{table}\""));
                Assert.Equal(0, await ExecuteAsync(everywhere, $"DELETE FROM \"{table}\""));
                Assert.Equal(0, await ScalarAsync(everywhere, "SELECT count(*) FROM \"Matters\""));
                Assert.Equal(0, await ScalarAsync(everywhere, "SELECT count(*) FROM \"AuditEntries\""));
            }

            Assert.Equal(all, await ScalarAsync(owner, $"SELECT count(*) FROM \"{table}\""));
        }

        // A row for another applicant is refused by the insert policy, in the applicant's own region.
        await using var planting = await AsAppAsync(Haicang, applicant: stranger);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(planting,
            $"INSERT INTO \"Applications\" (\"Id\", \"TenantId\", \"ApplicantId\", \"ApplicantName\", \"BundleCode\", \"BundleName\", \"BundleVersion\", \"State\", \"Answers\", \"ValuesProtected\", \"CreatedBy\", \"CreatedAt\", \"UpdatedAt\", \"PromisedDays\", \"Revision\") VALUES (gen_random_uuid(), '{Haicang}', '{zhang}', 'x', 'enrolment', '{{}}', 1, 'Draft', '{{}}', 'x', 'x', now(), now(), 0, 1)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    private static async Task<string?> ScalarTextAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string?)await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task TheSameCheckReportsATableWhosePolicyAdmitsEveryRow()
    {
        // A copy of a tenant-owned table, row-level security forced as on the real one, but with a permissive policy.
        await using (var owner = await AsOwnerAsync())
        {
            await ExecuteAsync(owner, $"""
                CREATE TABLE "PermissiveMatters" (LIKE "Matters" INCLUDING ALL);
                INSERT INTO "PermissiveMatters" OVERRIDING SYSTEM VALUE SELECT * FROM "Matters" WHERE "TenantId" IN ('{Haicang}', '{Gulou}');
                ALTER TABLE "PermissiveMatters" ENABLE ROW LEVEL SECURITY;
                ALTER TABLE "PermissiveMatters" FORCE ROW LEVEL SECURITY;
                CREATE POLICY anything ON "PermissiveMatters" USING (true) WITH CHECK (true);
                GRANT SELECT, INSERT, UPDATE, DELETE ON "PermissiveMatters" TO {AppRole};
                """);
        }

        var breaches = await BreachesAsync("PermissiveMatters", Haicang, Gulou);
        Assert.Contains(breaches, b => b.Contains("sees", StringComparison.Ordinal) && b.Contains("rows of other tenants", StringComparison.Ordinal));
        Assert.Contains(breaches, b => b.Contains(" updates ", StringComparison.Ordinal));
        Assert.Contains(breaches, b => b.Contains(" deletes ", StringComparison.Ordinal));
        Assert.Contains(breaches, b => b.Contains(" moves to another tenant ", StringComparison.Ordinal));
        Assert.Empty(await BreachesAsync("Matters", Haicang, Gulou));
    }

    [Fact]
    public async Task M8_ThePublicAndReadBelowScopesCannotDelete()
    {
        await SeedTwoTenantsAsync(Haicang, Gulou);
        var failures = new List<string>();
        foreach (var table in TenantOwnedTables())
        {
            // The public scope reads a region's live content; the province's admin reads every region below it.
            foreach (var (scope, connect, target) in new (string, Func<Task<NpgsqlConnection>>, string)[]
                     {
                         ($"public {Gulou}", () => AsAppAsync(Gulou, isPublic: true), $"\"TenantId\" = '{Gulou}'"),
                         ("jiangsu reading below", () => AsAppAsync("jiangsu", below: true), "\"TenantId\" LIKE 'jiangsu.%'"),
                         ("national reading below", () => AsAppAsync(RegionRules.NationalId, below: true), "\"TenantId\" <> 'national'"),
                     })
            {
                await using var app = await connect();
                await using var transaction = await app.BeginTransactionAsync();
                foreach (var sql in new[] { $"DELETE FROM \"{table}\" WHERE {target}", $"UPDATE \"{table}\" SET \"TenantId\" = \"TenantId\" WHERE {target}" })
                {
                    try
                    {
                        if (await ExecuteAsync(app, sql) is > 0 and var rows)
                        {
                            failures.Add($"{scope}: {sql} changed {rows} rows");
                        }
                    }
                    catch (PostgresException e)
                    {
                        // The audit log's DELETE and UPDATE are not granted at all: refused before any policy.
                        if (e.SqlState != PostgresErrorCodes.InsufficientPrivilege || table != "AuditEntries")
                        {
                            failures.Add($"{scope}: {sql} failed with {e.SqlState} {e.MessageText} instead of changing nothing");
                        }

                        break;
                    }
                }

                await transaction.RollbackAsync();
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Not vacuous: those scopes do read those rows.
        await using var below = await AsAppAsync("jiangsu", below: true);
        Assert.True(await ScalarAsync(below, $"SELECT count(*) FROM \"PublishingRuns\" WHERE \"TenantId\" = '{Gulou}'") > 0);
        await using var visitor = await AsAppAsync(Gulou, isPublic: true);
        Assert.True(await ScalarAsync(visitor, "SELECT count(*) FROM \"Bundles\"") > 0);
        Assert.True(await ScalarAsync(visitor, "SELECT count(*) FROM \"ZoneEntries\"") > 0);
    }

    [Theory]
    [InlineData("the owner")]
    [InlineData("the superuser")]
    public async Task M5_OutsideDevelopmentTheServerRefusesToStartAsARoleRowLevelSecurityDoesNotBind(string who)
    {
        var connection = who == "the owner"
            ? _database.OwnerConnectionString
            : new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Database = new NpgsqlConnectionStringBuilder(_database.ConnectionString).Database }.ConnectionString;
        await using var server = Server(new Dictionary<string, string?> { ["environment"] = "Staging", ["Database:ConnectionString"] = connection });
        var refused = Assert.ThrowsAny<Exception>(() => server.Services);
        var message = Messages(refused);
        Assert.Contains("OneGo refuses to start.", message, StringComparison.Ordinal);
        Assert.Contains(who == "the owner" ? $"'{TestPostgres.OwnerRole}'" : "'postgres'", message, StringComparison.Ordinal);
        Assert.Contains("it bypasses row-level security (BYPASSRLS)", message, StringComparison.Ordinal);
        Assert.Contains("of OneGo's tables", message, StringComparison.Ordinal);
        Assert.Contains("it may UPDATE, DELETE, TRUNCATE \"AuditEntries\"", message, StringComparison.Ordinal);
        if (who == "the superuser")
        {
            Assert.Contains("it is a superuser", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task M5_OutsideDevelopmentTheServerStartsAsTheApplicationsRoleAndRefusesATableWithoutForcedRowLevelSecurity()
    {
        await using (var server = Server(new Dictionary<string, string?> { ["environment"] = "Staging", ["Identity:AllowHttp"] = "true" }))
        {
            using var client = server.CreateClient();
            var live = await client.GetAsync("/api/t/350205/bundles/enrolment");
            Assert.True(live.StatusCode == HttpStatusCode.OK, await live.Content.ReadAsStringAsync());
        }

        await using (var owner = await AsOwnerAsync())
        {
            await ExecuteAsync(owner, "ALTER TABLE \"PublishingRuns\" NO FORCE ROW LEVEL SECURITY");
        }

        await using var unforced = Server(new Dictionary<string, string?> { ["environment"] = "Staging", ["Identity:AllowHttp"] = "true" });
        var refused = Assert.ThrowsAny<Exception>(() => unforced.Services);
        Assert.Contains($"'{AppRole}'", Messages(refused), StringComparison.Ordinal);
        Assert.Contains("row-level security is not enabled and forced on \"PublishingRuns\"", Messages(refused), StringComparison.Ordinal);
    }

    private static string Messages(Exception e) => e.InnerException is null ? e.Message : e.Message + "\n" + Messages(e.InnerException);
}
