using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Features.Zone.Cpsv;
using Tenants = OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// The national service zone as its readers see it: citizens and the national platform search it across regions;
/// integrations with <c>zone.read</c> follow its feed in commit order by cursor and read one publication.
/// </summary>
internal static class ZoneApi
{
    /// <summary>A publication as the feed and the push deliver it: immutable.</summary>
    /// <param name="Id">Its stable id; also the push's Idempotency-Key.</param>
    /// <param name="Sequence">Its place in the zone's feed, in the order the publishing transactions committed.</param>
    /// <param name="Tenant">The region that published it.</param>
    /// <param name="Bundle">The bundle's code.</param>
    /// <param name="Version">The version published, or for a withdrawal the version withdrawn.</param>
    /// <param name="Kind">What a publication announces: a new approved version, or that the bundle was withdrawn.</param>
    /// <param name="ETag">The strong ETag of the version's effective content (as the live bundle route serves it); absent for a withdrawal.</param>
    /// <param name="PublishedAt">When the publishing run committed it.</param>
    /// <param name="Summary">The bundle's summary, as the zone's search shows it.</param>
    /// <param name="Content">The version's effective content; absent for a withdrawal.</param>
    public sealed record PublicationView(
        string Id, long Sequence, string Tenant, string Bundle, int Version, PublicationKind Kind, string? ETag, DateTimeOffset PublishedAt,
        [property: SchemaOf(typeof(BundleSummary))] JsonNode? Summary, [property: SchemaOf(typeof(EffectiveBundle))] JsonNode? Content);

    /// <summary>A page of the feed.</summary>
    /// <param name="Items">The publications after the cursor, in commit order.</param>
    /// <param name="Next">Where to resume: after the last item, or where the reader already was when there was nothing new. Always present.</param>
    /// <param name="More">Whether more publications follow now; when false, ask again later with 'next'.</param>
    public sealed record FeedPage(IReadOnlyList<PublicationView> Items, string Next, bool More);

    /// <summary>A live bundle in the national zone: the region's latest publication of it.</summary>
    /// <param name="Publication">The id of the publication it comes from.</param>
    public sealed record ZoneBundleItem(string Tenant, string Code, int Version, string Publication, DateTimeOffset PublishedAt, [property: SchemaOf(typeof(BundleSummary))] JsonNode Summary);

    public static IEndpointRouteBuilder MapZoneApi(this IEndpointRouteBuilder app)
    {
        var zone = app.MapGroup("/api/zone").WithTags("Zone");
        zone.MapGet("/bundles", SearchAsync).WithName("searchZone")
            .WithSummary("Live bundles in the national zone across regions: region (a tenant id or code: it and everything below), audience, theme, q.");
        zone.MapGet("/feed", FeedAsync).WithName("readZoneFeed")
            .WithSummary("Publications in commit order after the cursor; never skips one. Resume from 'next'.")
            .Requires(Capability.ReadZone);
        zone.MapGet("/publications/{id}", PublicationAsync).WithName("getPublication")
            .WithSummary("One publication, immutable; with Accept: application/ld+json, the bundle it publishes in CPSV-AP 3.2.0.")
            .Produces<PublicationView>(StatusCodes.Status200OK, CpsvApi.Json)
            .ProducesAlso<CpsvDocument>(StatusCodes.Status200OK, CpsvApi.JsonLd)
            .Produces(StatusCodes.Status304NotModified)
            .WithMetadata(
                new DeclaredHeader(StatusCodes.Status200OK, "ETag", "The strong ETag of the form sent (JSON or JSON-LD): the hash of its bytes."),
                new DeclaredHeader(StatusCodes.Status200OK, "Cache-Control", $"'{Conditional<PublicationView>.Immutable}': a publication never changes."),
                new DeclaredHeader(StatusCodes.Status200OK, "Vary", "'Accept': JSON and JSON-LD are two forms of one publication.", Required: false),
                new DeclaredHeader(StatusCodes.Status304NotModified, "ETag", "The ETag If-None-Match named: the reader's copy is current."),
                new DeclaredHeader(StatusCodes.Status304NotModified, "Cache-Control", $"'{Conditional<PublicationView>.Immutable}'."))
            .DeclaresProblem(StatusCodes.Status404NotFound, "The zone has no publication with that id.")
            .DeclaresProblem(StatusCodes.Status406NotAcceptable, "Accept allows neither JSON nor, for a version, JSON-LD; a withdrawal has no JSON-LD form.")
            .Requires(Capability.ReadZone);
        zone.MapCpsvApi();
        return app;
    }

