using System.Linq.Expressions;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// The national zone's search, one query for its two readers: <c>GET /api/zone/bundles</c> and the citizens' home
/// page. What is in the zone is what was published: each region's live bundles as its last run put them there.
/// </summary>
internal static class ZoneSearch
{
    /// <summary>In <see cref="Root"/> and below (everywhere when null), of an audience and a theme, whose name or keywords contain <see cref="Text"/>.</summary>
    public sealed record Filter(RegionInfo? Root, string? Audience = null, string? Theme = null, string? Text = null);

    public static async Task<(List<ZoneApi.ZoneBundleItem> Items, string? Next)> FindAsync(
        OneGoDbContext db, CurrentTenant tenants, Filter filter, Paging paging, CancellationToken cancellationToken)
    {
        var (rows, next) = await PageAsync(db, tenants, filter, paging,
            e => new { e.TenantId, e.BundleCode, e.Version, e.PublicationPublicId, e.PublishedAt, e.Summary }, r => r.TenantId + "/" + r.BundleCode, cancellationToken);
        return (rows.Select(r => new ZoneApi.ZoneBundleItem(r.TenantId, r.BundleCode, r.Version, r.PublicationPublicId, r.PublishedAt, JsonNode.Parse(r.Summary)!)).ToList(), next);
    }

    /// <summary>A live bundle in the zone with the effective content its publication carries.</summary>
    public sealed record Published(string TenantId, string BundleCode, int Version, string Publication, byte[] Effective);

    /// <summary>The same search and paging as <see cref="FindAsync"/>, with each bundle's published content (the CPSV-AP export).</summary>
    public static Task<(List<Published> Items, string? Next)> PublishedAsync(
        OneGoDbContext db, CurrentTenant tenants, Filter filter, Paging paging, CancellationToken cancellationToken) =>
        PageAsync(db, tenants, filter, paging,
            e => new Published(e.TenantId, e.BundleCode, e.Version, e.PublicationPublicId, e.Publication!.Effective!), r => r.TenantId + "/" + r.BundleCode, cancellationToken);

    private static async Task<(List<T> Items, string? Next)> PageAsync<T>(
        OneGoDbContext db, CurrentTenant tenants, Filter filter, Paging paging, Expression<Func<ZoneEntry, T>> select, Func<T, string> key,
        CancellationToken cancellationToken)
    {
        // Anyone may search the zone: a public scope over every region, reading live (published) content only.
        using var scope = tenants.EnterPublic(RegionRules.NationalId, readsBelow: true);
        var query = db.Set<ZoneEntry>().AsNoTracking().Where(e => !e.Withdrawn);
        if (filter.Root is { } root && root.Id != RegionRules.NationalId)
        {
            var below = root.Id + ".";
            query = query.Where(e => e.TenantId == root.Id || e.TenantId.StartsWith(below));
        }

        if (!string.IsNullOrEmpty(filter.Audience))
        {
            query = query.Where(e => e.Audience == filter.Audience);
        }

        if (!string.IsNullOrEmpty(filter.Theme))
        {
            query = query.Where(e => e.Theme == filter.Theme);
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var text = filter.Text.Trim().ToLowerInvariant();
            query = query.Where(e => e.SearchText != null && e.SearchText.Contains(text));
        }

        // Keyed by tenant and code: the cursor is "tenant/code" of the last item.
        if (paging.After is { } after && after.Split('/') is [var afterTenant, var afterCode])
        {
            query = query.Where(e => string.Compare(e.TenantId, afterTenant) > 0 || (e.TenantId == afterTenant && string.Compare(e.BundleCode, afterCode) > 0));
        }

        var rows = await query.OrderBy(e => e.TenantId).ThenBy(e => e.BundleCode).Take(paging.Limit + 1).Select(select).ToListAsync(cancellationToken);
        // The database orders and compares (its collation); the page is cut here without comparing again.
        string? next = null;
        if (rows.Count > paging.Limit)
        {
            rows.RemoveAt(paging.Limit);
            next = Paging.Encode(key(rows[^1]));
        }

        return (rows, next);
    }
}
