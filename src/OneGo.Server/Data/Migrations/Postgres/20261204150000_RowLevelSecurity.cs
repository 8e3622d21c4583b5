using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OneGo.Server.Data.Migrations.Postgres;

/// <summary>
/// Defence in depth on PostgreSQL: row-level security, enabled and forced (so it binds the tables' owner too), on every
/// tenant-owned table. OneGo sets the scope before each command (<see cref="Data.PostgresTenantScope"/>): the tenant
/// (<c>onego.tenant</c>), whether it reads the tenants below (<c>onego.below</c>), and the public scope
/// (<c>onego.public</c>), which sees live content only and writes nothing. Outside any scope nothing is visible.
/// There is one policy per command, because a <c>FOR ALL … USING (visible)</c> policy would let DELETE through on
/// <c>USING</c> alone: a scope reads the rows it may see, and inserts, updates (before and after) and deletes only its
/// own tenant's rows, never in the public scope. The model does not change, so this migration has no target model.
/// </summary>
[DbContext(typeof(PostgresOneGoDbContext))]
[Migration("20261204150000_RowLevelSecurity")]
internal sealed class RowLevelSecurity : Migration
{
    /// <summary>Not in the public scope.</summary>
    internal const string NotPublic = "current_setting('onego.public', true) IS DISTINCT FROM 'on'";

    /// <summary>A row of the scope's tenant or, reading below, of a tenant below it.</summary>
    internal const string Visible = "onego_visible(\"TenantId\")";

    /// <summary>What a scope may insert, update or delete: its own tenant's rows, and nothing in the public scope.</summary>
    internal const string Writable = $"onego_writable(\"TenantId\") AND {NotPublic}";

    /// <summary>
    /// An applicant-owned row a scope may read: as <see cref="Visible"/>, and in an applicant's scope only that
    /// applicant's (across tenants when the scope names no tenant). See the Applications migration.
    /// </summary>
    internal const string ApplicantVisible = "onego_applicant_visible(\"TenantId\", \"ApplicantId\")";

    /// <summary>What a scope may insert, update or delete of an applicant-owned table: as <see cref="Writable"/>, and in an applicant's scope only that applicant's rows.</summary>
    internal const string ApplicantWritable = $"{Writable} AND onego_applicant_writable(\"ApplicantId\")";

    /// <summary>Each tenant-owned table and which of its rows a scope may read.</summary>
    private static readonly (string Table, string Readable)[] Tables =
    [
        // Live content: the public scope reads it too.
        ("TenantSettings", Visible),
        ("BundleVersions", Visible),
        ("Publications", Visible),
        ("ZoneEntries", Visible),

        // Bundles: the public scope reads the live ones only.
        ("Bundles", $"{Visible} AND ({NotPublic} OR \"LiveVersion\" IS NOT NULL)"),

        // Never in the public scope: matters, import records, the audit log, publishing, the outbox, account changes.
        ("Matters", $"{Visible} AND {NotPublic}"),
        ("TenantFiles", $"{Visible} AND {NotPublic}"),
        ("AuditEntries", $"{Visible} AND {NotPublic}"),
        ("PublishingRuns", $"{Visible} AND {NotPublic}"),
        ("OutboxItems", $"{Visible} AND {NotPublic}"),
        ("AccountChanges", $"{Visible} AND {NotPublic}"),
    ];

    /// <summary>
    /// Row-level security on one tenant-owned table, a statement at a time; a later migration adding such a table calls
    /// this for it (<paramref name="readable"/> built from <see cref="Visible"/> and <see cref="NotPublic"/>).
    /// </summary>
    internal static void Protect(MigrationBuilder migrationBuilder, string table, string readable, string writable = Writable)
    {
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY");
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY");
        migrationBuilder.Sql($"CREATE POLICY onego_read ON \"{table}\" FOR SELECT USING ({readable})");
        migrationBuilder.Sql($"CREATE POLICY onego_insert ON \"{table}\" FOR INSERT WITH CHECK ({writable})");
        migrationBuilder.Sql($"CREATE POLICY onego_update ON \"{table}\" FOR UPDATE USING ({writable}) WITH CHECK ({writable})");
        migrationBuilder.Sql($"CREATE POLICY onego_delete ON \"{table}\" FOR DELETE USING ({writable})");
    }

    /// <summary>What <see cref="Protect"/> did to <paramref name="table"/>, undone.</summary>
    internal static void Unprotect(MigrationBuilder migrationBuilder, string table)
    {
        foreach (var policy in new[] { "onego_read", "onego_insert", "onego_update", "onego_delete" })
        {
            migrationBuilder.Sql($"DROP POLICY IF EXISTS {policy} ON \"{table}\"");
        }

        migrationBuilder.Sql($"ALTER TABLE \"{table}\" NO FORCE ROW LEVEL SECURITY");
        migrationBuilder.Sql($"ALTER TABLE \"{table}\" DISABLE ROW LEVEL SECURITY");
    }

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // Visible: a row of the scope's tenant; reading below, also a row of any tenant below it (every one, from national).
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION onego_visible(row_tenant text) RETURNS boolean
            LANGUAGE sql STABLE AS $$
              SELECT row_tenant = current_setting('onego.tenant', true)
                  OR (current_setting('onego.below', true) = 'on'
                      AND (current_setting('onego.tenant', true) = 'national'
                           OR row_tenant LIKE current_setting('onego.tenant', true) || '.%'))
            $$
            """);

        // Writable: a row of the scope's own tenant only, even when the scope reads below.
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION onego_writable(row_tenant text) RETURNS boolean
            LANGUAGE sql STABLE AS $$
              SELECT row_tenant = current_setting('onego.tenant', true)
            $$
            """);

        foreach (var (table, readable) in Tables)
        {
            Protect(migrationBuilder, table, readable);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var (table, _) in Tables)
        {
            Unprotect(migrationBuilder, table);
        }

        migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_writable(text)");
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_visible(text)");
    }
}
