using System.Diagnostics;
using Microsoft.Extensions.Options;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Zone;

/// <summary><c>Testing</c>: what only the tests set, honoured only in the Testing environment.</summary>
internal sealed class TestingSettings : ISettings
{
    public static string Section => "Testing";

    /// <summary>The <see cref="CrashPoints"/> point at which the process kills itself.</summary>
    public string? CrashAt { get; set; }

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        CrashAt is { Length: > 0 } point && !CrashPoints.All.Contains(point, StringComparer.Ordinal)
            ? [$"Testing:CrashAt is '{point}'; it must be one of {string.Join(", ", CrashPoints.All)}."]
            : [];
}

/// <summary>
/// Fault injection for tests only: ends the process at a named point of publishing or delivery, as a node killed there
/// would end, so that tests of a real server process can show that a crash loses nothing and publishes nothing twice.
/// Armed by <c>Testing:CrashAt</c> and honoured only in the Testing environment; in any other it does nothing.
/// </summary>
internal sealed class CrashPoints(IHostEnvironment environment, IOptions<TestingSettings> settings)
{
    public const string Setting = "Testing:CrashAt";

    /// <summary>A publishing batch is written in its transaction, which has not committed: none of it may stay.</summary>
    public const string BeforeZoneCommit = "before-zone-commit";

    /// <summary>A publishing batch has committed and the relay is not woken; the run is marked as ended only if this was its last batch.</summary>
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
    public string? Armed { get; } = environment.IsEnvironment("Testing") ? settings.Value.CrashAt : null;

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
