using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Identity;

/// <summary>What a four-eyes change of an account does once a second admin approves it.</summary>
public enum AccountChangeKind
{
    /// <summary>Gives the account a role in its tenant; until approved the role does nothing. Revoked later by one admin.</summary>
    GrantRole,

    /// <summary>Sends a new set-password link (a person) or a new client secret (a service account) to the account's address.</summary>
    ReissueCredential,

    /// <summary>Removes the person's authenticator: they enrol again at their next sign-in.</summary>
    ResetAuthenticator,

    /// <summary>Changes the account's e-mail address; the old address is told.</summary>
    ChangeEmail,
}

public enum AccountChangeState
{
    /// <summary>Waiting for a second admin.</summary>
    Proposed,

    /// <summary>Approved: done (for a role grant: the role is held).</summary>
    Approved,

    /// <summary>Refused by the second admin, with a reason.</summary>
    Refused,

    /// <summary>A held role taken away (one admin suffices, at once).</summary>
    Revoked,
}

/// <summary>
/// A change of an account that needs two admins (granting a role is itself four-eyes; so are
/// re-issuing a credential, resetting an authenticator and changing an e-mail address). Owned by the account's tenant,
/// so the tenant filter and row-level security keep each region's requests to itself; every move is audited.
/// </summary>
public sealed class AccountChange : ITenantOwned, IAudited
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public Guid AccountId { get; set; }

    public AccountChangeKind Kind { get; set; }

    /// <summary>The role granted (<see cref="AccountChangeKind.GrantRole"/>).</summary>
    public string? Role { get; set; }

    /// <summary>The department an officer's grant binds the account to: a code of its tenant's own departments.</summary>
    public string? Department { get; set; }

    /// <summary>The new address (<see cref="AccountChangeKind.ChangeEmail"/>).</summary>
    public string? Email { get; set; }

    public AccountChangeState State { get; set; }

    public string ProposedBy { get; set; } = "";

    public DateTimeOffset ProposedAt { get; set; }

    /// <summary>Who approved, refused or revoked it.</summary>
    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? Comment { get; set; }

    /// <summary>Raised by every move; the optimistic-concurrency token, so two admins cannot both decide one change.</summary>
    public int Revision { get; set; }
}
