// What a four-eyes proposal answers, for AccountsApi and the Propose… use cases in Accounts/.
global using ProposalAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    OneGo.Server.Hosting.CreatedAt<OneGo.Server.Identity.AccountsApi.ChangeView>,
    OneGo.Server.Hosting.NotFoundProblem,
    OneGo.Server.Hosting.BodyProblem,
    OneGo.Server.Hosting.InvalidProblem,
    OneGo.Server.Hosting.ConflictProblem>;

using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity.Accounts;
using OpenIddict.Abstractions;

namespace OneGo.Server.Identity;

/// <summary>
/// An admin's accounts: the people and service accounts of its tenant and of the tenants below it. An admin proposes
/// an account with its roles; each role is a grant that another admin of the same tenant or above approves (four
/// eyes; until then it does nothing), and only then does the set-password link (or a service account's client
/// secret) go by mail to the account's own address — no admin chooses or sees a credential. Re-issuing a credential,
/// resetting an authenticator and changing an address are four-eyes too, and the account's address is told.
/// Revoking a role and disabling an account take one admin and work at once: the account's tokens are revoked.
/// </summary>
internal static class AccountsApi
{
    public sealed record GrantView(long Id, string Role, AccountChangeState State, string ProposedBy, DateTimeOffset ProposedAt, string? DecidedBy, DateTimeOffset? DecidedAt);

    /// <summary>An account as an admin sees it: its address masked, never a credential.</summary>
    /// <param name="Department">An officer's department (the code of one of its tenant's departments), once the grant is approved.</param>
    public sealed record AccountView(
        Guid Id, string UserName, string Tenant, AccountKind Kind, string? DisplayName, string? Email, IReadOnlyList<string> Roles,
        IReadOnlyList<GrantView> Pending, bool Disabled, bool HasPassword, bool SecondFactor, string? ClientId, DateTimeOffset CreatedAt, string? CreatedBy,
        string? Department);

    public sealed record ChangeView(
        long Id, string Tenant, string Account, AccountChangeKind Kind, string? Role, string? Email, AccountChangeState State,
        string ProposedBy, DateTimeOffset ProposedAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? Comment, string? Department);

    /// <param name="Department">With the role officer: the code of the department of the tenant the officer works in.</param>
    public sealed record NewAccount(string? UserName, string? DisplayName, string? Email, AccountKind? Kind, IReadOnlyList<string?>? Roles, string? Department = null);

    /// <param name="Department">With the role officer: the code of the department of the tenant the officer works in.</param>
    public sealed record NewGrant(string? Role, string? Comment, string? Department = null);

    public sealed record NewEmail(string? Email, string? Comment);

    /// <summary>An admin's note on a change: why.</summary>
    /// <param name="Comment">At most 2,000 characters.</param>
    public sealed record Note(string? Comment);

    /// <summary>One account with the history of its four-eyes changes.</summary>
    public sealed record AccountDetail(AccountView Account, IReadOnlyList<ChangeView> Changes);

    /// <summary>A role taken away: the account's tokens were revoked.</summary>
    /// <param name="RevokedTokens">How many of its tokens were revoked.</param>
    public sealed record RoleRevoked(string UserName, string RevokedRole, long RevokedTokens);

    /// <summary>An account disabled: its tokens were revoked.</summary>
    /// <param name="Disabled">Always true.</param>
    /// <param name="RevokedTokens">How many of its tokens were revoked.</param>
    public sealed record AccountDisabled(string UserName, bool Disabled, long RevokedTokens);

