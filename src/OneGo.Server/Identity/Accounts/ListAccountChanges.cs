using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>GET /api/t/{tenant}/account-changes: the four-eyes account changes; state=proposed is the approving admin's inbox.</summary>
internal static class ListAccountChanges
{
    public static async Task<Results<Ok<Page<ChangeView>>, InvalidProblem>> HandleAsync(
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
}
