using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using Microsoft.Extensions.Localization;
using OneGo.Server.Hosting;
using OneGo.Server.Pages;
using OneGo.Server.Pages.ConsoleUi;
using OneGo.Tenancy;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The console's routes: the home of a region, its bundles and their working copies (<see cref="BundleWorkspace"/>),
/// adopting a standard, the standards and their adoption matrix, the review inbox, and the admin's and the national
/// operator's pages. Every one needs a signed-in person (an anonymous visitor is sent to sign in); every read and
/// write goes through <see cref="ConsoleApi"/>.
/// </summary>
internal static class ConsolePages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").RequireAuthorization(ConsoleSetup.CookieScheme).ExcludeFromDescription()
            .WithMetadata(CitizenPageMetadata.Instance);
        console.MapGet("", (HttpContext context) =>
            Results.Redirect($"/console/t/{Uri.EscapeDataString(context.User.FindFirst(OneGoClaims.Tenant)?.Value ?? RegionRules.NationalId)}"));
        var tenant = console.MapGroup("/t/{tenant}");
        tenant.MapGet("", Guarded(HomeAsync));
        tenant.MapGet("/bundles", Guarded(BundlesAsync));
        tenant.MapGet("/inbox", Guarded(InboxAsync));
        tenant.MapGet("/adopt", Guarded(AdoptPageAsync));
        tenant.MapPost("/adopt", Posted(AdoptAsync));
        tenant.MapGet("/standards", Guarded(StandardsAsync));
        tenant.MapGet("/live/{code}", Guarded(LiveDiffAsync));
        tenant.MapGet("/statistics", Guarded(Only(Capability.ReadStatistics, "StaffOnly", StatisticsAsync)));
        BundleWorkspace.Map(tenant);
        MatterPages.Map(tenant);
        WindowPages.Map(tenant);
        CaseWorkPages.Map(tenant);
        RatingPages.Map(tenant);
        AdminPages.Map(console, tenant);
    }

    /// <summary>
    /// A page for those with <paramref name="capability"/> in the route's region: anyone else is told so (the console's
    /// word <paramref name="why"/>), as the 403 the API would answer, before the page reads anything.
    /// </summary>
    public static PageHandler Only(Capability capability, string why, PageHandler handler) => (context, view, api) =>
    {
        if (!view.May(capability))
        {
            var words = context.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<ConsoleWords>>();
            throw new ConsoleApiException(new ApiAnswer(StatusCodes.Status403Forbidden, new System.Text.Json.Nodes.JsonObject
            {
                ["title"] = words["Heading.Forbidden"].Value,
                ["detail"] = words[why].Value,
            }, null, null));
        }

        return handler(context, view, api);
    };

    /// <summary>A page handler: the view of the route's region; an API answer it cannot do without becomes the page's notice.</summary>
    public delegate Task<IResult> PageHandler(HttpContext context, ConsoleView view, ConsoleApi api);

    public static Delegate Guarded(PageHandler handler) => GuardedIn(context => context.Tenant(), handler);

    /// <summary>As <see cref="Guarded"/>, for a page about the region <paramref name="region"/> picks rather than the route's.</summary>
    public static Delegate GuardedIn(Func<HttpContext, RegionInfo> region, PageHandler handler) => (HttpContext context, ConsoleApi api) =>
        RunAsync(context, ConsoleView.Of(context, region(context)), api, handler);

    /// <summary>A form's handler: the antiforgery token checked first (400 without it), then as <see cref="Guarded"/>.</summary>
    public static Delegate Posted(PageHandler handler) => PostedIn(context => context.Tenant(), handler);

    public static Delegate PostedIn(Func<HttpContext, RegionInfo> region, PageHandler handler) => async (HttpContext context, ConsoleApi api, IAntiforgery antiforgery) =>
        await antiforgery.IsRequestValidAsync(context)
            ? await RunAsync(context, ConsoleView.Of(context, region(context)), api, handler)
            : Expired(ConsoleView.Of(context, region(context)), context.RequestServices.GetRequiredService<IStringLocalizer<ConsoleWords>>());

    /// <summary>A form posted without a valid antiforgery token (another site's page, or a page kept open too long): a 400 that changes nothing.</summary>
    private static IResult Expired(ConsoleView view, IStringLocalizer<ConsoleWords> words) => Notice(view, ExpiredAnswer(words));

    /// <summary>What a form posted without a valid antiforgery token is answered: a 400 that changes nothing.</summary>
    public static ApiAnswer ExpiredAnswer(IStringLocalizer<ConsoleWords> words) =>
        new(StatusCodes.Status400BadRequest, new JsonObject { ["title"] = words["FormExpired.Title"].Value, ["detail"] = words["FormExpired.Detail"].Value }, null, null);

    /// <summary>
    /// Runs a page. An API answer the page cannot do without becomes its notice; a 401 — the person's tokens revoked,
    /// their account disabled — ends the console session and sends them to sign in again.
    /// </summary>
    public static Task<IResult> RunAsync(HttpContext context, ConsoleView view, ConsoleApi api, PageHandler handler) =>
        ConsoleSetup.SignIn.RunAsync(context, view.Base, () => handler(context, view, api), answer => Notice(view, answer));

    /// <summary>An API answer a page could not do without, however it was read (the generated client raises it as an exception).</summary>
    public static ApiAnswer? Refusal(Exception exception) => exception switch
    {
        ConsoleApiException refused => refused.Answer,
        Microsoft.Kiota.Abstractions.ApiException refused => ApiAnswer.Of(refused),
        _ => null,
    };

    public static IResult Notice(ConsoleView view, ApiAnswer answer) =>
        PageResult.Of<ConsoleNotice>(view.Page, new { View = view, Answer = answer }, answer.Status is >= 400 and < 600 ? answer.Status : StatusCodes.Status502BadGateway);

    public static string BundleHref(ConsoleView view, string code, string? tenant = null) =>
        $"/console/t/{Uri.EscapeDataString(tenant ?? view.Tenant)}/bundles/{Uri.EscapeDataString(code)}";

    private static async Task<IResult> HomeAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        // A few calls however many bundles the region holds: where each live bundle stands comes in one list.
        var live = await api.StandingAsync(view.Tenant);
        var drafts = view.May(Capability.ReadDrafts) ? await api.DraftsAsync(view.Tenant) : null;
        var zone = await api.Client.Api.Zone.Bundles.GetAsync(q => (q.QueryParameters.Region, q.QueryParameters.Limit) = (view.Tenant, Paging.MaxLimit), context.RequestAborted);
        return PageResult.Of<ConsoleHome>(view.Page, new { View = view, Live = live, Drafts = drafts, InZone = zone?.Items?.Count(i => i.Tenant == view.Tenant) ?? 0 });
    }

    private static async Task<IResult> BundlesAsync(HttpContext context, ConsoleView view, ConsoleApi api) =>
        PageResult.Of<BundlesPage>(view.Page, new { View = view, Drafts = await api.DraftsAsync(view.Tenant, kind: "bundle"), Live = await api.LiveAsync(view.Tenant) });

    /// <summary>办理实效: the region's measured reductions, every count, for its staff (the public reads the minimum's figures on the bundles' pages).</summary>
    private static async Task<IResult> StatisticsAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var month = context.Request.Query["month"].ToString();
        var answer = await api.GetAsync($"/api/t/{Uri.EscapeDataString(view.Tenant)}/statistics" + (month.Length == 0 ? "" : "?month=" + Uri.EscapeDataString(month)));
        var statistics = answer is { Ok: true, Body: { } body } ? ConsoleApi.Typed(body, OneGo.Client.Models.StatisticsView.CreateFromDiscriminatorValue) : throw new ConsoleApiException(answer);
        // The regions below side by side, as the person may read them: every figure for an admin above them, the public ones otherwise.
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        var below = new List<(RegionInfo Region, OneGo.Client.Models.StatisticsView Statistics)>();
        foreach (var child in view.Region.ChildIds.Select(directory.Cached).OfType<RegionInfo>().OrderBy(r => r.DivisionCode ?? r.Id, StringComparer.Ordinal))
        {
            var read = await api.GetAsync($"/api/t/{Uri.EscapeDataString(child.Id)}/statistics" + (month.Length == 0 ? "" : "?month=" + Uri.EscapeDataString(month)));
            if (read is { Ok: true, Body: { } childBody })
            {
                below.Add((child, ConsoleApi.Typed(childBody, OneGo.Client.Models.StatisticsView.CreateFromDiscriminatorValue)));
            }
        }

        return PageResult.Of<StatisticsPage>(view.Page, new { View = view, Statistics = statistics, Month = month, Below = below });
    }

    private static async Task<IResult> InboxAsync(HttpContext context, ConsoleView view, ConsoleApi api) =>
        PageResult.Of<InboxPage>(view.Page, new { View = view, Waiting = await api.DraftsAsync(view.Tenant, status: "submitted") });

    /// <summary>The regions from national down to <paramref name="region"/>'s parent: where the standards it may adopt come from.</summary>
    private static List<RegionInfo> Above(RegionDirectory directory, RegionInfo region)
    {
        var above = new List<RegionInfo>();
        for (var parent = region.ParentId is null ? null : directory.Cached(region.ParentId); parent is not null; parent = parent.ParentId is null ? null : directory.Cached(parent.ParentId))
        {
            above.Insert(0, parent);
        }

        return above;
    }

    private static async Task<IResult> AdoptPageAsync(HttpContext context, ConsoleView view, ConsoleApi api) => await AdoptPageAsync(context, view, api, null);

    private static async Task<IResult> AdoptPageAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused)
    {
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        var own = (await api.DraftsAsync(view.Tenant, kind: "bundle")).Select(d => d.Code ?? "")
            .Union((await api.LiveAsync(view.Tenant)).Select(b => b.Summary?.Code ?? "")).ToHashSet(StringComparer.Ordinal);

        // One list per region above (at most three): where the standards the region may adopt come from.
        var offered = new List<(RegionInfo Region, List<OneGo.Client.Models.TemplateItem> Templates)>();
        foreach (var above in Above(directory, view.Region))
        {
            offered.Add((above, await api.TemplatesAsync(above.Id)));
        }

        return PageResult.Of<AdoptPage>(view.Page, new { View = view, Offered = offered, Own = own, Refused = refused },
            refused is null ? StatusCodes.Status200OK : refused.Status);
    }

    private static async Task<IResult> AdoptAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = form["code"].ToString();
        var body = new JsonObject
        {
            ["adopts"] = new JsonObject { ["tenant"] = form["tenant"].ToString(), ["code"] = code, ["version"] = int.TryParse(form["version"], out var v) ? v : 0 },
            ["changes"] = new JsonArray(),
        };
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/bundles", body);
        return answer.Ok ? Results.Redirect(BundleHref(view, code), preserveMethod: false) : await AdoptPageAsync(context, view, api, answer);
    }

    /// <summary>The standards this region offers or takes from above, and which regions below adopted each, at which version.</summary>
    private static async Task<IResult> StandardsAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        var regionsBelow = (await directory.AllAsync(context.RequestAborted))
            .Where(r => RegionRules.IsBelow(r.Id, view.Tenant)).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var matrix = await api.Client.Api.T[view.Tenant].AdoptionMatrix.GetAsync(cancellationToken: context.RequestAborted);
        return PageResult.Of<StandardsPage>(view.Page, new { View = view, Matrix = matrix!, RegionsBelow = regionsBelow });
    }

    /// <summary>A live adopter's changes against its standard (public data: anyone signed in may follow the matrix here).</summary>
    private static async Task<IResult> LiveDiffAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var diff = await api.GetAsync($"/api/t/{view.Tenant}/bundles/{Uri.EscapeDataString(code)}/diff");
        if (!diff.Ok)
        {
            return Notice(view, diff);
        }

        return PageResult.Of<LiveDiffPage>(view.Page, new { View = view, BundleCode = code, Standard = AdoptedStandard.Of(diff.Body?["standard"]) });
    }
}
