using System.Globalization;
using OneGo.Server.Features.Tenants;
using Quartz;

namespace OneGo.Server.Scheduling;

/// <summary>
/// When a job runs: a Quartz cron expression in Asia/Shanghai time, or a fixed interval. Firings missed while no
/// node was running are skipped to the next slot, never run late in a burst (the misfire instructions below).
/// </summary>
internal abstract record JobSchedule
{
    /// <summary>Every schedule OneGo keeps reads its cron in the time of the regions it serves.</summary>
    public static readonly TimeZoneInfo TimeZone = TimeZoneInfo.FindSystemTimeZoneById(TenantSettings.TimeZone);

    /// <summary>A cron expression (seconds first, as Quartz writes them), e.g. <c>0 0 2 * * ?</c> for 02:00 every day.</summary>
    public sealed record Cron(string Expression) : JobSchedule
    {
        public override string ToString() => $"cron '{Expression}' ({TimeZone.Id})";
    }

    /// <summary>Every <see cref="Every"/>, counted from when the schedule was stored.</summary>
    public sealed record Interval(TimeSpan Every) : JobSchedule
    {
        public override string ToString() => $"every {Every.ToString("c", CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Reads a schedule as configured: an interval written <c>hh:mm:ss</c> (e.g. <c>00:15:00</c>) or a Quartz cron
    /// expression. <paramref name="setting"/> names where the value came from, for the message when it is neither.
    /// </summary>
    public static JobSchedule Parse(string value, string setting) =>
        Read(value, setting, out var problem) ?? throw new FormatException(problem);

    /// <summary>Null when <paramref name="value"/> is a schedule, or unset; otherwise why not, naming <paramref name="setting"/>.</summary>
    public static string? Problem(string? value, string setting)
    {
        if (value is not { Length: > 0 })
        {
            return null;
        }

        _ = Read(value, setting, out var problem);
        return problem;
    }

    private static JobSchedule? Read(string value, string setting, out string? problem)
    {
        var text = value.Trim();
        problem = null;
        // A colon marks an interval; without it TimeSpan would read a bare "5" as five days.
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var every))
        {
            if (every > TimeSpan.Zero)
            {
                return new Interval(every);
            }

            problem = $"{setting} is '{value}': an interval must be longer than zero, e.g. 00:15:00.";
            return null;
        }

        if (CronExpression.TryParse(text, out _))
        {
            return new Cron(text);
        }

        problem = $"{setting} is '{value}': it must be a Quartz cron expression (seconds minutes hours day-of-month month day-of-week), " +
                  $"e.g. \"0 0 * * * ?\" for every hour, in {TenantSettings.TimeZone} time, or an interval such as 00:15:00.";
        return null;
    }

    /// <summary>The trigger that fires <paramref name="job"/> on this schedule.</summary>
    public ITrigger Trigger(TriggerKey key, JobKey job, TimeProvider clock)
    {
        var trigger = TriggerBuilder.Create(clock).WithIdentity(key).ForJob(job).WithDescription(ToString());
        return this switch
        {
            // DoNothing: a slot missed while every node was down (or late beyond the misfire threshold) is skipped;
            // the trigger waits for its next slot.
            Cron cron => trigger.WithCronSchedule(cron.Expression, c => c
                .InTimeZone(TimeZone)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)).Build(),
            // NextWithRemainingCount: the same for an interval, keeping the original grid of slots.
            Interval interval => trigger.StartNow().WithSimpleSchedule(s => s
                .WithInterval(interval.Every)
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)).Build(),
            _ => throw new InvalidOperationException($"Unknown schedule {GetType().Name}."),
        };
    }

    /// <summary>Whether a stored trigger already fires on this schedule, so that restarting a node leaves it alone.</summary>
    public bool IsFiredBy(ITrigger stored) => (this, stored) switch
    {
        (Cron cron, ICronTrigger c) => c.CronExpressionString == cron.Expression
            && c.TimeZone.Id == TimeZone.Id
            && c.MisfireInstruction == CronTriggerMisfireInstruction.DoNothing,
        (Interval interval, ISimpleTrigger s) => s.RepeatInterval == interval.Every
            && s.RepeatCount == -1
            && s.MisfireInstruction == SimpleTriggerMisfireInstruction.NextWithRemainingCount,
        _ => false,
    };
}
