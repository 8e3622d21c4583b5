using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Data.Migrations.Sqlite;

/// <summary>
/// Quartz's tables (QRTZ_…), created with Quartz's own Sqlite statements. They are not part of the EF Core model, so
/// this migration has no target model and the model snapshot does not change; it exists so that the tables are
/// created by whoever migrates, because the application's role may not create tables.
/// </summary>
[DbContext(typeof(SqliteOneGoDbContext))]
[Migration("20261127120000_Scheduling")]
internal sealed class Scheduling : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.CreateStatements(QuartzSchema.Dialect.Sqlite))
        {
            migrationBuilder.Sql(statement);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.DropStatements(QuartzSchema.Dialect.Sqlite))
        {
            migrationBuilder.Sql(statement);
        }
    }
}
