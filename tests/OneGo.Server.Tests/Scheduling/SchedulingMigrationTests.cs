using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneGo.Server.Scheduling;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Scheduling;

/// <summary>Quartz's tables come from a migration, as production's application role cannot create tables.</summary>
public abstract class SchedulingMigrationTests(Provider provider)
{
    private QuartzSchema.Dialect Dialect => provider == Provider.Sqlite ? QuartzSchema.Dialect.Sqlite : QuartzSchema.Dialect.Postgres;

    private async Task<HashSet<string>> TablesAsync(TestDatabase database)
    {
        await using var db = database.NewContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = provider == Provider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    [Fact]
    public async Task MigratingCreatesEveryQuartzTable()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        var tables = await TablesAsync(database);
        var quartz = QuartzSchema.Tables(Dialect);
        Assert.Contains(quartz, t => t.Equals("QRTZ_JOB_DETAILS", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(quartz, t => t.Equals("QRTZ_LOCKS", StringComparison.OrdinalIgnoreCase));
        Assert.All(quartz, table => Assert.Contains(table, tables));
    }

    [Fact]
    public async Task RevertingTheSchedulingMigrationDropsQuartzsTablesOnlyAndMigratingAgainRestoresThem()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using (var db = database.NewContext())
        {
            var migrations = db.Database.GetMigrations().ToList();
            var scheduling = migrations.Single(m => m.EndsWith("_Scheduling", StringComparison.Ordinal));
            var before = migrations[migrations.IndexOf(scheduling) - 1];
            // Only the Scheduling migration's Down, whatever migrations come after it.
            var down = db.GetService<IMigrator>().GenerateScript(fromMigration: scheduling, toMigration: before);
            await db.Database.ExecuteSqlRawAsync(down);
        }

        var reverted = await TablesAsync(database);
        Assert.DoesNotContain(reverted, t => t.StartsWith(QuartzSchema.TablePrefix, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Regions", reverted);

        await using (var db = database.NewContext())
        {
            await db.Database.MigrateAsync();
        }

        var restored = await TablesAsync(database);
        Assert.All(QuartzSchema.Tables(Dialect), table => Assert.Contains(table, restored));
    }

    [Fact]
    public async Task TheMigrateCommandCreatesTheTablesAndStartsNoScheduler()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Empty);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OneGo.Server.dll"));
        start.ArgumentList.Add("migrate");
        foreach (var option in database.CommandLineOptions)
        {
            start.ArgumentList.Add(option);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await error);

        // A started scheduler stores the declared recurring jobs (and, clustered, checks in); the command did neither.
        Assert.Equal(0, await SchedulingTestSupport.CountAsync(database, "QRTZ_JOB_DETAILS"));
        Assert.Equal(0, await SchedulingTestSupport.CountAsync(database, "QRTZ_SCHEDULER_STATE"));
    }
}

public sealed class SchedulingMigrationTestsOnSqlite() : SchedulingMigrationTests(Provider.Sqlite);

public sealed class SchedulingMigrationTestsOnPostgres() : SchedulingMigrationTests(Provider.Postgres);
