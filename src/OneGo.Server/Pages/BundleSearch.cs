using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using System.Text.Json;
using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Features.Zone;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Pages;

/// <summary>A live bundle found by a search, with the region that offers it.</summary>
public sealed record SearchHit(RegionInfo Region, BundleSummary Bundle);

/// <summary>What a search found: at most <see cref="BundleSearch.MaxHits"/> hits, and whether there were more.</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> Hits, bool More);

/// <summary>
/// The home page's search: the national service zone (<see cref="ZoneSearch"/>, the query of
/// <c>GET /api/zone/bundles</c>) — what each region has published there, in a region and below it or everywhere.
/// </summary>
internal sealed class BundleSearch(OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory)
{
    public const int MaxHits = 50;

    /// <summary>Published bundles whose name or keywords contain <paramref name="text"/>, in <paramref name="within"/> and below it (everywhere when null), by region id then code.</summary>
    public async Task<SearchResults> SearchAsync(string text, RegionInfo? within, CancellationToken cancellationToken)
    {
        var (items, next) = await ZoneSearch.FindAsync(db, tenants, new ZoneSearch.Filter(within, Text: text), new Paging(MaxHits, null), cancellationToken);
        var hits = new List<SearchHit>(items.Count);
        foreach (var item in items)
        {
            if (directory.Cached(item.Tenant) is { } region && item.Summary.Deserialize<BundleSummary>(CatalogueJson.Options) is { } summary)
            {
                hits.Add(new SearchHit(region, summary));
            }
        }

        return new SearchResults(hits, More: next is not null);
    }
}
