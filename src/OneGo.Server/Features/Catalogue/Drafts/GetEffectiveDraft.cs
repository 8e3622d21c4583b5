using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>GET /api/t/{tenant}/bundles/{code}/draft/effective: the working copy resolved through its standard's chain.</summary>
internal static class GetEffectiveDraft
{
    public static async Task<Results<Conditional<EffectiveBundle>, NotFoundProblem, InvalidProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return UnknownBundle(context, code);
        }

        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(BundleDocument.Parse(record.Draft), matters, cancellationToken);
        if (!resolution.IsValid)
        {
            return Invalid(resolution.Errors);
        }

        var bytes = CanonicalJson.Serialize(resolution.Value!);
        return Preconditions.Json<EffectiveBundle>(bytes, CanonicalJson.ETag(bytes));
    }
}
