using System.Net;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Zone;

/// <summary><c>Zone</c>: how runs publish into the national zone, how the relay delivers, where pushes may go, and the CPSV-AP export.</summary>
public sealed class ZoneSettings : ISettings
{
    public static string Section => "Zone";

    /// <summary>How many bundles a publishing run publishes in one transaction.</summary>
    [Positive]
    public int PublishBatchSize { get; set; } = 200;

    /// <summary>How often a node looks for due items when nothing woke it.</summary>
    [Positive]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first retry's delay; each further one doubles it, up to <see cref="MaxDelay"/>, with jitter.</summary>
    [Positive]
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(5);

    [Positive]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>After this many failed attempts an item is dead-lettered with its last reason.</summary>
    [Positive]
    public int MaxAttempts { get; set; } = 10;

    [Positive]
    public TimeSpan PushTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a node holds an item it works on; after a crash another node takes it over then.</summary>
    [Positive]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many due items the relay takes at a time.</summary>
    [Positive]
    public int BatchSize { get; set; } = 50;

    /// <summary>Whether this node runs the relay; off, its deliveries wait for a node that does.</summary>
    public bool RelayEnabled { get; set; } = true;

    public PushSettings Push { get; set; } = new();

    public CpsvSettings Cpsv { get; set; } = new();

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment)
    {
        foreach (var network in Push.Networks().Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return $"Zone:Push:AllowedNetworks has '{network}', which is not a network in CIDR notation such as 10.20.0.0/16.";
        }

        if (Cpsv.BaseUri is { } uri && !(uri.IsAbsoluteUri && uri.Scheme is "https" or "http" && uri.Query.Length == 0 && uri.Fragment.Length == 0))
        {
            yield return "Zone:Cpsv:BaseUri must be an absolute http or https address without query or fragment, e.g. https://onego.example.gov.cn/id/.";
        }
    }
}

/// <summary><c>Zone:Push</c>: where pushes may go.</summary>
public sealed class PushSettings
{
    /// <summary>
    /// Networks in CIDR notation, separated by commas (e.g. <c>10.20.0.0/16, 192.168.7.0/24</c>), that a push may
    /// reach although they are internal: an integration inside the government network. None by default.
    /// </summary>
    public string? AllowedNetworks { get; set; }

    /// <summary>Whether an integration's URL must be https; by default it must, except in Development and Testing.</summary>
    public bool? RequireHttps { get; set; }

    public IEnumerable<string> Networks() =>
        (AllowedNetworks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool RequiresHttpsIn(IHostEnvironment environment) =>
        RequireHttps ?? !(environment.IsDevelopment() || environment.IsEnvironment("Testing"));
}

/// <summary>
/// <c>Zone:Cpsv</c>: <see cref="BaseUri"/> is where the export's IRIs live. Unset, it is <c>{Identity:Issuer}/id/</c>,
/// and without an issuer (Development, Testing) the request's own origin followed by <c>/id/</c>.
/// </summary>
public sealed class CpsvSettings
{
    public Uri? BaseUri { get; set; }
}

/// <summary><c>Publishing</c>: how often regions may publish, and whether a node publishes what waits as it starts.</summary>
public sealed class PublishingSettings : ISettings
{
    public static string Section => "Publishing";

    /// <summary>The most often a region's publishing schedule may fire.</summary>
    [Positive(orZero: true)]
    public TimeSpan MinimumInterval { get; set; } = PublishingScheduleRule.DefaultMinimumInterval;

    /// <summary>Every region publishes what is approved and not yet in the zone as the node starts (on in Development).</summary>
    public bool RunOnStart { get; set; }
}
