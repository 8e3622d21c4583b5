using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class MatterReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Origin",
                table: "Matters",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(16)",
                oldMaxLength: 16);

            migrationBuilder.AlterColumn<string>(
                name: "ETag",
                table: "Matters",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "Document",
                table: "Matters",
                type: "nvarchar(max)",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(max)");

            migrationBuilder.AddColumn<string>(
                name: "Draft",
                table: "Matters",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "DraftState",
                table: "Matters",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DraftUpdatedAt",
                table: "Matters",
                type: "datetimeoffset",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "DraftUpdatedBy",
                table: "Matters",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "LiveRevision",
                table: "Matters",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewComment",
                table: "Matters",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SubmittedAt",
                table: "Matters",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubmittedBy",
                table: "Matters",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PinnedMatters",
                table: "Bundles",
                type: "nvarchar(max)",
                nullable: true);

            // Every matter so far went live as it was written: its document is its live revision and its settled working copy.
            migrationBuilder.Sql("UPDATE [Matters] SET [Draft] = [Document], [DraftState] = 'Approved', [LiveRevision] = [Revision], [DraftUpdatedBy] = [UpdatedBy], [DraftUpdatedAt] = [UpdatedAt]");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Draft",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "DraftState",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "DraftUpdatedAt",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "DraftUpdatedBy",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "LiveRevision",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "ReviewComment",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "SubmittedBy",
                table: "Matters");

            migrationBuilder.DropColumn(
                name: "PinnedMatters",
                table: "Bundles");

            migrationBuilder.AlterColumn<string>(
                name: "Origin",
                table: "Matters",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "nvarchar(16)",
                oldMaxLength: 16,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "ETag",
                table: "Matters",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "nvarchar(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Document",
                table: "Matters",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "nvarchar(max)",
                oldNullable: true);
        }
    }
}
