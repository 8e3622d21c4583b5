using Microsoft.Extensions.Options;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Zone;

/// <summary>The zone's services: publishing runs, per-tenant schedules, the outbox relay and its HTTP client.</summary>
internal static class ZoneSetup
{
    public static IServiceCollection AddOneGoZone(this IServiceCollection services)
    {
        services.AddSettings<ZoneSettings>();
        services.AddSettings<PublishingSettings>();
        services.AddSettings<TestingSettings>();
        services.AddSingleton<CrashPoints>();
        services.AddScoped<ZonePublisher>();
        services.AddSingleton(sp => new PublishingScheduleRule(
            sp.GetRequiredService<IOptions<PublishingSettings>>().Value.MinimumInterval, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PublishingSchedules>();
        services.AddSingleton<Scheduling.IJobSource>(sp => sp.GetRequiredService<PublishingSchedules>());
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService<OutboxRelayService>();
        services.AddSingleton<PushTargets>();
        // Pushes go to outside endpoints: no automatic retries here — the outbox retries, with its own backoff. Each
        // connection goes only to an address PushTargets allows; no redirect is followed (a 3xx is a failed delivery)
        // and no proxy is used, since either would reach an address that was never checked.
        services.AddHttpClient(OutboxRelay.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<PushTargets>().ConnectAsync,
            });
        return services;
    }
}
