using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace OneGo.Gateway;

/// <summary><c>Gateway</c>: the nodes behind the gateway and how it watches them.</summary>
public sealed class GatewaySettings
{
    public const string Section = "Gateway";

    /// <summary>The nodes' addresses (<c>Gateway:Nodes:0</c>, <c>:1</c>, …): the first is node1, the next node2, and so on.</summary>
    public string[] Nodes { get; set; } = [];

    /// <summary>How often each node's <c>/health/ready</c> is asked; two failures in a row take it out, one success brings it back.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a node that failed too many forwarded requests is left out before it is tried again.</summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The local address the gateway connects to the nodes from, when the machine has several: the address the nodes
    /// name in <c>Network:KnownProxies</c>, so that they believe the gateway's X-Forwarded-For and nobody else's.
    /// </summary>
    public string? ConnectFrom { get; set; }

    public IEnumerable<string> Problems()
    {
        if (Nodes.Length == 0)
        {
            yield return "Gateway:Nodes names no node: pass --Gateway:Nodes:0=http://10.0.0.11:8080 (and :1, :2 … for the others).";
        }

        foreach (var node in Nodes.Where(n => !Uri.TryCreate(n, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return $"Gateway:Nodes has '{node}', which is not an http(s) address such as http://10.0.0.11:8080.";
        }

        if (ConnectFrom is { Length: > 0 } from && !IPAddress.TryParse(from, out _))
        {
            yield return $"Gateway:ConnectFrom is '{ConnectFrom}', which is not an IP address such as 10.0.0.5.";
        }

        if (HealthInterval <= TimeSpan.Zero || ReactivationPeriod <= TimeSpan.Zero)
        {
            yield return "Gateway:HealthInterval and Gateway:ReactivationPeriod must be positive.";
        }
    }
}

/// <summary>
/// A gateway in front of OneGo's nodes, as a load balancer of a deployment stands there: YARP with one route for every
/// path to one cluster of nodes. Nodes are asked for <c>/health/ready</c> (active checks) and left out for a while when
/// forwarded requests to them fail (passive checks); each request goes to the less busy of two nodes drawn at random.
/// A GET, HEAD or OPTIONS that failed before any of its response was sent is tried once on each other node; nothing
/// else is retried: a POST may have done its work before the node died, and a PUT or DELETE carries an If-Match that
/// a second attempt would answer with 412. The gateway sets X-Forwarded-For, -Proto and -Host (replacing any the client
/// sent), and names the node that answered in <see cref="NodeHeader"/>.
/// </summary>
public static class GatewayHost
{
    /// <summary>The node a response came from (node1, node2, … in the order of <c>Gateway:Nodes</c>), for operators following a failover.</summary>
    public const string NodeHeader = "X-OneGo-Node";

    private const string Cluster = "onego";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = builder.Configuration.GetSection(GatewaySettings.Section).Get<GatewaySettings>() ?? new GatewaySettings();
        var problems = settings.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The gateway cannot start: " + string.Join(" ", problems));
        }

        var proxy = builder.Services.AddReverseProxy().LoadFromMemory([Route()], [ClusterOf(settings)]);
        if (settings.ConnectFrom is { Length: > 0 } from)
        {
            var local = IPAddress.Parse(from);
            proxy.ConfigureHttpClient((_, handler) => handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(local, context.DnsEndPoint, cancellationToken));
        }

        var app = builder.Build();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(NameTheNode);
            pipeline.Use(RetryWhereSafeAsync);
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }

    private static RouteConfig Route() => new() { RouteId = "everything", ClusterId = Cluster, Match = new RouteMatch { Path = "{**path}" } };

    private static ClusterConfig ClusterOf(GatewaySettings settings) => new()
    {
        ClusterId = Cluster,
        LoadBalancingPolicy = "PowerOfTwoChoices",
        Destinations = settings.Nodes.Select((address, i) => (Id: $"node{i + 1}", Address: address))
            .ToDictionary(n => n.Id, n => new DestinationConfig { Address = n.Address }, StringComparer.Ordinal),
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = settings.HealthInterval,
                Timeout = settings.HealthInterval,
                Policy = "ConsecutiveFailures",
                Path = "/health/ready",
            },
            Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = "TransportFailureRate", ReactivationPeriod = settings.ReactivationPeriod },
        },
    };

    // Set as the response starts, so that a 502 for a node that died names it as well as a 200 does.
    private static Task NameTheNode(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(() =>
        {
            if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is { } node)
            {
                context.Response.Headers[NodeHeader] = node.DestinationId;
            }

            return Task.CompletedTask;
        });
        return next();
    }

    /// <summary>
    /// Sends a safe request (GET, HEAD, OPTIONS) that failed before its response started to each other available node in
    /// turn: the client sees an error only when every node failed it, or when the node died while its response was on
    /// the way.
    /// </summary>
    private static async Task RetryWhereSafeAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.Features.Get<IReverseProxyFeature>()!;
        var candidates = proxy.AvailableDestinations;
        var tried = new HashSet<DestinationState>();
        while (true)
        {
            await next();
            if (!(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method))
                || context.Response.HasStarted
                || context.Features.Get<IForwarderErrorFeature>()?.Error is not (ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders)
                || proxy.ProxiedDestination is not { } failed)
            {
                return;
            }

            tried.Add(failed);
            var others = candidates.Where(d => !tried.Contains(d)).ToList();
            if (others.Count == 0)
            {
                return;
            }

            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayHost))
                .LogInformation("{Method} {Path} failed on {Node}; tried again on another node", context.Request.Method, context.Request.Path, failed.DestinationId);
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            proxy.AvailableDestinations = others;
        }
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress local, DnsEndPoint node, CancellationToken cancellationToken)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(node, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
