using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OneGo.Server.Data;
using OneGo.Server.Identity;
using OneGo.Server.Storage;

namespace OneGo.Server.Hosting;

/// <summary>Liveness (the process answers) and readiness (the database is reachable and fully migrated, the blob store writable).</summary>
internal static class Health
{
    private const string Ready = "ready";

    private static readonly JsonSerializerOptions WithoutNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static IServiceCollection AddOneGoHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<OneGoDbContext>("database", tags: [Ready])
            .AddCheck<MigrationsApplied>("migrations", tags: [Ready])
            // Bounded: the storage client retries an unreachable service for longer than a probe waits.
            .AddCheck<BlobStoreReady>("blobs", tags: [Ready], timeout: TimeSpan.FromSeconds(10));
        return services;
    }

    public static IEndpointRouteBuilder MapOneGoHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = Write }).WithTags("Health");
        return app;
    }

    /// <summary>
    /// Anyone (a load balancer) reads each check's status; what a check found — folders, containers, migrations,
    /// errors — is for the national operator's token only, and for the log, where a failing check writes it.
    /// </summary>
    private static Task Write(HttpContext context, HealthReport report)
    {
        var details = context.User.Identity?.IsAuthenticated == true && Capabilities.Allows(context.User, Capability.OperateNation, null);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = details ? e.Value.Description : null }),
        }, WithoutNulls, context.RequestAborted);
    }

    private sealed class MigrationsApplied(OneGoDbContext db, Identity.DeploymentKeys keys) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                return HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}. Run the server's 'migrate' command.");
            }

            return keys.Ephemeral
                ? HealthCheckResult.Unhealthy("The database was migrated after this node started: restart it so that it loads the shared token keys.")
                : HealthCheckResult.Healthy("all migrations applied");
        }
    }

    private sealed class BlobStoreReady(IBlobStore blobs) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            blobs.CheckReadyAsync(cancellationToken);
    }
}
