using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MeasuredReductions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "MaterialsBrought",
                table: "Applications",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaterialsFetched",
                table: "Applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "TookDays",
                table: "Applications",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Trips",
                table: "Applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ZoneStatistics",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Month = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    Figures = table.Column<string>(type: "TEXT", nullable: false),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ZoneStatistics", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_TenantId_State_EndedAt",
                table: "Applications",
                columns: new[] { "TenantId", "State", "EndedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ZoneStatistics_TenantId_Month",
                table: "ZoneStatistics",
                columns: new[] { "TenantId", "Month" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ZoneStatistics");

            migrationBuilder.DropIndex(
                name: "IX_Applications_TenantId_State_EndedAt",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "MaterialsBrought",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "MaterialsFetched",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "TookDays",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "Trips",
                table: "Applications");
        }
    }
}
