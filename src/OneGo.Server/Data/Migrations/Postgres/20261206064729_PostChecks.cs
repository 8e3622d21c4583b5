using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PostChecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PostCheck",
                table: "Cases",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "PostCheckDueOn",
                table: "Cases",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "PostCheckOverdue",
                table: "Cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TenantId_PostCheckDueOn",
                table: "Cases",
                columns: new[] { "TenantId", "PostCheckDueOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_TenantId_PostCheckDueOn",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PostCheck",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PostCheckDueOn",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PostCheckOverdue",
                table: "Cases");
        }
    }
}
