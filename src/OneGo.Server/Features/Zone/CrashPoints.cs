using System.Diagnostics;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// Fault injection for tests only: ends the process at a named point of publishing or delivery, as a node killed there
/// would end, so that tests of a real server process can show that a crash loses nothing and publishes nothing twice.
/// Armed by <c>Testing:CrashAt</c> and honoured only in the Testing environment; in any other it does nothing.
/// </summary>
internal sealed class CrashPoints(IHostEnvironment environment, IConfiguration configuration)
{
    public const string Setting = "Testing:CrashAt";

    /// <summary>A publishing batch is written in its transaction, which has not committed: none of it may stay.</summary>
    public const string BeforeZoneCommit = "before-zone-commit";

    /// <summary>A publishing batch has committed; the run is not yet marked as ended and the relay not woken.</summary>
    public const string AfterZoneCommit = "after-zone-commit";

    /// <summary>A batch has committed and the relay was woken; the run goes on to its next batch, still marked running.</summary>
    public const string BetweenBatches = "between-batches";

    /// <summary>A snapshot is in blob storage; its outbox item is not yet marked delivered.</summary>
    public const string AfterBlobWrite = "after-blob-write";

    /// <summary>An integration accepted a push; its outbox item is not yet marked delivered.</summary>
    public const string AfterPushSent = "after-push-sent";

    /// <summary>Every point, in the order a run and its deliveries reach them.</summary>
    public static readonly string[] All = [BeforeZoneCommit, AfterZoneCommit, BetweenBatches, AfterBlobWrite, AfterPushSent];

    /// <summary>The point armed, or null: always null outside the Testing environment.</summary>
    public string? Armed { get; } = environment.IsEnvironment("Testing") ? configuration[Setting] : null;

    public void Reached(string point)
    {
        if (!string.Equals(Armed, point, StringComparison.Ordinal))
        {
            return;
        }

        Console.Error.WriteLine($"{Setting}={point}: the process is killed here");
        Console.Error.Flush();
        // SIGKILL, as the OOM killer or a lost machine would end it: no shutdown, no finally blocks, no flushing.
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
