using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Applications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Applications",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ApplicantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ApplicantName = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    BundleCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BundleName = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    BundleVersion = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Number = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: true),
                    Answers = table.Column<string>(type: "text", nullable: false),
                    ValuesProtected = table.Column<string>(type: "text", nullable: false),
                    Commitments = table.Column<string>(type: "text", nullable: true),
                    SubmitKey = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    SubmitHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    CreatedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    SubmittedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PromisedDays = table.Column<int>(type: "integer", nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Applications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TrackingCounters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TenantId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Day = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Last = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrackingCounters", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Cases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ApplicantId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ApplicationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Matter = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    MatterName = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Department = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    After = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PromisedDays = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Cases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Cases_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Applications_ApplicantId",
                table: "Applications",
                column: "ApplicantId");

            migrationBuilder.CreateIndex(
                name: "IX_Applications_TenantId_Number",
                table: "Applications",
                columns: new[] { "TenantId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_ApplicantId",
                table: "Cases",
                column: "ApplicantId");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_ApplicationId",
                table: "Cases",
                column: "ApplicationId");

            migrationBuilder.CreateIndex(
                name: "IX_Cases_Department_State",
                table: "Cases",
                columns: new[] { "Department", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_TenantId_ApplicationId_Matter",
                table: "Cases",
                columns: new[] { "TenantId", "ApplicationId", "Matter" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrackingCounters_TenantId_Day",
                table: "TrackingCounters",
                columns: new[] { "TenantId", "Day" },
                unique: true);

            // Row-level security: an applicant's scope (onego.applicant) sees and writes that applicant's rows only, in its
            // tenant or, with no tenant (their applications across regions), in every tenant, read only.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION onego_applicant_visible(row_tenant text, row_applicant text) RETURNS boolean
                LANGUAGE sql STABLE AS $$
                  SELECT (onego_visible(row_tenant)
                          OR (coalesce(current_setting('onego.tenant', true), '') = ''
                              AND coalesce(current_setting('onego.applicant', true), '') <> ''))
                     AND (coalesce(current_setting('onego.applicant', true), '') = ''
                          OR row_applicant = current_setting('onego.applicant', true))
                $$
                """);
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION onego_applicant_writable(row_applicant text) RETURNS boolean
                LANGUAGE sql STABLE AS $$
                  SELECT coalesce(current_setting('onego.applicant', true), '') = ''
                      OR row_applicant = current_setting('onego.applicant', true)
                $$
                """);
            RowLevelSecurity.Protect(migrationBuilder, "Applications", $"{RowLevelSecurity.ApplicantVisible} AND {RowLevelSecurity.NotPublic}", RowLevelSecurity.ApplicantWritable);
            RowLevelSecurity.Protect(migrationBuilder, "Cases", $"{RowLevelSecurity.ApplicantVisible} AND {RowLevelSecurity.NotPublic}", RowLevelSecurity.ApplicantWritable);
            RowLevelSecurity.Protect(migrationBuilder, "TrackingCounters", $"{RowLevelSecurity.Visible} AND {RowLevelSecurity.NotPublic}");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Cases");

            migrationBuilder.DropTable(
                name: "TrackingCounters");

            migrationBuilder.DropTable(
                name: "Applications");

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_applicant_writable(text)");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS onego_applicant_visible(text, text)");
        }
    }
}
