namespace OneGo.Tenancy;

/// <summary>
/// The tenant scope the current flow of work runs in. Requests enter the scope of their route's tenant; jobs
/// and imports enter each tenant's scope explicitly (<c>using (tenants.Enter(id)) { … }</c>), and leaving
/// restores the scope they came from. Outside any scope, tenant-owned queries return nothing and
/// tenant-owned writes throw.
/// </summary>
public sealed class CurrentTenant
{
    private readonly AsyncLocal<TenantScope?> _scope = new();

    /// <summary>The tenant of the current scope, or null outside any scope.</summary>
    public string? Id => _scope.Value?.TenantId;

    /// <summary>The current scope, or null outside any scope.</summary>
    public TenantScope? Scope => _scope.Value;

    /// <summary>Reads and writes the rows of <paramref name="tenantId"/> only.</summary>
    public IDisposable Enter(string tenantId) => Push(new TenantScope(tenantId, ReadsBelow: false));

    /// <summary>
    /// Writes the rows of <paramref name="tenantId"/> only, and also reads the rows of the tenants below it
    /// (an admin reading the drafts below its region).
    /// </summary>
    public IDisposable EnterReadingBelow(string tenantId) => Push(new TenantScope(tenantId, ReadsBelow: true));

    /// <summary>
    /// What anyone may read of <paramref name="tenantId"/> (and, with <paramref name="readsBelow"/>, of the
    /// tenants below): live content only, and no write at all. Where the database enforces it (row-level
    /// security on PostgreSQL), working copies and matters are invisible in this scope.
    /// </summary>
    public IDisposable EnterPublic(string tenantId, bool readsBelow = false) => Push(new TenantScope(tenantId, readsBelow, Public: true));

    private Restore Push(TenantScope scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope.TenantId);
        var previous = _scope.Value;
        _scope.Value = scope;
        return new Restore(this, previous, scope);
    }

    private sealed class Restore(CurrentTenant owner, TenantScope? previous, TenantScope entered) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!ReferenceEquals(owner._scope.Value, entered))
            {
                throw new InvalidOperationException(
                    $"Tenant scopes must be left in the order they were entered: leaving '{entered.TenantId}' while '{owner._scope.Value?.TenantId ?? "(none)"}' is current.");
            }

            owner._scope.Value = previous;
        }
    }
}

/// <summary>A tenant scope: whose rows may be written, and whether the rows below it may be read.</summary>
public sealed record TenantScope(string TenantId, bool ReadsBelow, bool Public = false)
{
    /// <summary>The id prefix of the tenants below, as the query filter matches it (<c>national</c> is above all).</summary>
    public string BelowPrefix => TenantId == RegionRules.NationalId ? string.Empty : TenantId + ".";
}
