using Microsoft.AspNetCore.Diagnostics;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>A page that says what could not be shown (not found, too many requests, a failure), and where to go instead.</summary>
internal static class NoticePage
{
    public static Html Render(PageRequest page, string heading, Html message, RegionInfo? region, IReadOnlyList<(string Href, Html Name)> trail)
    {
        var main = Html.Of($"""
            <h1>{heading}</h1>
            <p class="lead">{message}</p>
            <ul class="next">
            {(region is null ? Html.Empty : Html.Of($"<li><a href=\"{Links.Region(region)}\">{page.T("查看", "See what ")}{page.Name(region)}{page.T("的全部一件事", " offers")}</a></li>"))}
            <li><a href="/">{page.T("回到首页，选择地区或搜索", "Back to the home page: choose a region or search")}</a></li>
            </ul>
            """);
        return Layout.Document(page, heading, trail, main);
    }
}

/// <summary>
/// Problems on the citizens' pages, written as pages: the tenant resolution's 404 for an unknown region, the rate
/// limiter's 429 and the exception handler's 500 reach a person in a browser, who is helped by a page and not by
/// problem JSON. API routes keep their problem details (<see cref="CanWrite"/> looks at the endpoint).
/// </summary>
internal sealed class ProblemPage : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context)
    {
        // The exception handler clears the endpoint before it writes; the endpoint that failed is in its feature.
        var endpoint = context.HttpContext.GetEndpoint() ?? context.HttpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        return endpoint?.Metadata.GetMetadata<CitizenPageMetadata>() is not null;
    }

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var page = PageRequest.Of(http);
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var (heading, message) = status switch
        {
            StatusCodes.Status404NotFound when http.GetRouteValue(TenantResolution.RouteParameter) is string raw => (
                page.T("没有这个地区", "No such region"),
                page.English
                    ? Html.Of($"There is no region with the id or division code “{raw}”.")
                    : Html.Of($"没有编号或行政区划代码为“{raw}”的地区。")),
            StatusCodes.Status404NotFound => (page.T("没有这个页面", "Page not found"), Html.Text(page.T("没有找到您要的页面。", "The page you asked for is not here."))),
            StatusCodes.Status429TooManyRequests => (
                page.T("请稍后再试", "Please try again shortly"),
                Html.Text(page.T("这个地区此刻的访问太多了，请稍等片刻再打开本页。", "This region is receiving too many requests right now; wait a moment and open the page again."))),
            _ => (
                page.T("出了点问题", "Something went wrong"),
                Html.Text(page.T("页面暂时无法显示，请稍后再试，或拨打 12345 咨询。", "The page cannot be shown right now; try again later, or call 12345."))),
        };
        var html = NoticePage.Render(page, heading, message, region: null, trail: []);
        return new ValueTask(new PageResult(page, html, status).ExecuteAsync(http));
    }
}