    public static void MapAccountsApi(this WebApplication app)
    {
        var accounts = app.MapGroup("/api/t/{tenant}/accounts").WithTags("Accounts").Requires(Capability.Administer);
        accounts.MapGet("", ListAccounts.HandleAsync).WithName("listAccounts").WithSummary("The tenant's people and service accounts: roles held, grants waiting, addresses masked.");
        accounts.MapPost("", ProposeAccount.HandleAsync).WithName("proposeAccount").Accepts<NewAccount>(MediaTypes.Json)
            .WithSummary("Proposes a person or a service account with its roles; each role waits for a second admin, and the credential goes by mail once one is approved.");
        accounts.MapGet("/{userName}", GetAccount.HandleAsync).WithName("getAccount").WithSummary("One account, with the history of its four-eyes changes.");
        accounts.MapPost("/{userName}/roles", ProposeRole.HandleAsync).WithName("proposeRole").Accepts<NewGrant>(MediaTypes.Json)
            .WithSummary("Proposes a role grant; another admin approves it.");
        accounts.MapPost("/{userName}/roles/{role}/revoke", RevokeRole.HandleAsync).WithName("revokeRole").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Takes a held role away at once and revokes the account's tokens.");
        accounts.MapPost("/{userName}/credential", ProposeCredential.HandleAsync).WithName("proposeCredential").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Proposes a new set-password link (a person) or client secret (a service account), mailed once another admin approves.");
        accounts.MapPost("/{userName}/authenticator/reset", ProposeAuthenticatorReset.HandleAsync).WithName("proposeAuthenticatorReset").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Proposes removing a person's authenticator (they enrol again); another admin approves.");
        accounts.MapPost("/{userName}/email", ProposeEmail.HandleAsync).WithName("proposeEmail").Accepts<NewEmail>(MediaTypes.Json)
            .WithSummary("Proposes a new e-mail address; another admin approves, and the old address is told.");
        accounts.MapPost("/{userName}/disable", DisableAccount.HandleAsync).WithName("disableAccount").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Disables the account at once and revokes its tokens.");

        var changes = app.MapGroup("/api/t/{tenant}/account-changes").WithTags("Accounts").Requires(Capability.Administer);
        changes.MapGet("", ListAccountChanges.HandleAsync).WithName("listAccountChanges").WithSummary("The tenant's four-eyes account changes; state=proposed is the approving admin's inbox.");
        changes.MapPost("/{id:long}/approve", (Delegate)ApproveAccountChange.HandleAsync).WithName("approveAccountChange").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Approves a change proposed by another admin; not one's own, not one's own account.");
        changes.MapPost("/{id:long}/refuse", RefuseAccountChange.HandleAsync).WithName("refuseAccountChange").Accepts<Note>(MediaTypes.Json)
            .WithSummary("Refuses a proposed change, with a reason (body {comment}).");
    }

    internal static GrantView Grant(AccountChange c) => new(c.Id, c.Role!, c.State, c.ProposedBy, c.ProposedAt, c.DecidedBy, c.DecidedAt);

    internal static ChangeView Change(AccountChange c, string account) =>
        new(c.Id, c.TenantId, account, c.Kind, c.Role, AccountRules.Mask(c.Email), c.State, c.ProposedBy, c.ProposedAt, c.DecidedBy, c.DecidedAt, c.Comment, c.Department);

