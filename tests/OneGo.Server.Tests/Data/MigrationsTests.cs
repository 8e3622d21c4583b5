using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Data;

/// <summary>
/// Each provider's migrations match the model. None of these opens a connection, so SQL Server — which cannot
/// run on these machines — is checked as well as the two that can.
/// </summary>
public sealed class MigrationsTests
{
    public static TheoryData<string> Providers => new() { "sqlite", "postgres", "sqlserver" };

    private static OneGoDbContext Context(string provider) => provider switch
    {
        "sqlite" => new SqliteOneGoDbContext(new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite("Data Source=unused.db").Options, new CurrentTenant()),
        "postgres" => new PostgresOneGoDbContext(new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql("Host=unused;Database=unused").Options, new CurrentTenant()),
        _ => new SqlServerOneGoDbContext(new DbContextOptionsBuilder<SqlServerOneGoDbContext>().UseSqlServer("Server=unused;Database=unused").Options, new CurrentTenant()),
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void TheModelHasNoChangesMissingFromItsMigrations(string provider)
    {
        using var db = Context(provider);
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} model has changes no migration holds: run dotnet ef migrations add for its context.");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    [Fact]
    public void SqlServerMigrationsProduceTheExpectedSchema()
    {
        using var db = Context("sqlserver");
        var script = db.GetService<IMigrator>().GenerateScript();
        Assert.Contains("CREATE TABLE [Regions]", script, StringComparison.Ordinal);
        Assert.Contains("[TenantId] nvarchar(128) NOT NULL", script, StringComparison.Ordinal);
        // SQL Server allows one NULL in a plain unique index; national has no code, so the index must be filtered.
        Assert.Contains("CREATE UNIQUE INDEX [IX_Regions_DivisionCode] ON [Regions] ([DivisionCode]) WHERE [DivisionCode] IS NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [IX_TenantFiles_TenantId_Path] ON [TenantFiles] ([TenantId], [Path])", script, StringComparison.Ordinal);
        // Quartz's tables come from the Scheduling migration, with Quartz's own SQL Server statements.
        foreach (var table in OneGo.Server.Scheduling.QuartzSchema.Tables(OneGo.Server.Scheduling.QuartzSchema.Dialect.SqlServer))
        {
            Assert.Contains($"CREATE TABLE {table} (", script, StringComparison.Ordinal);
        }

        Assert.Contains("CREATE TABLE QRTZ_LOCKS (", script, StringComparison.Ordinal);
    }
}
