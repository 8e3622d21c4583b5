using Quartz;

namespace OneGo.Server.Scheduling;

/// <summary>
/// What features do with their jobs: store one on a schedule, run one now ("publish now"), ask whether one is
/// running. Jobs live in the database, so a job run now or scheduled on one node runs once, on whichever node of
/// the cluster picks it up.
/// </summary>
internal sealed class Jobs(ISchedulerFactory schedulers, TimeProvider clock, ILogger<Jobs> logger)
{
    /// <summary>The group of the jobs declared with <see cref="SchedulingSetup.AddRecurringJob{TJob}"/>.</summary>
    public const string RecurringGroup = "recurring";

    /// <summary>The key of a recurring job, stable across restarts and nodes.</summary>
    public static JobKey RecurringKey(string name) => new(name, RecurringGroup);

    /// <summary>
    /// Stores <typeparamref name="TJob"/> under <paramref name="key"/>, durable (so it can be run now whatever its
    /// schedule), and makes sure its trigger fires on <paramref name="schedule"/>: a trigger already on that schedule
    /// is kept, so its missed slots are handled by its misfire instruction; a different one is replaced.
    /// </summary>
    public Task ScheduleAsync<TJob>(JobKey key, JobSchedule schedule, string description, CancellationToken cancellationToken)
        where TJob : IJob =>
        ScheduleAsync(key, typeof(TJob), schedule, description, cancellationToken);

    /// <inheritdoc cref="ScheduleAsync{TJob}"/>
    public async Task ScheduleAsync(JobKey key, Type jobType, JobSchedule schedule, string description, CancellationToken cancellationToken)
    {
        await StoreAsync(key, jobType, description, cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);

        var triggerKey = TriggerKeyOf(key);
        var stored = await scheduler.GetTrigger(triggerKey, cancellationToken);
        if (stored is not null && schedule.IsFiredBy(stored))
        {
            return;
        }

        // Replace under the store's lock: two nodes starting together with the same new schedule store it once.
        await scheduler.ScheduleTrigger(schedule.Trigger(triggerKey, key, clock), TriggerConflict.Replace, cancellationToken);
        logger.LogInformation("Job {Job} scheduled {Schedule}", key, schedule);
    }

    /// <summary>
    /// Stores <typeparamref name="TJob"/> under <paramref name="key"/> with no schedule, to be run with
    /// <see cref="RunNowAsync"/>; storing it again replaces its description and type, and keeps its triggers.
    /// </summary>
    public Task StoreAsync<TJob>(JobKey key, string description, CancellationToken cancellationToken)
        where TJob : IJob =>
        StoreAsync(key, typeof(TJob), description, cancellationToken);

    private async Task StoreAsync(JobKey key, Type jobType, string description, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        // Durable: a job fired by hand must outlive its one-shot trigger, and a job without a schedule must stay stored.
        var job = JobBuilder.Create().OfType(jobType).WithIdentity(key).WithDescription(description).StoreDurably()
            .RequestRecovery(jobType.IsDefined(typeof(TakenOverWhenItsNodeDiesAttribute), inherit: false)).Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
    }

    /// <summary>
    /// Keeps <paramref name="key"/> stored, to be run now, and removes its schedule: for a job whose schedule cannot
    /// be kept (a tenant's schedule that never fires), which must not stop the node from starting.
    /// </summary>
    public async Task UnscheduleAsync(JobKey key, Type jobType, string description, CancellationToken cancellationToken)
    {
        await StoreAsync(key, jobType, description, cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJob(TriggerKeyOf(key), cancellationToken);
    }

    /// <summary>Removes a job and its triggers; a firing already running finishes.</summary>
    public async Task<bool> DeleteAsync(JobKey key, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        return await scheduler.DeleteJob(key, cancellationToken);
    }

    /// <summary>
    /// Fires the stored job once, now, on whichever node acquires it. A job marked
    /// <see cref="DisallowConcurrentExecutionAttribute"/> that is running waits for that run to end first; callers that
    /// would rather not queue a second run ask <see cref="IsRunningAsync"/> first.
    /// </summary>
    public async Task RunNowAsync(JobKey key, CancellationToken cancellationToken, JobDataMap? data = null)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.TriggerJob(key, data, cancellationToken);
    }

    /// <summary>Whether the job is executing on any node: the store records every firing, so this sees the whole cluster.</summary>
    public async Task<bool> IsRunningAsync(JobKey key, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var running = await scheduler.QueryFireInstances(new FireInstanceQuery { Job = key, Take = 1 }, cancellationToken);
        return running.Items.Count > 0;
    }

    internal static TriggerKey TriggerKeyOf(JobKey job) => new(job.Name, job.Group);
}

/// <summary>A feature whose jobs are scheduled from data rather than configuration; the scheduler asks it at start-up.</summary>
internal interface IJobSource
{
    Task ScheduleAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A job whose firing, cut off by the death of the node running it, is fired again on a node that survives, as soon as
/// the cluster takes that node for dead (Quartz's RequestsRecovery): with the same data, and
/// <see cref="IJobExecutionContext.Recovering"/> set so that the job takes up what the dead node left under way.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class TakenOverWhenItsNodeDiesAttribute : Attribute;
