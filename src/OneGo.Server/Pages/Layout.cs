using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>What every page shares: the document, a skip link, the language switch, where the page is, the footer.</summary>
internal static class Layout
{
    public static Html Document(PageRequest page, string title, IReadOnlyList<(string Href, Html Name)> trail, Html main)
    {
        return Html.Of($"""
            {Opening(page, title + " · " + page.T("一件事一次办", "OneGo"))}
            <header class="site">
            <a class="brand" href="/">{page.T("一件事一次办", "OneGo · get it done in one go")}</a>
            {LanguageSwitch(page)}
            </header>
            {Trail(page, trail)}
            <main id="main" tabindex="-1">
            {main}
            </main>
            <footer class="site">
            <p>{page.T("政务服务便民热线 12345。本页内容以各地区发布的一件事为准。", "Government service hotline: 12345. What each region publishes is authoritative.")}</p>
            </footer>
            </body>
            </html>

            """);
    }

    /// <summary>The start of every page, the console's too: the document's head, then the skip link to the main content.</summary>
    public static Html Opening(PageRequest page, string title) => Html.Of($"""
        <!doctype html>
        <html lang="{page.HtmlLang}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{title}</title>
        <link rel="stylesheet" href="{page.Stylesheet}">
        </head>
        <body>
        <a class="skip" href="#main">{page.T("跳到正文", "Skip to main content")}</a>
        """);

    /// <summary>The same page in the other language, named in that language.</summary>
    public static Html LanguageSwitch(PageRequest page)
    {
        var other = page.English ? "zh-CN" : "en";
        return Html.Of($"""
            <nav class="language" aria-label="{page.T("语言", "Language")}"><a id="switch-language" href="{page.SwitchHref}" hreflang="{other}" lang="{other}">{(page.English ? "中文" : "English")}</a></nav>
            """);
    }

    /// <summary>The breadcrumb: home, then each link of the trail; the last entry is the page itself.</summary>
    private static Html Trail(PageRequest page, IReadOnlyList<(string Href, Html Name)> trail)
    {
        if (trail.Count == 0)
        {
            return Html.Empty;
        }

        var items = trail.Select((step, i) => i == trail.Count - 1
            ? Html.Of($"<li aria-current=\"page\">{step.Name}</li>")
            : Html.Of($"<li><a href=\"{step.Href}\">{step.Name}</a></li>"));
        return Html.Of($"""
            <nav class="trail" aria-label="{page.T("当前位置", "You are here")}"><ol><li><a href="/">{page.T("首页", "Home")}</a></li>{items}</ol></nav>
            """);
    }

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
internal sealed class PageResult(PageRequest page, Html document, int statusCode = StatusCodes.Status200OK, bool noStore = false) : IResult
{
    // No script at all; the stylesheet is the only thing a page loads; forms post back to OneGo only.
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public int StatusCode => statusCode;

    public string Body => document.ToString();

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentLanguage = page.HtmlLang;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // Pages with credentials in them (sign-in, recovery codes) are never kept by a browser or proxy.
        response.Headers.CacheControl = noStore ? "no-store" : "no-cache";
        // The language comes from the cookie when the query does not name it.
        response.Headers.Vary = "Cookie";
        return response.WriteAsync(document.ToString(), httpContext.RequestAborted);
    }
}
