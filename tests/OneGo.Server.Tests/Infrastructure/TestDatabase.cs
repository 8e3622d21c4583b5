using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OneGo.Server.Data;
using OneGo.Tenancy;
using OneGo.Testing;
using OpenIddict.Server;

namespace OneGo.Server.Tests.Infrastructure;

public enum Provider
{
    Sqlite,
    Postgres,
}

/// <summary>What a fresh test database holds.</summary>
public enum Content
{
    /// <summary>No table at all.</summary>
    Empty,

    /// <summary>The schema, and no row.</summary>
    Migrated,

    /// <summary>The schema and the repository's whole <c>tenants/</c> folder imported.</summary>
    Seeded,
}

/// <summary>
/// A fresh database for one test: a copy of a template SQLite file, or a PostgreSQL database created from a
/// template database, so that migrations and the import of the repository's catalogue run once per test run
/// rather than once per test.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync);
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresTemplateAsync);
    private static readonly Lazy<Task<string>> SqliteSeeded = new(() => SeedAsync(Provider.Sqlite));
    private static readonly Lazy<Task<string>> PostgresSeeded = new(() => SeedAsync(Provider.Postgres));

    private TestDatabase(Provider provider, string ownerConnectionString, string? file)
    {
        Provider = provider;
        OwnerConnectionString = ownerConnectionString;
        ConnectionString = provider == Provider.Postgres ? TestPostgres.As(ownerConnectionString, TestPostgres.AppRole) : ownerConnectionString;
        File = file;
    }

    public Provider Provider { get; }

    /// <summary>A copy of the seeded database: the repository's <c>tenants/</c> folder is imported in it already.</summary>
    public bool HoldsTheRepositoryCatalogue { get; private init; }

    /// <summary>A SQLite file a test manages itself (the embedded default's App_Data, say): nothing is copied into it, nothing deleted.</summary>
    public static TestDatabase AtSqliteFile(string file)
    {
        TestUsage.Record(TestUsage.Sqlite);
        return new TestDatabase(Provider.Sqlite, $"Data Source={file}", null);
    }

    /// <summary>A PostgreSQL database a test made itself (a restored backup, say), reached as production does; dropped with it.</summary>
    public static TestDatabase OnPostgres(string ownerConnectionString)
    {
        TestUsage.Record(TestUsage.Postgres);
        return new TestDatabase(Provider.Postgres, ownerConnectionString, null);
    }

    /// <summary>
    /// How OneGo connects, as production does: on PostgreSQL as the application's role, which owns no table and which
    /// row-level security binds.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The tables' owner: migrates, and lets a test set up, tamper with or look at every tenant's rows (on PostgreSQL it
    /// bypasses row-level security). The same file as <see cref="ConnectionString"/> on SQLite.
    /// </summary>
    public string OwnerConnectionString { get; }

    /// <summary>The application's role on PostgreSQL, granted its rights after each migration; none on SQLite.</summary>
    public string? AppRole => Provider == Provider.Postgres ? TestPostgres.AppRole : null;

    private string? File { get; }

    public string ProviderName => Provider == Provider.Sqlite ? "sqlite" : "postgres";

    /// <summary>
    /// The file-system blob store of the deployment this database belongs to: server processes on it share it, and it
    /// goes with the database, so that one database's audit checkpoints never meet another's.
    /// </summary>
    public string BlobFolder { get; } = Path.Combine(Path.GetTempPath(), "onego-blobs-" + Guid.NewGuid().ToString("N")[..12]);

    public static async Task<TestDatabase> CreateAsync(Provider provider, Content content = Content.Seeded)
    {
        TestUsage.Record(provider == Provider.Sqlite ? TestUsage.Sqlite : TestUsage.Postgres);
        if (provider == Provider.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"onego-test-{Guid.NewGuid():N}.db");
            if (content != Content.Empty)
            {
                System.IO.File.Copy(await (content == Content.Seeded ? SqliteSeeded : SqliteTemplate).Value, file);
            }
            else
            {
                // An empty file already in WAL mode, as the server's first start leaves it: a host whose scheduler and
                // health check open a missing file at the same moment can race SQLite's switch to WAL ('readonly database').
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode=WAL;";
                await command.ExecuteNonQueryAsync();
            }

            return new TestDatabase(provider, $"Data Source={file}", file) { HoldsTheRepositoryCatalogue = content == Content.Seeded };
        }

        var connectionString = content == Content.Empty
            ? await TestPostgres.CreateUnrecordedAsync()
            : await TestPostgres.CreateUnrecordedAsync(await (content == Content.Seeded ? PostgresSeeded : PostgresTemplate).Value);
        return new TestDatabase(provider, connectionString, null) { HoldsTheRepositoryCatalogue = content == Content.Seeded };
    }

    // The repository's catalogue imported once, through the server's own start-up import, then copied per test.
    private static async Task<string> SeedAsync(Provider provider)
    {
        var database = await CreateAsync(provider, Content.Migrated);
        // Without a scheduler: triggers stored now would carry this hour's next firings into every copy, and a copy
        // started within the misfire threshold after one (01:30 in four districts) would publish as it starts.
        await using (var app = new OneGoApp(database, settings: new Dictionary<string, string?> { ["Scheduling:Enabled"] = "false" }))
        {
            // The deployment's token keys and data-protection key, made once here rather than by every copy's first request.
            _ = app.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        }

        if (provider == Provider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.File.Delete(database.File!);
            return database.File!;
        }

        NpgsqlConnection.ClearAllPools();
        return new NpgsqlConnectionStringBuilder(database.OwnerConnectionString).Database!;
    }

    /// <summary>
    /// A context on this database outside any request, as the owner, for a test to set up or look at the rows of any
    /// tenant (the query filter and the write guard still apply to it; row-level security does not). A test may step
    /// into its saves with <paramref name="interceptors"/>.
    /// </summary>
    public OneGoDbContext NewContext(CurrentTenant? tenants = null, params IInterceptor[] interceptors) => Provider switch
    {
        Provider.Sqlite => new SqliteOneGoDbContext(new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite(OwnerConnectionString).AddInterceptors(interceptors).Options, tenants ?? new CurrentTenant()),
        _ => new PostgresOneGoDbContext(new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql(OwnerConnectionString).AddInterceptors(interceptors).Options, tenants ?? new CurrentTenant()),
    };

    /// <summary>The settings a OneGo host or process on this database is given: as production is configured.</summary>
    public IReadOnlyDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Database:Provider"] = ProviderName,
        ["Database:ConnectionString"] = ConnectionString,
        ["Database:OwnerConnectionString"] = Provider == Provider.Postgres ? OwnerConnectionString : null,
        ["Database:AppRole"] = AppRole,
    };

    /// <summary><see cref="HostSettings"/> as a server process's command-line options.</summary>
    public IEnumerable<string> CommandLineOptions => HostSettings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}");

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(BlobFolder))
        {
            Directory.Delete(BlobFolder, recursive: true);
        }

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
            await TestPostgres.DropDatabaseAsync(OwnerConnectionString);
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
        var connectionString = await TestPostgres.CreateUnrecordedAsync();
        var options = new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new PostgresOneGoDbContext(options, new CurrentTenant()))
        {
            // As the server migrates: the owner creates the tables, then grants the application's role its rights, so
            // that a copy can be reached as that role before any server has started on it.
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlAsync($"SELECT onego_grant_app({TestPostgres.AppRole})");
        }

        // A template must have no open connections when it is copied.
        NpgsqlConnection.ClearAllPools();
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }
}
