using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneGo.Server.Data;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Infrastructure;

public enum Provider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh database for one test, already migrated: a copy of a migrated SQLite file, or a PostgreSQL database
/// created from a migrated template, so that migrations run once per test run rather than once per test.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync);
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresTemplateAsync);

    private TestDatabase(Provider provider, string connectionString, string? file)
    {
        Provider = provider;
        ConnectionString = connectionString;
        File = file;
    }

    public Provider Provider { get; }

    public string ConnectionString { get; }

    private string? File { get; }

    public string ProviderName => Provider == Provider.Sqlite ? "sqlite" : "postgres";

    public static async Task<TestDatabase> CreateAsync(Provider provider, bool migrated = true)
    {
        if (provider == Provider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"onego-test-{Guid.NewGuid():N}.db");
            if (migrated)
            {
                System.IO.File.Copy(await SqliteTemplate.Value, file);
            }

            return new TestDatabase(provider, $"Data Source={file}", file);
        }

        var connectionString = migrated
            ? await TestPostgres.CreateDatabaseAsync(await PostgresTemplate.Value)
            : await TestPostgres.CreateDatabaseAsync();
        return new TestDatabase(provider, connectionString, null);
    }

    /// <summary>A context on this database outside any request, for a test to look at the rows.</summary>
    public OneGoDbContext NewContext(CurrentTenant? tenants = null) => Provider switch
    {
        Provider.Sqlite => new SqliteOneGoDbContext(new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite(ConnectionString).Options, tenants ?? new CurrentTenant()),
        _ => new PostgresOneGoDbContext(new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql(ConnectionString).Options, tenants ?? new CurrentTenant()),
    };

    public async ValueTask DisposeAsync()
    {
        if (File is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                System.IO.File.Delete(File + suffix);
            }
        }
        else
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
        }
    }

    private static async Task<string> CreateSqliteTemplateAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"onego-template-{Environment.ProcessId}-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite($"Data Source={file};Pooling=false").Options;
        await using (var db = new SqliteOneGoDbContext(options, new CurrentTenant()))
        {
            await db.Database.MigrateAsync();
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.File.Delete(file);
        return file;
    }

    private static async Task<string> CreatePostgresTemplateAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var options = new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new PostgresOneGoDbContext(options, new CurrentTenant()))
        {
            await db.Database.MigrateAsync();
        }

        // A template must have no open connections when it is copied.
        NpgsqlConnection.ClearAllPools();
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }
}
