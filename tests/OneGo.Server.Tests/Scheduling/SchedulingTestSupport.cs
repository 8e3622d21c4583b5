using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Data;
using OneGo.Server.Scheduling;
using OneGo.Server.Tests.Infrastructure;
using Quartz;

namespace OneGo.Server.Tests.Scheduling;

/// <summary>One execution of <see cref="FireRecorder"/>: which job, for which scheduled slot, on which node, in which DbContext.</summary>
public sealed record Fire(string Job, DateTimeOffset Scheduled, DateTimeOffset Fired, string Node, string Context);

/// <summary>
/// A job for the tests: each execution writes a row to <c>test_fires</c> through the DbContext of its own DI scope,
/// keyed by the slot it was scheduled for, so that a test sees which slots ran, where, and how often.
/// </summary>
internal sealed class FireRecorder(OneGoDbContext db) : IJob
{
    public const string Name = "test-fire-recorder";

    /// <summary>What messages call its schedule: the tests give it directly, not through a setting.</summary>
    public const string Setting = "Tests:FireSchedule";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduled = (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).ToUnixTimeMilliseconds();
        var fired = context.FireTimeUtc.ToUnixTimeMilliseconds();
        var node = context.Scheduler.SchedulerInstanceId;
        var instance = db.ContextId.InstanceId.ToString("N");
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO test_fires (job, scheduled, fired, node, context) VALUES ({context.JobDetail.Key.Name}, {scheduled}, {fired}, {node}, {instance})",
            cancellationToken);
    }
}

/// <summary>Holds <see cref="GatedJob"/>'s runs until the test releases them, and counts them.</summary>
public sealed class JobGate
{
    private readonly SemaphoreSlim _release = new(0);
    private int _running;
    private int _started;
    private int _mostAtOnce;

    public int Started => Volatile.Read(ref _started);

    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    public void Release() => _release.Release();

    internal async Task PassAsync(CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _mostAtOnce, running);
        Interlocked.Increment(ref _started);
        try
        {
            await _release.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}

/// <summary>A job that runs until its <see cref="JobGate"/> lets it end; one run at a time.</summary>
[DisallowConcurrentExecution]
internal sealed class GatedJob(JobGate gate) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await gate.PassAsync(cancellationToken);
}

internal static class SchedulingTestSupport
{
    /// <summary>The table <see cref="FireRecorder"/> writes to; made before a host starts, so the app role's grants cover it.</summary>
    public static async Task CreateFiresTableAsync(TestDatabase database)
    {
        await using var db = database.NewContext();
        await db.Database.ExecuteSqlRawAsync(
            "CREATE TABLE test_fires (job varchar(100) NOT NULL, scheduled bigint NOT NULL, fired bigint NOT NULL, node varchar(200) NOT NULL, context varchar(64) NOT NULL)");
    }

    public static async Task<List<Fire>> FiresAsync(TestDatabase database)
    {
        await using var db = database.NewContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT job, scheduled, fired, node, context FROM test_fires ORDER BY scheduled";
        var fires = new List<Fire>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            fires.Add(new Fire(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4)));
        }

        return fires;
    }

    /// <summary>
    /// A node on <paramref name="database"/> as these tests want it: no import and no demo accounts, which only cost
    /// start-up time here, and the given settings.
    /// </summary>
    public static OneGoApp Node(TestDatabase database, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Demo:Enabled"] = "false" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new OneGoApp(database, importOnStartup: false, settings: all);
    }

    /// <summary>A host on <paramref name="database"/> that also declares <see cref="FireRecorder"/> on <paramref name="schedule"/>.</summary>
    public static WebApplicationFactory<Program> WithFireRecorder(this OneGoApp app, string schedule) =>
        app.WithWebHostBuilder(builder => builder
            .ConfigureServices(services => services.AddRecurringJob<FireRecorder>(FireRecorder.Name, FireRecorder.Setting, _ => schedule, "00:00:01")));

    public static async Task<IScheduler> SchedulerAsync(this WebApplicationFactory<Program> app) =>
        await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

    /// <summary>Polls until <paramref name="done"/> holds (first requests of hosts starting in parallel on two cores are slow).</summary>
    public static async Task<List<Fire>> FiresAsync(TestDatabase database, Func<List<Fire>, bool> done, string what) =>
        await EventuallyAsync(() => FiresAsync(database), done, what, fires => string.Join(", ", fires));

    public static Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, Func<T, string>? describe = null, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(read, done, what, describe, timeout);

    /// <summary>How many rows a table has, read with the connection of <paramref name="database"/> (the owner's).</summary>
    public static async Task<long> CountAsync(TestDatabase database, string table)
    {
        await using var db = database.NewContext();
        DbConnection connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
