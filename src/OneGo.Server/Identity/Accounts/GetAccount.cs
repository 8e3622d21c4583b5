using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>GET /api/t/{tenant}/accounts/{userName}: one account, with the history of its four-eyes changes.</summary>
internal static class GetAccount
{
    public static async Task<Results<Ok<AccountDetail>, NotFoundProblem>> HandleAsync(HttpContext context, OneGoDbContext db, string userName, CancellationToken cancellationToken)
    {
        var account = await FindAsync(context, db, userName, cancellationToken);
        if (account is null)
        {
            return UnknownAccount(context, userName);
        }

        var changes = await db.Set<AccountChange>().AsNoTracking().Where(c => c.AccountId == account.Id).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AccountDetail(View(account, changes), changes.Select(c => Change(c, account.Name)).ToList()));
    }
}
