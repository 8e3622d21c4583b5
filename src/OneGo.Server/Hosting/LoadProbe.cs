using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Hosting;

/// <summary><c>Diagnostics</c>: what is there only to measure the server, never in a deployment.</summary>
internal sealed class DiagnosticsSettings : ISettings
{
    public static string Section => "Diagnostics";

    /// <summary>Maps <see cref="LoadProbe"/>'s route.</summary>
    public bool LoadProbe { get; set; }
}

/// <summary>
/// The ceiling the load script (<c>infra/load/live-bundle.sh</c>) measures the live-bundle route against:
/// <c>GET /_probe/raw/{tenant}/{code}</c> sends a live bundle's bytes with the same headers as
/// <c>GET /api/t/{tenant}/bundles/{code}</c>, captured once at the first call and then written with as little
/// work as a route can do (no conditional request, no database, no re-check). It goes through the same
/// middleware, tenant resolution included, so the ratio of the two is the cost of the real route's own work.
/// Mapped only when <c>Diagnostics:LoadProbe</c> is true: off by default, and never meant for a deployment.
/// </summary>
internal static class LoadProbe
{
    private sealed record Captured(byte[] Bytes, StringValues ETag);

    private static readonly StringValues ContentType = "application/json; charset=utf-8";
    private static readonly StringValues NoCache = "no-cache";

    public static IEndpointRouteBuilder MapLoadProbe(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<DiagnosticsSettings>>().Value.LoadProbe)
        {
            return app;
        }

        var captured = new ConcurrentDictionary<(string Tenant, string Code), Captured>();
        app.MapGet("/_probe/raw/{tenant}/{code}", async context =>
        {
            (string Tenant, string Code) key = (context.Tenant().Id, (string)context.Request.RouteValues["code"]!);
            if (!captured.TryGetValue(key, out var bytes))
            {
                var found = await CaptureAsync(context, key.Code);
                if (found is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                bytes = captured.GetOrAdd(key, found);
            }

            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.Headers.ContentType = ContentType;
            response.Headers.ETag = bytes.ETag;
            response.Headers.CacheControl = NoCache;
            response.ContentLength = bytes.Bytes.Length;
            await response.Body.WriteAsync(bytes.Bytes, context.RequestAborted);
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>The live bundle's bytes as the real route serves them (the tenant's query filter applies).</summary>
    private static async Task<Captured?> CaptureAsync(HttpContext context, string code)
    {
        var db = context.RequestServices.GetRequiredService<OneGoDbContext>();
        var version = await db.Set<BundleRecord>().AsNoTracking().Where(b => b.Code == code).Select(b => b.LiveVersion).SingleOrDefaultAsync(context.RequestAborted);
        if (version is null)
        {
            return null;
        }

        var row = await db.Set<BundleVersion>().AsNoTracking()
            .Where(v => v.BundleCode == code && v.Version == version)
            .Select(v => new { v.Effective, v.ETag })
            .SingleAsync(context.RequestAborted);
        return new Captured(row.Effective, row.ETag);
    }
}
