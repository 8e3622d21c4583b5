using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using OneGo.Server.Hosting;

namespace OneGo.Server.Data;

/// <summary>Which database OneGo runs on: <c>Database:*</c>.</summary>
public sealed class DatabaseSettings : ISettings
{
    public static string Section => "Database";

    /// <summary><c>sqlite</c> (the embedded default), <c>postgres</c> or <c>sqlserver</c>.</summary>
    [OneOf("sqlite", "postgres", "postgresql", "sqlserver")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>The provider's connection string; for SQLite, the default is a file under App_Data.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations when the server starts (the alternative is the <c>migrate</c> command).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// PostgreSQL: the connection of the role that owns the tables, used only to migrate. The server itself then
    /// connects (ConnectionString) as a role that neither owns the tables nor bypasses row-level security.
    /// </summary>
    public string? OwnerConnectionString { get; set; }

    /// <summary>PostgreSQL: the application's role, granted what it needs on the tables after each migration.</summary>
    public string? AppRole { get; set; }

    public bool IsSqlite => OneOfAttribute.Is(Provider, "sqlite");

    public bool IsPostgres => Provider.Trim().StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// <c>ConnectionStrings:OneGo</c>, where .NET tools keep connection strings: the database's when
/// <c>Database:ConnectionString</c> is not set.
/// </summary>
public sealed class ConnectionStringSettings : ISettings
{
    public static string Section => "ConnectionStrings";

    public string? OneGo { get; set; }
}

internal static class DatabaseSetup
{
    public static WebApplicationBuilder AddOneGoDatabase(this WebApplicationBuilder builder)
    {
        // The provider decides which DbContext there is, so it is read before the services are built.
        var named = builder.ReadSettings<ConnectionStringSettings>().OneGo;
        builder.Services.PostConfigure<DatabaseSettings>(database => database.ConnectionString ??= named);
        var options = builder.ReadSettings<DatabaseSettings>();
        var connectionString = options.ConnectionString ?? named;
        var services = builder.Services;
        switch (options.Provider.Trim().ToLowerInvariant())
        {
            case "sqlite":
                var sqlite = SqliteConnectionString(connectionString, builder.Environment);
                services.AddDbContext<OneGoDbContext, SqliteOneGoDbContext>(db => db
                    .UseSqlite(sqlite)
                    .AddInterceptors(new SqlitePragmas()));
                break;
            case "postgres" or "postgresql":
                services.AddSingleton<PostgresTenantScope>();
                services.AddDbContext<OneGoDbContext, PostgresOneGoDbContext>((provider, db) => db
                    .UseNpgsql(Required(connectionString, options))
                    .AddInterceptors(provider.GetRequiredService<PostgresTenantScope>()));
                break;
            case "sqlserver":
                services.AddDbContext<OneGoDbContext, SqlServerOneGoDbContext>(db => db
                    .UseSqlServer(Required(connectionString, options)));
                break;
            default:
                throw new InvalidOperationException(
                    $"Database:Provider is '{options.Provider}'; it must be one of sqlite, postgres, sqlserver.");
        }

        return builder;
    }

    /// <summary>The advisory lock under which a starting node grants the application's role its rights ("OneGoGrt").</summary>
    private const long GrantLock = 0x4F6E65476F477274;

    /// <summary>The advisory lock a starting node holds while it migrates, imports and seeds ("OneGoSta").</summary>
    private const long StartLock = 0x4F6E65476F537461;

    /// <summary>
    /// On PostgreSQL, waits for this node's turn to do its start-up work and holds it until disposed: nodes of one
    /// deployment start together after a deploy, and their migrations, grants, imports and seeded clients would
    /// otherwise race (a GRANT "tuple concurrently updated", a client id inserted twice). Elsewhere, nothing to wait for.
    /// </summary>
    public static async Task<IAsyncDisposable?> StartTurnAsync(DatabaseSettings options, CancellationToken cancellationToken)
    {
        if (!options.IsPostgres
            || (options.OwnerConnectionString ?? options.ConnectionString) is not { Length: > 0 } connectionString)
        {
            return null;
        }

        var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var command = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({StartLock})", connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new StartTurn(connection);
    }

    private sealed class StartTurn(Npgsql.NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Released explicitly: a pooled connection keeps its session, and with it the lock.
            await using (var command = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({StartLock})", connection))
            {
                await command.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Applies pending migrations — on PostgreSQL through the owner's connection when one is configured, then
    /// granting the application's role what it needs (never ownership, never BYPASSRLS) through
    /// the <c>onego_grant_app</c> function, with the role name passed as a parameter.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<DatabaseSettings>>().Value;
        if (options.OwnerConnectionString is not { Length: > 0 } owner || !options.IsPostgres)
        {
            await services.GetRequiredService<OneGoDbContext>().Database.MigrateAsync(cancellationToken);
            return;
        }

        var ownerOptions = new DbContextOptionsBuilder<PostgresOneGoDbContext>().UseNpgsql(owner).Options;
        await using var db = new PostgresOneGoDbContext(ownerOptions, services.GetRequiredService<OneGo.Tenancy.CurrentTenant>());
        await db.Database.MigrateAsync(cancellationToken);
        if (options.AppRole is { Length: > 0 } role)
        {
            // Not a tenant query: grants table rights to the application's role (the AppRoleGrants migration's
            // function quotes the name); row-level security keeps applying to that role. Nodes starting together
            // take turns: two GRANTs on one table at once fail with "tuple concurrently updated".
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({GrantLock})", cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT onego_grant_app({role})", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Where the embedded default keeps what it stores beside its database: the folder of the SQLite file, wherever it
    /// was resolved; with another database, <c>App_Data</c> under the content root.
    /// </summary>
    public static string EmbeddedFolder(IServiceProvider services, IHostEnvironment environment)
    {
        if (services.GetRequiredService<IOptions<DatabaseSettings>>().Value.IsSqlite)
        {
            using var scope = services.CreateScope();
            var database = scope.ServiceProvider.GetRequiredService<OneGoDbContext>().Database;
            var file = new SqliteConnectionStringBuilder(database.GetConnectionString()).DataSource;
            if (Path.IsPathRooted(file) && Path.GetDirectoryName(file) is { Length: > 0 } folder)
            {
                return folder;
            }
        }

        return Path.Combine(environment.ContentRootPath, "App_Data");
    }

    private static string Required(string? connectionString, DatabaseSettings options) =>
        connectionString ?? throw new InvalidOperationException(
            $"Database:ConnectionString is required when Database:Provider is '{options.Provider}'.");

    private static string SqliteConnectionString(string? configured, IHostEnvironment environment)
    {
        var builder = new SqliteConnectionStringBuilder(configured ?? "Data Source=App_Data/onego.db");
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(environment.ContentRootPath, builder.DataSource));
        }

        if (Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        // The scheduler shares the file: wait for a lock rather than fail with "database is locked".
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, 30);
        return builder.ConnectionString;
    }

    /// <summary>WAL lets readers and one writer work at once; busy_timeout makes writers wait instead of failing.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
