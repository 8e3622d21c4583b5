using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>GET /api/t/{tenant}/accounts: the tenant's people and service accounts, roles held, grants waiting, addresses masked.</summary>
internal static class ListAccounts
{
    public static async Task<Ok<Page<AccountView>>> HandleAsync(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var rows = await db.Set<Account>().AsNoTracking().Where(a => a.TenantId == tenant).OrderBy(a => a.UserName).ToListAsync(cancellationToken);
        var changes = (await db.Set<AccountChange>().AsNoTracking().Where(c => c.Kind == AccountChangeKind.GrantRole).ToListAsync(cancellationToken)).ToLookup(c => c.AccountId);
        return TypedResults.Ok(new Page<AccountView>(rows.Select(a => View(a, changes[a.Id].ToList())).ToList(), null));
    }
}
