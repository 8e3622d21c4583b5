using CultureInfo = System.Globalization.CultureInfo;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>What the pages share besides their document (<see cref="Document"/>): the trail of regions.</summary>
internal static class Layout
{
    /// <summary>The regions from the root down to <paramref name="region"/>, each with the address of its page.</summary>
    public static List<(string Href, Html Name)> RegionTrail(PageRequest page, RegionDirectory directory, RegionInfo region)
    {
        var trail = new List<(string, Html)>();
        for (var current = region; current is not null; current = current.ParentId is null ? null : directory.Cached(current.ParentId))
        {
            trail.Insert(0, (Links.Region(current), page.Name(current)));
        }

        return trail;
    }
}

/// <summary>The addresses of the pages, built in one place: ids and codes are escaped as path segments.</summary>
internal static class Links
{
    public static string Region(RegionInfo region) => "/regions/" + Uri.EscapeDataString(region.Id);

    public static string Bundle(RegionInfo region, string code) => Region(region) + "/bundles/" + Uri.EscapeDataString(code);
}

/// <summary>A page as a response: HTML in the page's language, with headers that allow no script and no framing.</summary>
internal static class PageResult
{
    private const string HtmlType = "text/html; charset=utf-8";

    // No script at all; the stylesheet is the only thing a page loads; forms post back to OneGo only.
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// A page rendered from the Razor component <typeparamref name="TPage"/> on the server (static rendering: no script,
    /// nothing kept between requests), with <paramref name="parameters"/> as its parameters; a page with credentials in
    /// it asks for <paramref name="noStore"/>.
    /// </summary>
    public static IResult Of<TPage>(PageRequest page, object parameters, int statusCode = StatusCodes.Status200OK, bool noStore = false)
        where TPage : IComponent => new ComponentPage<TPage>(page, parameters, statusCode, noStore);

    private static void Headers(HttpResponse response, PageRequest page, int statusCode, bool noStore)
    {
        response.StatusCode = statusCode;
        response.ContentType = HtmlType;
        response.Headers.ContentLanguage = page.HtmlLang;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // Pages with credentials in them (sign-in, recovery codes) are never kept by a browser or proxy.
        response.Headers.CacheControl = noStore ? "no-store" : "no-cache";
        // The language comes from the cookie when the query does not name it.
        response.Headers.Vary = "Cookie";
    }

    private sealed class ComponentPage<TPage>(PageRequest page, object parameters, int statusCode, bool noStore) : IResult
        where TPage : IComponent
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            Headers(httpContext.Response, page, statusCode, noStore);
            // The components read their words in the UI culture of the rendering, set here: a culture set by the endpoint's
            // own (async) handler does not outlive it.
            CultureInfo.CurrentUICulture = page.Culture;
            return new RazorComponentResult<TPage>(parameters) { StatusCode = statusCode, ContentType = HtmlType }.ExecuteAsync(httpContext);
        }
    }
}
