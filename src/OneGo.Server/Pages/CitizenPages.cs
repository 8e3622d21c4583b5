using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.WebEncoders;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Localization;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

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
        // The pages are Razor components rendered on the server (no script, nothing kept between requests); their words
        // are in Resources/Pages, Chinese by default and English beside it, read in the language the page is asked in.
        services.AddRazorComponents();
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        // Chinese stays readable in the source of the page: only what HTML gives meaning to is encoded, as Html does.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
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
        app.MapGet("/rate/{code}", CounterRating).ExcludeFromDescription().WithMetadata(CitizenPageMetadata.Instance);
        app.MapPost("/rate/{code}", CounterRating).ExcludeFromDescription().WithMetadata(CitizenPageMetadata.Instance);
        return app;
    }

    /// <summary>
    /// 好差评 at the counter: the page a window's rating code opens, for the applicant the code was given to — their
    /// scope, deliberately, and nothing wider. They choose the level; the rating is marked as given at the counter.
    /// </summary>
    private static async Task<IResult> CounterRating(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, Microsoft.AspNetCore.DataProtection.IDataProtectionProvider protection,
        Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, Features.Calendar.WorkingDayCalendar workingDays, RegionDirectory directory, TimeProvider clock,
        string code, CancellationToken cancellationToken)
    {
        // The Razor components' localizers are resolved here: the request delegates are generated at build, before
        // Razor's types exist.
        var words = context.RequestServices.GetRequiredService<IStringLocalizer<CounterRatingPage>>();
        var notices = context.RequestServices.GetRequiredService<IStringLocalizer<NoticePage>>();
        var page = PageRequest.Of(context);
        if (Features.Ratings.RatingsApi.ReadCounterCode(protection, clock, code) is not { } claim)
        {
            return PageResult.Of<NoticePage>(page, new { Page = page, Heading = words["Title"].Value, Message = Html.Text(words["NoCode"].Value) }, StatusCodes.Status404NotFound);
        }

        using var scope = tenants.EnterAsApplicant(claim.Tenant, claim.Applicant);
        var application = await Features.Applications.ApplicationsApi.FindAsync(db, claim.Application.ToString(), cancellationToken);
        if (application is null)
        {
            return PageResult.Of<NoticePage>(page, new { Page = page, Heading = words["Title"].Value, Message = Html.Text(words["NoCode"].Value) }, StatusCodes.Status404NotFound);
        }

        string? message = null;
        var done = false;
        var status = StatusCodes.Status200OK;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.Redirect(context.Request.Path);
            }

            var form = await context.Request.ReadFormAsync(cancellationToken);
            var request = new Features.Ratings.GiveRating.RateRequest(form["level"].ToString(), form["comment"].ToString(), form["matter"].ToString());
            var key = form["key"].ToString() is { Length: > 0 } given && IdempotencyKey.IsValid(given) ? given : Guid.NewGuid().ToString("N");
            var hash = IdempotencyKey.Hash(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(request)));
            var outcome = await Features.Ratings.GiveRating.GiveAsync(db, workingDays, directory, application, request, key, hash, atCounter: true,
                $"applicant/{application.ApplicantId}", Hosting.Clock.Now(clock), cancellationToken);
            (done, message, status) = outcome.Problem is { } refused
                ? (false, refused.ProblemDetails.Detail ?? refused.ProblemDetails.Title, refused.StatusCode)
                : (true, words["Thanks"].Value, StatusCodes.Status200OK);
        }

        var rated = await db.Set<Features.Ratings.Rating>().AsNoTracking().Where(r => r.ApplicationId == application.Id).Select(r => r.Matter).ToListAsync(cancellationToken);
        var rateable = new List<(string, string)>();
        if (Features.Cases.CaseFlow.Ended(application.State) && !rated.Contains(""))
        {
            rateable.Add(("", words["RateWhole"].Value));
        }

        rateable.AddRange(application.Cases.Where(c => Features.Cases.CaseFlow.Ended(c.State) && !rated.Contains(c.Matter)).OrderBy(c => c.Matter, StringComparer.Ordinal)
            .Select(c => (c.Matter, Features.Applications.ApplicationsApi.TextOf(c.MatterName) is var name && page.English ? name.En ?? name.Zh : name.Zh)));
        return PageResult.Of<CounterRatingPage>(page, new
        {
            Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context), Number = application.Number ?? "", Rateable = rateable, Message = message, Done = done,
        }, status, noStore: true);
    }

    private static async Task<IResult> Home(HttpContext context, RegionDirectory directory, BundleSearch search, string? q, string? region, CancellationToken cancellationToken)
    {
        var page = PageRequest.Of(context);
        var regions = await directory.AllAsync(cancellationToken);
        var within = string.IsNullOrEmpty(region) ? null : await directory.ResolveAsync(region, cancellationToken);
        var text = q?.Trim();
        var results = string.IsNullOrEmpty(text) ? null : await search.SearchAsync(text, within, cancellationToken);
        return PageResult.Of<HomePage>(page, new { Page = page, Regions = regions, Query = text, Within = within, Results = results });
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
            new BundlesApi.LiveFilter(filter.Audience is { } a ? EnumWords.Of(a) : null, filter.Theme is { } t ? EnumWords.Of(t) : null, filter.Text),
            "",
            int.MaxValue,
            cancellationToken);
        var children = region.ChildIds.Select(directory.Cached).OfType<RegionInfo>()
            .OrderBy(r => r.DivisionCode ?? "", StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        var phone = await PhoneAsync(db, cancellationToken);
        return PageResult.Of<RegionPage>(page, new
        {
            Page = page,
            Info = region,
            Trail = Layout.RegionTrail(page, directory, region),
            Below = children,
            Bundles = items.Select(i => i.Summary).ToList(),
            Filter = filter,
            Phone = phone,
            Departments = await directory.DepartmentNamesAsync(region.Id, cancellationToken),
        });
    }

    private static async Task<IResult> Bundle(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory,
        Features.Statistics.MeasuredReductions measured, string code, CancellationToken cancellationToken)
    {
        var words = context.RequestServices.GetRequiredService<IStringLocalizer<NoticePage>>();
        var page = PageRequest.Of(context);
        var region = context.Tenant();
        var trail = Layout.RegionTrail(page, directory, region);
        var version = await BundlesApi.LiveVersionAsync(db, code, cancellationToken);
        if (version is null)
        {
            trail.Add((Links.Bundle(region, code), Html.Text(code)));
            var notice = new
            {
                Page = page,
                Heading = words["NoSuchService"].Value,
                Message = Html.Format(words["NoSuchServiceMessage"], page.Name(region), Html.Text(code)),
                Region = region,
                Trail = trail,
            };
            return PageResult.Of<NoticePage>(page, notice, StatusCodes.Status404NotFound);
        }

        var bundle = await catalogue.EffectiveOfAsync(version, cancellationToken);
        var questionnaire = Questionnaire.Read(context.Request.Query);
        // A bundle without questions has one guide, shown at once; otherwise the guide follows the answers.
        var result = bundle.Scenarios.Count == 0
            ? GuideEvaluator.Evaluate(bundle, new Dictionary<string, string>())
            : questionnaire.Submitted ? GuideEvaluator.Evaluate(bundle, questionnaire.Answers) : null;
        trail.Add((Links.Bundle(region, code), page.Text(bundle.Name)));
        var view = new BundleView(region, bundle, questionnaire, result, await PhoneAsync(db, cancellationToken), await directory.DepartmentNamesAsync(region.Id, cancellationToken),
            await measured.OfBundleAsync(region.Id, bundle.Code, bundle.Name, bundle.Reductions, cancellationToken));
        // Answers the guide cannot take are the API's 422, shown next to their questions.
        return PageResult.Of<BundlePage>(page, new { Page = page, View = view, Trail = trail },
            result is { IsValid: false } ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
    }

    /// <summary>The region's enquiry phone from its public settings, for where-to-go when a bundle names none.</summary>
    private static Task<string?> PhoneAsync(OneGoDbContext db, CancellationToken cancellationToken) =>
        db.TenantSettings.AsNoTracking().Select(s => s.ContactPhone).FirstOrDefaultAsync(cancellationToken);

    private static TEnum? Word<TEnum>(string? word) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Cast<TEnum?>().FirstOrDefault(v => EnumWords.Of(v!.Value) == word);
}
