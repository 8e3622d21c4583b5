using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OneGo.Server.Data.Migrations.Postgres;

/// <summary>
/// Row-level security per command. A <c>FOR ALL … USING (visible) WITH CHECK (writable)</c> policy lets DELETE through
/// on <c>USING</c> alone, so the public scope could delete live rows and a scope reading below could delete the rows
/// of every tenant below it. Each tenant-owned table now has four policies: rows are read where they are visible,
/// and inserted, updated (before and after) and deleted only in their own tenant's scope, never in the public one.
/// A hand-written migration: the model does not change, so it has no target model.
/// </summary>
[DbContext(typeof(PostgresOneGoDbContext))]
[Migration("20261203160000_PerCommandPolicies")]
internal sealed class PerCommandPolicies : Migration
{
    internal const string NotPublic = "current_setting('onego.public', true) IS DISTINCT FROM 'on'";
    internal const string Writable = $"onego_writable(\"TenantId\") AND {NotPublic}";

    /// <summary>Each tenant-owned table and which of its rows a scope may read.</summary>
    internal static readonly (string Table, string Visible)[] Tables =
    [
        ("TenantSettings", "onego_visible(\"TenantId\")"),
        ("BundleVersions", "onego_visible(\"TenantId\")"),
        ("Bundles", $"onego_visible(\"TenantId\") AND ({NotPublic} OR \"LiveVersion\" IS NOT NULL)"),
        ("Matters", $"onego_visible(\"TenantId\") AND {NotPublic}"),
        ("TenantFiles", $"onego_visible(\"TenantId\") AND {NotPublic}"),
        ("AuditEntries", $"onego_visible(\"TenantId\") AND {NotPublic}"),
        ("Publications", "onego_visible(\"TenantId\")"),
        ("ZoneEntries", "onego_visible(\"TenantId\")"),
        ("PublishingRuns", $"onego_visible(\"TenantId\") AND {NotPublic}"),
        ("OutboxItems", $"onego_visible(\"TenantId\") AND {NotPublic}"),
    ];

    /// <summary>The four policies of a tenant-owned table; a migration adding such a table runs this for it.</summary>
    internal static string For(string table, string visible) => $"""
        DROP POLICY IF EXISTS onego_tenant ON "{table}";
        CREATE POLICY onego_read ON "{table}" FOR SELECT USING ({visible});
        CREATE POLICY onego_insert ON "{table}" FOR INSERT WITH CHECK ({Writable});
        CREATE POLICY onego_update ON "{table}" FOR UPDATE USING ({Writable}) WITH CHECK ({Writable});
        CREATE POLICY onego_delete ON "{table}" FOR DELETE USING ({Writable});
        """;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var (table, visible) in Tables)
        {
            migrationBuilder.Sql(For(table, visible));
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var (table, visible) in Tables)
        {
            migrationBuilder.Sql($"""
                DROP POLICY IF EXISTS onego_read ON "{table}";
                DROP POLICY IF EXISTS onego_insert ON "{table}";
                DROP POLICY IF EXISTS onego_update ON "{table}";
                DROP POLICY IF EXISTS onego_delete ON "{table}";
                CREATE POLICY onego_tenant ON "{table}" USING ({visible}) WITH CHECK ({Writable});
                """);
        }
    }
}
