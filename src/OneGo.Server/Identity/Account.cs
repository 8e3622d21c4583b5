using Microsoft.AspNetCore.Identity;
using OneGo.Server.Features.Audit;

namespace OneGo.Server.Identity;

/// <summary>Whether an account is a person (signs in on the sign-in page) or a service account (client credentials).</summary>
public enum AccountKind
{
    Person,
    Service,
}

/// <summary>
/// An account: ASP.NET Core Identity's user — password hash, security stamp, authenticator key and recovery codes —
/// with OneGo's tenant, kind and state. Staff accounts are bound to one tenant; an applicant's account (a person who
/// registered at <c>/account/register</c>, <see cref="OneGo.Server.Features.Applicants.Applicant"/>) is bound to none. Its roles are <see cref="AccountChange"/>s
/// of kind role grant, approved by a second admin. Shared, not tenant-owned: sign-in finds an account by its user
/// name before any tenant is known; only admins at or above its tenant change it. Its <c>Id</c> is the immutable
/// subject of its tokens; its user name is unique across people and service accounts, compared case-insensitively.
/// </summary>
public sealed class Account : IdentityUser<Guid>, IAudited
{
    /// <summary>The tenant a staff account works in; null for an applicant, who applies in any region.</summary>
    public required string? TenantId { get; set; }

    /// <summary>An applicant's account: a person bound to no tenant, who holds no role and signs in with scope <c>apply</c>.</summary>
    public bool IsApplicant => TenantId is null;

    public AccountKind Kind { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>A service account's OAuth client id (client credentials at <c>/connect/token</c>), or a demo applicant's (scope apply); null for other people.</summary>
    public string? ClientId { get; set; }

    /// <summary>Disabled accounts sign in nowhere; their tokens were revoked when they were disabled.</summary>
    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    /// <summary>The name the audit log and four eyes know the account by.</summary>
    public string Name => UserName ?? Id.ToString();

    /// <summary>
    /// Who the audit log says did something: the user name of staff; an applicant's subject, never anything that could
    /// be their name, ID or phone number.
    /// </summary>
    public string AuditName => IsApplicant ? Id.ToString() : Name;

    /// <summary>The tenant whose audit log records the account's events: its own; an applicant's, national's (the platform operator's).</summary>
    public string AuditTenantId => TenantId ?? OneGo.Tenancy.RegionRules.NationalId;
}

/// <summary>The deployment's token signing and encryption keys, shared by every node and kept across restarts.</summary>
public sealed class DeploymentKey
{
    public int Id { get; set; }

    /// <summary><c>signing</c> or <c>encryption</c>.</summary>
    public required string Use { get; set; }

    /// <summary>The RSA private key, PKCS#8 PEM, encrypted with the deployment's key-protection certificate (<see cref="KeyProtection"/>).</summary>
    public required string PrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The roles, each bound to one tenant.</summary>
public static class Roles
{
    /// <summary>Accounts and settings of its tenant and below, imports; reads the drafts below. Holds no other role.</summary>
    public const string Admin = "admin";

    /// <summary>Changes its own tenant's catalogue.</summary>
    public const string Editor = "editor";

    /// <summary>Approves or rejects its own tenant's changes.</summary>
    public const string Reviewer = "reviewer";

    /// <summary>Reads its own tenant's audit log; at <c>national</c>, verifies every chain. Holds no other role.</summary>
    public const string Auditor = "auditor";

    /// <summary>
    /// Works on applications and cases in one department of its own tenant, to which the grant binds it (the
    /// comprehensive window's officers accept applications for every department).
    /// </summary>
    public const string Officer = "officer";

    public static readonly string[] All = [Admin, Editor, Reviewer, Auditor, Officer];

    /// <summary>三员管理: whoever holds one of these holds nothing else.</summary>
    public static readonly string[] HeldAlone = [Admin, Auditor];

    /// <summary>People holding one of these sign in with a second factor (TOTP).</summary>
    public static readonly string[] NeedSecondFactor = [Admin, Reviewer, Auditor, Officer];
}

/// <summary>The claims OneGo puts in its tokens, and its scopes.</summary>
public static class OneGoClaims
{
    public const string Tenant = "tenant";
    public const string Role = "role";

    /// <summary>An officer's department: the code of one department of the account's tenant.</summary>
    public const string Department = "onego_department";

    /// <summary><c>true</c> when the officer's department is its region's comprehensive window (综窗): it serves walk-in applicants and accepts applications.</summary>
    public const string AtWindow = "onego_window";

    /// <summary>The account's user name: who the audit log names (the subject is the account's immutable id).</summary>
    public const string UserName = "preferred_username";

    /// <summary><c>person</c> or <c>service</c>: an admin service account may import and do nothing else.</summary>
    public const string Kind = "onego_kind";

    /// <summary>How the person authenticated (RFC 8176): <c>pwd</c>, and <c>otp</c> + <c>mfa</c> after a second factor.</summary>
    public const string AuthenticationMethod = "amr";

    /// <summary>People and service accounts calling the API.</summary>
    public const string ApiScope = "api";

    /// <summary>Integrations reading the national service zone.</summary>
    public const string ZoneReadScope = "zone.read";

    /// <summary>Applicants preparing, submitting and following their applications.</summary>
    public const string ApplyScope = "apply";

    /// <summary>
    /// An applicant's real-name status: <c>unverified</c> until a federated identity provider vouches for the person
    /// (a name and an ID number typed in are never proof of who someone is), then <c>verified</c>.
    /// </summary>
    public const string RealName = "onego_real_name";
}
