namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// Tests the test command leaves to a script, to keep its run under 25 minutes on two cores: they run, with the
/// services they need, when a user runs the script (<c>infra/crash-tests.sh</c>), never skipped there.
/// </summary>
public static class Script
{
    /// <summary>The trait that takes a test out of the test command (<c>dotnet test --filter "Run!=script"</c>).</summary>
    public const string Trait = "Run";

    /// <summary>Each of the zone's crash points killed on its own; the test command keeps the random points and the withdrawal.</summary>
    public const string CrashTests = "script";
}
