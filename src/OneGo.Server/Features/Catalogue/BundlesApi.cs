using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Catalogue;

/// <summary>What is live, for anyone: a tenant's live bundles, one bundle, its guide and its approved versions.</summary>
internal static class BundlesApi
{
    public static IEndpointRouteBuilder MapBundlesApi(this IEndpointRouteBuilder app)
    {
        var bundles = app.MapGroup("/api/t/{tenant}/bundles").WithTags("Bundles");
        bundles.MapGet("", ListLive).WithName("listLiveBundles")
            .WithSummary("The tenant's live bundles (latest approved versions); filters audience, theme, q.");
        bundles.MapGet("/{code}", GetLive).WithName("getLiveBundle")
            .WithSummary("One live bundle's effective content, with a strong ETag; 304 on If-None-Match.");
        bundles.MapPost("/{code}/guide", Guide).WithName("evaluateGuide")
            .WithSummary("The personalised guide for a set of scenario answers.")
            .Accepts<GuideRequest>(MediaTypes.Json);
        bundles.MapGet("/{code}/versions", ListVersions).WithName("listBundleVersions").WithSummary("The bundle's approved versions.");
        bundles.MapGet("/{code}/versions/{version:int}", GetVersion).WithName("getBundleVersion").WithSummary("One approved version's effective content (immutable).");
        return app;
    }

    /// <summary>The answers to a bundle's scenario questions.</summary>
    /// <param name="Answers">Question id → the id of the option chosen.</param>
    public sealed record GuideRequest(Dictionary<string, string>? Answers);

    /// <summary>An approved version of a bundle.</summary>
    /// <param name="Version">Its number: 1, 2 …</param>
    /// <param name="ETag">The strong ETag of its effective content.</param>
    /// <param name="ApprovedAt">When it was approved (or imported).</param>
    /// <param name="ApprovedBy">Who approved (or imported) it.</param>
    /// <param name="Origin">Where it came from: api (reviewed here) or file (a reviewed file of tenants/, imported).</param>
    public sealed record VersionItem(int Version, string ETag, DateTimeOffset ApprovedAt, string? ApprovedBy, string Origin);

    private static async Task<Results<OkDocument<Page<LiveBundleItem>>, InvalidProblem>> ListLive(
        OneGoDbContext db,
        [Description("personal or enterprise.")] string? audience,
        [Description("A life-cycle theme (birth, schooling, employment … for people; establishment, operation, exit for enterprises).")] string? theme,
        [Description("Text within the bundle's name (Chinese or English) or keywords.")] string? q,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        CheckWord<Audience>(errors, "audience", audience);
        CheckWord<LifeTheme>(errors, "theme", theme);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var items = await LiveAsync(db, new LiveFilter(audience, theme, q), paging.After ?? "", paging.Limit + 1, cancellationToken);
        return new OkDocument<Page<LiveBundleItem>>(paging.Take(items, i => i.Summary.Code));
    }

    /// <summary>What the live-bundle list filters by: audience and theme as their camelCase words, and text within name or keywords.</summary>
    internal sealed record LiveFilter(string? Audience = null, string? Theme = null, string? Text = null);

