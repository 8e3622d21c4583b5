using System.Net;
using System.Net.Sockets;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// Keeps pushes away from the node's own network (SSRF): an integration's URL may not name, or resolve to, a
/// loopback, link-local (the cloud metadata service among them), private, shared (CGNAT), unique-local,
/// unspecified, multicast or reserved address, unless <see cref="PushSettings.AllowedNetworks"/> names it. Checked
/// when the URL is registered, and again on every connection, on the address actually connected to, so that a
/// name that resolves elsewhere later (DNS rebinding) gets nowhere.
/// </summary>
internal sealed class PushTargets
{
    private readonly OutboundAddresses _addresses;

    public PushTargets(Microsoft.Extensions.Options.IOptions<ZoneSettings> options, IHostEnvironment environment)
    {
        // Each was checked as the server started (ZoneSettings).
        _addresses = new OutboundAddresses(options.Value.Push.Networks());
        RequireHttps = options.Value.Push.RequiresHttpsIn(environment);
    }

    public bool RequireHttps { get; }

    /// <summary>How long registration waits for the URL's host to resolve.</summary>
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when pushes may go to <paramref name="address"/>; otherwise the kind of address it is.</summary>
    public string? Refusal(IPAddress address) => _addresses.Refusal(address);

    /// <summary>Null when an integration may be registered at <paramref name="url"/>; otherwise a sentence saying why not.</summary>
    public async Task<string?> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        if (url.Scheme != Uri.UriSchemeHttps && (RequireHttps || url.Scheme != Uri.UriSchemeHttp))
        {
            return RequireHttps
                ? "url must be an https address: the publications and their signatures are not sent in clear."
                : "url must be an absolute http(s) address the zone POSTs publications to.";
        }

        if (url.UserInfo.Length > 0)
        {
            return "url may not carry a user name or password; the zone signs each push with the integration's secret instead.";
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(url.DnsSafeHost, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ResolveTimeout);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(url.DnsSafeHost, timeout.Token);
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return $"The host {url.Host} cannot be resolved; register an address that resolves.";
            }
        }

        foreach (var address in addresses)
        {
            if (Refusal(address) is { } kind)
            {
                return $"{url.Host} is or resolves to {address}, a {kind} address: the zone does not push into its own network. (Zone:Push:AllowedNetworks names internal networks that may receive pushes.)";
            }
        }

        return addresses.Length == 0 ? $"The host {url.Host} resolves to no address." : null;
    }

    /// <summary>
    /// The push client's connection: the host resolved now, and only an allowed address connected to, so that what
    /// was checked is what is reached.
    /// </summary>
    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        _addresses.ConnectAsync(context, cancellationToken);
}
