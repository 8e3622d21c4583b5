using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OpenIddict.Abstractions;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST /api/t/{tenant}/accounts: an admin proposes a person or a service account with its roles; each role waits for a second admin.</summary>
internal static class ProposeAccount
{
    public static async Task<Results<CreatedAt<AccountView>, BodyProblem, InvalidProblem, ConflictProblem>> HandleAsync(
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
        var department = CheckDepartment(context.Tenant(), roles, body.Department, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        if (await NameTakenAsync(db, applications, userName!, cancellationToken))
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
            AccountId = account.Id, Kind = AccountChangeKind.GrantRole, Role = role, Department = role == Roles.Officer ? department : null, State = AccountChangeState.Proposed,
            ProposedBy = context.Actor(), ProposedAt = now, Revision = 1,
        }).ToList();
        db.AddRange(grants);
        db.Audit(new AuditEvent(context.Actor(), "account.propose", $"account/{account.Name}",
            new { userName = account.Name, kind = account.Kind, account.DisplayName, email = AccountRules.Mask(account.Email), proposedRoles = roles, department }));
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
}
