using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Scheduling;
using OneGo.Tenancy;
using Quartz;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// One job per tenant (its JobKey is the tenant's id), fired by the tenant's cron schedule or by "publish now":
/// Quartz never runs one tenant's job twice at once, across every node of the cluster. A run whose node dies is taken
/// over by another node once the cluster takes the dead one for dead (<c>Scheduling:ClusterCheckinInterval</c> plus
/// <c>ClusterCheckinMisfireThreshold</c>), and carries on from the batches already committed to its end.
/// </summary>
[DisallowConcurrentExecution]
[TakenOverWhenItsNodeDies]
internal sealed class PublishingJob(ZonePublisher publisher, ILogger<PublishingJob> logger) : IJob
{
    public const string Group = "publishing";
    public const string RunKey = "run";

    public static JobKey KeyOf(string tenant) => new(tenant, Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var tenant = context.JobDetail.Key.Name;
        // Quartz runs one job per tenant at a time across the cluster: a run still marked running when this firing is not
        // a dead node's taken over is a dead node's, one the cluster has not handed over (its node died before it took the
        // run up, or it was older than this); it is marked interrupted.
        Guid run;
        PublishingRun? started = null;
        if (context.MergedJobDataMap.TryGetString(RunKey, out var id) && Guid.TryParse(id, out var runId))
        {
            // "Publish now" names the run it queued.
            if (!context.Recovering)
            {
                await publisher.AbandonRunningAsync(tenant, cancellationToken);
            }

            run = runId;
        }
        else
        {
            // The schedule's run: the one already waiting, the one a dead node left running when this firing is its
            // taken over, or a new one saved as running from the start (in the same save as the abandoned ones).
            var (next, created) = await publisher.QueueAsync(tenant, "schedule", null, cancellationToken, abandonRunning: !context.Recovering, start: true);
            run = next.Id;
            started = created ? next : null;
        }

        if (context.Recovering)
        {
            logger.LogWarning("Publishing run {Run} of {Tenant} was cut off with the node running it; node {Node} takes it over",
                run, tenant, context.Scheduler.SchedulerInstanceId);
        }
        else
        {
            // Which node ran which slot: what an operator reads to follow the tenant's runs through a failover.
            logger.LogInformation("Publishing run {Run} of {Tenant}: the firing for {Slot:O} runs on node {Node}",
                run, tenant, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.Scheduler.SchedulerInstanceId);
        }

        await (started is null ? publisher.RunAsync(tenant, run, cancellationToken) : publisher.RunStartedAsync(tenant, started, cancellationToken));
    }
}

/// <summary>
/// Keeps each tenant's publishing trigger in the scheduler's store in step with its settings: at start-up for every
/// tenant, and at once when a tenant's schedule changes (the store is shared, so every node sees the change).
/// </summary>
internal sealed class PublishingSchedules(
    Jobs jobs, IServiceScopeFactory scopes, PublishingScheduleRule rule, IOptions<PublishingSettings> settings, ILogger<PublishingSchedules> logger) : IJobSource
{
    /// <summary>Schedules the tenant's runs on <paramref name="cron"/>, which the caller has checked with <see cref="PublishingScheduleRule"/>.</summary>
    public async Task ApplyAsync(string tenant, string? cron, CancellationToken cancellationToken)
    {
        var schedule = new JobSchedule.Cron(string.IsNullOrWhiteSpace(cron) ? TenantSettings.DefaultPublishingSchedule : cron);
        await jobs.ScheduleAsync(PublishingJob.KeyOf(tenant), typeof(PublishingJob), schedule, Description(tenant), cancellationToken);
    }

    private static string Description(string tenant) => $"Publishing run of {tenant}";

    /// <summary>
    /// At start-up: a stored schedule the rule refuses (put there by an older version or by SQL) is logged and the
    /// tenant left without scheduled runs — "publish now" still works — instead of failing the node's start.
    /// </summary>
    private async Task ApplyStoredAsync(string tenant, string? cron, CancellationToken cancellationToken)
    {
        var expression = string.IsNullOrWhiteSpace(cron) ? TenantSettings.DefaultPublishingSchedule : cron;
        var problem = rule.Check(expression);
        if (problem is null)
        {
            try
            {
                await ApplyAsync(tenant, expression, cancellationToken);
                return;
            }
            catch (SchedulerException error)
            {
                problem = error.Message;
            }
        }

        logger.LogWarning("The publishing schedule of {Tenant} is not kept: {Problem} The tenant publishes only when asked until an admin sets a schedule (PUT …/settings)",
            tenant, problem);
        await jobs.UnscheduleAsync(PublishingJob.KeyOf(tenant), typeof(PublishingJob), Description(tenant), cancellationToken);
    }

    public async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var tenants = scope.ServiceProvider.GetRequiredService<CurrentTenant>();
        Dictionary<string, string?> schedules;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            schedules = await db.TenantSettings.AsNoTracking().ToDictionaryAsync(s => s.TenantId, s => (string?)s.PublishingSchedule, cancellationToken);
        }

        var regions = await db.Regions.AsNoTracking().Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var region in regions)
        {
            await ApplyStoredAsync(region, schedules.GetValueOrDefault(region), cancellationToken);
        }

        logger.LogInformation("Publishing schedules in step for {Count} tenant(s)", regions.Count);
        if (settings.Value.RunOnStart)
        {
            await RunAllNowAsync(scope.ServiceProvider.GetRequiredService<ZonePublisher>(), regions, cancellationToken);
        }
    }

    /// <summary>
    /// <c>Publishing:RunOnStart</c> (on in Development): every tenant publishes what is approved and not yet in the zone
    /// as the node starts, as "publish now" would, so that a fresh embedded default has its zone filled without waiting
    /// for the nightly slots. A tenant with a run already queued or under way (another node starting) keeps that one.
    /// </summary>
    private async Task RunAllNowAsync(ZonePublisher publisher, IReadOnlyList<string> regions, CancellationToken cancellationToken)
    {
        var started = 0;
        foreach (var region in regions)
        {
            var (run, created) = await publisher.QueueAsync(region, "start", null, cancellationToken);
            if (created)
            {
                await jobs.RunNowAsync(PublishingJob.KeyOf(region), cancellationToken, new JobDataMap { [PublishingJob.RunKey] = run.Id.ToString() });
                started++;
            }
        }

        logger.LogInformation("Publishing runs started for {Count} tenant(s) as the node starts (Publishing:RunOnStart)", started);
    }
}
