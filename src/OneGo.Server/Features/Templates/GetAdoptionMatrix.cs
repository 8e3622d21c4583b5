using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Templates;

/// <summary>
/// GET /api/t/{tenant}/adoption-matrix: in one call, the standards the tenant and the regions above it offer — its
/// own first, then its parent's, up to the national ones — each with the live adoptions of the tenants below it: at
/// which version, how far behind, how many local changes. Live content only, so public; what the console's
/// standards page shows, without a call per standard.
/// </summary>
internal static class GetAdoptionMatrix
{
    public static async Task<OkDocument<TemplatesApi.AdoptionMatrix>> HandleAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, CurrentTenant tenants, CancellationToken cancellationToken)
    {
        var region = context.Tenant();
        var offerors = new List<string>();
        for (var current = region; current is not null; current = current.ParentId is null ? null : directory.Cached(current.ParentId))
        {
            offerors.Add(current.Id);
        }

        var standards = new List<(string Offeror, string Code, int Latest, Text Name, List<int> Versions)>();
        foreach (var offeror in offerors)
        {
            using (tenants.EnterPublic(offeror))
            {
                var offered = await db.Set<BundleRecord>().AsNoTracking()
                    .Where(b => b.IsStandard && b.LiveVersion != null)
                    .OrderBy(b => b.Code)
                    .Join(db.Set<BundleVersion>(), b => b.Code, v => v.BundleCode, (b, v) => new { b.Code, Live = b.LiveVersion!.Value, v.Version, Summary = v.Version == b.LiveVersion ? v.Summary : null })
                    .ToListAsync(cancellationToken);
                // Every version's number, and only the live version's summary (its name): a standard's older summaries stay in the database.
                standards.AddRange(offered.GroupBy(s => s.Code).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
                {
                    var live = g.First().Live;
                    var summary = JsonSerializer.Deserialize<BundleSummary>(g.Single(v => v.Version == live).Summary!, CatalogueJson.Options)!;
                    return (offeror, g.Key, live, summary.Name, g.Select(v => v.Version).Order().ToList());
                }));
            }
        }

        // The live rows of the tenants below that adopt any of them, in the public scope: live content only.
        ILookup<(string, string), TemplatesApi.AdoptionItem> adoptions;
        using (tenants.EnterPublic(region.Id, readsBelow: true))
        {
            adoptions = (await db.Set<BundleRecord>().AsNoTracking()
                .Where(b => b.TenantId != region.Id && b.AdoptsTenant != null && offerors.Contains(b.AdoptsTenant) && b.LiveVersion != null)
                .Join(db.Set<BundleVersion>(), b => new { b.TenantId, b.Code, Version = b.LiveVersion!.Value }, v => new { v.TenantId, Code = v.BundleCode, v.Version },
                    (b, v) => new { b.AdoptsTenant, b.AdoptsCode, Item = new TemplatesApi.AdoptionItem(b.TenantId, b.Code, b.LiveVersion!.Value, b.AdoptsVersion!.Value, 0, b.LocalChanges ?? 0, v.ApprovedAt) })
                .ToListAsync(cancellationToken))
                .ToLookup(a => (a.AdoptsTenant!, a.AdoptsCode!), a => a.Item);
        }

        return new OkDocument<TemplatesApi.AdoptionMatrix>(new TemplatesApi.AdoptionMatrix(region.Id, standards.Select(s => new TemplatesApi.MatrixStandard(
            new TemplateRef { Tenant = s.Offeror, Code = s.Code, Version = s.Latest }, s.Name, s.Versions,
            adoptions[(s.Offeror, s.Code)].Select(a => a with { Behind = s.Latest - a.AdoptedVersion }).OrderBy(a => a.Tenant, StringComparer.Ordinal).ToList())).ToList()));
    }
}
