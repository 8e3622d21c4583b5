using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace OneGo.Server.Data.Migrations.SqlServer;

/// <summary>
/// Marks the data step <see cref="Data.TextShape"/> as due: texts stored as plain strings are rewritten as
/// <c>{"zh": …}</c> right after this migration is applied. A hand-written migration: the model does not change, so
/// it has no target model, and the rewrite is C# (it re-serializes documents) rather than SQL.
/// </summary>
[DbContext(typeof(SqlServerOneGoDbContext))]
[Migration("20261205090000_" + Data.TextShape.Migration)]
internal sealed class TextShape : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
    }
}
