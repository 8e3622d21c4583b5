using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OneGo.Server.Data;

/// <summary>Which database OneGo runs on: <c>Database:Provider</c> and <c>Database:ConnectionString</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>sqlite</c> (the embedded default), <c>postgres</c> or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The provider's connection string; for SQLite, the default is a file under App_Data.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations when the server starts (the alternative is the <c>migrate</c> command).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

internal static class DatabaseSetup
{
    public static IServiceCollection AddOneGoDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.ConnectionString ??= configuration.GetConnectionString("OneGo");
        services.AddSingleton(options);

        switch (options.Provider.Trim().ToLowerInvariant())
        {
            case "sqlite":
                var sqlite = SqliteConnectionString(options.ConnectionString, environment);
                services.AddDbContext<OneGoDbContext, SqliteOneGoDbContext>(db => db
                    .UseSqlite(sqlite)
                    .AddInterceptors(new SqlitePragmas()));
                break;
            case "postgres" or "postgresql":
                services.AddDbContext<OneGoDbContext, PostgresOneGoDbContext>(db => db
                    .UseNpgsql(Required(options)));
                break;
            case "sqlserver":
                services.AddDbContext<OneGoDbContext, SqlServerOneGoDbContext>(db => db
                    .UseSqlServer(Required(options)));
                break;
            default:
                throw new InvalidOperationException(
                    $"Database:Provider is '{options.Provider}'; it must be one of sqlite, postgres, sqlserver.");
        }

        return services;
    }

    private static string Required(DatabaseOptions options) =>
        options.ConnectionString ?? throw new InvalidOperationException(
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
