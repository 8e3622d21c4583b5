using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace OneGo.Tenancy;

/// <summary>
/// A DbContext whose tenant-owned rows are confined to the current tenant scope: reads through the named
/// query filter, writes through the guard in SaveChanges. Derived contexts configure their model in
/// <see cref="ConfigureModel"/>; the tenancy conventions are applied after it, so no entity can miss them.
/// </summary>
public abstract class TenantScopedDbContext(DbContextOptions options, CurrentTenant tenants) : DbContext(options)
{
    /// <summary>The scope's tenant, read by the query filter at each execution.</summary>
    public string? ScopeTenantId => tenants.Id;

    /// <summary>The id prefix of the tenants below the scope's, when the scope reads below; otherwise null.</summary>
    public string? ScopeBelowPrefix => tenants.Scope is { ReadsBelow: true } scope ? scope.BelowPrefix : null;

    /// <summary>The applicant the scope is confined to, read by the applicant-owned rows' filter; null for staff and public scopes.</summary>
    public string? ScopeApplicant => tenants.Scope?.Applicant;

    /// <summary>The department the scope is confined to, read by the department-owned rows' filter; null outside a department's scope.</summary>
    public string? ScopeDepartment => tenants.Scope?.Department;

    /// <summary>True in an applicant's scope across tenants: their applicant-owned rows of every tenant are read.</summary>
    public bool ScopeAcrossTenants => tenants.Scope is { AcrossTenants: true };

    protected CurrentTenant Tenants => tenants;

    protected abstract void ConfigureModel(ModelBuilder modelBuilder);

    protected sealed override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureModel(modelBuilder);
        TenancyModel.Apply(modelBuilder, this);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardTenantWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardTenantWrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Refuses to add, change or delete a row of any tenant but the current scope's. Both the original and the
    /// current TenantId are compared, so moving a row to another tenant is refused as well.
    /// </summary>
    protected void GuardTenantWrites()
    {
        ChangeTracker.DetectChanges();
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached || !entry.Metadata.IsTenantOwned())
            {
                continue;
            }

            var scope = tenants.Id ?? throw new TenantIsolationException(tenants.Scope is { AcrossTenants: true }
                ? $"Refused to {Verb(entry.State)} a {entry.Metadata.DisplayName()} in an applicant's scope across tenants: it only reads; enter the tenant's scope as the applicant to write."
                : $"Refused to {Verb(entry.State)} a {entry.Metadata.DisplayName()} outside any tenant scope: enter the tenant's scope first.");
            if (tenants.Scope is { Public: true })
            {
                throw new TenantIsolationException($"Refused to {Verb(entry.State)} a {entry.Metadata.DisplayName()} in the public scope of '{scope}': public requests only read.");
            }

            var property = entry.Property(TenancyModel.TenantIdProperty);

            if (entry.State == EntityState.Added && string.IsNullOrEmpty((string?)property.CurrentValue))
            {
                property.CurrentValue = scope;
            }

            var current = (string?)property.CurrentValue;
            var original = entry.State == EntityState.Added ? current : (string?)property.OriginalValue;
            if (original != scope || (entry.State != EntityState.Deleted && current != scope))
            {
                throw new TenantIsolationException(Describe(entry, scope, original, current));
            }

            if (tenants.Scope?.Applicant is { } applicant && entry.Metadata.IsApplicantOwned())
            {
                GuardApplicantWrite(entry, applicant);
            }

            if (tenants.Scope?.Department is { } department && entry.Metadata.IsDepartmentOwned())
            {
                GuardDepartmentWrite(entry, department);
            }
        }
    }

    // In an applicant's scope a new row takes the applicant, and no row of another applicant is added, changed or deleted.
    private static void GuardApplicantWrite(EntityEntry entry, string applicant)
    {
        var property = entry.Property(TenancyModel.ApplicantIdProperty);
        if (entry.State == EntityState.Added && string.IsNullOrEmpty((string?)property.CurrentValue))
        {
            property.CurrentValue = applicant;
        }

        var current = (string?)property.CurrentValue;
        var original = entry.State == EntityState.Added ? current : (string?)property.OriginalValue;
        if (original != applicant || (entry.State != EntityState.Deleted && current != applicant))
        {
            throw new TenantIsolationException(
                $"Refused to {Verb(entry.State)} a {entry.Metadata.DisplayName()} of another applicant in the scope of applicant '{applicant}'.");
        }
    }

    // In a department's scope no row of another department is added, changed, moved or deleted.
    private static void GuardDepartmentWrite(EntityEntry entry, string department)
    {
        var property = entry.Property(TenancyModel.DepartmentProperty);
        var current = (string?)property.CurrentValue;
        var original = entry.State == EntityState.Added ? current : (string?)property.OriginalValue;
        if (original != department || (entry.State != EntityState.Deleted && current != department))
        {
            throw new TenantIsolationException(
                $"Refused to {Verb(entry.State)} a {entry.Metadata.DisplayName()} of department '{original}' in the scope of department '{department}'.");
        }
    }

    private static string Describe(EntityEntry entry, string scope, string? original, string? current)
    {
        var what = entry.Metadata.DisplayName();
        return original != current && entry.State == EntityState.Modified
            ? $"Refused to move a {what} from tenant '{original}' to tenant '{current}' in the scope of '{scope}'."
            : $"Refused to {Verb(entry.State)} a {what} of tenant '{original}' in the scope of '{scope}'.";
    }

    private static string Verb(EntityState state) => state switch
    {
        EntityState.Added => "add",
        EntityState.Deleted => "delete",
        _ => "change",
    };
}

/// <summary>A write that would touch another tenant's rows, or any tenant's rows outside a scope.</summary>
public sealed class TenantIsolationException(string message) : InvalidOperationException(message);
