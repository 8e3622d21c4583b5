using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// The national basic catalogue (国家政务服务事项基本目录) as the national tenant's live matters hold it, and the checks a
/// matter's working copy gets against it through the API: its national codes held to its region, its claim (认领) of a
/// national matter, a national basic code named once, a claimed one kept, and an implementation code used once in a
/// region. The <c>tenants/</c> files get the same checks from <c>TenantFiles.ContentFiles</c>.
/// </summary>
internal static class NationalCatalogue
{
    /// <summary>The region that owns a matter, as its national codes are held to it.</summary>
    public static MatterRegion RegionOf(RegionInfo region) => new($"{region.Name} ({region.Id})", region.DivisionCode);

    /// <summary>
    /// Every check of a matter document saved by an editor of <paramref name="region"/>, pointers relative to the document.
    /// The claim is looked up among national's live matters, read in national's scope.
    /// </summary>
    public static async Task<IReadOnlyList<CatalogueError>> ValidateAsync(
        OneGoDbContext db, CurrentTenant tenants, RegionInfo region, Matter matter, CancellationToken cancellationToken)
    {
        var errors = CatalogueValidator.ValidateMatter(matter, RegionOf(region)).ToList();
        if (errors.Any(e => e.Pointer is "/basicCode" or "/implementationCode"))
        {
            return errors;
        }

        if (matter.BasicCode is { } basicCode)
        {
            var holders = await NationalHoldersAsync(db, tenants, basicCode, cancellationToken);
            if (region.Id == RegionRules.NationalId)
            {
                if (holders.FirstOrDefault(h => h.Code != matter.Code) is { } twin)
                {
                    errors.Add(new("/basicCode", ErrorRule.DuplicateBasicCode,
                        $"The basic code '{basicCode}' is already the national matter '{twin.Code}''s. A basic code names one matter of the national basic catalogue."));
                }
            }
            else
            {
                var claimed = holders.FirstOrDefault() is { } holder ? new BasicCatalogueEntry(basicCode, holder.Code, holder.Illustrative) : null;
                errors.AddRange(CatalogueValidator.ValidateClaim(matter, claimed));
            }
        }

        if (region.Id == RegionRules.NationalId)
        {
            errors.AddRange(await CheckClaimedCodeKeptAsync(db, tenants, matter, cancellationToken));
        }

        if (matter.ImplementationCode is { } implementation
            && await db.Set<MatterRecord>().AsNoTracking().Where(m => m.ImplementationCode == implementation && m.Code != matter.Code)
                .Select(m => m.Code).FirstOrDefaultAsync(cancellationToken) is { } other)
        {
            errors.Add(new("/implementationCode", ErrorRule.DuplicateImplementationCode,
                $"The implementation code '{implementation}' is already the matter '{other}''s. An implementation code names one implementation in a region."));
        }

        return errors;
    }

    private sealed record Holder(string Code, bool Illustrative);

    /// <summary>National's live matters with this basic code, read in national's scope (the basic catalogue is national's).</summary>
    private static async Task<List<Holder>> NationalHoldersAsync(OneGoDbContext db, CurrentTenant tenants, string basicCode, CancellationToken cancellationToken)
    {
        List<(string Code, string Document)> rows;
        using (tenants.Enter(RegionRules.NationalId))
        {
            rows = (await db.Set<MatterRecord>().AsNoTracking()
                    .Where(m => m.BasicCode == basicCode && m.LiveRevision != null)
                    .OrderBy(m => m.Code)
                    .Select(m => new { m.Code, m.Document })
                    .ToListAsync(cancellationToken))
                .Select(r => (r.Code, r.Document!)).ToList();
        }

        return rows.Select(r => new Holder(r.Code, JsonSerializer.Deserialize<Matter>(r.Document, CatalogueJson.Options)!.IllustrativeCodes)).ToList();
    }

    /// <summary>
    /// A national matter keeps a basic code that regions claim: changing it would leave their claims naming nothing. The
    /// claims are the live matters of every region below national that name the live basic code.
    /// </summary>
    private static async Task<IReadOnlyList<CatalogueError>> CheckClaimedCodeKeptAsync(OneGoDbContext db, CurrentTenant tenants, Matter matter, CancellationToken cancellationToken)
    {
        var live = await db.Set<MatterRecord>().AsNoTracking().Where(m => m.Code == matter.Code && m.LiveRevision != null)
            .Select(m => m.BasicCode).FirstOrDefaultAsync(cancellationToken);
        if (live is null || live == matter.BasicCode)
        {
            return [];
        }

        List<string> claimants;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            claimants = await db.Set<MatterRecord>().AsNoTracking()
                .Where(m => m.BasicCode == live && m.TenantId != RegionRules.NationalId && m.LiveRevision != null)
                .OrderBy(m => m.TenantId).ThenBy(m => m.Code)
                .Select(m => m.TenantId + "/" + m.Code).Take(6).ToListAsync(cancellationToken);
        }

        return claimants.Count == 0
            ? []
            : [new("/basicCode", ErrorRule.ClaimedBasicCode,
                $"The basic code '{live}' is claimed by {string.Join(", ", claimants.Take(5))}{(claimants.Count > 5 ? " and more" : "")}; it stays while they claim it. Give a new basic code to a new national matter instead.")];
    }
}
