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
