using OneGo.Server.Hosting;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Identity;

/// <summary><c>Identity</c>: who issues OneGo's tokens, how long sessions, tokens and links live, and the keys at rest.</summary>
public sealed class IdentitySettings : ISettings
{
    public static string Section => "Identity";

    /// <summary>
    /// The issuer every node names (the public address behind a load balancer); the console signs in and calls the
    /// API there, and mailed links point there. Required in Production; elsewhere, unset, the address a request reached.
    /// </summary>
    [WebAddress]
    public string? Issuer { get; set; }

    /// <summary>Plain HTTP outside Production: by default in Development and Testing only.</summary>
    public bool? AllowHttp { get; set; }

    /// <summary>A console or sign-in left idle this long asks to sign in again.</summary>
    [Positive]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A sign-in's refresh tokens end this long after it, however busy: refreshing does not extend it.</summary>
    [Positive]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(10);

    /// <summary>Short-lived by design: people keep working through refresh tokens.</summary>
    [Positive]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Positive]
    public TimeSpan PasswordLinkLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How often the token signing and encryption keys rotate.</summary>
    [Positive]
    public TimeSpan KeyRotation { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often a node reads the token keys again.</summary>
    [Positive]
    public TimeSpan KeyRefresh { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When unusable tokens are removed: a Quartz cron (Asia/Shanghai) or an interval <c>hh:mm:ss</c>.</summary>
    public string PruneSchedule { get; set; } = PruneTokensJob.DefaultSchedule;

    /// <summary>How old an unusable token or authorization must be before it is removed.</summary>
    [Positive(orZero: true)]
    public TimeSpan PruneAfter { get; set; } = TimeSpan.FromDays(14);

    public KeyProtectionSettings KeyProtection { get; set; } = new();

    /// <summary>Plain HTTP is allowed outside Production only: by default in Development and Testing, or by <see cref="AllowHttp"/>.</summary>
    public bool AllowsHttpIn(IHostEnvironment environment) =>
        !environment.IsProduction() && (AllowHttp ?? (environment.IsDevelopment() || environment.IsEnvironment("Testing")));

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment)
    {
        if (environment.IsProduction() && Issuer is not { Length: > 0 })
        {
            yield return "Identity:Issuer is not set. In Production every node must name the same public issuer (e.g. https://onego.example.gov.cn), never one taken from a request's Host header.";
        }

        if (JobSchedule.Problem(PruneSchedule, PruneTokensJob.ScheduleSetting) is { } schedule)
        {
            yield return schedule;
        }

        if (KeyProtection.Certificate is not { Length: > 0 } && !environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
        {
            yield return "Identity:KeyProtection:Certificate is not set. Outside Development, OneGo's signing, encryption and data-protection keys are protected at rest by a certificate kept outside the database: set Identity:KeyProtection:Certificate to a PKCS#12 file (and Identity:KeyProtection:Password).";
        }
    }
}

/// <summary><c>Identity:KeyProtection</c>: the certificate that protects the keys at rest (<see cref="KeyProtection"/> says how).</summary>
public sealed class KeyProtectionSettings
{
    /// <summary>A PKCS#12 file, relative to the content root; required outside Development and Testing.</summary>
    public string? Certificate { get; set; }

    public string? Password { get; set; }

    /// <summary>Certificates being rotated out: they still decrypt keys written before the rotation.</summary>
    public string[] Previous { get; set; } = [];
}
