using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/accounts/{userName}/roles/{role}/revoke: one admin revokes a role at once, and the account's tokens with it.</summary>
internal static class RevokeRole
{
    public static async Task<Results<Ok<RoleRevoked>, NotFoundProblem, BodyProblem>> HandleAsync(
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
}
