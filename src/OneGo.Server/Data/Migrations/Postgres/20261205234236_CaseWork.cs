using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CaseWork : Migration
    {
        /// <summary>A department-owned row a scope may read or write: in a department's scope, that department's only.</summary>
        internal const string DepartmentVisible = "onego_department_visible(\"Department\")";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_Department_State",
                table: "Cases");

            migrationBuilder.AddColumn<string>(
                name: "ClosedReason",
                table: "Cases",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Decision",
                table: "Cases",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "DueOn",
                table: "Cases",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "DueProvisional",
                table: "Cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EndedAt",
                table: "Cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Result",
                table: "Cases",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Revision",
                table: "Cases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Watch",
                table: "Cases",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "OnTime");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AcceptedAt",
                table: "Applications",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcceptedBy",
                table: "Applications",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "AnswerBy",
                table: "Applications",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Closing",
                table: "Applications",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "DueOn",
                table: "Applications",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EndedAt",
                table: "Applications",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Supplement",
                table: "Applications",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TenantId_Department_State_DueOn",
                table: "Cases",
                columns: new[] { "TenantId", "Department", "State", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_TenantId_State_DueOn",
                table: "Applications",
                columns: new[] { "TenantId", "State", "DueOn" });

            // A department's scope sees and writes its own cases only (onego.department); every other scope as before.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION onego_department_visible(row_department text) RETURNS boolean
                LANGUAGE sql STABLE AS $$
                  SELECT coalesce(current_setting('onego.department', true), '') = ''
                      OR row_department = current_setting('onego.department', true)
                $$
                """);
            RowLevelSecurity.Unprotect(migrationBuilder, "Cases");
            RowLevelSecurity.Protect(migrationBuilder, "Cases", $"{RowLevelSecurity.ApplicantVisible} AND {RowLevelSecurity.NotPublic} AND {DepartmentVisible}",
                $"{RowLevelSecurity.ApplicantWritable} AND {DepartmentVisible}");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Unprotect(migrationBuilder, "Cases");
            RowLevelSecurity.Protect(migrationBuilder, "Cases", $"{RowLevelSecurity.ApplicantVisible} AND {RowLevelSecurity.NotPublic}", RowLevelSecurity.ApplicantWritable);
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_department_visible(text)");

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
