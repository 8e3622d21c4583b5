using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
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
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AdoptsTenant",
                table: "Bundles",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AdoptsVersion",
                table: "Bundles",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Conflicts",
                table: "Bundles",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsStandard",
                table: "Bundles",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "LocalChanges",
                table: "Bundles",
                type: "integer",
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
