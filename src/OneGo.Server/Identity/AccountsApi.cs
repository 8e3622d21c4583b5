using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OpenIddict.Abstractions;

namespace OneGo.Server.Identity;

/// <summary>
/// An admin's accounts: the people and service accounts of its tenant and of the tenants below it. Disabling one
/// revokes its tokens at once, refresh and access tokens alike.
/// </summary>
internal static class AccountsApi
{
    public sealed record AccountView(string UserName, string Tenant, IReadOnlyList<string> Roles, AccountKind Kind, string? DisplayName, bool Disabled, DateTimeOffset CreatedAt);

    /// <summary>A new account: one or more roles in the route's tenant (a person may hold editor and reviewer; four eyes still applies).</summary>
    public sealed record NewAccount(string? UserName, IReadOnlyList<string?>? Roles, AccountKind? Kind, string? DisplayName, string? Password, string? Secret);

    public static void MapAccountsApi(this WebApplication app)
    {
        var accounts = app.MapGroup("/api/t/{tenant}/accounts").WithTags("Accounts").Requires(Capability.Administer);
        accounts.MapGet("", List).WithName("ListAccounts").WithSummary("The tenant's accounts.");
        accounts.MapPost("", Create).WithName("CreateAccount").WithSummary("Creates a person (with a password) or a service account (with a client secret).");
        accounts.MapPost("/{userName}/disable", Disable).WithName("DisableAccount").WithSummary("Disables the account and revokes its tokens.");
    }

    private static AccountView View(Account a) => new(a.UserName, a.TenantId, a.RoleList, a.Kind, a.DisplayName, a.Disabled, a.CreatedAt);

    private static async Task<IResult> List(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var rows = await db.Set<Account>().AsNoTracking().Where(a => a.TenantId == tenant).OrderBy(a => a.UserName).ThenBy(a => a.Kind).ToListAsync(cancellationToken);
        return Results.Ok(new Page<AccountView>(rows.Select(View).ToList(), null));
    }

    private static async Task<IResult> Create(HttpContext context, OneGoDbContext db, IOpenIddictApplicationManager applications, TimeProvider clock, NewAccount body, CancellationToken cancellationToken)
    {
        var errors = new List<ApiError>();
        if (string.IsNullOrWhiteSpace(body.UserName) || body.UserName.Length > 200)
        {
            errors.Add(ApiError.At("/userName", "required", "A user name is required (at most 200 characters)."));
        }

        if (body.Roles is not { Count: > 0 })
        {
            errors.Add(ApiError.At("/roles", "required", $"At least one role is required: {string.Join(", ", Identity.Roles.All)}."));
        }
        else
        {
            for (var i = 0; i < body.Roles.Count; i++)
            {
                if (body.Roles[i] is not { } role || !Identity.Roles.All.Contains(role))
                {
                    errors.Add(ApiError.At($"/roles/{i}", "enum", $"A role is one of {string.Join(", ", Identity.Roles.All)}; it was '{body.Roles[i]}'."));
                }
                else if (body.Roles.Take(i).Contains(role))
                {
                    errors.Add(ApiError.At($"/roles/{i}", "unique", $"The role '{role}' is named twice."));
                }
            }
        }

        var kind = body.Kind ?? AccountKind.Person;
        var credential = kind == AccountKind.Person ? body.Password : body.Secret;
        if (credential is null || credential.Length < 12)
        {
            errors.Add(ApiError.At(kind == AccountKind.Person ? "/password" : "/secret", "length", "At least 12 characters are required."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        if (await db.Set<Account>().AnyAsync(a => a.UserName == body.UserName && a.Kind == kind, cancellationToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The user name is taken", detail: $"There is already a {kind.ToString().ToLowerInvariant()} account '{body.UserName}'.");
        }

        var account = new Account
        {
            UserName = body.UserName!,
            TenantId = context.Tenant().Id,
            Roles = string.Join(' ', body.Roles!.Order(StringComparer.Ordinal)),
            Kind = kind,
            DisplayName = body.DisplayName,
            CreatedAt = clock.Now(),
            CreatedBy = context.Actor(),
        };
        if (kind == AccountKind.Person)
        {
            account.PasswordHash = new PasswordHasher<Account>().HashPassword(account, credential!);
        }
        else
        {
            await applications.CreateAsync(DemoAccounts.ServiceClient(account.UserName, credential!), cancellationToken);
        }

        db.Add(account);
        db.Audit(new AuditEvent(context.Actor(), "account.create", $"account/{account.UserName}",
            new { account.UserName, roles = account.RoleList, kind = account.Kind, account.DisplayName }));
        await db.SaveChangesAsync(cancellationToken);
        return Results.Created($"/api/t/{account.TenantId}/accounts/{Uri.EscapeDataString(account.UserName)}", View(account));
    }

    private static async Task<IResult> Disable(HttpContext context, OneGoDbContext db, IOpenIddictTokenManager tokens, string userName, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var rows = await db.Set<Account>().Where(a => a.UserName == userName && a.TenantId == tenant).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return ApiProblems.NotFound("No such account", $"{tenant} has no account '{userName}'.");
        }

        foreach (var row in rows)
        {
            row.Disabled = true;
        }

        db.Audit(new AuditEvent(context.Actor(), "account.disable", $"account/{userName}", JsonChanges.Between<object>(new { disabled = false }, new { disabled = true })));
        await db.SaveChangesAsync(cancellationToken);
        var revoked = 0L;
        await foreach (var token in tokens.FindBySubjectAsync(userName, cancellationToken))
        {
            if (await tokens.TryRevokeAsync(token, cancellationToken))
            {
                revoked++;
            }
        }

        return Results.Ok(new { userName, disabled = true, revokedTokens = revoked });
    }
}
