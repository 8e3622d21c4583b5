using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using Quartz;

namespace OneGo.Server.Scheduling;

/// <summary>
/// Starts this node's scheduler with the server and stops it with the server. It starts only once the schema is
/// there: migrations run in <see cref="Hosting.StartupWork"/>'s StartingAsync, which the host completes for every
/// service before any StartAsync; with migrations left to the <c>migrate</c> command and still pending, the node
/// runs without a scheduler (readiness reports the pending migrations). The command line never starts the host's
/// services, so <c>migrate</c> and <c>tenants …</c> never start a scheduler.
/// </summary>
internal sealed class SchedulerHost(
    ISchedulerFactory schedulers,
    Jobs jobs,
    IEnumerable<RecurringJob> recurring,
    IEnumerable<IJobSource> sources,
    IOptions<SchedulingSettings> settings,
    IServiceScopeFactory scopes,
    IServiceProvider services,
    ILogger<SchedulerHost> logger) : IHostedLifecycleService
{
    private readonly Lock _stopGate = new();
    private IScheduler? _scheduler;
    private Task? _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Value.Enabled)
        {
            logger.LogInformation("Scheduling:Enabled is false: this node runs no scheduled jobs");
            return;
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var pending = (await scope.ServiceProvider.GetRequiredService<OneGoDbContext>().Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogWarning("The scheduler is not started: {Count} migration(s) are pending. Run the 'migrate' command, then restart this node", pending.Count);
                return;
            }
        }

        // Every configured schedule is read before anything is stored, so a bad one changes nothing.
        var declared = recurring.Select(job => (Job: job, Schedule: job.Schedule(services))).ToList();
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var (job, schedule) in declared)
        {
            await jobs.ScheduleAsync(job.Key, job.JobType, schedule, $"{job.JobType.Name} ({job.Setting})", cancellationToken);
        }

        // A recurring job no longer declared (renamed or removed in code) would fail to load at its next firing.
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Jobs.RecurringGroup), cancellationToken))
        {
            if (!declared.Any(d => d.Job.Key.Equals(key)))
            {
                await jobs.DeleteAsync(key, cancellationToken);
                logger.LogInformation("Recurring job {Job} is no longer declared: removed", key);
            }
        }

        // Jobs whose schedules live in the database (each tenant's publishing run), brought in step with it.
        foreach (var source in sources)
        {
            await source.ScheduleAsync(cancellationToken);
        }

        _scheduler = scheduler;
    }

    /// <summary>Jobs start firing once every service has started and the server listens, as Quartz's own host does.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
        {
            await _scheduler.Start(cancellationToken);
        }
    }

    /// <summary>
    /// Stops the scheduler once, whoever asks: a host run by <c>RunAsync</c> can be stopped by its own shutdown and
    /// by its owner at the same time, and a second, concurrent shutdown of the scheduler would race the first.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopGate)
        {
            return _stopping ??= StopSchedulerAsync(cancellationToken);
        }
    }

    private async Task StopSchedulerAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is null)
        {
            return;
        }

        // Standby first: the scheduler hands back the triggers it reserved for its next slots. Shutting down at once
        // can leave one reserved by this (now gone) node, and cluster recovery would fire that slot late on another.
        await _scheduler.Standby(cancellationToken);
        var reserved = new FireInstanceQuery { SchedulerInstanceId = _scheduler.SchedulerInstanceId, State = FireInstanceState.Acquired, Take = 1 };
        for (var wait = 0; wait < 50 && (await _scheduler.QueryFireInstances(reserved, cancellationToken)).Items.Count > 0; wait++)
        {
            await Task.Delay(100, cancellationToken);
        }

        await _scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
