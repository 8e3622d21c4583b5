using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// The audit log on PostgreSQL: row-level security like every tenant-owned table (never visible in the public
    /// scope), and an application role that may read and append entries but never update, delete or truncate them —
    /// <c>onego_grant_app(role)</c> grants the rest and takes those back.
    /// </summary>
    public partial class AuditAppendOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE "AuditEntries" ENABLE ROW LEVEL SECURITY;
                ALTER TABLE "AuditEntries" FORCE ROW LEVEL SECURITY;
                CREATE POLICY onego_tenant ON "AuditEntries"
                  USING (onego_visible("TenantId") AND current_setting('onego.public', true) IS DISTINCT FROM 'on')
                  WITH CHECK (onego_writable("TenantId") AND current_setting('onego.public', true) IS DISTINCT FROM 'on');

                CREATE OR REPLACE FUNCTION onego_grant_app(app_role text) RETURNS void
                LANGUAGE plpgsql AS $$
                BEGIN
                  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
                  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
                  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
                  EXECUTE format('GRANT EXECUTE ON FUNCTION onego_visible(text), onego_writable(text) TO %I', app_role);
                  -- The audit log is append-only for the application.
                  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEntries" FROM %I', app_role);
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP POLICY IF EXISTS onego_tenant ON "AuditEntries";
                ALTER TABLE "AuditEntries" NO FORCE ROW LEVEL SECURITY;
                ALTER TABLE "AuditEntries" DISABLE ROW LEVEL SECURITY;
                CREATE OR REPLACE FUNCTION onego_grant_app(app_role text) RETURNS void
                LANGUAGE plpgsql AS $$
                BEGIN
                  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
                  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
                  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
                  EXECUTE format('GRANT EXECUTE ON FUNCTION onego_visible(text), onego_writable(text) TO %I', app_role);
                END $$;
                """);
        }
    }
}
