using Microsoft.EntityFrameworkCore.Migrations;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Data.Migrations;

/// <summary>
/// Quartz's tables (QRTZ_…), created with Quartz's own statements for the provider's <paramref name="dialect"/>: each
/// provider's <c>Scheduling</c> migration. They are not part of the EF Core model, so the migration has no target
/// model and the model snapshot does not change; it exists so that the tables are created by whoever migrates,
/// because the application's role may not create tables. On PostgreSQL that role's rights on them come from
/// <c>onego_grant_app</c>, which covers every table in the schema and runs after each migration.
/// </summary>
internal abstract class QuartzTablesMigration(QuartzSchema.Dialect dialect) : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.CreateStatements(dialect))
        {
            migrationBuilder.Sql(statement);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.DropStatements(dialect))
        {
            migrationBuilder.Sql(statement);
        }
    }
}
