using System.Globalization;
using OneGo.Server.Scheduling;
using Quartz;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// What a region's publishing schedule must be, wherever it comes from (<c>PUT …/settings</c>, a <c>tenant.yaml</c>,
/// a row read at start-up): a Quartz cron in Asia/Shanghai that fires, and not more often than
/// <c>Publishing:MinimumInterval</c> (every 5 minutes by default), so that no region can stop a node's start or
/// keep the zone busy with a run every second.
/// </summary>
public sealed class PublishingScheduleRule(TimeSpan minimumInterval, TimeProvider clock)
{
    public static readonly TimeSpan DefaultMinimumInterval = TimeSpan.FromMinutes(5);

    /// <summary>How many firings after now are checked for their gaps: enough to see every field of a cron repeat.</summary>
    private const int FiringsChecked = 12;

    /// <summary>The rule with the default minimum, for checks made outside a running server (<c>tenants validate</c>).</summary>
    public static PublishingScheduleRule Default { get; } = new(DefaultMinimumInterval, TimeProvider.System);

    public TimeSpan MinimumInterval { get; } = minimumInterval;

    /// <summary>Null when <paramref name="cron"/> may be a region's schedule; otherwise a sentence saying why not and what is allowed.</summary>
    public string? Check(string cron)
    {
        var now = clock.GetUtcNow();
        if (!CronExpression.TryParse(cron, out _))
        {
            return $"'{cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week), for example \"0 0 2 * * ?\" for 02:00 every day, {JobSchedule.TimeZone.Id} time.";
        }

        var expression = new CronExpression(cron, JobSchedule.TimeZone);
        var previous = expression.GetNextValidTimeAfter(now);
        if (previous is null)
        {
            return $"'{cron}' never fires after now (a date such as 31 February, or a year in the past): a region's publishing would never run.";
        }

        for (var i = 0; i < FiringsChecked; i++)
        {
            var next = expression.GetNextValidTimeAfter(previous.Value);
            if (next is null)
            {
                break;
            }

            if (next.Value - previous.Value < MinimumInterval)
            {
                return $"'{cron}' fires {Describe(next.Value - previous.Value)} apart (at {previous.Value.ToOffset(JobSchedule.TimeZone.GetUtcOffset(previous.Value)):HH:mm:ss} and {next.Value.ToOffset(JobSchedule.TimeZone.GetUtcOffset(next.Value)):HH:mm:ss}); a region publishes at most every {Describe(MinimumInterval)}.";
            }

            previous = next;
        }

        return null;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0
            ? $"{span.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} minute(s)"
            : $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} second(s)";
}
