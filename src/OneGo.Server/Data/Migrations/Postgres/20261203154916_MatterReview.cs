using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
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
                type: "character varying(16)",
                maxLength: 16,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16);

            migrationBuilder.AlterColumn<string>(
                name: "ETag",
                table: "Matters",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<string>(
                name: "Document",
                table: "Matters",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "Draft",
                table: "Matters",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "DraftState",
                table: "Matters",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DraftUpdatedAt",
                table: "Matters",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "DraftUpdatedBy",
                table: "Matters",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "LiveRevision",
                table: "Matters",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewComment",
                table: "Matters",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SubmittedAt",
                table: "Matters",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubmittedBy",
                table: "Matters",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PinnedMatters",
                table: "Bundles",
                type: "text",
                nullable: true);

            // Every matter so far went live as it was written: its document is its live revision and its settled working copy.
            // Row-level security is forced on the table's owner too: lift it for this one statement over every tenant's rows.
            migrationBuilder.Sql("""
                DO $$
                DECLARE forced boolean;
                BEGIN
                    SELECT relforcerowsecurity INTO forced FROM pg_class WHERE oid = '"Matters"'::regclass;
                    IF forced THEN EXECUTE 'ALTER TABLE "Matters" NO FORCE ROW LEVEL SECURITY'; END IF;
                    UPDATE "Matters" SET "Draft" = "Document", "DraftState" = 'Approved', "LiveRevision" = "Revision", "DraftUpdatedBy" = "UpdatedBy", "DraftUpdatedAt" = "UpdatedAt";
                    IF forced THEN EXECUTE 'ALTER TABLE "Matters" FORCE ROW LEVEL SECURITY'; END IF;
                END $$;
                """);
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
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "ETag",
                table: "Matters",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(64)",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Document",
                table: "Matters",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
