namespace OneGo.Server.Identity;

/// <summary>Whether an account is a person (signs in on the sign-in page) or a service account (client credentials).</summary>
public enum AccountKind
{
    Person,
    Service,
}

/// <summary>
/// An account bound to one tenant, with one or more roles there (PRODUCT.md §2). Shared, not tenant-owned: sign-in finds an account
/// by its user name before any tenant is known. Only the admins of the account's tenant and of the tenants above
/// it may create or disable it.
/// </summary>
public sealed class Account
{
    public Guid Id { get; set; }

    /// <summary>Unique; for a service account also its OAuth client id.</summary>
    public required string UserName { get; set; }

    public required string TenantId { get; set; }

    /// <summary>The account's roles in its tenant, space-separated (<c>editor reviewer</c>), as OAuth writes scopes.</summary>
    public required string Roles { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public AccountKind Kind { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>ASP.NET Core Identity's PBKDF2 hash, for people.</summary>
    public string? PasswordHash { get; set; }

    public bool Disabled { get; set; }

    public int FailedSignIns { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}

/// <summary>The deployment's token signing and encryption keys, shared by every node and kept across restarts.</summary>
public sealed class DeploymentKey
{
    public int Id { get; set; }

    /// <summary><c>signing</c> or <c>encryption</c>.</summary>
    public required string Use { get; set; }

    /// <summary>The RSA private key, PKCS#8 PEM.</summary>
    public required string PrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The roles of PRODUCT.md §2, each bound to one tenant.</summary>
public static class Roles
{
    /// <summary>Accounts and settings of its tenant and below, imports, its audit log; reads the drafts below.</summary>
    public const string Admin = "admin";

    /// <summary>Changes its own tenant's catalogue.</summary>
    public const string Editor = "editor";

    /// <summary>Approves or rejects its own tenant's changes.</summary>
    public const string Reviewer = "reviewer";

    public static readonly string[] All = [Admin, Editor, Reviewer];
}

/// <summary>The claims OneGo puts in its tokens, and its scopes.</summary>
public static class OneGoClaims
{
    public const string Tenant = "tenant";
    public const string Role = "role";

    /// <summary>People and service accounts calling the API.</summary>
    public const string ApiScope = "api";

    /// <summary>Integrations reading the national service zone.</summary>
    public const string ZoneReadScope = "zone.read";
}
