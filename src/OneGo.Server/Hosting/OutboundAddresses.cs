using System.Net;
using System.Net.Sockets;

namespace OneGo.Server.Hosting;

/// <summary>A call refused before it left: the address its host resolves to is not one OneGo sends to.</summary>
internal sealed class OutboundAddressRefusedException(string message) : IOException(message);

/// <summary>
/// Where OneGo's own calls out may go (SSRF): not to a loopback, link-local (the cloud metadata service among them),
/// private, shared (CGNAT), unique-local, unspecified, multicast or reserved address, unless the networks it was
/// given allow it. Checked on every connection, on the address actually connected to, so that a name that resolves
/// elsewhere later (DNS rebinding) gets nowhere. Pushes to integrations and fetches from the data exchange both go
/// through it, each with its own allowed networks.
/// </summary>
internal sealed class OutboundAddresses(IEnumerable<string> allowedNetworks)
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

    private readonly IReadOnlyList<IPNetwork> _allowed = allowedNetworks.Select(IPNetwork.Parse).ToList();

    /// <summary>Null when OneGo may call <paramref name="address"/>; otherwise the kind of address it is.</summary>
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

    /// <summary>
    /// A client's connection: the host resolved now, and only an allowed address connected to, so that what was
    /// checked is what is reached.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(a => Refusal(a) is null).ToList();
        if (allowed.Count == 0)
        {
            throw new OutboundAddressRefusedException(
                $"{endpoint.Host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, which OneGo may not call.");
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
