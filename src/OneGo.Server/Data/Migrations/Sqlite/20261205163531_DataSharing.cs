using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneGo.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DataSharing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FetchedFields",
                table: "Applications",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DataConsents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ApplicantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Department = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Purpose = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    TextVersion = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AsGuardian = table.Column<bool>(type: "INTEGER", nullable: false),
                    GivenBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    GivenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    WithdrawnAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataConsents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DataConsents_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DataFetches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ApplicantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Department = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Fields = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataFetches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DataFetches_Applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "Applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DataConsents_ApplicantId",
                table: "DataConsents",
                column: "ApplicantId");

            migrationBuilder.CreateIndex(
                name: "IX_DataConsents_ApplicationId_Dataset",
                table: "DataConsents",
                columns: new[] { "ApplicationId", "Dataset" });

            migrationBuilder.CreateIndex(
                name: "IX_DataConsents_TenantId",
                table: "DataConsents",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_DataFetches_ApplicantId",
                table: "DataFetches",
                column: "ApplicantId");

            migrationBuilder.CreateIndex(
                name: "IX_DataFetches_ApplicationId_Dataset",
                table: "DataFetches",
                columns: new[] { "ApplicationId", "Dataset" });

            migrationBuilder.CreateIndex(
                name: "IX_DataFetches_TenantId",
                table: "DataFetches",
                column: "TenantId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DataConsents");

            migrationBuilder.DropTable(
                name: "DataFetches");

            migrationBuilder.DropColumn(
                name: "FetchedFields",
                table: "Applications");
        }
    }
}
