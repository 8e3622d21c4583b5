using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Ratings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Kind",
                table: "DepartmentNotices",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(16)",
                oldMaxLength: 16);

            migrationBuilder.CreateTable(
                name: "Ratings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    ApplicantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Department = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ApplicationId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Number = table.Column<string>(type: "nvarchar(24)", maxLength: 24, nullable: false),
                    Matter = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    BundleCode = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    LeadDepartment = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Level = table.Column<string>(type: "nvarchar(24)", maxLength: 24, nullable: false),
                    Comment = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    AtCounter = table.Column<bool>(type: "bit", nullable: false),
                    GivenAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Key = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Hash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Rectification = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    DueOn = table.Column<DateOnly>(type: "date", nullable: true),
                    DueProvisional = table.Column<bool>(type: "bit", nullable: false),
                    Reply = table.Column<string>(type: "nvarchar(max)", maxLength: 8000, nullable: true),
                    RepliedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    RepliedOnTime = table.Column<bool>(type: "bit", nullable: true),
                    Overdue = table.Column<bool>(type: "bit", nullable: false),
                    Appeal = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    AppealState = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    Excluded = table.Column<bool>(type: "bit", nullable: false),
                    Revision = table.Column<int>(type: "int", nullable: false)
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

            migrationBuilder.AlterColumn<string>(
                name: "Kind",
                table: "DepartmentNotices",
                type: "nvarchar(16)",
                maxLength: 16,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "nvarchar(32)",
                oldMaxLength: 32);
        }
    }
}
