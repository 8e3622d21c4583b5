using System.Net;
using System.Net.Sockets;

namespace OneGo.Server.Features.Zone;

/// <summary>A push refused before it left: the address its host resolves to is not one OneGo sends to.</summary>
internal sealed class PushAddressRefusedException(string message) : IOException(message);

/// <summary>
/// Keeps pushes away from the node's own network (SSRF): an integration's URL may not name, or resolve to, a
/// loopback, link-local (the cloud metadata service among them), private, shared (CGNAT), unique-local,
/// unspecified, multicast or reserved address, unless <see cref="PushSettings.AllowedNetworks"/> names it. Checked
/// when the URL is registered, and again on every connection, on the address actually connected to, so that a
/// name that resolves elsewhere later (DNS rebinding) gets nowhere.
/// </summary>
internal sealed class PushTargets
{
    private static readonly (IPNetwork Network, string Kind)[] Refused =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (the cloud metadata service's)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fc00::/7"), "unique-local (fd00:ec2::254, the cloud metadata service's, among them)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly IReadOnlyList<IPNetwork> _allowed;

    public PushTargets(Microsoft.Extensions.Options.IOptions<ZoneSettings> options, IHostEnvironment environment)
    {
        // Each was checked as the server started (ZoneSettings).
        _allowed = options.Value.Push.Networks().Select(IPNetwork.Parse).ToList();
        RequireHttps = options.Value.Push.RequiresHttpsIn(environment);
    }

    public bool RequireHttps { get; }

    /// <summary>How long registration waits for the URL's host to resolve.</summary>
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when pushes may go to <paramref name="address"/>; otherwise the kind of address it is.</summary>
    public string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (Nat64.Contains(address))
        {
            // 64:ff9b::a.b.c.d reaches a.b.c.d through the network's translator.
            address = new IPAddress(address.GetAddressBytes()[12..]);
        }

        if (_allowed.Any(n => n.Contains(address)))
        {
            return null;
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return "broadcast";
        }

        foreach (var (network, kind) in Refused)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return null;
    }

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
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => Refusal(a) is null).ToList();
        if (allowed.Count == 0)
        {
            throw new PushAddressRefusedException(
                $"{endpoint.Host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, which pushes may not reach.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed.ToArray(), endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
