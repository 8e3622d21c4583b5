using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OneGo.Tenancy;

namespace OneGo.Server.Data;

/// <summary>The embedded default: one SQLite file.</summary>
public sealed class SqliteOneGoDbContext(DbContextOptions<SqliteOneGoDbContext> options, CurrentTenant tenants)
    : OneGoDbContext(options, tenants)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset stored as text; as binary (ticks and offset) it can.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>PostgreSQL, and the domestic databases compatible with it.</summary>
public sealed class PostgresOneGoDbContext(DbContextOptions<PostgresOneGoDbContext> options, CurrentTenant tenants)
    : OneGoDbContext(options, tenants);

/// <summary>SQL Server: kept compiling and its migrations checked; it cannot run on the development machines.</summary>
public sealed class SqlServerOneGoDbContext(DbContextOptions<SqlServerOneGoDbContext> options, CurrentTenant tenants)
    : OneGoDbContext(options, tenants);

// Design-time factories used by `dotnet ef migrations add`; the connection strings are never opened.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOneGoDbContext>
{
    public SqliteOneGoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite("Data Source=design.db").Options, new CurrentTenant());
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOneGoDbContext>
{
    public PostgresOneGoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql("Host=localhost;Database=design").Options, new CurrentTenant());
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerOneGoDbContext>
{
    public SqlServerOneGoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerOneGoDbContext>().UseSqlServer("Server=localhost;Database=design;TrustServerCertificate=true").Options, new CurrentTenant());
}
