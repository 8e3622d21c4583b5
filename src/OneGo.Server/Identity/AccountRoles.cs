using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Tenancy;
using OpenIddict.Abstractions;

namespace OneGo.Server.Identity;

/// <summary>What an account holds now, read where tokens are issued and sign-in decides on a second factor.</summary>
public sealed class AccountRoles(OneGoDbContext db, CurrentTenant tenants, IOpenIddictTokenManager tokens)
{
    /// <summary>The roles the account holds: its approved grants that were not revoked, in its own tenant.</summary>
    public async Task<List<string>> HeldAsync(Account account, CancellationToken cancellationToken)
    {
        if (account.TenantId is null)
        {
            // An applicant holds no role: roles are granted in a tenant, and an applicant is bound to none.
            return [];
        }

        // Grants are owned by the account's tenant: read them in its scope, as any tenant-owned row.
        using (tenants.Enter(account.TenantId))
        {
            return await db.Set<AccountChange>().AsNoTracking()
                .Where(c => c.AccountId == account.Id && c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved)
                .Select(c => c.Role!).Distinct().OrderBy(r => r).ToListAsync(cancellationToken);
        }
    }

    /// <summary>The department an officer's approved grant binds the account to; null when it holds no officer role.</summary>
    public async Task<string?> DepartmentAsync(Account account, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        if (!roles.Contains(Roles.Officer) || account.TenantId is null)
        {
            return null;
        }

        using (tenants.Enter(account.TenantId))
        {
            return await db.Set<AccountChange>().AsNoTracking()
                .Where(c => c.AccountId == account.Id && c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved && c.Role == Roles.Officer)
                .Select(c => c.Department).FirstOrDefaultAsync(cancellationToken);
        }
    }

    /// <summary>Whether an officer's department is its own region's comprehensive window (综窗).</summary>
    public Task<bool> AtWindowAsync(Account account, string? department, CancellationToken cancellationToken) =>
        department is null || account.TenantId is null
            ? Task.FromResult(false)
            : db.Departments.AsNoTracking().AnyAsync(d => d.RegionId == account.TenantId && d.Code == department && d.Kind == OneGo.Catalogue.DepartmentKind.Window, cancellationToken);

    /// <summary>Every account whose held roles break the separation of duties, with those roles.</summary>
    public async Task<List<(Account Account, List<string> Roles)>> BreakingSeparationOfDutiesAsync(CancellationToken cancellationToken)
    {
        List<AccountChange> grants;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            grants = await db.Set<AccountChange>().AsNoTracking()
                .Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved).ToListAsync(cancellationToken);
        }

        var broken = grants.GroupBy(g => g.AccountId)
            .Select(g => (Id: g.Key, Roles: g.Select(c => c.Role!).Distinct().Order(StringComparer.Ordinal).ToList()))
            .Where(g => AccountRules.Conflict(g.Roles) is not null).ToList();
        var ids = broken.Select(b => b.Id).ToList();
        var accounts = await db.Set<Account>().AsNoTracking().Where(a => ids.Contains(a.Id) && !a.Disabled).ToDictionaryAsync(a => a.Id, cancellationToken);
        return [.. broken.Where(b => accounts.ContainsKey(b.Id)).Select(b => (accounts[b.Id], b.Roles))];
    }

    /// <summary>The user names of national's enabled admins who are people and not demo accounts.</summary>
    public async Task<List<string>> NationalAdminsAsync(CancellationToken cancellationToken)
    {
        List<Guid> ids;
        using (tenants.Enter(RegionRules.NationalId))
        {
            ids = await db.Set<AccountChange>().AsNoTracking()
                .Where(c => c.Kind == AccountChangeKind.GrantRole && c.Role == Roles.Admin && c.State == AccountChangeState.Approved)
                .Select(c => c.AccountId).ToListAsync(cancellationToken);
        }

        return await db.Set<Account>().AsNoTracking()
            .Where(a => ids.Contains(a.Id) && a.Kind == AccountKind.Person && !a.Disabled && a.CreatedBy != DemoAccounts.CreatedBy)
            .Select(a => a.UserName!).ToListAsync(cancellationToken);
    }

    /// <summary>Whether a person holding these roles signs in with a second factor.</summary>
    public static bool NeedSecondFactor(IEnumerable<string> roles) => roles.Any(Roles.NeedSecondFactor.Contains);

    /// <summary>
    /// Revokes every token issued to the account — access and refresh, in every tenant — by its immutable subject,
    /// so a disabled account or a revoked role stops working at once.
    /// </summary>
    public async Task<long> RevokeTokensAsync(Account account, CancellationToken cancellationToken)
    {
        var revoked = 0L;
        await foreach (var token in tokens.FindBySubjectAsync(account.Id.ToString(), cancellationToken))
        {
            if (await tokens.TryRevokeAsync(token, cancellationToken))
            {
                revoked++;
            }
        }

        return revoked;
    }
}
