using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Pages;

/// <summary>A live bundle found by a search, with the region that offers it.</summary>
internal sealed record SearchHit(RegionInfo Region, BundleSummary Bundle);

/// <summary>What a search found: at most <see cref="BundleSearch.MaxHits"/> hits, and whether there were more.</summary>
internal sealed record SearchResults(IReadOnlyList<SearchHit> Hits, bool More);

/// <summary>
/// The home page's search across regions. Today it asks each region's live bundles in turn, each in that region's
/// public scope, through the query of <c>GET /api/t/{tenant}/bundles</c>. When the national zone's search lands
/// (<c>GET /api/zone/bundles</c>), <see cref="SearchAsync"/> is the one method to switch to it.
/// </summary>
internal sealed class BundleSearch(OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory)
{
    public const int MaxHits = 50;

    /// <summary>Live bundles whose name or keywords contain <paramref name="text"/>, in <paramref name="within"/> and below it (everywhere when null), regions in division-code order.</summary>
    public async Task<SearchResults> SearchAsync(string text, RegionInfo? within, CancellationToken cancellationToken)
    {
        var regions = (await directory.AllAsync(cancellationToken))
            .Where(r => within is null || r.Id == within.Id || RegionRules.IsBelow(r.Id, within.Id))
            .OrderBy(r => r.DivisionCode ?? "", StringComparer.Ordinal)
            .ThenBy(r => r.Id, StringComparer.Ordinal);
        var hits = new List<SearchHit>();
        foreach (var region in regions)
        {
            List<LiveBundleItem> items;
            // Anyone may read what is live, in every region: the public scope, as a page of that region enters it.
            using (tenants.EnterPublic(region.Id))
            {
                items = await BundlesApi.LiveAsync(db, new BundlesApi.LiveFilter(Text: text), "", MaxHits + 1 - hits.Count, cancellationToken);
            }

            hits.AddRange(items.Select(i => new SearchHit(region, i.Summary)));
            if (hits.Count > MaxHits)
            {
                return new SearchResults(hits[..MaxHits], More: true);
            }
        }

        return new SearchResults(hits, More: false);
    }
}
