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
