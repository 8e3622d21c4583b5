using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using OneGo.Server.Tests.Infrastructure;
using Quartz;

namespace OneGo.Server.Tests.Scheduling;

/// <summary>The scheduler a node starts with the server, on the application's database.</summary>
public abstract class SchedulerHostTests(Provider provider)
{
    [Fact]
    public async Task TheHostStartsItsSchedulerOnTheMigratedDatabaseWithThePruningJobDeclared()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var app = SchedulingTestSupport.Node(database);
        var scheduler = await app.SchedulerAsync();

        Assert.Equal(SchedulerStatus.Running, scheduler.Status);
        var metadata = await scheduler.GetMetadata();
        Assert.True(metadata.JobStorePersistent);
        // A cluster on PostgreSQL (and SQL Server); SQLite is one node's file.
        Assert.Equal(provider == Provider.Postgres, metadata.JobStoreClustered);
        Assert.Equal(SchedulingSetup.SchedulerName, scheduler.SchedulerName);

        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(Jobs.TriggerKeyOf(PruneTokensJob.Key)));
        Assert.Equal(PruneTokensJob.DefaultSchedule, trigger.CronExpressionString);
        Assert.Equal("Asia/Shanghai", trigger.TimeZone.Id);
        Assert.Equal(CronTriggerMisfireInstruction.DoNothing, trigger.MisfireInstruction);
        Assert.True((await scheduler.GetJobDetail(PruneTokensJob.Key))!.Durable);
        // Every declared recurring job (token pruning, audit checkpoints) is stored, and nothing else: this database has no regions to publish.
        Assert.Equal(app.Services.GetServices<RecurringJob>().Count(), await SchedulingTestSupport.CountAsync(database, "QRTZ_JOB_DETAILS"));
    }

    [Fact]
    public async Task WithSchedulingDisabledTheNodeStoresAndRunsNothing()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var app = SchedulingTestSupport.Node(database, ("Scheduling:Enabled", "false"));
        _ = app.Services;

        Assert.Equal(0, await SchedulingTestSupport.CountAsync(database, "QRTZ_JOB_DETAILS"));
        Assert.NotEqual(SchedulerStatus.Running, (await app.SchedulerAsync()).Status);
    }

    [Fact]
    public async Task ARecurringJobDeclaredWithAnIntervalFiresEachTimeInADbContextOfItsOwn()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await SchedulingTestSupport.CreateFiresTableAsync(database);
        await using var app = SchedulingTestSupport.Node(database);
        await using var node = app.WithFireRecorder("00:00:01");
        _ = node.Services;

        var fires = await SchedulingTestSupport.FiresAsync(database, f => f.Count >= 3, "three firings");
        Assert.All(fires, f => Assert.Equal(FireRecorder.Name, f.Job));
        Assert.Equal(fires.Count, fires.Select(f => f.Context).Distinct().Count());
        Assert.Equal(fires.Count, fires.Select(f => f.Scheduled).Distinct().Count());
    }

    [Fact]
    public async Task SlotsMissedWhileTheNodeWasDownAreSkippedNotRunLate()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await SchedulingTestSupport.CreateFiresTableAsync(database);
        var threshold = TimeSpan.FromMilliseconds(500);
        var settings = ("Scheduling:MisfireThreshold", "00:00:00.500");
        DateTimeOffset firstStart;
        DateTimeOffset stopped;
        await using (var app = SchedulingTestSupport.Node(database, settings))
        await using (var node = app.WithFireRecorder("00:00:01"))
        {
            var scheduler = await node.SchedulerAsync();
            firstStart = (await scheduler.GetTrigger(Jobs.TriggerKeyOf(Jobs.RecurringKey(FireRecorder.Name))))!.StartTimeUtc;
            await SchedulingTestSupport.FiresAsync(database, f => f.Count >= 1, "a firing");
        }

        stopped = DateTimeOffset.UtcNow;
        var before = await SchedulingTestSupport.FiresAsync(database);

        // Down while four slots or more pass. Quartz keeps the real clock, so real time must pass; the wait is until an
        // instant, not a guess at how long the work takes.
        var down = stopped + TimeSpan.FromSeconds(4) - DateTimeOffset.UtcNow;
        if (down > TimeSpan.Zero)
        {
            await Task.Delay(down);
        }

        await using (var app = SchedulingTestSupport.Node(database, settings))
        await using (var node = app.WithFireRecorder("00:00:01"))
        {
            var scheduler = await node.SchedulerAsync();
            // The same schedule: the stored trigger is kept (its slots and misfire instruction), not replaced.
            Assert.Equal(firstStart, (await scheduler.GetTrigger(Jobs.TriggerKeyOf(Jobs.RecurringKey(FireRecorder.Name))))!.StartTimeUtc);
            var running = (await scheduler.GetMetadata()).RunningSince!.Value;
            var after = (await SchedulingTestSupport.FiresAsync(database, f => f.Count - before.Count >= 3, "three firings after the restart"))
                .Except(before).OrderBy(f => f.Scheduled).ToList();

            // What the schedule's slots are: every second from its start, to the millisecond.
            DateTimeOffset SlotAtOrBefore(DateTimeOffset t) =>
                firstStart.AddMilliseconds((t.ToUnixTimeMilliseconds() - firstStart.ToUnixTimeMilliseconds()) / 1000 * 1000);
            string Described(Fire f) => $"the firing at {f.Fired:HH:mm:ss.fff} (for {f.Scheduled:HH:mm:ss.fff})";

            // Since the restart the job runs once per slot, and a slot missed while the node was down runs no more.
            // Quartz may label the next slot's run with the missed slot, but that run happens at a slot after the
            // restart; a catch-up would run at the restart itself, before the first slot after it (a burst of them
            // too). How late a run starts on two busy cores is not what this checks.
            Assert.Equal(after.Count, after.Select(f => f.Scheduled).Distinct().Count());
            Assert.All(after.Where(f => f.Scheduled < running - threshold), f => Assert.True(SlotAtOrBefore(f.Fired) >= running,
                $"{Described(f)} ran a slot missed while the node was down (stopped at {stopped:HH:mm:ss.fff}, running again from {running:HH:mm:ss.fff})"));
        }
    }

    [Fact]
    public async Task AChangedScheduleReplacesTheStoredTrigger()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using (var app = SchedulingTestSupport.Node(database))
        {
            _ = app.Services;
        }

        await using var changed = SchedulingTestSupport.Node(database, (PruneTokensJob.ScheduleSetting, "0 30 3 * * ?"));
        var trigger = Assert.IsAssignableFrom<ICronTrigger>(await (await changed.SchedulerAsync()).GetTrigger(Jobs.TriggerKeyOf(PruneTokensJob.Key)));
        Assert.Equal("0 30 3 * * ?", trigger.CronExpressionString);
        Assert.Equal(TimeSpan.FromHours(19).Add(TimeSpan.FromMinutes(30)), trigger.GetFireTimeAfter(DateTimeOffset.UtcNow)!.Value.UtcDateTime.TimeOfDay);
    }

    [Fact]
    public async Task RunNowFiresAStoredJobAndIsRunningSeesItUntilItEndsOneRunAtATime()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var app = SchedulingTestSupport.Node(database);
        var gate = new JobGate();
        await using var node = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton(gate)));
        var jobs = node.Services.GetRequiredService<Jobs>();
        var key = new JobKey("gated", "tests");
        await jobs.StoreAsync<GatedJob>(key, "a job that waits for the test", CancellationToken.None);

        await jobs.RunNowAsync(key, CancellationToken.None);
        await jobs.RunNowAsync(key, CancellationToken.None);
        await SchedulingTestSupport.EventuallyAsync(() => jobs.IsRunningAsync(key, CancellationToken.None), running => running, "the job to run");
        await SchedulingTestSupport.EventuallyAsync(() => Task.FromResult(gate.Started), started => started == 1, "the first run");

        // [DisallowConcurrentExecution]: the second run waits for the first, its trigger blocked until the first ends.
        var scheduler = await node.SchedulerAsync();
        await SchedulingTestSupport.EventuallyAsync(async () =>
        {
            var states = new List<TriggerState>();
            foreach (var trigger in await scheduler.GetTriggersOfJob(key))
            {
                states.Add(await scheduler.GetTriggerState(trigger.Key));
            }

            return states;
        }, states => states.Contains(TriggerState.Blocked), "the second run to wait, blocked", states => string.Join(", ", states));
        Assert.Equal(1, gate.Started);
        gate.Release();
        await SchedulingTestSupport.EventuallyAsync(() => Task.FromResult(gate.Started), started => started == 2, "the second run");
        gate.Release();
        await SchedulingTestSupport.EventuallyAsync(() => jobs.IsRunningAsync(key, CancellationToken.None), running => !running, "the runs to end");
        Assert.Equal(1, gate.MostAtOnce);
        Assert.NotNull(await (await node.SchedulerAsync()).GetJobDetail(key));
    }

    [Fact]
    public async Task ABadScheduleStopsTheNodeFromStartingAndNamesTheSetting()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var app = SchedulingTestSupport.Node(database, (PruneTokensJob.ScheduleSetting, "hourly"));
        var error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("Identity:PruneSchedule is 'hourly'", error.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SchedulerHostTestsOnSqlite() : SchedulerHostTests(Provider.Sqlite);

public sealed class SchedulerHostTestsOnPostgres() : SchedulerHostTests(Provider.Postgres);
