namespace OneGo.Tenancy;

/// <summary>
/// A row that belongs to one tenant. By convention it gets a required <see cref="TenantId"/>, the named query
/// filter <see cref="TenancyModel.FilterName"/>, TenantId inside its unique indexes, and the write guard.
/// A new row left without a TenantId takes the current scope's.
/// </summary>
public interface ITenantOwned
{
    string TenantId { get; set; }
}

/// <summary>
/// A tenant-owned row that also belongs to one applicant: an application, its cases, its files. In an applicant's
/// scope only that applicant's rows are read or written; in an applicant's scope across tenants, their rows of every
/// tenant are read. Staff scopes read a tenant's rows whoever the applicant, as for any tenant-owned row.
/// </summary>
public interface IApplicantOwned : ITenantOwned
{
    /// <summary>The applicant's immutable subject (never an ID number).</summary>
    string ApplicantId { get; set; }
}

/// <summary>
/// A tenant-owned row that belongs to one of the tenant's departments: a case (办件). In a department's scope only that
/// department's rows are read or written; other scopes of the tenant read them all, as for any tenant-owned row.
/// </summary>
public interface IDepartmentOwned : ITenantOwned
{
    /// <summary>The department's code in its region's definition.</summary>
    string Department { get; set; }
}
