using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Hosting;

/// <summary>
/// What protects every tenant and every client from every other (finding M3): a body size limit (413), and rate
/// limits (429) chained so that one client cannot starve a tenant and one tenant's crowd cannot starve the country.
/// A request counts against its client — the token's subject when it carries a valid one, otherwise the connection's
/// address (the forwarded address only through a proxy named in <c>Network:KnownProxies</c>) — at
/// <c>RateLimiting:ClientPerSecond</c>/<c>ClientBurst</c> (100/200: a district office behind one address works
/// unhindered), then against its tenant at <c>RateLimiting:TokensPerSecond</c>/<c>Burst</c> (500/1,000); requests
/// naming no tenant count against their client only. Sign-in, token and password routes have their own, tighter
/// bucket per address (<c>RateLimiting:IdentityPerSecond</c>/<c>IdentityBurst</c>, 20/60), counted before any
/// password or client secret is hashed, so guessing and a flood of token requests cost little and touch nobody else.
/// </summary>
internal static class Limits
{
    private static readonly string[] IdentityPaths = ["/connect/", "/account/"];

    public static IServiceCollection AddOneGoLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perSecond = configuration.GetValue("RateLimiting:TokensPerSecond", 500);
        var burst = configuration.GetValue("RateLimiting:Burst", 1000);
        var clientPerSecond = configuration.GetValue("RateLimiting:ClientPerSecond", 100);
        var clientBurst = configuration.GetValue("RateLimiting:ClientBurst", 200);
        var identityPerSecond = configuration.GetValue("RateLimiting:IdentityPerSecond", 20);
        var identityBurst = configuration.GetValue("RateLimiting:IdentityBurst", 60);
        // The period the "per second" figures refill in: a second, unless a test or an operator names another.
        var period = configuration.GetValue("RateLimiting:Period", TimeSpan.FromSeconds(1));
        services.AddSingleton(new IdentityLimiter(PartitionedRateLimiter.Create<HttpContext, string>(context =>
            Bucket("identity:" + Address(context), identityPerSecond, identityBurst, period))));
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Bucket(ClientKey(context), clientPerSecond, clientBurst, period)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => TenantKey(context) is { } tenant
                    ? Bucket(tenant, perSecond, burst, period)
                    : RateLimitPartition.GetNoLimiter("")));
            limiter.OnRejected = (rejected, _) => RejectAsync(rejected.HttpContext, rejected.Lease);
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst, TimeSpan period) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask RejectAsync(HttpContext context, RateLimitLease lease)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
            ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : "1";
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: "Too many requests from this client or to this region. Retry after the time in Retry-After.",
            type: "https://onego.gov.cn/problems/rate-limited").ExecuteAsync(context);
    }

    /// <summary>Who is asking: the token's subject when it is valid, else the connection's address.</summary>
    private static string ClientKey(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject)?.Value is { } subject
            ? "subject:" + subject
            : "address:" + Address(context);

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // Keyed by the canonical id, so that a code and an id of one region share one bucket; an unknown region is a 404 and counts against its client only.
    private static string? TenantKey(HttpContext context) =>
        context.GetRouteValue(TenantResolution.RouteParameter) is string raw
            ? context.RequestServices.GetRequiredService<RegionDirectory>().Cached(raw)?.Id
            : null;

    /// <summary>The identity routes' own bucket per address, applied before authentication reads a form or hashes a secret.</summary>
    public static IApplicationBuilder UseIdentityLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path.Value ?? "";
        if (HttpMethods.IsPost(context.Request.Method) && IdentityPaths.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            using var lease = await context.RequestServices.GetRequiredService<IdentityLimiter>().Limiter.AcquireAsync(context, 1, context.RequestAborted);
            if (!lease.IsAcquired)
            {
                await RejectAsync(context, lease);
                return;
            }
        }

        await next(context);
    });

    /// <summary>
    /// The client's address and scheme as a trusted proxy forwarded them: only proxies named in <c>Network:KnownProxies</c>
    /// (addresses) or <c>Network:KnownNetworks</c> (CIDR) are believed — none by default, not even loopback — so nobody
    /// picks their own rate-limit bucket or sign-in throttle with an X-Forwarded-For header.
    /// </summary>
    public static IApplicationBuilder UseForwardedAddresses(this WebApplication app)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in app.Configuration.GetSection("Network:KnownProxies").Get<string[]>() ?? [])
        {
            options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        }

        foreach (var network in app.Configuration.GetSection("Network:KnownNetworks").Get<string[]>() ?? [])
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        return options.KnownProxies.Count + options.KnownIPNetworks.Count > 0 ? app.UseForwardedHeaders(options) : app;
    }

    /// <summary>The identity routes' limiter, one per node.</summary>
    internal sealed record IdentityLimiter(PartitionedRateLimiter<HttpContext> Limiter);

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
