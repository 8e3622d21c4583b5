using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <summary>
    /// <c>onego_grant_app(role)</c>: grants the application's role what it needs on OneGo's tables — never
    /// ownership, and row-level security still applies to it. The role name is quoted by <c>format('%I')</c>,
    /// so the server calls the function with the name as a parameter instead of building SQL text.
    /// </summary>
    public partial class AppRoleGrants : Migration
    {
        /// <inheritdoc />
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
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_grant_app(text);");
        }
    }
}
