using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Templates;

/// <summary>
/// GET /api/t/{tenant}/live-standing: where each live bundle stands, in one call — the standard it adopts and how
/// many versions behind it is, and, for those who may read the tenant's drafts, the matters changed since its
/// approval. What the console's home shows a region to act on, without a call per bundle.
/// </summary>
internal static class ListLiveStanding
{
    public static async Task<Results<OkDocument<Page<TemplatesApi.LiveStanding>>, InvalidProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, CurrentTenant tenants, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var after = paging.After ?? "";
        var rows = await db.Set<BundleRecord>().AsNoTracking()
            .Where(b => b.LiveVersion != null && string.Compare(b.Code, after) > 0)
            .OrderBy(b => b.Code)
            .Take(paging.Limit + 1)
            .Join(db.Set<BundleVersion>(), b => new { b.Code, Version = b.LiveVersion!.Value }, v => new { Code = v.BundleCode, v.Version },
                (b, v) => new { b.Code, v.Version, b.AdoptsTenant, b.AdoptsCode, b.AdoptsVersion, v.Summary, v.MatterETags })
            .OrderBy(r => r.Code)
            .ToListAsync(cancellationToken);

        // The latest version of each standard adopted here, read where it is offered: live content, so in the public scope.
        var latest = new Dictionary<(string Tenant, string Code), int>();
        foreach (var offeror in rows.Where(r => r.AdoptsTenant is not null).GroupBy(r => r.AdoptsTenant!))
        {
            var codes = offeror.Select(r => r.AdoptsCode!).Distinct().ToList();
            using (tenants.EnterPublic(offeror.Key))
            {
                foreach (var standard in await db.Set<BundleRecord>().AsNoTracking()
                    .Where(b => b.IsStandard && b.LiveVersion != null && codes.Contains(b.Code))
                    .Select(b => new { b.Code, Live = b.LiveVersion!.Value })
                    .ToListAsync(cancellationToken))
                {
                    latest[(offeror.Key, standard.Code)] = standard.Live;
                }
            }
        }

        // Matters are not public: which changed since approval is told only to those who may read the drafts.
        var tenant = context.Tenant().Id;
        LocalMatters? matters = null;
        if (Capabilities.Allows(context.User, Capability.ReadDrafts, tenant))
        {
            using (tenants.Enter(tenant))
            {
                matters = await catalogue.LocalMattersAsync(cancellationToken);
            }
        }

        var items = rows.Select(r =>
        {
            var summary = JsonSerializer.Deserialize<BundleSummary>(r.Summary, CatalogueJson.Options)!;
            TemplateRef? adopts = r.AdoptsTenant is null ? null : new TemplateRef { Tenant = r.AdoptsTenant, Code = r.AdoptsCode!, Version = r.AdoptsVersion!.Value };
            int? newest = adopts is null ? null : latest.GetValueOrDefault((adopts.Tenant, adopts.Code), adopts.Version);
            var changed = matters is null
                ? null
                : (JsonSerializer.Deserialize<Dictionary<string, string>>(r.MatterETags) ?? [])
                    .Where(m => matters.ETagOf(m.Key) != m.Value).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
            return new TemplatesApi.LiveStanding(r.Code, summary.Name, r.Version, adopts, newest, newest - adopts?.Version ?? 0, changed);
        });
        return new OkDocument<Page<TemplatesApi.LiveStanding>>(paging.Take(items, i => i.Code));
    }
}
