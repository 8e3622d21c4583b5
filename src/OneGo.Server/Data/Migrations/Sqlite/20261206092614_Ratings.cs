using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Ratings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Ratings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ApplicantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Department = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Matter = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BundleCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    LeadDepartment = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    AtCounter = table.Column<bool>(type: "INTEGER", nullable: false),
                    GivenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Rectification = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    DueOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    DueProvisional = table.Column<bool>(type: "INTEGER", nullable: false),
                    Reply = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    RepliedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RepliedOnTime = table.Column<bool>(type: "INTEGER", nullable: true),
                    Overdue = table.Column<bool>(type: "INTEGER", nullable: false),
                    Appeal = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    AppealState = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Excluded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Revision = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Ratings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Ratings_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Ratings_ApplicantId",
                table: "Ratings",
                column: "ApplicantId");

            migrationBuilder.CreateIndex(
                name: "IX_Ratings_ApplicationId",
                table: "Ratings",
                column: "ApplicationId");

            migrationBuilder.CreateIndex(
                name: "IX_Ratings_TenantId_ApplicationId_Matter",
                table: "Ratings",
                columns: new[] { "TenantId", "ApplicationId", "Matter" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Ratings_TenantId_Department_Rectification_DueOn",
                table: "Ratings",
                columns: new[] { "TenantId", "Department", "Rectification", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Ratings_TenantId_GivenAt",
                table: "Ratings",
                columns: new[] { "TenantId", "GivenAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Ratings");
        }
    }
}
