using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Data.Migrations.Postgres;

/// <summary>
/// Quartz's tables (QRTZ_…), created with Quartz's own Postgres statements. They are not part of the EF Core model, so
/// this migration has no target model and the model snapshot does not change; it exists so that the tables are
/// created by whoever migrates, because the application's role may not create tables. The role's rights on them
/// come from <c>onego_grant_app</c>, which covers every table in the schema and runs after each migration.
/// </summary>
[DbContext(typeof(PostgresOneGoDbContext))]
[Migration("20261127120000_Scheduling")]
internal sealed class Scheduling : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.CreateStatements(QuartzSchema.Dialect.Postgres))
        {
            migrationBuilder.Sql(statement);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.DropStatements(QuartzSchema.Dialect.Postgres))
        {
            migrationBuilder.Sql(statement);
        }
    }
}
