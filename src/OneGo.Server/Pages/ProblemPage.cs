using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Localization;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

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
        var words = http.RequestServices.GetRequiredService<IStringLocalizer<NoticePage>>();
        var (heading, message) = status switch
        {
            StatusCodes.Status404NotFound when http.GetRouteValue(TenantResolution.RouteParameter) is string raw =>
                (words["NoSuchRegion"], Html.Format(words["NoSuchRegionMessage"], Html.Text(raw))),
            StatusCodes.Status404NotFound => (words["NoSuchPage"], Html.Text(words["NoSuchPageMessage"])),
            StatusCodes.Status429TooManyRequests => (words["TooMany"], Html.Text(words["TooManyMessage"])),
            _ => (words["Failure"], Html.Text(words["FailureMessage"])),
        };
        return new ValueTask(PageResult.Of<NoticePage>(page, new { Page = page, Heading = heading.Value, Message = message }, status).ExecuteAsync(http));
    }
}
