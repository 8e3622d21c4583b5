using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// Row-level security on the zone's tenant-owned tables, like every other: publications and the zone's entries
    /// are public once published (the public scope reads them across regions); publishing runs and the outbox are not.
    /// </summary>
    public partial class ZoneRowLevelSecurity : Migration
    {
        private const string NotPublic = "current_setting('onego.public', true) IS DISTINCT FROM 'on'";

        private static readonly (string Table, bool Public)[] Tables =
            [("Publications", true), ("ZoneEntries", true), ("PublishingRuns", false), ("OutboxItems", false)];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, isPublic) in Tables)
            {
                var visible = isPublic ? "onego_visible(\"TenantId\")" : $"onego_visible(\"TenantId\") AND {NotPublic}";
                migrationBuilder.Sql($"""
                    ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;
                    ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;
                    CREATE POLICY onego_tenant ON "{table}" USING ({visible}) WITH CHECK (onego_writable("TenantId") AND {NotPublic});
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, _) in Tables)
            {
                migrationBuilder.Sql($"""
                    DROP POLICY IF EXISTS onego_tenant ON "{table}";
                    ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY;
                    ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY;
                    """);
            }
        }
    }
}
