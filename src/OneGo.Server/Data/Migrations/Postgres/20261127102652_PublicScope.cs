using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// The public scope (<c>onego.public</c>): what an anonymous request may see is live content only — a region's
    /// settings, its live bundles and their approved versions — never matters, working copies or import records;
    /// and nothing may be written in it.
    /// </summary>
    public partial class PublicScope : Migration
    {
        private const string NotPublic = "current_setting('onego.public', true) IS DISTINCT FROM 'on'";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            Policy(migrationBuilder, "TenantSettings", "onego_visible(\"TenantId\")");
            Policy(migrationBuilder, "BundleVersions", "onego_visible(\"TenantId\")");
            Policy(migrationBuilder, "Bundles", $"onego_visible(\"TenantId\") AND ({NotPublic} OR \"LiveVersion\" IS NOT NULL)");
            Policy(migrationBuilder, "Matters", $"onego_visible(\"TenantId\") AND {NotPublic}");
            Policy(migrationBuilder, "TenantFiles", $"onego_visible(\"TenantId\") AND {NotPublic}");
        }

        private static void Policy(MigrationBuilder migrationBuilder, string table, string visible) =>
            migrationBuilder.Sql($"""
                DROP POLICY IF EXISTS onego_tenant ON "{table}";
                CREATE POLICY onego_tenant ON "{table}" USING ({visible}) WITH CHECK (onego_writable("TenantId") AND {NotPublic});
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in RowLevelSecurity.TenantOwnedTables)
            {
                migrationBuilder.Sql($"""
                    DROP POLICY IF EXISTS onego_tenant ON "{table}";
                    CREATE POLICY onego_tenant ON "{table}" USING (onego_visible("TenantId")) WITH CHECK (onego_writable("TenantId"));
                    """);
            }
        }
    }
}