    public static PublicationView View(Publication p, bool withContent = true) => new(
        p.PublicId, p.Sequence, p.TenantId, p.BundleCode, p.Version, p.Kind, p.ETag, p.PublishedAt,
        JsonNode.Parse(p.Summary), withContent && p.Effective is not null ? JsonNode.Parse(p.Effective) : null);

    private static async Task<Results<OkDocument<FeedPage>, InvalidProblem>> FeedAsync(OneGoDbContext db, CurrentTenant tenants, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        long after = 0;
        if (paging.After is { } raw && !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            errors.Add(ApiError.ForParameter("cursor", "cursor", "cursor is not one this server handed out; pass the 'next' value of the previous page unchanged."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // The zone is every region's: the feed reads from national down.
        using var scope = tenants.EnterReadingBelow(RegionRules.NationalId);
        var rows = await db.Set<Publication>().AsNoTracking().Where(p => p.Sequence > after).OrderBy(p => p.Sequence)
            .Take(paging.Limit + 1).ToListAsync(cancellationToken);
        var more = rows.Count > paging.Limit;
        if (more)
        {
            rows.RemoveAt(paging.Limit);
        }

        var next = Paging.Encode((rows.Count > 0 ? rows[^1].Sequence : after).ToString(CultureInfo.InvariantCulture));
        return new OkDocument<FeedPage>(new FeedPage(rows.Select(r => View(r)).ToList(), next, more));
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> PublicationAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, string id, CancellationToken cancellationToken)
    {
        Publication? publication;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            publication = await db.Set<Publication>().AsNoTracking().SingleOrDefaultAsync(p => p.PublicId == id, cancellationToken);
        }

        if (publication is null)
        {
            return ApiProblems.NotFound("No such publication", $"The zone has no publication '{id}'.").Problem;
        }

        context.Response.Headers.Vary = "Accept";
        var media = ContentNegotiation.Choose(context.Request, CpsvApi.Json, CpsvApi.JsonLd);
        var bytes = media switch
        {
            CpsvApi.Json => JsonSerializer.SerializeToUtf8Bytes(View(publication), CatalogueJson.Options),
            CpsvApi.JsonLd => await CpsvApi.DescribeAsync(context, directory, publication, cancellationToken),
            _ => null,
        };
        if (bytes is null)
        {
            // A withdrawal describes no service: it has no CPSV-AP form.
            return media is null || publication.Kind == PublicationKind.Withdrawal
                ? CpsvApi.NotAcceptable(publication.Kind == PublicationKind.Withdrawal ? [CpsvApi.Json] : [CpsvApi.Json, CpsvApi.JsonLd])
                : throw new InvalidOperationException("A publication of a version without content.");
        }

        // A publication never changes; each form of it has its own ETag, the hash of its bytes.
        var etag = Preconditions.ETagOf(bytes);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = Conditional<PublicationView>.Immutable;
        return Preconditions.NotModified(context.Request, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(bytes, media == CpsvApi.JsonLd ? CpsvApi.JsonLd : "application/json; charset=utf-8");
    }

    private static async Task<Results<OkDocument<Page<ZoneBundleItem>>, InvalidProblem>> SearchAsync(
        OneGoDbContext db,
        CurrentTenant tenants,
        RegionDirectory directory,
        [System.ComponentModel.Description("A region's id or division code: that region and every region below it.")] string? region,
        [System.ComponentModel.Description("personal or enterprise.")] string? audience,
        [System.ComponentModel.Description("A life-cycle theme.")] string? theme,
        [System.ComponentModel.Description("Text within the bundle's name (Chinese or English) or keywords.")] string? q,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        Tenants.RegionInfo? root = null;
        if (!string.IsNullOrEmpty(region) && (root = await directory.ResolveAsync(region, cancellationToken)) is null)
        {
            errors.Add(ApiError.ForParameter("region", "unknown-tenant", $"No region has the id or division code '{region}'."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var (items, next) = await ZoneSearch.FindAsync(db, tenants, new ZoneSearch.Filter(root, audience, theme, q), paging, cancellationToken);
        return new OkDocument<Page<ZoneBundleItem>>(new Page<ZoneBundleItem>(items, next));
    }
}
