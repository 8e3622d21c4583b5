using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Hosting;

/// <summary>
/// What protects every tenant from every other: a body size limit (413) and a rate limiter per tenant (429), both
/// answered before anything else looks at the request. <c>Limits:MaxRequestBodyBytes</c> (1 MiB by default);
/// <c>RateLimiting:TokensPerSecond</c> and <c>RateLimiting:Burst</c> per tenant (500 and 1,000 by default).
/// Requests that name no tenant share one bucket.
/// </summary>
internal static class Limits
{
    private const string NoTenant = "(none)";

    public static IServiceCollection AddOneGoLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perSecond = configuration.GetValue("RateLimiting:TokensPerSecond", 500);
        var burst = configuration.GetValue("RateLimiting:Burst", 1000);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetTokenBucketLimiter(TenantKey(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
                    : "1";
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"This region's requests are over {perSecond} a second. Retry after the time in Retry-After.",
                    type: "https://onego.gov.cn/problems/rate-limited").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    // Keyed by the canonical id, so that a code and an id of one region share one bucket.
    private static string TenantKey(HttpContext context)
    {
        if (context.GetRouteValue(TenantResolution.RouteParameter) is not string raw)
        {
            return NoTenant;
        }

        return context.RequestServices.GetRequiredService<RegionDirectory>().Cached(raw)?.Id ?? raw;
    }

    /// <summary>Refuses a body over the limit with a 413 problem before any other check; caps streamed bodies too.</summary>
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app, IConfiguration configuration)
    {
        var max = configuration.GetValue("Limits:MaxRequestBodyBytes", 1L << 20);
        return app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > max)
            {
                await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The body is too large",
                    detail: $"A request body may be at most {max:N0} bytes; this one is {context.Request.ContentLength:N0}.",
                    type: "https://onego.gov.cn/problems/too-large").ExecuteAsync(context);
                return;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = max;
            }

            await next(context);
        });
    }
}
