namespace OneGo.Server.Features.Zone;

/// <summary>The zone's services: publishing runs, per-tenant schedules, the outbox relay and its HTTP client.</summary>
internal static class ZoneSetup
{
    public static IServiceCollection AddOneGoZone(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RelayOptions>(configuration.GetSection("Zone"));
        services.AddSingleton<CrashPoints>();
        services.AddScoped<ZonePublisher>();
        services.AddSingleton(sp => PublishingScheduleRule.Read(configuration, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PublishingSchedules>();
        services.AddSingleton<Scheduling.IJobSource>(sp => sp.GetRequiredService<PublishingSchedules>());
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxRelay>();
        services.AddHostedService<OutboxRelayService>();
        // Pushes go to outside endpoints: no automatic retries here — the outbox retries, with its own backoff.
        services.AddHttpClient(OutboxRelay.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
