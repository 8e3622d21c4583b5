using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OpenIddict.Abstractions;
using ProposalAnswer = Microsoft.AspNetCore.Http.HttpResults.Results<
    OneGo.Server.Hosting.CreatedAt<OneGo.Server.Identity.AccountsApi.ChangeView>,
    OneGo.Server.Hosting.NotFoundProblem,
    OneGo.Server.Hosting.BodyProblem,
    OneGo.Server.Hosting.InvalidProblem,
    OneGo.Server.Hosting.ConflictProblem>;

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
    public sealed record AccountView(
        Guid Id, string UserName, string Tenant, AccountKind Kind, string? DisplayName, string? Email, IReadOnlyList<string> Roles,
        IReadOnlyList<GrantView> Pending, bool Disabled, bool HasPassword, bool SecondFactor, string? ClientId, DateTimeOffset CreatedAt, string? CreatedBy);

    public sealed record ChangeView(
        long Id, string Tenant, string Account, AccountChangeKind Kind, string? Role, string? Email, AccountChangeState State,
        string ProposedBy, DateTimeOffset ProposedAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? Comment);

    public sealed record NewAccount(string? UserName, string? DisplayName, string? Email, AccountKind? Kind, IReadOnlyList<string?>? Roles);

    public sealed record NewGrant(string? Role, string? Comment);

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
        accounts.MapGet("", ListAsync).WithName("listAccounts").WithSummary("The tenant's people and service accounts: roles held, grants waiting, addresses masked.");
        accounts.MapPost("", ProposeAsync).WithName("proposeAccount").Accepts<NewAccount>(MediaTypes.Json)
            .WithSummary("Proposes a person or a service account with its roles; each role waits for a second admin, and the credential goes by mail once one is approved.");
        accounts.MapGet("/{userName}", GetAsync).WithName("getAccount").WithSummary("One account, with the history of its four-eyes changes.");
        accounts.MapPost("/{userName}/roles", ProposeRoleAsync).WithName("proposeRole").Accepts<NewGrant>(MediaTypes.Json)
            .WithSummary("Proposes a role grant; another admin approves it.");
        accounts.MapPost("/{userName}/roles/{role}/revoke", RevokeRoleAsync).WithName("revokeRole").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Takes a held role away at once and revokes the account's tokens.");
        accounts.MapPost("/{userName}/credential", ProposeCredentialAsync).WithName("proposeCredential").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Proposes a new set-password link (a person) or client secret (a service account), mailed once another admin approves.");
        accounts.MapPost("/{userName}/authenticator/reset", ProposeAuthenticatorResetAsync).WithName("proposeAuthenticatorReset").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Proposes removing a person's authenticator (they enrol again); another admin approves.");
        accounts.MapPost("/{userName}/email", ProposeEmailAsync).WithName("proposeEmail").Accepts<NewEmail>(MediaTypes.Json)
            .WithSummary("Proposes a new e-mail address; another admin approves, and the old address is told.");
        accounts.MapPost("/{userName}/disable", DisableAsync).WithName("disableAccount").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Disables the account at once and revokes its tokens.");

        var changes = app.MapGroup("/api/t/{tenant}/account-changes").WithTags("Accounts").Requires(Capability.Administer);
        changes.MapGet("", ListChangesAsync).WithName("listAccountChanges").WithSummary("The tenant's four-eyes account changes; state=proposed is the approving admin's inbox.");
        changes.MapPost("/{id:long}/approve", (Delegate)ApproveAsync).WithName("approveAccountChange").Accepts<Note>(isOptional: true, MediaTypes.Json)
            .WithSummary("Approves a change proposed by another admin; not one's own, not one's own account.");
        changes.MapPost("/{id:long}/refuse", RefuseAsync).WithName("refuseAccountChange").Accepts<Note>(MediaTypes.Json)
            .WithSummary("Refuses a proposed change, with a reason (body {comment}).");
    }

    private static GrantView Grant(AccountChange c) => new(c.Id, c.Role!, c.State, c.ProposedBy, c.ProposedAt, c.DecidedBy, c.DecidedAt);

    private static ChangeView Change(AccountChange c, string account) =>
        new(c.Id, c.TenantId, account, c.Kind, c.Role, AccountRules.Mask(c.Email), c.State, c.ProposedBy, c.ProposedAt, c.DecidedBy, c.DecidedAt, c.Comment);

    private static AccountView View(Account a, IReadOnlyList<AccountChange> changes) => new(
        a.Id, a.Name, a.TenantId, a.Kind, a.DisplayName, AccountRules.Mask(a.Email),
        changes.Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved).Select(c => c.Role!).Distinct().Order(StringComparer.Ordinal).ToList(),
        changes.Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Proposed).Select(Grant).ToList(),
        a.Disabled, a.PasswordHash is not null, a.TwoFactorEnabled, a.ClientId, a.CreatedAt, a.CreatedBy);

    private static async Task<Ok<Page<AccountView>>> ListAsync(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var rows = await db.Set<Account>().AsNoTracking().Where(a => a.TenantId == tenant).OrderBy(a => a.UserName).ToListAsync(cancellationToken);
        var changes = (await db.Set<AccountChange>().AsNoTracking().Where(c => c.Kind == AccountChangeKind.GrantRole).ToListAsync(cancellationToken)).ToLookup(c => c.AccountId);
        return TypedResults.Ok(new Page<AccountView>(rows.Select(a => View(a, changes[a.Id].ToList())).ToList(), null));
    }

    /// <summary>
    /// The account of the route's tenant by user name. Accounts are shared rows (sign-in needs them before any tenant),
    /// so the tenant is part of the lookup itself: an admin never reaches another tenant's account through its own path.
    /// </summary>
    private static async Task<Account?> FindAsync(HttpContext context, OneGoDbContext db, string userName, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var normalized = userName.ToUpperInvariant();
        return await db.Set<Account>().SingleOrDefaultAsync(a => a.NormalizedUserName == normalized && a.TenantId == tenant, cancellationToken);
    }

    private static NotFoundProblem UnknownAccount(HttpContext context, string userName) =>
        ApiProblems.NotFound("No such account", $"{context.Tenant().Id} has no account '{userName}'.");

    private static async Task<Results<Ok<AccountDetail>, NotFoundProblem>> GetAsync(HttpContext context, OneGoDbContext db, string userName, CancellationToken cancellationToken)
    {
        var account = await FindAsync(context, db, userName, cancellationToken);
        if (account is null)
        {
            return UnknownAccount(context, userName);
        }

        var changes = await db.Set<AccountChange>().AsNoTracking().Where(c => c.AccountId == account.Id).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AccountDetail(View(account, changes), changes.Select(c => Change(c, account.Name)).ToList()));
    }

    private static async Task<Results<CreatedAt<AccountView>, BodyProblem, InvalidProblem, ConflictProblem>> ProposeAsync(
        HttpContext context, OneGoDbContext db, UserManager<Account> users, IOpenIddictApplicationManager applications, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<NewAccount>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ApiError>();
        var userName = body!.UserName?.Trim();
        if (AccountRules.CheckUserName(userName) is { } badName)
        {
            errors.Add(ApiError.At("/userName", "pattern", badName));
        }

        if (body.DisplayName is { Length: > 100 })
        {
            errors.Add(ApiError.At("/displayName", "length", "A display name has at most 100 characters."));
        }

        if (AccountRules.CheckEmail(body.Email) is { } badEmail)
        {
            errors.Add(ApiError.At("/email", "email", badEmail));
        }

        var kind = body.Kind ?? AccountKind.Person;
        if (!Enum.IsDefined(kind))
        {
            errors.Add(ApiError.At("/kind", "enum", "kind is person or service."));
        }

        var roles = CheckRoles(body.Roles, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // One namespace for people, service accounts and OAuth clients: a name is nobody else's subject, actor or client id.
        var normalized = userName!.ToUpperInvariant();
        if (await db.Set<Account>().AnyAsync(a => a.NormalizedUserName == normalized || a.ClientId == userName, cancellationToken)
            || await applications.FindByClientIdAsync(userName, cancellationToken) is not null)
        {
            return ApiProblems.Conflict("The user name is taken",
                $"'{userName}' is already the name of an account or an OAuth client; names are unique across people, service accounts and clients.");
        }

        var now = clock.Now();
        var account = new Account
        {
            Id = Guid.NewGuid(),
            UserName = userName,
            TenantId = context.Tenant().Id,
            Kind = kind,
            DisplayName = body.DisplayName,
            Email = body.Email,
            ClientId = kind == AccountKind.Service ? userName : null,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            CreatedAt = now,
            CreatedBy = context.Actor(),
        };
        var created = await users.CreateAsync(account);
        if (!created.Succeeded)
        {
            return ApiProblems.Invalid(created.Errors.Select(e => ApiError.At("/userName", e.Code, e.Description)).ToList());
        }

        var grants = roles.Select(role => new AccountChange
        {
            AccountId = account.Id, Kind = AccountChangeKind.GrantRole, Role = role, State = AccountChangeState.Proposed,
            ProposedBy = context.Actor(), ProposedAt = now, Revision = 1,
        }).ToList();
        db.AddRange(grants);
        db.Audit(new AuditEvent(context.Actor(), "account.propose", $"account/{account.Name}",
            new { userName = account.Name, kind = account.Kind, account.DisplayName, email = AccountRules.Mask(account.Email), proposedRoles = roles }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ApiProblems.Conflict("The user name is taken", $"An account '{userName}' was made meanwhile.");
        }

        return new CreatedAt<AccountView>($"/api/t/{account.TenantId}/accounts/{account.Name}", View(account, grants));
    }

    /// <summary>The roles named in a proposal: known, not twice, and held apart where the separation of duties says so.</summary>
    private static List<string> CheckRoles(IReadOnlyList<string?>? asked, List<ApiError> errors, string pointer = "/roles")
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

    private static async Task<ProposalAnswer> ProposeRoleAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var account = await FindAsync(context, db, userName, cancellationToken);
        if (account is null)
        {
            return UnknownAccount(context, userName);
        }

        var (body, problem) = await JsonBody.ReadAsync<NewGrant>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ApiError>();
        var role = CheckRoles([body!.Role], errors, "/role").FirstOrDefault();
        CheckComment(body.Comment, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors.Select(e => e with { Pointer = e.Pointer == "/role/0" ? "/role" : e.Pointer }).ToList());
        }

        var grants = await db.Set<AccountChange>().Where(c => c.AccountId == account.Id && c.Kind == AccountChangeKind.GrantRole
            && (c.State == AccountChangeState.Approved || c.State == AccountChangeState.Proposed)).ToListAsync(cancellationToken);
        if (grants.Any(g => g.Role == role))
        {
            return ApiProblems.Conflict("Already held or proposed", $"{account.Name} already holds or waits for the role '{role}'.");
        }

        if (AccountRules.Conflict([.. grants.Select(g => g.Role!), role!]) is { } conflict)
        {
            return ApiProblems.Invalid([AccountRules.ConflictError("/role", conflict)]);
        }

        return await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.GrantRole, Role = role }, body.Comment, cancellationToken);
    }

    private static void CheckComment(string? comment, List<ApiError> errors)
    {
        if (comment is { Length: > 2000 })
        {
            errors.Add(ApiError.At("/comment", "length", "A comment has at most 2,000 characters."));
        }
    }

    private static async Task<ProposalAnswer> AddProposalAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, Account account, AccountChange change, string? comment, CancellationToken cancellationToken)
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
    private static async Task<(Account? Account, string? Comment, NotFoundProblem? Unknown, BodyProblem? Unreadable)> ReadTargetAsync(
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

    private static async Task<ProposalAnswer> ProposeCredentialAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var (account, comment, unknown, unreadable) = await ReadTargetAsync(context, db, userName, cancellationToken);
        if (account is null || unreadable is not null)
        {
            return unknown is not null ? unknown : unreadable!;
        }

        return await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.ReissueCredential }, comment, cancellationToken);
    }

    private static async Task<ProposalAnswer> ProposeAuthenticatorResetAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var (account, comment, unknown, unreadable) = await ReadTargetAsync(context, db, userName, cancellationToken);
        if (account is null || unreadable is not null)
        {
            return unknown is not null ? unknown : unreadable!;
        }

        return account.Kind != AccountKind.Person
            ? ApiProblems.Conflict("Not a person", "A service account has no authenticator.")
            : await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.ResetAuthenticator }, comment, cancellationToken);
    }

    private static async Task<ProposalAnswer> ProposeEmailAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var account = await FindAsync(context, db, userName, cancellationToken);
        if (account is null)
        {
            return UnknownAccount(context, userName);
        }

        var (body, problem) = await JsonBody.ReadAsync<NewEmail>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ApiError>();
        if (AccountRules.CheckEmail(body!.Email) is { } bad)
        {
            errors.Add(ApiError.At("/email", "email", bad));
        }

        CheckComment(body.Comment, errors);
        return errors.Count > 0
            ? ApiProblems.Invalid(errors)
            : await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.ChangeEmail, Email = body.Email }, body.Comment, cancellationToken);
    }

    private static async Task<Results<Ok<RoleRevoked>, NotFoundProblem, BodyProblem>> RevokeRoleAsync(
        HttpContext context, OneGoDbContext db, UserManager<Account> users, AccountRoles held, TimeProvider clock, string userName, string role, CancellationToken cancellationToken)
    {
        var (account, comment, unknown, unreadable) = await ReadTargetAsync(context, db, userName, cancellationToken);
        if (account is null || unreadable is not null)
        {
            return unknown is not null ? unknown : unreadable!;
        }

        var grants = await db.Set<AccountChange>().Where(c => c.AccountId == account!.Id && c.Kind == AccountChangeKind.GrantRole && c.Role == role
            && c.State == AccountChangeState.Approved).ToListAsync(cancellationToken);
        if (grants.Count == 0)
        {
            return ApiProblems.NotFound("No such role", $"{account!.Name} does not hold the role '{role}'.");
        }

        foreach (var grant in grants)
        {
            grant.State = AccountChangeState.Revoked;
            grant.DecidedBy = context.Actor();
            grant.DecidedAt = clock.Now();
            grant.Revision++;
        }

        await users.UpdateSecurityStampAsync(account!);
        db.Audit(new AuditEvent(context.Actor(), "account.role-revoke", $"account/{account!.Name}", new { role }, comment));
        await db.SaveChangesAsync(cancellationToken);
        var revoked = await held.RevokeTokensAsync(account, cancellationToken);
        return TypedResults.Ok(new RoleRevoked(account.Name, role, revoked));
    }

    private static async Task<Results<Ok<AccountDisabled>, NotFoundProblem, BodyProblem>> DisableAsync(
        HttpContext context, OneGoDbContext db, UserManager<Account> users, AccountRoles held, string userName, CancellationToken cancellationToken)
    {
        var (account, comment, unknown, unreadable) = await ReadTargetAsync(context, db, userName, cancellationToken);
        if (account is null || unreadable is not null)
        {
            return unknown is not null ? unknown : unreadable!;
        }

        if (!account.Disabled)
        {
            account.Disabled = true;
            await users.UpdateSecurityStampAsync(account);
            db.Audit(new AuditEvent(context.Actor(), "account.disable", $"account/{account.Name}", JsonChanges.Between<object>(new { disabled = false }, new { disabled = true }), comment));
            await db.SaveChangesAsync(cancellationToken);
        }

        // By the account's immutable subject: the tokens of this account, and no other account's of the same name elsewhere.
        var revoked = await held.RevokeTokensAsync(account, cancellationToken);
        return TypedResults.Ok(new AccountDisabled(account.Name, true, revoked));
    }

    private static async Task<Results<Ok<Page<ChangeView>>, InvalidProblem>> ListChangesAsync(
        OneGoDbContext db,
        [System.ComponentModel.Description("proposed (the approving admin's inbox), approved, refused or revoked; all when absent.")] string? state,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        AccountChangeState? wanted = null;
        if (state is not null)
        {
            if (Enum.TryParse<AccountChangeState>(state, ignoreCase: true, out var parsed) && !int.TryParse(state, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add(ApiError.ForParameter("state", "enum", $"state is one of proposed, approved, refused, revoked; it was '{state}'."));
            }
        }

        long? after = null;
        if (paging.After is { } raw)
        {
            if (long.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                after = id;
            }
            else
            {
                errors.Add(ApiError.ForParameter("cursor", "cursor", "cursor is not one this server handed out; pass the 'next' value of the previous page unchanged."));
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var query = db.Set<AccountChange>().AsNoTracking();
        if (wanted is not null)
        {
            query = query.Where(c => c.State == wanted);
        }

        if (after is not null)
        {
            query = query.Where(c => c.Id > after);
        }

        var rows = await query.OrderBy(c => c.Id).Take(paging.Limit + 1).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.AccountId).Distinct().ToList();
        var names = await db.Set<Account>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
        var items = rows.Select(r => Change(r, names.GetValueOrDefault(r.AccountId, r.AccountId.ToString())));
        return TypedResults.Ok(paging.Take(items, c => c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// The change to decide: proposed (409 otherwise), and decided by someone other than who proposed it and other
    /// than the account itself (403, four eyes: even an admin cannot approve their own proposal or their own account).
    /// </summary>
    private static async Task<(AccountChange? Change, Account? Account, DecisionProblem? Answer)> BeginDecisionAsync(HttpContext context, OneGoDbContext db, long id, CancellationToken cancellationToken)
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

    private static async Task<Results<Ok<ChangeView>, DecisionProblem, BodyProblem, InvalidProblem>> RefuseAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        var (change, account, answer) = await BeginDecisionAsync(context, db, id, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        var (note, problem) = await JsonBody.ReadAsync<Note>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ApiError>();
        if (string.IsNullOrWhiteSpace(note!.Comment))
        {
            errors.Add(ApiError.At("/comment", "required", "Say why: the proposing admin reads the reason."));
        }

        CheckComment(note.Comment, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        change!.State = AccountChangeState.Refused;
        change.DecidedBy = context.Actor();
        change.DecidedAt = clock.Now();
        change.Comment = note.Comment;
        change.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "account.change-refuse", $"account/{account!.Name}", new { change = change.Id, kind = change.Kind, role = change.Role }, note.Comment));
        return await SaveDecisionAsync(db, cancellationToken) is { } lost ? lost : TypedResults.Ok(Change(change, account.Name));
    }

    /// <summary>Saves a decision; null, or the 409 when another admin decided the same change at the same moment.</summary>
    private static async Task<DecisionProblem?> SaveDecisionAsync(OneGoDbContext db, CancellationToken cancellationToken)
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

    private static async Task<Results<Ok<ChangeView>, DecisionProblem, BodyProblem>> ApproveAsync(
        HttpContext context, OneGoDbContext db, UserManager<Account> users, Credentials credentials, AccountRoles held, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        var (change, account, answer) = await BeginDecisionAsync(context, db, id, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        string? comment = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var (note, problem) = await JsonBody.ReadAsync<Note>(context.Request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            comment = note!.Comment;
        }

        var origin = Origin(context);
        var revokeTokens = false;
        switch (change!.Kind)
        {
            case AccountChangeKind.GrantRole:
                var roles = await held.HeldAsync(account!, cancellationToken);
                if (AccountRules.Conflict([.. roles, change.Role!]) is { } conflict)
                {
                    return new DecisionProblem(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Separation of duties",
                        detail: $"{account!.Name} now holds '{conflict.Held}', which cannot be held together with '{conflict.Asked}'."));
                }

                // The first role of an account without a credential sends one; a later role changes what its tokens carry.
                if (account!.Kind == AccountKind.Person && account.PasswordHash is null && roles.Count == 0)
                {
                    await credentials.IssueLinkAsync(account, origin, cancellationToken);
                }
                else if (account.Kind == AccountKind.Service && roles.Count == 0)
                {
                    await BeginTransactionAsync(db, cancellationToken);
                    await credentials.IssueSecretAsync(account, cancellationToken);
                }

                revokeTokens = roles.Count > 0;
                break;

            case AccountChangeKind.ReissueCredential:
                if (account!.Kind == AccountKind.Person)
                {
                    await credentials.IssueLinkAsync(account, origin, cancellationToken);
                }
                else
                {
                    await BeginTransactionAsync(db, cancellationToken);
                    await credentials.IssueSecretAsync(account, cancellationToken);
                }

                credentials.Notify(account, account.Email!, $"已按两位管理员的决定重新发出凭据（{change.ProposedBy}、{context.Actor()}）。 A new credential was issued, as two admins decided ({change.ProposedBy}, {context.Actor()}).");
                revokeTokens = true;
                break;

            case AccountChangeKind.ResetAuthenticator:
                // In one update (Identity's store saves nothing itself): key and recovery codes gone, the person enrols again at the next sign-in.
                var tokens = (IUserAuthenticationTokenStore<Account>)context.RequestServices.GetRequiredService<IUserStore<Account>>();
                await tokens.RemoveTokenAsync(account!, "[AspNetUserStore]", "AuthenticatorKey", cancellationToken);
                await tokens.RemoveTokenAsync(account!, "[AspNetUserStore]", "RecoveryCodes", cancellationToken);
                account!.TwoFactorEnabled = false;
                await users.UpdateSecurityStampAsync(account);
                credentials.Notify(account!, account!.Email!, $"身份验证器已重置，下次登录时请重新设置（{change.ProposedBy}、{context.Actor()}）。 Your authenticator was reset: set it up again at your next sign-in ({change.ProposedBy}, {context.Actor()}).");
                revokeTokens = true;
                break;

            case AccountChangeKind.ChangeEmail:
                var old = account!.Email;
                await users.SetEmailAsync(account, change.Email);
                if (old is not null)
                {
                    credentials.Notify(account, old, $"账号的电子邮件地址已改为 {AccountRules.Mask(change.Email)}（{change.ProposedBy}、{context.Actor()}）。 The account's e-mail address was changed to {AccountRules.Mask(change.Email)} ({change.ProposedBy}, {context.Actor()}).");
                }

                credentials.Notify(account, change.Email!, "这是账号今后使用的电子邮件地址。 This is the account's e-mail address from now on.");
                break;
        }

        change.State = AccountChangeState.Approved;
        change.DecidedBy = context.Actor();
        change.DecidedAt = clock.Now();
        change.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "account.change-approve", $"account/{account!.Name}",
            new { change = change.Id, kind = change.Kind, role = change.Role, email = AccountRules.Mask(change.Email), proposedBy = change.ProposedBy }, comment));
        var lost = await SaveDecisionAsync(db, cancellationToken);
        if (db.Database.CurrentTransaction is { } transaction)
        {
            if (lost is null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }

        if (revokeTokens)
        {
            await held.RevokeTokensAsync(account, cancellationToken);
        }

        return lost is null ? TypedResults.Ok(Change(change, account.Name)) : lost;
    }

    // OpenIddict saves its client on its own: in one transaction with the approval, neither is kept without the other.
    private static async Task BeginTransactionAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            await db.Database.BeginTransactionAsync(cancellationToken);
        }
    }

    /// <summary>Where a mailed link points: <c>Identity:Issuer</c> (the public address behind a load balancer), else this request's origin.</summary>
    private static string Origin(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<IdentitySettings>>().Value.Issuer is { Length: > 0 } issuer
            ? issuer
            : $"{context.Request.Scheme}://{context.Request.Host}";
}
