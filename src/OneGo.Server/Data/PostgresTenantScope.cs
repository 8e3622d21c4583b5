using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using OneGo.Tenancy;

namespace OneGo.Server.Data;

/// <summary>
/// Tells PostgreSQL the tenant scope of each command (the applicant of an applicant's scope, the department of a department's), so that its row-level security admits exactly what the
/// scope may see, behind the query filter and the write guard. The settings are session-wide and reset when the
/// pooled connection is returned; they are set again before every command, so a scope entered or left between
/// two commands on one connection is always the one in force.
/// </summary>
internal sealed class PostgresTenantScope(CurrentTenant tenants) : DbCommandInterceptor
{
    private const string Sql = "SELECT set_config('onego.tenant', $1, false), set_config('onego.below', $2, false), set_config('onego.public', $3, false), set_config('onego.applicant', $4, false), set_config('onego.department', $5, false)";

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Apply(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await ApplyAsync(command, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Apply(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await ApplyAsync(command, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Apply(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await ApplyAsync(command, cancellationToken);
        return result;
    }

    private NpgsqlCommand Scope(DbCommand command)
    {
        var scope = tenants.Scope;
        var set = new NpgsqlCommand(Sql, (NpgsqlConnection)command.Connection!, (NpgsqlTransaction?)command.Transaction);
        // An empty tenant matches no row: outside any scope nothing tenant-owned is visible.
        set.Parameters.Add(new NpgsqlParameter { Value = scope?.TenantId ?? "" });
        set.Parameters.Add(new NpgsqlParameter { Value = scope is { ReadsBelow: true } ? "on" : "off" });
        set.Parameters.Add(new NpgsqlParameter { Value = scope is { Public: true } ? "on" : "off" });
        // An applicant's scope sees that applicant's rows only; empty for staff and public scopes.
        set.Parameters.Add(new NpgsqlParameter { Value = scope?.Applicant ?? "" });
        // A department's scope sees that department's cases only; empty for every other scope.
        set.Parameters.Add(new NpgsqlParameter { Value = scope?.Department ?? "" });
        return set;
    }

    private void Apply(DbCommand command)
    {
        using var set = Scope(command);
        set.ExecuteNonQuery();
    }

    private async Task ApplyAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var set = Scope(command);
        await set.ExecuteNonQueryAsync(cancellationToken);
    }
}
