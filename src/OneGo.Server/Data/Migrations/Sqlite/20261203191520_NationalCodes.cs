using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NationalCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BasicCode",
                table: "Matters",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ImplementationCode",
                table: "Matters",
                type: "TEXT",
                maxLength: 81,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Matters_BasicCode",
                table: "Matters",
                column: "BasicCode");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Matters_BasicCode",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "BasicCode",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "ImplementationCode",
                table: "Matters");
        }
    }
}
