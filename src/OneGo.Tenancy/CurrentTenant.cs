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

    /// <summary>
    /// An applicant at work in <paramref name="tenantId"/>: the tenant's rows as in <see cref="Enter"/>, but of the
    /// applicant-owned rows (<see cref="IApplicantOwned"/>) only <paramref name="applicant"/>'s, read or written.
    /// </summary>
    public IDisposable EnterAsApplicant(string tenantId, string applicant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(applicant);
        return Push(new TenantScope(tenantId, ReadsBelow: false, Applicant: applicant));
    }

    /// <summary>
    /// An applicant's own rows in every tenant (their applications across regions): applicant-owned rows of
    /// <paramref name="applicant"/> only, no other tenant-owned row, and no write at all.
    /// </summary>
    public IDisposable EnterApplicant(string applicant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(applicant);
        return Push(new TenantScope(TenantId: null, ReadsBelow: false, Applicant: applicant));
    }

    /// <summary>
    /// An officer of one department at work in <paramref name="tenantId"/>: the tenant's rows as in <see cref="Enter"/>,
    /// but of the department-owned rows (<see cref="IDepartmentOwned"/>, its cases) only <paramref name="department"/>'s, read or written.
    /// </summary>
    public IDisposable EnterAsDepartment(string tenantId, string department)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(department);
        return Push(new TenantScope(tenantId, ReadsBelow: false, Department: department));
    }

    private Restore Push(TenantScope scope)
    {
        // Only an applicant's scope may have no tenant (their rows in every tenant).
        if (scope.TenantId is not null || scope.Applicant is null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(scope.TenantId);
        }
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
                    $"Tenant scopes must be left in the order they were entered: leaving '{entered}' while '{owner._scope.Value?.ToString() ?? "(none)"}' is current.");
            }

            owner._scope.Value = previous;
        }
    }
}

/// <summary>
/// A tenant scope: whose rows may be written, whether the rows below it may be read, and, for an applicant, whose
/// applicant-owned rows alone are seen. An applicant's scope without a tenant reads their rows in every tenant.
/// </summary>
public sealed record TenantScope(string? TenantId, bool ReadsBelow, bool Public = false, string? Applicant = null, string? Department = null)
{
    /// <summary>The id prefix of the tenants below, as the query filter matches it (<c>national</c> is above all).</summary>
    public string BelowPrefix => TenantId == RegionRules.NationalId ? string.Empty : TenantId + ".";

    /// <summary>The applicant's rows in every tenant, and nothing else.</summary>
    public bool AcrossTenants => TenantId is null;

    public override string ToString() =>
        (TenantId ?? "every tenant") + (Applicant is null ? "" : $" as applicant {Applicant}") + (Department is null ? "" : $" as department {Department}") + (Public ? " (public)" : "") + (ReadsBelow ? " (reading below)" : "");
}
