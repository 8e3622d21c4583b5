using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/accounts/{userName}/disable: one admin disables an account at once; its tokens are revoked.</summary>
internal static class DisableAccount
{
    public static async Task<Results<Ok<AccountDisabled>, NotFoundProblem, BodyProblem>> HandleAsync(
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
}
