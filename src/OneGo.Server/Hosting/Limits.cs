using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Hosting;

/// <summary><c>Limits</c>: what a single request may carry.</summary>
internal sealed class LimitsSettings : ISettings
{
    public static string Section => "Limits";

    /// <summary>A larger body is a 413 before anything else reads it.</summary>
    [Positive]
    public long MaxRequestBodyBytes { get; set; } = 1L << 20;
}

/// <summary><c>RateLimiting</c>: the token buckets per tenant, per client and for the identity routes.</summary>
internal sealed class RateLimitingSettings : ISettings
{
    public static string Section => "RateLimiting";

    [Positive]
    public int TokensPerSecond { get; set; } = 500;

    [Positive]
    public int Burst { get; set; } = 1000;

    [Positive]
    public int ClientPerSecond { get; set; } = 100;

    [Positive]
    public int ClientBurst { get; set; } = 200;

    [Positive]
    public int IdentityPerSecond { get; set; } = 20;

    [Positive]
    public int IdentityBurst { get; set; } = 60;

    /// <summary>The period the "per second" figures refill in: a second, unless a test or an operator names another.</summary>
    [Positive]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary><c>Network</c>: the proxies whose forwarded client address is believed.</summary>
internal sealed class NetworkSettings : ISettings
{
    public static string Section => "Network";

    /// <summary>Proxies by address.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxies by network, in CIDR notation.</summary>
    public string[] KnownNetworks { get; set; } = [];

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        KnownProxies.Where(p => !System.Net.IPAddress.TryParse(p, out _))
            .Select(p => $"Network:KnownProxies has '{p}', which is not an IP address such as 10.0.0.5.")
            .Concat(KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _))
                .Select(n => $"Network:KnownNetworks has '{n}', which is not a network in CIDR notation such as 10.0.0.0/24."));
}

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

    public static IServiceCollection AddOneGoLimits(this IServiceCollection services)
    {
        services.AddSettings<LimitsSettings>();
        services.AddSettings<RateLimitingSettings>();
        services.AddSettings<NetworkSettings>();
        services.AddSingleton(sp =>
        {
            var limits = sp.GetRequiredService<IOptions<RateLimitingSettings>>().Value;
            return new IdentityLimiter(PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Bucket("identity:" + Address(context), limits.IdentityPerSecond, limits.IdentityBurst, limits.Period)));
        });
        services.AddRateLimiter(limiter => limiter.OnRejected = (rejected, _) => RejectAsync(rejected.HttpContext, rejected.Lease));
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingSettings>>((limiter, settings) =>
        {
            var limits = settings.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Bucket(ClientKey(context), limits.ClientPerSecond, limits.ClientBurst, limits.Period)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => TenantKey(context) is { } tenant
                    ? Bucket(tenant, limits.TokensPerSecond, limits.Burst, limits.Period)
                    : RateLimitPartition.GetNoLimiter("")));
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
        var trusted = app.Services.GetRequiredService<IOptions<NetworkSettings>>().Value;
        foreach (var proxy in trusted.KnownProxies)
        {
            options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        }

        foreach (var network in trusted.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        return options.KnownProxies.Count + options.KnownIPNetworks.Count > 0 ? app.UseForwardedHeaders(options) : app;
    }

    /// <summary>The identity routes' limiter, one per node.</summary>
    internal sealed record IdentityLimiter(PartitionedRateLimiter<HttpContext> Limiter);

    /// <summary>
    /// Refuses a body over the limit with a 413 problem before any other check; caps streamed bodies too. A route that
    /// takes files names its own, larger limit (<see cref="LargerBody"/>): the one place the limit is raised.
    /// </summary>
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<IOptions<LimitsSettings>>();
        return app.Use(async (context, next) =>
        {
            var larger = context.GetEndpoint()?.Metadata.GetMetadata<LargerBody>();
            var max = larger is null ? limits.Value.MaxRequestBodyBytes : Math.Max(larger.MaxBytes(context.RequestServices), limits.Value.MaxRequestBodyBytes);
            if (larger is not null && context.Request.ContentLength > max)
            {
                // The route says what is too large (a material's file names the material).
                await larger.TooLarge(context, max).ExecuteAsync(context);
                return;
            }

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

/// <summary>
/// A route that takes a larger body than <c>Limits:MaxRequestBodyBytes</c> (a material's file): its limit, read from its
/// settings, and the 413 it answers, still before anything else, for a body declared larger.
/// </summary>
public sealed record LargerBody(Func<IServiceProvider, long> MaxBytes, Func<HttpContext, long, IResult> TooLarge);
