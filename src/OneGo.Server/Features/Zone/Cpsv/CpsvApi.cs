using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone.Cpsv;

/// <summary>
/// A JSON-LD document of the CPSV-AP export: its only context is CPSV-AP 3.2.0's; <c>@graph</c> holds one
/// <c>cpsv:PublicService</c> per bundle (the page's items) with the nodes it refers to embedded; <c>next</c>, when
/// there is more, is the cursor of the next page (paging, not part of the graph).
/// </summary>
public sealed record CpsvDocument(
    [property: JsonPropertyName("@context")] string Context,
    [property: JsonPropertyName("@graph")] IReadOnlyList<JsonObject> Graph,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next = null);

/// <summary>
/// The national zone in CPSV-AP 3.2.0 (the EU's Core Public Service Vocabulary Application Profile), so that what
/// OneGo publishes lines up with catalogues outside it: <c>GET /api/zone/cpsv</c>, public and paged like the zone's
/// search, and a publication read with <c>Accept: application/ld+json</c>.
/// </summary>
internal static class CpsvApi
{
    public const string JsonLd = "application/ld+json";
    public const string Json = "application/json";

    /// <summary>
    /// Declares a second media type of a response, with its own schema: <c>Produces</c> keeps one type per status code,
    /// and a publication is JSON or, asked for, CPSV-AP JSON-LD.
    /// </summary>
    public static RouteHandlerBuilder ProducesAlso<T>(this RouteHandlerBuilder builder, int statusCode, string contentType) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (operation.Responses?.TryGetValue(statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
                && response.Content is { } content)
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
                // By reference, as the generator writes the schemas it finds itself.
                context.Document!.AddComponent(typeof(T).Name, schema);
                content[contentType] = new Microsoft.OpenApi.OpenApiMediaType { Schema = new Microsoft.OpenApi.OpenApiSchemaReference(typeof(T).Name, context.Document) };
            }
        });

    public static RouteGroupBuilder MapCpsvApi(this RouteGroupBuilder zone)
    {
        zone.MapGet("/cpsv", ExportAsync).WithName("exportZoneCpsv")
            .WithSummary("The zone's live bundles as CPSV-AP 3.2.0 JSON-LD: region (a tenant id or code: it and everything below), paged.")
            .WithDescription("Each item of @graph is a cpsv:PublicService with its matters as related services; next is the cursor of the next page. "
                             + "Answers application/ld+json (the default) or, asked for, the same document as application/json.")
            .Produces<CpsvDocument>(StatusCodes.Status200OK, JsonLd, Json)
            .DeclaresProblem(StatusCodes.Status404NotFound, "No region with that id or division code.")
            .DeclaresProblem(StatusCodes.Status406NotAcceptable, "Accept allows neither JSON-LD nor JSON.")
            .DeclaresProblem(StatusCodes.Status422UnprocessableEntity, "limit or cursor is not valid: each error names its parameter.", typeof(Hosting.ValidationProblem));
        return zone;
    }

    private static async Task<Results<JsonHttpResult<CpsvDocument>, ProblemHttpResult>> ExportAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, string? region, int? limit, string? cursor,
        CancellationToken cancellationToken)
    {
        RegionInfo? root = null;
        if (!string.IsNullOrEmpty(region) && (root = await directory.ResolveAsync(region, cancellationToken)) is null)
        {
            return (ProblemHttpResult)ApiProblems.UnknownTenant(region);
        }

        context.Response.Headers.Vary = "Accept";
        if (ContentNegotiation.Choose(context.Request, JsonLd, Json) is not { } media)
        {
            return NotAcceptable(JsonLd, Json);
        }

        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors).Problem;
        }

        var (rows, next) = await ZoneSearch.PublishedAsync(db, tenants, new ZoneSearch.Filter(root), paging, cancellationToken);
        var description = DescriptionFor(context);
        var regions = (await directory.AllAsync(cancellationToken)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var names = new Dictionary<string, DepartmentNames>(StringComparer.Ordinal);
        var graph = new List<JsonObject>(rows.Count);
        foreach (var row in rows)
        {
            if (!names.TryGetValue(row.TenantId, out var departments))
            {
                names[row.TenantId] = departments = await directory.DepartmentNamesAsync(row.TenantId, cancellationToken);
            }

            graph.Add(description.Describe(RegionOf(regions, row.TenantId), Effective(row.Effective), departments));
        }

        return TypedResults.Json(new CpsvDocument(CpsvDescription.Context, graph, next), CatalogueJson.Options, media);
    }

    /// <summary>A publication as a CPSV-AP document of one item; null for a withdrawal, which describes no service.</summary>
    public static async Task<byte[]?> DescribeAsync(HttpContext context, RegionDirectory directory, Publication publication, CancellationToken cancellationToken)
    {
        if (publication.Effective is not { } effective)
        {
            return null;
        }

        var regions = (await directory.AllAsync(cancellationToken)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var item = DescriptionFor(context).Describe(RegionOf(regions, publication.TenantId), Effective(effective),
            await directory.DepartmentNamesAsync(publication.TenantId, cancellationToken));
        return JsonSerializer.SerializeToUtf8Bytes(new CpsvDocument(CpsvDescription.Context, [item], null), CatalogueJson.Options);
    }

    public static ProblemHttpResult NotAcceptable(params string[] offered) => TypedResults.Problem(
        statusCode: StatusCodes.Status406NotAcceptable,
        title: "Not acceptable",
        detail: $"This resource is available as {string.Join(" or ", offered)}; the Accept header allows neither.",
        type: "https://onego.gov.cn/problems/not-acceptable");

    private static CpsvDescription DescriptionFor(HttpContext context)
    {
        var services = context.RequestServices;
        if (services.GetRequiredService<IOptions<ZoneSettings>>().Value.Cpsv.BaseUri is { } configured)
        {
            return new CpsvDescription(new CpsvIris(configured));
        }

        // The deployment's public address when it names one; a node's own origin only where none is required.
        var origin = services.GetRequiredService<IOptions<IdentitySettings>>().Value.Issuer is { Length: > 0 } issuer
            ? issuer.TrimEnd('/')
            : $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        return new CpsvDescription(new CpsvIris(new Uri(origin + "/id/")));
    }

    private static RegionInfo RegionOf(Dictionary<string, RegionInfo> regions, string tenant) =>
        regions.TryGetValue(tenant, out var region) ? region : new RegionInfo(tenant, null, tenant, null, RegionLevel.District, null, []);

    private static EffectiveBundle Effective(byte[] bytes) =>
        JsonSerializer.Deserialize<EffectiveBundle>(bytes, CatalogueJson.Options)
        ?? throw new InvalidOperationException("A publication's effective content is not a bundle.");
}
