using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>Marks the citizens' pages: their problems (an unknown region, too many requests, a failure) are pages too.</summary>
internal sealed class CitizenPageMetadata
{
    public static readonly CitizenPageMetadata Instance = new();
}

/// <summary>
/// The citizens' pages, without sign-in: the home page, a region's live bundles, and one bundle with its guide.
/// They call the same application services as the API (the live-bundle query, the catalogue, the guide evaluator),
/// never the API itself. Their routes name <c>{tenant}</c>, so <see cref="TenantResolution"/> resolves it (id or
/// division code) and runs them in the region's public scope, and the rate limiter counts them per region, as for
/// the API.
/// </summary>
internal static class CitizenPages
{
    public static IServiceCollection AddCitizenPages(this IServiceCollection services)
    {
        services.AddSingleton<PageAssets>();
        services.AddScoped<BundleSearch>();
        // Tried before the default JSON writer: a problem on a page route is answered with a page.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemPage>());
        services.Configure<StaticFileOptions>(o => o.OnPrepareResponse = PageAssets.CacheHeaders);
        return services;
    }

    public static IEndpointRouteBuilder MapCitizenPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home).ExcludeFromDescription().WithMetadata(CitizenPageMetadata.Instance);
        app.MapGet("/regions/{tenant}", Region).ExcludeFromDescription().WithMetadata(CitizenPageMetadata.Instance);
        app.MapGet("/regions/{tenant}/bundles/{code}", Bundle).ExcludeFromDescription().WithMetadata(CitizenPageMetadata.Instance);
        return app;
    }

    private static async Task<IResult> Home(HttpContext context, RegionDirectory directory, BundleSearch search, string? q, string? region, CancellationToken cancellationToken)
    {
        var page = PageRequest.Of(context);
        var regions = await directory.AllAsync(cancellationToken);
        var within = string.IsNullOrEmpty(region) ? null : await directory.ResolveAsync(region, cancellationToken);
        var text = q?.Trim();
        var results = string.IsNullOrEmpty(text) ? null : await search.SearchAsync(text, within, cancellationToken);
        return new PageResult(page, HomePage.Render(page, regions, text, within, results));
    }

    private static async Task<IResult> Region(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, string? q, string? audience, string? theme, CancellationToken cancellationToken)
    {
        var page = PageRequest.Of(context);
        var region = context.Tenant();
        // A filter value the lists do not know (a hand-edited address) filters nothing rather than failing the page.
        var filter = new RegionFilter(string.IsNullOrWhiteSpace(q) ? null : q.Trim(), Word<Audience>(audience), Word<LifeTheme>(theme));
        var items = await BundlesApi.LiveAsync(
            db,
            new BundlesApi.LiveFilter(filter.Audience is { } a ? RegionPage.Word(a) : null, filter.Theme is { } t ? RegionPage.Word(t) : null, filter.Text),
            "",
            int.MaxValue,
            cancellationToken);
        var children = region.ChildIds.Select(directory.Cached).OfType<RegionInfo>()
            .OrderBy(r => r.DivisionCode ?? "", StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        var phone = await PhoneAsync(db, cancellationToken);
        var html = RegionPage.Render(page, region, Layout.RegionTrail(page, directory, region), children, items.Select(i => i.Summary).ToList(), filter, phone);
        return new PageResult(page, html);
    }

    private static async Task<IResult> Bundle(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, string code, CancellationToken cancellationToken)
    {
        var page = PageRequest.Of(context);
        var region = context.Tenant();
        var trail = Layout.RegionTrail(page, directory, region);
        var version = await BundlesApi.LiveVersionAsync(db, code, cancellationToken);
        if (version is null)
        {
            trail.Add((Links.Bundle(region, code), Html.Text(code)));
            var message = page.English
                ? Html.Of($"{page.Name(region)} offers no service “{code}” at present.")
                : Html.Of($"{page.Name(region)}目前没有“{code}”这件事。");
            return new PageResult(page, NoticePage.Render(page, page.T("没有这件事", "No such service"), message, region, trail), StatusCodes.Status404NotFound);
        }

        var bundle = await catalogue.EffectiveOfAsync(version, cancellationToken);
        var questionnaire = Questionnaire.Read(context.Request.Query);
        // A bundle without questions has one guide, shown at once; otherwise the guide follows the answers.
        var result = bundle.Scenarios.Count == 0
            ? GuideEvaluator.Evaluate(bundle, new Dictionary<string, string>())
            : questionnaire.Submitted ? GuideEvaluator.Evaluate(bundle, questionnaire.Answers) : null;
        trail.Add((Links.Bundle(region, code), page.Text(bundle.Name)));
        var view = new BundleView(region, bundle, questionnaire, result, await PhoneAsync(db, cancellationToken));
        // Answers the guide cannot take are the API's 422, shown next to their questions.
        return new PageResult(page, BundlePage.Render(page, view, trail), result is { IsValid: false } ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
    }

    /// <summary>The region's enquiry phone from its public settings, for where-to-go when a bundle names none.</summary>
    private static Task<string?> PhoneAsync(OneGoDbContext db, CancellationToken cancellationToken) =>
        db.TenantSettings.AsNoTracking().Select(s => s.ContactPhone).FirstOrDefaultAsync(cancellationToken);

    private static TEnum? Word<TEnum>(string? word) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Cast<TEnum?>().FirstOrDefault(v => RegionPage.Word(v!.Value) == word);
}