    internal static AccountView View(Account a, IReadOnlyList<AccountChange> changes) => new(
        a.Id, a.Name, a.TenantId!, a.Kind, a.DisplayName, AccountRules.Mask(a.Email),
        changes.Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved).Select(c => c.Role!).Distinct().Order(StringComparer.Ordinal).ToList(),
        changes.Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Proposed).Select(Grant).ToList(),
        a.Disabled, a.PasswordHash is not null, a.TwoFactorEnabled, a.ClientId, a.CreatedAt, a.CreatedBy,
        changes.Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved && c.Role == Roles.Officer).Select(c => c.Department).FirstOrDefault());

    /// <summary>
    /// The department an officer is bound to: required with the role officer, one of the tenant's own departments (not a
    /// region's above: an officer works where its account is); refused with any other role.
    /// </summary>
    internal static string? CheckDepartment(Features.Tenants.RegionInfo tenant, IEnumerable<string> roles, string? department, List<ApiError> errors)
    {
        var own = string.Join(", ", tenant.Departments.Keys.Order(StringComparer.Ordinal));
        if (!roles.Contains(Roles.Officer))
        {
            if (department is not null)
            {
                errors.Add(ApiError.At("/department", "officer-only", "Only an officer is bound to a department; leave 'department' out for the other roles."));
            }

            return null;
        }

        if (string.IsNullOrWhiteSpace(department))
        {
            errors.Add(ApiError.At("/department", "required", $"An officer is bound to one department of {tenant.Name} ({tenant.Id}): name its code ({own})."));
            return null;
        }

        if (!tenant.Departments.ContainsKey(department))
        {
            errors.Add(ApiError.At("/department", OneGo.Catalogue.ErrorRule.UnknownDepartment,
                $"'{department}' is not a department of {tenant.Name} ({tenant.Id}); an officer works in one of the region's own departments: {own}."));
            return null;
        }

        return department;
    }

    /// <summary>
    /// The account of the route's tenant by user name. Accounts are shared rows (sign-in needs them before any tenant),
    /// so the tenant is part of the lookup itself: an admin never reaches another tenant's account through its own path.
    /// </summary>
    internal static async Task<Account?> FindAsync(HttpContext context, OneGoDbContext db, string userName, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var normalized = userName.ToUpperInvariant();
        return await db.Set<Account>().SingleOrDefaultAsync(a => a.NormalizedUserName == normalized && a.TenantId == tenant, cancellationToken);
    }

    /// <summary>
    /// Whether <paramref name="userName"/> is taken. One namespace for people, service accounts, applicants and OAuth
    /// clients: a name is nobody else's subject, actor or client id.
    /// </summary>
    internal static async Task<bool> NameTakenAsync(OneGoDbContext db, OpenIddict.Abstractions.IOpenIddictApplicationManager applications, string userName, CancellationToken cancellationToken)
    {
        var normalized = userName.ToUpperInvariant();
        return await db.Set<Account>().AnyAsync(a => a.NormalizedUserName == normalized || a.ClientId == userName, cancellationToken)
            || await applications.FindByClientIdAsync(userName, cancellationToken) is not null;
    }

    internal static NotFoundProblem UnknownAccount(HttpContext context, string userName) =>
        ApiProblems.NotFound("No such account", $"{context.Tenant().Id} has no account '{userName}'.");

    /// <summary>The roles named in a proposal: known, not twice, and held apart where the separation of duties says so.</summary>
    internal static List<string> CheckRoles(IReadOnlyList<string?>? asked, List<ApiError> errors, string pointer = "/roles")
    {
        if (asked is not { Count: > 0 })
        {
            errors.Add(ApiError.At(pointer, "required", $"At least one role is required: {string.Join(", ", Roles.All)}."));
            return [];
        }

        var roles = new List<string>();
        for (var i = 0; i < asked.Count; i++)
        {
            if (asked[i] is not { } role || !Roles.All.Contains(role))
            {
                errors.Add(ApiError.At($"{pointer}/{i}", "enum", $"A role is one of {string.Join(", ", Roles.All)}; it was '{asked[i]}'."));
            }
            else if (roles.Contains(role))
            {
                errors.Add(ApiError.At($"{pointer}/{i}", "unique", $"The role '{role}' is named twice."));
            }
            else
            {
                roles.Add(role);
                if (AccountRules.Conflict(roles) is { } conflict)
                {
                    errors.Add(AccountRules.ConflictError($"{pointer}/{i}", conflict));
                }
            }
        }

        return roles;
    }

    internal static void CheckComment(string? comment, List<ApiError> errors)
    {
        if (comment is { Length: > 2000 })
        {
            errors.Add(ApiError.At("/comment", "length", "A comment has at most 2,000 characters."));
        }
    }

    internal static async Task<ProposalAnswer> AddProposalAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, Account account, AccountChange change, string? comment, CancellationToken cancellationToken)
    {
        if (await db.Set<AccountChange>().AnyAsync(c => c.AccountId == account.Id && c.Kind == change.Kind && c.State == AccountChangeState.Proposed
                && (change.Kind != AccountChangeKind.GrantRole || c.Role == change.Role), cancellationToken))
        {
            return ApiProblems.Conflict("Already proposed", $"The same change of {account.Name} already waits for a second admin.");
        }

        change.AccountId = account.Id;
        change.State = AccountChangeState.Proposed;
        change.ProposedBy = context.Actor();
        change.ProposedAt = clock.Now();
        change.Comment = comment;
        change.Revision = 1;
        db.Add(change);
        db.Audit(new AuditEvent(context.Actor(), "account.change-propose", $"account/{account.Name}",
            new { kind = change.Kind, role = change.Role, email = AccountRules.Mask(change.Email) }, comment));
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedAt<ChangeView>($"/api/t/{account.TenantId}/account-changes/{change.Id}", Change(change, account.Name));
    }

    /// <summary>The account a move is about and the comment it came with; or no such account; or a body that cannot be read.</summary>
    internal static async Task<(Account? Account, string? Comment, NotFoundProblem? Unknown, BodyProblem? Unreadable)> ReadTargetAsync(
        HttpContext context, OneGoDbContext db, string userName, CancellationToken cancellationToken)
    {
        var account = await FindAsync(context, db, userName, cancellationToken);
        if (account is null)
        {
            return (null, null, UnknownAccount(context, userName), null);
        }

        string? comment = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var (note, problem) = await JsonBody.ReadAsync<Note>(context.Request, cancellationToken);
            if (problem is not null)
            {
                return (account, null, null, problem);
            }

            comment = note!.Comment;
            var errors = new List<ApiError>();
            CheckComment(comment, errors);
            if (errors.Count > 0)
            {
                return (account, null, null, new BodyProblem(ApiProblems.Validation(errors)));
            }
        }

        return (account, comment, null, null);
    }

    /// <summary>
    /// The change to decide: proposed (409 otherwise), and decided by someone other than who proposed it and other
    /// than the account itself (403, four eyes: even an admin cannot approve their own proposal or their own account).
    /// </summary>
    internal static async Task<(AccountChange? Change, Account? Account, DecisionProblem? Answer)> BeginDecisionAsync(HttpContext context, OneGoDbContext db, long id, CancellationToken cancellationToken)
    {
        var change = await db.Set<AccountChange>().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (change is null)
        {
            return (null, null, new DecisionProblem(ApiProblems.NotFound("No such change", $"{context.Tenant().Id} has no account change {id}.").Problem));
        }

        var account = await db.Set<Account>().SingleAsync(a => a.Id == change.AccountId, cancellationToken);
        if (change.State != AccountChangeState.Proposed)
        {
            return (change, account, new DecisionProblem(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already decided",
                detail: $"This change is {change.State.ToString().ToLowerInvariant()}; only a proposed change can be approved or refused.",
                extensions: new Dictionary<string, object?> { ["state"] = JsonNamingPolicy.CamelCase.ConvertName(change.State.ToString()) })));
        }

        var actor = context.Actor();
        if (actor == change.ProposedBy || actor == account.Name)
        {
            return (change, account, new DecisionProblem(TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Four eyes",
                detail: actor == change.ProposedBy
                    ? $"{actor} proposed this change, so another admin of {change.TenantId} or above must decide it."
                    : $"This change is to {actor}'s own account, so another admin must decide it.",
                type: "https://onego.gov.cn/problems/four-eyes")));
        }

        return (change, account, null);
    }

    /// <summary>Saves a decision; null, or the 409 when another admin decided the same change at the same moment.</summary>
    internal static async Task<DecisionProblem?> SaveDecisionAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return new DecisionProblem(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Decided meanwhile", detail: "Another admin decided this change at the same moment."));
        }
    }

    // OpenIddict saves its client on its own: in one transaction with the approval, neither is kept without the other.
}
