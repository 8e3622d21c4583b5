using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Statistics;

/// <summary>When the statistics of the previous month are published to the zone.</summary>
public sealed class StatisticsSettings : ISettings
{
    public static string Section => "Statistics";

    /// <summary>A Quartz cron (Asia/Shanghai) or an interval <c>hh:mm:ss</c>; by default 00:00 on the 1st of every month.</summary>
    public string PublishSchedule { get; set; } = StatisticsJob.DefaultSchedule;

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        JobSchedule.Problem(PublishSchedule, StatisticsJob.ScheduleSetting) is { } schedule ? [schedule] : [];
}

/// <summary>
/// The measured reductions as everyone reads them: a region's figures (public for its live bundles, every count for its
/// own staff), and the months published to the national service zone.
/// </summary>
internal static class StatisticsApi
{
    /// <summary>One region's statistics of one month as the zone holds them.</summary>
    /// <param name="Tenant">The region.</param>
    /// <param name="Month">yyyy-MM.</param>
    /// <param name="PublishedAt">When the monthly job published them: once, never changed.</param>
    /// <param name="Statistics">The public view of that month.</param>
    public sealed record ZoneStatisticsItem(string Tenant, string Month, DateTimeOffset PublishedAt, [property: SchemaOf(typeof(StatisticsView))] JsonNode Statistics);

    public static IServiceCollection AddOneGoStatistics(this IServiceCollection services)
    {
        services.AddSettings<StatisticsSettings>();
        services.AddScoped<MeasuredReductions>();
        services.AddScoped<RatingCounts>();
        services.AddRecurringJob<StatisticsJob>(StatisticsJob.Name, StatisticsJob.ScheduleSetting,
            sp => sp.GetRequiredService<IOptions<StatisticsSettings>>().Value.PublishSchedule, StatisticsJob.DefaultSchedule);
        return services;
    }

    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/t/{tenant}/statistics", GetAsync).WithTags("Statistics").WithName("getStatistics")
            .WithSummary($"Measured reductions per bundle and for the region — the working days, trips and materials applicants really spent, beside what the bundles declare — over the applications completed in month= (yyyy-MM) or ever; and 好差评 per bundle, department and region — the ratings given in that month, each level's share, the satisfaction rate, the rectifications on time and late (never a comment). Anyone reads the live bundles' figures, each shown only when it rests on at least {MeasuredReductions.MinimumApplications} applications or ratings; the region's own staff (and the admins above it) read every bundle with its count.");
        app.MapGet("/api/zone/statistics", ZoneAsync).WithTags("Zone").WithName("listZoneStatistics")
            .WithSummary("The regions' monthly statistics as published to the national zone on the 1st of the next month, by region; region= (an id or division code: it and everything below) and month= narrow them.");
        return app;
    }

    private static async Task<Results<OkDocument<StatisticsView>, InvalidProblem>> GetAsync(
        HttpContext context, MeasuredReductions measured, [Description("yyyy-MM: the applications completed in that month (China Standard Time); every month when absent.")] string? month,
        CancellationToken cancellationToken)
    {
        var (first, problem) = MeasuredReductions.ReadMonth(month);
        if (problem is not null)
        {
            return ApiProblems.Invalid([ApiError.ForParameter("month", "format", problem)]);
        }

        var tenant = context.Tenant().Id;
        var full = Capabilities.Allows(context.User, Capability.ReadStatistics, tenant);
        return new OkDocument<StatisticsView>(await measured.OfAsync(tenant, first, full, cancellationToken));
    }

    private static async Task<Results<OkDocument<Page<ZoneStatisticsItem>>, InvalidProblem>> ZoneAsync(
        OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory,
        [Description("A region's id or division code: that region and every region below it.")] string? region,
        [Description("yyyy-MM: that month only.")] string? month,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        RegionInfo? root = null;
        if (!string.IsNullOrEmpty(region) && (root = await directory.ResolveAsync(region, cancellationToken)) is null)
        {
            errors.Add(ApiError.ForParameter("region", "unknown-tenant", $"No region has the id or division code '{region}'."));
        }

        var (first, problem) = MeasuredReductions.ReadMonth(month);
        if (problem is not null)
        {
            errors.Add(ApiError.ForParameter("month", "format", problem));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // What the zone holds is public: a public scope over every region.
        using var scope = tenants.EnterPublic(RegionRules.NationalId, readsBelow: true);
        var query = db.Set<ZoneStatistics>().AsNoTracking();
        if (root is not null && root.Id != RegionRules.NationalId)
        {
            var below = root.Id + ".";
            query = query.Where(s => s.TenantId == root.Id || s.TenantId.StartsWith(below));
        }

        if (first is { } m)
        {
            var name = MeasuredReductions.NameOf(m);
            query = query.Where(s => s.Month == name);
        }

        // Keyed by month, newest first, then region: the cursor is "month/tenant" of the last item.
        if (paging.After is { } after && after.Split('/') is [var afterMonth, var afterTenant])
        {
            query = query.Where(s => string.Compare(s.Month, afterMonth) < 0 || (s.Month == afterMonth && string.Compare(s.TenantId, afterTenant) > 0));
        }

        var rows = await query.OrderByDescending(s => s.Month).ThenBy(s => s.TenantId).Take(paging.Limit + 1).ToListAsync(cancellationToken);
        string? next = null;
        if (rows.Count > paging.Limit)
        {
            rows.RemoveAt(paging.Limit);
            next = Paging.Encode(rows[^1].Month + "/" + rows[^1].TenantId);
        }

        return new OkDocument<Page<ZoneStatisticsItem>>(new Page<ZoneStatisticsItem>(
            rows.Select(r => new ZoneStatisticsItem(r.TenantId, r.Month, r.PublishedAt, JsonNode.Parse(r.Figures)!)).ToList(), next));
    }
}
