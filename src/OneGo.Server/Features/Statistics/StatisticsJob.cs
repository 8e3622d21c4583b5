using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Scheduling;
using OneGo.Tenancy;
using Quartz;

namespace OneGo.Server.Features.Statistics;

/// <summary>
/// A region's public statistics of one month, as published to the national service zone: written once, never changed.
/// </summary>
public sealed class ZoneStatistics : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>yyyy-MM: the month whose completed applications the figures count (China Standard Time). One per region.</summary>
    public required string Month { get; set; }

    /// <summary>The public view of the month (<see cref="StatisticsView"/>, JSON).</summary>
    public required string Figures { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<ZoneStatistics>(statistics =>
    {
        statistics.ToTable("ZoneStatistics");
        statistics.Property(s => s.Month).HasMaxLength(7);
        // Once per region and month (TenantId leads the index by convention): two nodes, or a run again, cannot publish it twice.
        statistics.HasIndex(s => s.Month).IsUnique();
    });
}

/// <summary>
/// Publishes every region's statistics of the previous month to the zone, at 00:00 on the 1st (Asia/Shanghai) by
/// default: the public view, so a figure resting on fewer than the minimum of applications is not published either.
/// Each region and month once: a region already published is passed over, and the unique index stops a second node.
/// A Quartz job on the cluster like publishing; run again (the operator's "run now"), it publishes what is missing.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class StatisticsJob(
    OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, MeasuredReductions measured, TimeProvider clock, ILogger<StatisticsJob> logger) : IJob
{
    public const string Name = "publish-statistics";
    public const string ScheduleSetting = "Statistics:PublishSchedule";

    /// <summary>At 00:00 on the 1st of every month (Asia/Shanghai).</summary>
    public const string DefaultSchedule = "0 0 0 1 * ?";

    /// <summary>Who the audit log names for the publication.</summary>
    public const string Actor = "system:statistics";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var (month, published) = await RunAsync(cancellationToken);
        logger.LogInformation("Statistics of {Month} published to the zone for {Regions} region(s)", month, published);
    }

    /// <summary>Publishes the previous month for every region that has not had it published; answers the month and how many it published.</summary>
    public async Task<(string Month, int Published)> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var month = MeasuredReductions.PreviousMonth(now);
        var name = MeasuredReductions.NameOf(month);
        var published = 0;
        foreach (var region in await directory.AllAsync(cancellationToken))
        {
            using (tenants.Enter(region.Id))
            {
                if (await db.Set<ZoneStatistics>().AnyAsync(s => s.Month == name, cancellationToken))
                {
                    continue;
                }
            }

            var view = await measured.OfAsync(region.Id, month, full: false, cancellationToken);
            using (tenants.Enter(region.Id))
            {
                db.Add(new ZoneStatistics { Month = name, Figures = JsonSerializer.Serialize(view, CatalogueJson.Options), PublishedAt = now });
                db.Audit(new AuditEvent(Actor, "statistics.publish", $"tenant/{region.Id}", new
                {
                    month = name,
                    applications = view.Region.Applications,
                    bundles = view.Bundles.Count(b => !b.TooFew),
                }));
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    published++;
                }
                catch (DbUpdateException)
                {
                    // Another node published this region's month meanwhile: once is what counts.
                    db.ChangeTracker.Clear();
                    db.PendingAudit.Clear();
                }
            }
        }

        return (name, published);
    }
}
