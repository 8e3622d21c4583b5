using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>GET /api/t/{tenant}/bundles/{code}/draft: the working copy, with its ETag.</summary>
internal static class GetDraft
{
    public static async Task<Results<Tagged<DraftView>, NotFoundProblem>> HandleAsync(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        return record is null ? UnknownBundle(context, code) : Send(record);
    }
}
