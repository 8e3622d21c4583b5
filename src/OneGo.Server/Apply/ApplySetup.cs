using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Localization;
using OneGo.Server.ConsoleUi;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Pages.ApplyUi;
using OneGo.Server.Pages.ConsoleUi;

namespace OneGo.Server.Apply;

/// <summary>
/// The applicants' pages under <c>/apply</c>: an applicant signs in through OneGo's own OpenID Connect endpoints with
/// the public client <c>onego-apply</c> (authorization code with PKCE, scope <c>apply</c>), as a region's portal would,
/// sees their applications across regions, and prepares, fills and submits one (<see cref="ApplicationPages"/>).
/// Like the console, every read and write is a call to the API with the applicant's own access token
/// (<see cref="ConsoleApi"/>): the pages hold no rule of their own.
/// </summary>
internal static class ApplySetup
{
    public const string CookieScheme = "apply";

    /// <summary>The applicants' sign-in: their cookie on /apply, the public client <c>onego-apply</c>, scope <c>apply</c>.</summary>
    public static readonly PageSignIn SignIn = new(CookieScheme, "onego.apply", "apply-oidc", ApplicantClient.ClientId, "/apply", OneGoClaims.ApplyScope);

    public static IEndpointRouteBuilder MapApplicantPages(this IEndpointRouteBuilder app)
    {
        app.MapPageSignIn(SignIn);
        var apply = app.MapGroup(SignIn.PathBase).RequireAuthorization(CookieScheme).ExcludeFromDescription()
            .WithMetadata(CitizenPageMetadata.Instance, SignIn);
        apply.MapGet("", (HttpContext context, ConsoleApi api) => RunAsync(context, Surface(context, api), api, MineAsync));
        ApplicationPages.Map(apply.MapGroup("/t/{tenant}"), Surface, RunAsync);
        return app;
    }

    /// <summary>The applicant's own pages of the route's region.</summary>
    private static ApplySurface Surface(HttpContext context, ConsoleApi api)
    {
        var view = ApplyView.Of(context);
        var root = context.GetRouteValue("tenant") is null ? SignIn.PathBase : $"{SignIn.PathBase}/t/{Uri.EscapeDataString(context.Tenant().Id)}";
        return new ApplySurface(view.Page, view.Antiforgery, root, null, view);
    }

    /// <summary>Runs a page (<see cref="PageSignIn.RunAsync"/>): a 401 signs the applicant in again; another refusal is the page's notice.</summary>
    private static Task<IResult> RunAsync(HttpContext context, ApplySurface surface, ConsoleApi api, ApplicationPages.Handler handler) =>
        SignIn.RunAsync(context, SignIn.PathBase, () => handler(context, surface, api), answer => ApplicationPages.Notice(surface, answer));

    /// <summary>/apply: the applicant's applications across regions, drafts and submitted, the latest first.</summary>
    private static async Task<IResult> MineAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var mine = await ConsoleApi.AllAsync(async next =>
        {
            var page = await api.Client.Api.Me.Applications.GetAsync(q => (q.QueryParameters.Limit, q.QueryParameters.Cursor) = (Hosting.Paging.MaxLimit, next), context.RequestAborted);
            return (page?.Items, page?.Next);
        });
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        var regions = mine.Select(a => a.Tenant ?? "").Distinct(StringComparer.Ordinal).Select(directory.Cached).OfType<RegionInfo>().ToDictionary(r => r.Id, StringComparer.Ordinal);
        return PageResult.Of<MyApplicationsPage>(surface.Page, new { Surface = surface, Applications = mine, Regions = regions }, noStore: true);
    }
}

/// <summary>One applicant's page being written: the language, the applicant signed in, the antiforgery token every form carries.</summary>
public sealed class ApplyView
{
    private ApplyView(PageRequest page, ClaimsPrincipal user, Html antiforgery) => (Page, User, Antiforgery) = (page, user, antiforgery);

    public PageRequest Page { get; }

    public ClaimsPrincipal User { get; }

    public Html Antiforgery { get; }

    /// <summary>The applicant's name as their token gives it (never their ID number).</summary>
    public string DisplayName => User.FindFirstValue("name") ?? User.FindFirstValue(OneGoClaims.UserName) ?? "";

    public static ApplyView Of(HttpContext context)
    {
        var token = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken ?? "";
        return new ApplyView(PageRequest.Of(context), context.User, Html.Of($"<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"{token}\">"));
    }
}
