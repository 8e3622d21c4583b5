using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Data.Migrations.Postgres;

/// <summary>Quartz's tables on PostgreSQL, with Quartz's own statements (<see cref="QuartzTablesMigration"/>).</summary>
[DbContext(typeof(PostgresOneGoDbContext))]
[Migration("20261204150200_Scheduling")]
internal sealed class Scheduling() : QuartzTablesMigration(QuartzSchema.Dialect.Postgres);
