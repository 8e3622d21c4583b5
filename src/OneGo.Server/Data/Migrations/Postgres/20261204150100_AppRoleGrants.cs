using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OneGo.Server.Data.Migrations.Postgres;

/// <summary>
/// <c>onego_grant_app(role)</c>: what the application's role may do on OneGo's tables, granted by the server after
/// each migration (<see cref="DatabaseSetup.MigrateAsync"/>) so that it covers every table in the schema, Quartz's
/// included — never ownership, and row-level security still binds the role. The audit log is append-only for it: it
/// may read and insert entries, never update, delete or truncate them. The role name is quoted by <c>format('%I')</c>,
/// so the server passes it as a parameter instead of building SQL text. The model does not change, so this migration
/// has no target model.
/// </summary>
[DbContext(typeof(PostgresOneGoDbContext))]
[Migration("20261204150100_AppRoleGrants")]
internal sealed class AppRoleGrants : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION onego_grant_app(app_role text) RETURNS void
            LANGUAGE plpgsql AS $$
            BEGIN
              EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
              EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
              EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
              EXECUTE format('GRANT EXECUTE ON FUNCTION onego_visible(text), onego_writable(text) TO %I', app_role);
              -- The audit log is append-only for the application.
              EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON "AuditEntries" FROM %I', app_role);
            END $$
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_grant_app(text)");
    }
}
