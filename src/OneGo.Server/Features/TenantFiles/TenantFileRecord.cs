using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// A file of <c>tenants/</c> as it was last imported: its path and content hash, so that an import applies only
/// the files whose content changed.
/// </summary>
public sealed class TenantFileRecord : ITenantOwned, IAudited
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>Path relative to the <c>tenants/</c> folder, with forward slashes: <c>fujian/xiamen/haicang/tenant.yaml</c>.</summary>
    public required string Path { get; set; }

    /// <summary>Lowercase hex SHA-256 of the file's bytes.</summary>
    public required string Sha256 { get; set; }

    public DateTimeOffset ImportedAt { get; set; }
}
