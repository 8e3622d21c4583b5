using Microsoft.Extensions.Options;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.DataSharing;

internal static class DataSharingSetup
{
    public static IServiceCollection AddOneGoDataSharing(this IServiceCollection services)
    {
        services.AddSettings<DataExchangeSettings>();
        services.AddSingleton<DataExchangeClient>();
        // Each connection goes only to an address DataExchange:AllowedNetworks allows; no redirect is followed and no
        // proxy is used, since either would reach an address that was never checked. The client's own timeout is off:
        // each dataset's pipeline times its attempts.
        services.AddHttpClient(DataExchangeClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = new OutboundAddresses(sp.GetRequiredService<IOptions<DataExchangeSettings>>().Value.Networks()).ConnectAsync,
            });
        // The demo stand-in is this node itself, on its loopback address.
        services.AddHttpClient(DataExchangeClient.DemoClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        return services;
    }
}
