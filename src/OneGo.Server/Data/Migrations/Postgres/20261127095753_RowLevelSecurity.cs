using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// Defence in depth on PostgreSQL: row-level security, enabled and forced, on every tenant-owned table. A row is
    /// visible to a session whose scope (<c>onego.tenant</c>) is its tenant, or — for a scope that reads below —
    /// a tenant above it; it may only be written in its own tenant's scope. OneGo sets the scope before each
    /// command (<see cref="Data.PostgresTenantScope"/>); outside any scope nothing is visible.
    /// </summary>
    public partial class RowLevelSecurity : Migration
    {
        internal static readonly string[] TenantOwnedTables = ["TenantSettings", "TenantFiles", "Matters", "Bundles", "BundleVersions"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION onego_visible(row_tenant text) RETURNS boolean
                LANGUAGE sql STABLE AS $$
                  SELECT row_tenant = current_setting('onego.tenant', true)
                      OR (current_setting('onego.below', true) = 'on'
                          AND (current_setting('onego.tenant', true) = 'national'
                               OR row_tenant LIKE current_setting('onego.tenant', true) || '.%'))
                $$;
                CREATE OR REPLACE FUNCTION onego_writable(row_tenant text) RETURNS boolean
                LANGUAGE sql STABLE AS $$
                  SELECT row_tenant = current_setting('onego.tenant', true)
                $$;
                """);
            foreach (var table in TenantOwnedTables)
            {
                migrationBuilder.Sql($"""
                    ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;
                    ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;
                    CREATE POLICY onego_tenant ON "{table}" USING (onego_visible("TenantId")) WITH CHECK (onego_writable("TenantId"));
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in TenantOwnedTables)
            {
                migrationBuilder.Sql($"""
                    DROP POLICY IF EXISTS onego_tenant ON "{table}";
                    ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY;
                    ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;
                    """);
            }

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_visible(text); DROP FUNCTION IF EXISTS onego_writable(text);");
        }
    }
}
