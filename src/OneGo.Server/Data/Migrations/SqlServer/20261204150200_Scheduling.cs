using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Data.Migrations.SqlServer;

/// <summary>Quartz's tables on SQL Server, with Quartz's own statements (<see cref="QuartzTablesMigration"/>).</summary>
[DbContext(typeof(SqlServerOneGoDbContext))]
[Migration("20261204150200_Scheduling")]
internal sealed class Scheduling() : QuartzTablesMigration(QuartzSchema.Dialect.SqlServer);
