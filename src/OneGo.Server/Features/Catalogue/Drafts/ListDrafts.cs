using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>GET /api/t/{tenant}/drafts: the working copies that wait — draft, submitted (the reviewer's inbox), rejected — of bundles and matters, one list.</summary>
internal static class ListDrafts
{
    public static async Task<Results<OkDocument<Page<DraftItem>>, InvalidProblem>> HandleAsync(
        OneGoDbContext db,
        [System.ComponentModel.Description("draft, submitted (the reviewer's inbox) or rejected; all three when absent.")] string? status,
        [System.ComponentModel.Description("bundle or matter; both when absent (bundles first).")] string? kind,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        DraftState? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<DraftState>(status, ignoreCase: true, out var parsed) && parsed != DraftState.Approved && !int.TryParse(status, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add(ApiError.ForParameter("status", "enum", $"status must be one of draft, submitted, rejected; it was '{status}'."));
            }
        }

        if (kind is not (null or Kinds.Bundle or Kinds.Matter))
        {
            errors.Add(ApiError.ForParameter("kind", "enum", $"kind must be bundle or matter; it was '{kind}'."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // One list of both kinds, bundles first, each by code: the cursor remembers "kind/code".
        var (afterKind, afterCode) = paging.After?.Split('/', 2) is [var k, var c] && k is Kinds.Bundle or Kinds.Matter ? (k, c) : (Kinds.Bundle, paging.After ?? "");
        var items = new List<DraftItem>();
        if (kind is null or Kinds.Bundle && afterKind == Kinds.Bundle)
        {
            var query = db.Set<BundleRecord>().AsNoTracking().Where(b => b.DraftState != DraftState.Approved && string.Compare(b.Code, afterCode) > 0);
            if (wanted is not null)
            {
                query = query.Where(b => b.DraftState == wanted);
            }

            items.AddRange(await query.OrderBy(b => b.Code).Take(paging.Limit + 1)
                .Select(b => new DraftItem(Kinds.Bundle, b.Code, b.DraftState, b.Proposal, b.DraftUpdatedAt, b.DraftUpdatedBy, b.SubmittedAt, b.SubmittedBy, b.LiveVersion, b.ReviewComment))
                .ToListAsync(cancellationToken));
        }

        if (kind is null or Kinds.Matter && items.Count <= paging.Limit)
        {
            var after = afterKind == Kinds.Matter ? afterCode : "";
            var query = db.Set<MatterRecord>().AsNoTracking().Where(m => m.DraftState != DraftState.Approved && string.Compare(m.Code, after) > 0);
            if (wanted is not null)
            {
                query = query.Where(m => m.DraftState == wanted);
            }

            items.AddRange(await query.OrderBy(m => m.Code).Take(paging.Limit + 1)
                .Select(m => new DraftItem(Kinds.Matter, m.Code, m.DraftState, ProposalKind.Change, m.DraftUpdatedAt, m.DraftUpdatedBy, m.SubmittedAt, m.SubmittedBy, m.LiveRevision, m.ReviewComment))
                .ToListAsync(cancellationToken));
        }

        return new OkDocument<Page<DraftItem>>(paging.Take(items, i => i.Kind + "/" + i.Code));
    }
}
