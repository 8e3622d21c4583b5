using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
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
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaterialsFetched",
                table: "Applications",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "TookDays",
                table: "Applications",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Trips",
                table: "Applications",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ZoneStatistics",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TenantId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Month = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Figures = table.Column<string>(type: "text", nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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

            // A region's published monthly statistics are public, as the zone's entries are; only its own scope writes them.
            RowLevelSecurity.Protect(migrationBuilder, "ZoneStatistics", RowLevelSecurity.Visible);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Unprotect(migrationBuilder, "ZoneStatistics");
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
