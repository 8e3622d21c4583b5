using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// Every settings class is bound and checked as the server starts: a bad value stops the start with a message that
/// names the setting and says what is allowed, and every bad value is named at once.
/// </summary>
public sealed class SettingsTestsOnSqlite
{
    [Theory]
    [InlineData("Zone:Lease", "-00:01:00", "Zone:Lease is -00:01:00: it must be more than zero.")]
    [InlineData("Zone:MaxAttempts", "0", "Zone:MaxAttempts is 0: it must be more than zero.")]
    [InlineData("RateLimiting:Burst", "-5", "RateLimiting:Burst is -5: it must be more than zero.")]
    [InlineData("Identity:Issuer", "onego.example.gov.cn", "Identity:Issuer is 'onego.example.gov.cn', which is not an absolute http or https address")]
    [InlineData("Telemetry:OtlpEndpoint", "collector:4317", "Telemetry:OtlpEndpoint is 'collector:4317', which is not an absolute http or https address")]
    [InlineData("Console:Origins:0", "ftp://onego.example.gov.cn", "Console:Origins has 'ftp://onego.example.gov.cn', which is not an absolute http or https address")]
    [InlineData("Zone:Cpsv:BaseUri", "https://onego.example.gov.cn/id/?page=1", "Zone:Cpsv:BaseUri must be an absolute http or https address without query or fragment")]
    [InlineData("Zone:Push:AllowedNetworks", "10.20.0.0/16, intranet", "Zone:Push:AllowedNetworks has 'intranet', which is not a network in CIDR notation")]
    [InlineData("Network:KnownProxies:0", "10.0.0.300", "Network:KnownProxies has '10.0.0.300', which is not an IP address")]
    [InlineData("Mail:Port", "70000", "The field Mail:Port must be between 1 and 65535.")]
    [InlineData("Mail:Security", "ssl", "Mail:Security is 'ssl'; it must be one of none, starttls, tls.")]
    [InlineData("Blobs:Provider", "S3", "Blobs:Provider is 'S3'; it must be one of FileSystem, Azure.")]
    [InlineData("Audit:CheckpointInterval", "every minute", "Audit:CheckpointInterval is 'every minute': it must be a Quartz cron expression")]
    [InlineData("Testing:CrashAt", "somewhere", "Testing:CrashAt is 'somewhere'; it must be one of before-zone-commit")]
    public async Task ABadValueStopsTheStartNamingTheSetting(string setting, string value, string message)
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { [setting] = value });

        Assert.Contains(message, SettingsRefusal.Of(app), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryBadValueIsNamedAtOnce()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?>
        {
            ["Zone:Lease"] = "00:00:00",
            ["Identity:IdleTimeout"] = "-00:30:00",
            ["Limits:MaxRequestBodyBytes"] = "0",
        });

        var refusal = SettingsRefusal.Of(app);

        Assert.Contains("Zone:Lease is 00:00:00", refusal, StringComparison.Ordinal);
        Assert.Contains("Identity:IdleTimeout is -00:30:00", refusal, StringComparison.Ordinal);
        Assert.Contains("Limits:MaxRequestBodyBytes is 0", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EverySettingsClassIsRegisteredAndCheckedAtStart()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false);

        Assert.All(SettingsTableTests.SettingsClasses(), type =>
        {
            var validators = app.Services.GetServices(typeof(IValidateOptions<>).MakeGenericType(type));
            Assert.True(validators.Any(v => v?.GetType().DeclaringType == typeof(OneGo.Server.Hosting.Settings)),
                $"{type.Name} is not registered with AddSettings<{type.Name}>(): nothing binds it from {SettingsTableTests.Section(type)} or checks it at start.");
        });
    }
}
