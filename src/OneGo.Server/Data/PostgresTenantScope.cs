using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using OneGo.Tenancy;

namespace OneGo.Server.Data;

/// <summary>
/// Tells PostgreSQL the tenant scope of each command (the applicant of an applicant's scope, the department of a department's), so that its row-level security admits exactly what the
/// scope may see, behind the query filter and the write guard. The settings are session-wide and reset when the
/// pooled connection is returned; they are set before every command, so a scope entered or left between
/// two commands on one connection is always the one in force.
/// Inside a transaction begun through EF Core, a command in the scope the transaction last set is not preceded by
/// setting it again (a publishing batch's statements run in one scope): PostgreSQL keeps a setting for the rest of the
/// transaction unless the transaction, or a savepoint taken before it, is rolled back, so what this remembers is
/// forgotten when the transaction ends, fails or rolls back to a savepoint, and when a command in it fails.
/// </summary>
internal sealed class PostgresTenantScope(CurrentTenant tenants) : DbCommandInterceptor, IDbTransactionInterceptor
{
    /// <summary>The scope each open transaction last set, or none known; an entry lives from its transaction's start to its end.</summary>
    private readonly ConditionalWeakTable<DbTransaction, InForce> _transactions = new();

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

    /// <summary>The command setting <paramref name="scope"/>, or none when the command's transaction has it in force already.</summary>
    private NpgsqlCommand? Scope(DbCommand command, TenantScope? scope)
    {
        if (command.Transaction is { } transaction && _transactions.TryGetValue(transaction, out var inForce) && inForce.Holds(scope))
        {
            return null;
        }

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
        var scope = tenants.Scope;
        using var set = Scope(command, scope);
        if (set is not null)
        {
            set.ExecuteNonQuery();
            Remember(command, scope);
        }
    }

    private async Task ApplyAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var scope = tenants.Scope;
        await using var set = Scope(command, scope);
        if (set is not null)
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
            Remember(command, scope);
        }
    }

    private void Remember(DbCommand command, TenantScope? scope)
    {
        if (command.Transaction is { } transaction && _transactions.TryGetValue(transaction, out var inForce))
        {
            inForce.Set(scope);
        }
    }

    private void Forget(DbTransaction? transaction)
    {
        if (transaction is not null && _transactions.TryGetValue(transaction, out var inForce))
        {
            inForce.Clear();
        }
    }

    // A transaction starts knowing nothing set in it (Npgsql reuses a connection's transaction object).
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        _transactions.AddOrUpdate(result, new InForce());
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public DbTransaction TransactionUsed(DbConnection connection, TransactionEventData eventData, DbTransaction result)
    {
        _transactions.AddOrUpdate(result, new InForce());
        return result;
    }

    public ValueTask<DbTransaction> TransactionUsedAsync(DbConnection connection, TransactionEventData eventData, DbTransaction result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionUsed(connection, eventData, result));

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => _transactions.Remove(transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public InterceptionResult TransactionRollingBack(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        _transactions.Remove(transaction);
        return result;
    }

    public ValueTask<InterceptionResult> TransactionRollingBackAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionRollingBack(transaction, eventData, result));

    // A rollback to a savepoint undoes whatever was set after the savepoint: set the scope again.
    public InterceptionResult RollingBackToSavepoint(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Forget(transaction);
        return result;
    }

    public ValueTask<InterceptionResult> RollingBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(RollingBackToSavepoint(transaction, eventData, result));

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(transaction);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Forget(command.Transaction);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(command.Transaction);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Forget(command.Transaction);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(command.Transaction);
        return Task.CompletedTask;
    }

    /// <summary>The scope a transaction last set, if known.</summary>
    private sealed class InForce
    {
        private bool _known;
        private TenantScope? _scope;

        public bool Holds(TenantScope? scope) => _known && Equals(_scope, scope);

        public void Set(TenantScope? scope) => (_known, _scope) = (true, scope);

        public void Clear() => (_known, _scope) = (false, null);
    }
}
