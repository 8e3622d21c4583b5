using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using OneGo.Tenancy;

namespace OneGo.Server.Data;

/// <summary>
/// The database's own defences — row-level security and the append-only audit log — hold only for a role they bind.
/// On PostgreSQL outside Development the server refuses to start when the role it connects as is a superuser,
/// bypasses row-level security, owns (or may become the owner of) a table, may update, delete or truncate the audit
/// log, or meets a tenant-owned table whose row-level security is not enabled and forced. SQLite and SQL Server have
/// neither defence: there isolation rests on the application alone, which the start-up log says.
/// </summary>
internal static class DatabaseRoleCheck
{
    private const string AuditTable = "AuditEntries";

    public static async Task CheckAsync(IServiceProvider services, IHostEnvironment environment, ILogger logger, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseSettings>>().Value;
        var db = services.GetRequiredService<OneGoDbContext>();
        if (!db.Database.IsNpgsql())
        {
            if (!environment.IsDevelopment())
            {
                logger.LogWarning(
                    "OneGo runs on {Provider}, which has no row-level security and no database privileges of OneGo's: tenant isolation rests on the " +
                    "application's query filter and write guard alone, and whoever can write the database can rewrite the audit log (its hash chains " +
                    "and checkpoints still show it). PostgreSQL with Database:AppRole adds the database's own defences",
                    options.Provider);
            }

            return;
        }

        var (role, problems) = await ProblemsAsync(db, cancellationToken);
        if (problems.Count == 0)
        {
            return;
        }

        var message =
            $"The role OneGo connects to PostgreSQL as (Database:ConnectionString), '{role}', is not bound by row-level security and the " +
            $"append-only audit log: {string.Join("; ", problems)}. Connect as the application's role (Database:AppRole; infra/postgres-roles.sql " +
            "creates it), which owns no table, and let the owner migrate (Database:OwnerConnectionString).";
        if (environment.IsDevelopment())
        {
            logger.LogWarning("{Problem} Allowed in Development only.", message);
            return;
        }

        throw new InvalidOperationException("OneGo refuses to start. " + message);
    }

    private static async Task<(string Role, List<string> Problems)> ProblemsAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // Catalogue reads only: no tenant scope is involved.
            var (role, superuser, bypassesRls) = await SingleAsync(connection,
                "SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
                r => (r.GetString(0), r.GetBoolean(1), r.GetBoolean(2)), cancellationToken);
            if (superuser)
            {
                problems.Add("it is a superuser");
            }

            if (bypassesRls)
            {
                problems.Add("it bypasses row-level security (BYPASSRLS)");
            }

            // Owning a table (or being able to become its owner) lets a role switch its row-level security off.
            var owned = await ListAsync(connection, """
                SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'MEMBER')
                ORDER BY c.relname
                """, cancellationToken);
            if (owned.Count > 0)
            {
                problems.Add($"it owns {owned.Count} of OneGo's tables ({string.Join(", ", owned.Take(5).Select(Quoted))}{(owned.Count > 5 ? ", …" : "")})");
            }

            // Without the schema yet (migrations left to the 'migrate' command) there are no tables to check.
            if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
            {
                return (role, problems);
            }

            var auditRights = await ListAsync(connection, $"""
                SELECT p FROM unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) p
                WHERE has_table_privilege(current_user, to_regclass('"{AuditTable}"'), p)
                """, cancellationToken);
            if (auditRights.Count > 0)
            {
                problems.Add($"it may {string.Join(", ", auditRights)} \"{AuditTable}\", which the application may only read and append to");
            }

            var tenantOwned = db.Model.GetEntityTypes().Where(e => e.IsTenantOwned()).Select(e => e.GetTableName()!).Distinct().Order(StringComparer.Ordinal).ToList();
            var unprotected = await ListAsync(connection, $"""
                SELECT t FROM unnest(ARRAY[{string.Join(", ", tenantOwned.Select(t => $"'{t}'"))}]::text[]) t
                LEFT JOIN pg_class c ON c.oid = to_regclass(quote_ident(t))
                WHERE c.oid IS NULL OR NOT c.relrowsecurity OR NOT c.relforcerowsecurity
                ORDER BY t
                """, cancellationToken);
            if (unprotected.Count > 0)
            {
                problems.Add($"row-level security is not enabled and forced on {string.Join(", ", unprotected.Select(Quoted))}");
            }

            return (role, problems);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string Quoted(string table) => $"\"{table}\"";

    private static async Task<T> SingleAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : throw new InvalidOperationException("No row: " + sql);
    }

    private static async Task<List<string>> ListAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
