using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseWork : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_Department_State",
                table: "Cases");

            migrationBuilder.AddColumn<string>(
                name: "ClosedReason",
                table: "Cases",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Decision",
                table: "Cases",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "DueOn",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DueProvisional",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "EndedAt",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Result",
                table: "Cases",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "Cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Watch",
                table: "Cases",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "OnTime");

            migrationBuilder.AddColumn<long>(
                name: "AcceptedAt",
                table: "Applications",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcceptedBy",
                table: "Applications",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "AnswerBy",
                table: "Applications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Closing",
                table: "Applications",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "DueOn",
                table: "Applications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "EndedAt",
                table: "Applications",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Supplement",
                table: "Applications",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TenantId_Department_State_DueOn",
                table: "Cases",
                columns: new[] { "TenantId", "Department", "State", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_TenantId_State_DueOn",
                table: "Applications",
                columns: new[] { "TenantId", "State", "DueOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_TenantId_Department_State_DueOn",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Applications_TenantId_State_DueOn",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "ClosedReason",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Decision",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DueOn",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DueProvisional",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "EndedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Result",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Watch",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "AcceptedAt",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "AcceptedBy",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "AnswerBy",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "Closing",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "DueOn",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "EndedAt",
                table: "Applications");

            migrationBuilder.DropColumn(
                name: "Supplement",
                table: "Applications");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Department_State",
                table: "Cases",
                columns: new[] { "Department", "State" });
        }
    }
}
