using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/accounts/{userName}/roles: an admin proposes a role for an account; a second admin decides it.</summary>
internal static class ProposeRole
{
    public static async Task<ProposalAnswer> HandleAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
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
        var department = CheckDepartment(context.Tenant(), role is null ? [] : [role], body.Department, errors);
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

        return await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.GrantRole, Role = role, Department = department }, body.Comment, cancellationToken);
    }
}
