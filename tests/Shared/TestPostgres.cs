using Npgsql;

namespace OneGo.Testing;

/// <summary>
/// The throwaway PostgreSQL cluster that ./test.sh starts. Tests that need it fail, loudly, when it is missing.
/// The cluster's superuser only creates and drops databases: each database belongs to <see cref="OwnerRole"/>, which
/// migrates it, and OneGo connects to it as <see cref="AppRole"/>, as in production (infra/postgres-roles.sql).
/// </summary>
internal static class TestPostgres
{
    public const string EnvironmentVariable = "ONEGO_TEST_POSTGRES";

    /// <summary>Owns the tables: migrates, and sets up or tampers with rows in tests (it bypasses row-level security).</summary>
    public const string OwnerRole = "onego_owner";

    /// <summary>The role the server connects as: owns nothing, and row-level security binds it.</summary>
    public const string AppRole = "onego_app";

    private static readonly Lazy<Task> Roles = new(CheckRolesAsync);

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set, so there is no PostgreSQL server to test against. Run the tests with ./test.sh, which starts a throwaway cluster.");

    /// <summary>
    /// Creates an empty database (or a copy of <paramref name="template"/>) owned by <see cref="OwnerRole"/>, and
    /// returns the owner's connection string to it.
    /// </summary>
    public static Task<string> CreateDatabaseAsync(string? template = null)
    {
        TestUsage.Record(TestUsage.Postgres);
        return CreateUnrecordedAsync(template);
    }

    /// <summary>As <see cref="CreateDatabaseAsync"/>, for support code that records the use itself, where the test is on the stack.</summary>
    public static async Task<string> CreateUnrecordedAsync(string? template = null)
    {
        await Roles.Value;
        var name = "onego_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = template is null
                ? $"CREATE DATABASE \"{name}\" OWNER {OwnerRole}"
                : $"CREATE DATABASE \"{name}\" OWNER {OwnerRole} TEMPLATE \"{template}\"";
            await command.ExecuteNonQueryAsync();
        }

        return ForDatabase(name, OwnerRole);
    }

    public static string ForDatabase(string name, string role) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, Username = role, Pooling = true }.ConnectionString;

    /// <summary>The same database, reached as another role.</summary>
    public static string As(string connectionString, string role) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = role }.ConnectionString;

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }

    // The roles are the cluster's, made once by infra/postgres.sh from the production recipe; a cluster started some
    // other way would otherwise fail later, on a login, without saying why.
    private static async Task CheckRolesAsync()
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT count(*) FROM pg_roles
            WHERE (rolname = '{OwnerRole}' AND rolcanlogin AND NOT rolsuper AND rolbypassrls)
               OR (rolname = '{AppRole}' AND rolcanlogin AND NOT rolsuper AND NOT rolbypassrls)
            """;
        if ((long)(await command.ExecuteScalarAsync())! != 2)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL cluster at {EnvironmentVariable} lacks OneGo's roles {OwnerRole} and {AppRole}: start it with infra/postgres.sh, " +
                "or apply infra/postgres-roles.sql to it as a superuser.");
        }
    }
}
