using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Templates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AdoptsCode",
                table: "Bundles",
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AdoptsTenant",
                table: "Bundles",
                type: "nvarchar(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AdoptsVersion",
                table: "Bundles",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Conflicts",
                table: "Bundles",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsStandard",
                table: "Bundles",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "LocalChanges",
                table: "Bundles",
                type: "int",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Bundles_AdoptsTenant_AdoptsCode",
                table: "Bundles",
                columns: new[] { "AdoptsTenant", "AdoptsCode" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Bundles_AdoptsTenant_AdoptsCode",
                table: "Bundles");

            migrationBuilder.DropColumn(
                name: "AdoptsCode",
                table: "Bundles");

            migrationBuilder.DropColumn(
                name: "AdoptsTenant",
                table: "Bundles");

            migrationBuilder.DropColumn(
                name: "AdoptsVersion",
                table: "Bundles");

            migrationBuilder.DropColumn(
                name: "Conflicts",
                table: "Bundles");

            migrationBuilder.DropColumn(
                name: "IsStandard",
                table: "Bundles");

            migrationBuilder.DropColumn(
                name: "LocalChanges",
                table: "Bundles");
        }
    }
}
