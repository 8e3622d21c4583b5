using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OneGo.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LiveStamps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LiveStamps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TenantId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Stamp = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LiveStamps", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_LiveStamps_TenantId",
                table: "LiveStamps",
                column: "TenantId",
                unique: true);

            // A stamp tells only that a tenant's live content changed, which the public sees anyway: the public scope reads it.
            RowLevelSecurity.Protect(migrationBuilder, "LiveStamps", RowLevelSecurity.Visible);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RowLevelSecurity.Unprotect(migrationBuilder, "LiveStamps");
            migrationBuilder.DropTable(
                name: "LiveStamps");
        }
    }
}