    /// <summary>
    /// The current tenant's live bundles in code order after <paramref name="after"/>, at most <paramref name="take"/>:
    /// the query of <c>GET /api/t/{tenant}/bundles</c>, shared with the citizens' pages so both list the same.
    /// </summary>
    internal static async Task<List<LiveBundleItem>> LiveAsync(OneGoDbContext db, LiveFilter filter, string after, int take, CancellationToken cancellationToken)
    {
        var search = filter.Text?.Trim().ToLowerInvariant();
        var live = db.Set<BundleRecord>().AsNoTracking().Where(b => b.LiveVersion != null && string.Compare(b.Code, after) > 0);
        if (filter.Audience is { } audience)
        {
            live = live.Where(b => b.Audience == audience);
        }

        if (filter.Theme is { } theme)
        {
            live = live.Where(b => b.Theme == theme);
        }

        if (!string.IsNullOrEmpty(search))
        {
            live = live.Where(b => b.SearchText!.Contains(search));
        }

        var rows = await live
            .OrderBy(b => b.Code)
            .Take(take)
            .Join(db.Set<BundleVersion>(), b => new { b.Code, Version = b.LiveVersion!.Value }, v => new { Code = v.BundleCode, v.Version },
                (b, v) => new { b.Code, v.Version, v.ETag, v.ApprovedAt, v.Summary })
            .OrderBy(r => r.Code)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new LiveBundleItem(r.Version, r.ETag, r.ApprovedAt, JsonSerializer.Deserialize<BundleSummary>(r.Summary, CatalogueJson.Options)!)).ToList();
    }

    private static void CheckWord<TEnum>(List<ApiError> errors, string parameter, string? value) where TEnum : struct, Enum
    {
        var words = Enum.GetNames<TEnum>().Select(JsonNamingPolicy.CamelCase.ConvertName).ToArray();
        if (value is not null && !words.Contains(value))
        {
            errors.Add(ApiError.ForParameter(parameter, "enum", $"{parameter} must be one of {string.Join(", ", words)}; it was '{value}'."));
        }
    }

    private static async Task<Results<Conditional<EffectiveBundle>, NotFoundProblem>> GetLive(HttpContext context, LiveBundles live, string code, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var entry = await live.FindAsync(tenant, code, cancellationToken);
        return entry is null
            ? ApiProblems.NotFound("No such live bundle", $"{tenant} has no live bundle '{code}'.")
            : Preconditions.Json<EffectiveBundle>(entry.Bytes, entry.ETag);
    }

    private static async Task<Results<OkDocument<Guide>, NotFoundProblem, BodyProblem, InvalidProblem>> Guide(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, string code, CancellationToken cancellationToken)
    {
        var version = await LiveVersionAsync(db, code, cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound("No such live bundle", $"{context.Tenant().Id} has no live bundle '{code}'.");
        }

        var (request, problem) = await JsonBody.ReadAsync<GuideRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var effective = await catalogue.EffectiveOfAsync(version, cancellationToken);
        var result = GuideEvaluator.Evaluate(effective, request!.Answers ?? []);
        return result.Guide is { } guide
            ? new OkDocument<Guide>(guide)
            : ApiProblems.Invalid(result.Errors.Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList());
    }

    /// <summary>The current tenant's live version of a bundle, or null when it has none; the guide route and the bundle page read it alike.</summary>
    internal static async Task<BundleVersion?> LiveVersionAsync(OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var live = await db.Set<BundleRecord>().AsNoTracking().Where(b => b.Code == code).Select(b => b.LiveVersion).SingleOrDefaultAsync(cancellationToken);
        return live is null
            ? null
            : await db.Set<BundleVersion>().AsNoTracking().SingleAsync(v => v.BundleCode == code && v.Version == live, cancellationToken);
    }

    private static async Task<Results<Ok<Page<VersionItem>>, InvalidProblem, NotFoundProblem>> ListVersions(
        HttpContext context, OneGoDbContext db, string code, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        if (!await db.Set<BundleRecord>().AnyAsync(b => b.Code == code && b.LiveVersion != null, cancellationToken))
        {
            return ApiProblems.NotFound("No such bundle", $"{context.Tenant().Id} has no approved bundle '{code}'.");
        }

        var versions = await db.Set<BundleVersion>().AsNoTracking().Where(v => v.BundleCode == code).OrderBy(v => v.Version)
            .Select(v => new VersionItem(v.Version, v.ETag, v.ApprovedAt, v.ApprovedBy, v.Origin)).ToListAsync(cancellationToken);
        // Versions page by number; the cursor keeps the number zero-padded so that it sorts as text.
        return TypedResults.Ok(paging.Take(versions, v => v.Version.ToString("D9", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<Results<Conditional<EffectiveBundle>, NotFoundProblem>> GetVersion(
        HttpContext context, OneGoDbContext db, string code, int version, CancellationToken cancellationToken)
    {
        var row = await db.Set<BundleVersion>().AsNoTracking()
            .Where(v => v.BundleCode == code && v.Version == version)
            .Select(v => new { v.Effective, v.ETag })
            .SingleOrDefaultAsync(cancellationToken);
        return row is null
            ? ApiProblems.NotFound("No such version", $"{context.Tenant().Id} has no version {version} of a bundle '{code}'.")
            : Preconditions.Json<EffectiveBundle>(row.Effective, row.ETag, immutable: true);
    }
}
