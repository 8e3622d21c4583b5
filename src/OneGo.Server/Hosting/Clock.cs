namespace OneGo.Server.Hosting;

/// <summary>The time OneGo stores: UTC, to the millisecond, which every database keeps exactly.</summary>
public static class Clock
{
    /// <summary>Now, truncated to whole milliseconds, so that what is sent before saving equals what is read back.</summary>
    public static DateTimeOffset Now(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}

/// <summary>
/// <c>Clock</c>: <c>Start</c> sets the server's clock to that moment when it starts, and it runs on from there — to show
/// and to test what depends on the day (working-day deadlines, the holiday calendar) on a real server. Refused in
/// Production: there the clock is the machine's.
/// </summary>
public sealed class ClockSettings : ISettings
{
    public static string Section => "Clock";

    /// <summary>The moment the server's clock reads when it starts (ISO 8601 with its offset); unset, the machine's clock.</summary>
    public DateTimeOffset? Start { get; set; }

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        Start is not null && environment.IsProduction()
            ? ["Clock:Start moves the server's clock for demonstrations and tests; in Production the clock is the machine's: remove it."]
            : [];

    /// <summary>The server's clock: the machine's, or one that started at <see cref="Start"/> and runs at the machine's pace.</summary>
    internal TimeProvider Provider() => Start is { } start ? new StartedClock(start) : TimeProvider.System;

    private sealed class StartedClock(DateTimeOffset start) : TimeProvider
    {
        private readonly TimeSpan _shift = start - TimeProvider.System.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + _shift;
    }
}
