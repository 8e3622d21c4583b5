using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using OneGo.Gateway;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// Two server processes behind the gateway (infra/gateway, in this process), as a deployment runs them behind its load
/// balancer: one is killed while it runs a publishing run and reads go through the gateway, and nothing is lost.
/// </summary>
public sealed class GatewayFailoverTestsOnPostgresAndAzurite
{
    private const string Tenant = "fujian.xiamen.haicang";
    private const int Clones = 200;

    /// <summary>Readers looping on GETs through the gateway: at most this many requests are in flight at any moment.</summary>
    private const int Readers = 4;

    // The gateway connects to the nodes from this address, the one they believe; the test's own clients come from others.
    private static readonly IPAddress GatewayAddress = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.3");

    private sealed record Read(TimeSpan At, HttpStatusCode? Status, string? Node, string? Failure);

    [Fact]
    public async Task ANodeKilledDuringAPublishingRunUnderLoadLosesNothingTheOtherFinishesTheRunAndTheNodeServesAgainOnceRestarted()
    {
        // Generous: on two cores shared with other work a run of two hundred small batches has taken over a minute.
        var patience = TimeSpan.FromSeconds(180);
        var container = TestAzurite.NewContainerName();
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres);
        await BundleClones.CloneAsync(database.OwnerConnectionString, Tenant, "enrolment", Clones);
        int expected;
        await using (var db = database.NewContext())
        {
            expected = await db.Set<BundleRecord>().IgnoreQueryFilters().CountAsync(b => b.TenantId == Tenant && b.LiveVersion != null);
        }

        int[] ports = [ServerProcess.FreePort(), ServerProcess.FreePort()];
        var gateway = GatewayHost.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--Gateway:Nodes:0=http://127.0.0.1:{ports[0]}",
            $"--Gateway:Nodes:1=http://127.0.0.1:{ports[1]}",
            $"--Gateway:ConnectFrom={GatewayAddress}",
            "--Gateway:HealthInterval=00:00:01",
            "--Gateway:ReactivationPeriod=00:00:02",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await gateway.StartAsync();
        var entry = new Uri(gateway.Urls.Single());
        ServerProcess[] nodes = [];
        try
        {
            string[] Options(int node) =>
            [
                $"--urls=http://127.0.0.1:{ports[node]}",
                "--Blobs:Provider=Azure",
                $"--Blobs:ConnectionString={TestAzurite.ConnectionString}",
                $"--Blobs:Container={container}",
                // Two bundles per transaction: a run of some hundred batches, long enough to be killed in the middle.
                "--Zone:PublishBatchSize=2",
                // Quick check-ins, so that the survivor takes the killed node for dead within seconds, not Quartz's fifteen.
                "--Scheduling:ClusterCheckinInterval=00:00:01",
                "--Scheduling:ClusterCheckinMisfireThreshold=00:00:03",
                // Both nodes name the gateway as their public address, so a token from one is good on the other.
                $"--Identity:Issuer={entry}",
                $"--Network:KnownProxies:0={GatewayAddress}",
                // The readers are one client: its bucket must not be what the test measures.
                "--RateLimiting:ClientPerSecond=100000", "--RateLimiting:ClientBurst=100000",
                "--RateLimiting:TokensPerSecond=100000", "--RateLimiting:Burst=100000",
            ];
            nodes = await Task.WhenAll(ServerProcess.StartAsync(database, Options(0)), ServerProcess.StartAsync(database, Options(1)));
            using var client = Client(entry);
            await Eventually.HoldsAsync(async () => await NodesServingAsync(client, 20), n => n.Count == 2, "both nodes serving through the gateway", n => string.Join(", ", n), patience);

            // Readers through the gateway for the whole run, the kill and the restart.
            using var stop = new CancellationTokenSource();
            var reads = new ConcurrentBag<Read>();
            var clock = Stopwatch.StartNew();
            var readers = Enumerable.Range(0, Readers).Select(i => Task.Run(() => ReadAsync(client, i, reads, clock, stop.Token))).ToList();

            // The admin signs in (with the second factor) on one node; the token names the gateway, so it is good on both.
            using var admin = Client(entry);
            using (var signedIn = await nodes[0].AsAsync(Roles.Admin, Tenant))
            {
                admin.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
            }

            var accepted = await admin.PostAsync($"/api/t/{Tenant}/publishing-runs", null);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var run = Guid.Parse((string)(await accepted.JsonAsync())["id"]!);

            // The node the cluster gave the run to is killed once the run has published some, not all.
            var runner = await Eventually.HoldsAsync(() => Task.FromResult(Array.FindIndex(nodes, n => n.Output.Contains($"Publishing run {run} of {Tenant}", StringComparison.Ordinal))),
                i => i >= 0, "the node running the run to say so", _ => string.Join("\n", nodes.Select(n => n.Output)), patience);
            var before = await Eventually.HoldsAsync(() => PublishedAsync(database, run), n => n >= 10, "the run to publish its first ten", n => $"{n}", patience);
            var killedAt = clock.Elapsed;
            await nodes[runner].KillAsync();
            var atKill = await PublishedAsync(database, run);
            Assert.True(atKill < expected, $"the run had published {atKill} of {expected} when its node was killed: too late to test a takeover");

            // The survivor takes the run over and finishes it.
            var survivor = nodes[1 - runner];
            var ended = await Eventually.HoldsAsync(async () => (await (await admin.GetAsync($"/api/t/{Tenant}/publishing-runs/{run}")).JsonAsync())["run"]!,
                r => (string?)r["status"] is "succeeded" or "failed", "the run to end", r => r.ToJsonString() + "\n" + survivor.Output, patience);
            Assert.Equal("succeeded", (string?)ended["status"]);
            Assert.Equal(expected, (int)ended["published"]!);
            Assert.Contains($"Publishing run {run} of {Tenant} was cut off with the node running it", survivor.Output, StringComparison.Ordinal);

            // The killed node, restarted on its address, serves through the gateway again.
            nodes[runner] = await ServerProcess.StartAsync(database, Options(runner));
            var killedNode = $"node{runner + 1}";
            await Eventually.HoldsAsync(() => Task.FromResult(reads.Count(r => r.Node == killedNode && r.Status == HttpStatusCode.OK && r.At > clock.Elapsed - TimeSpan.FromSeconds(1))),
                n => n > 0, $"{killedNode} to serve reads again", n => $"{n}", patience);
            var rejoinedAt = clock.Elapsed;
            await stop.CancelAsync();
            await Task.WhenAll(readers);

            // Every publication once in the feed, read through the gateway, numbered 1, 2, 3 … without a gap.
            using var reader = Client(entry);
            reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(reader, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope));
            var feed = await reader.FeedAsync();
            Assert.Equal(expected, feed.Count);
            Assert.Equal(expected, feed.Select(p => $"{p["tenant"]}/{p["bundle"]}@{p["version"]}").Distinct().Count());
            Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), feed.Select(p => (long)p["sequence"]!));

            // Errors only for reads in flight on the killed node when it died: the gateway sends a GET that failed before its
            // response started to the other node, so at most the readers' one request each, and only the killed node's.
            var failed = reads.Where(r => r.Status != HttpStatusCode.OK).ToList();
            Assert.True(failed.Count <= Readers, $"{failed.Count} failed reads: {string.Join(", ", failed)}");
            Assert.All(failed, r => Assert.True(r.Node == killedNode && r.At >= killedAt, $"{r} is not a read in flight on {killedNode} when it was killed"));
            Assert.True(reads.Count(r => r.At > killedAt && r.At < rejoinedAt && r.Status == HttpStatusCode.OK) > 0, "reads served while one node was down");

            await ForwardedAddressesAreBelievedOnlyFromTheGatewayAsync(database, entry, survivor.Address);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await gateway.DisposeAsync();
            await new BlobContainerClient(TestAzurite.ConnectionString, container).DeleteIfExistsAsync();
        }
    }

    /// <summary>
    /// A failed sign-in is counted against the client's address. Straight to a node, a claimed X-Forwarded-For is not
    /// believed (the connection's address counts); through the gateway, the address the gateway forwards is (the
    /// client's, not the gateway's), and the client's own claim does not get through it.
    /// </summary>
    private static async Task ForwardedAddressesAreBelievedOnlyFromTheGatewayAsync(TestDatabase database, Uri gateway, Uri node)
    {
        foreach (var address in new[] { node, gateway })
        {
            using var browser = Client(address, cookies: true);
            var fields = People.Hidden(await browser.GetStringAsync("/account/signin"));
            fields["userName"] = "nobody-" + Guid.NewGuid().ToString("N")[..8];
            fields["password"] = "not-the-password";
            fields["returnUrl"] = "/";
            using var post = new HttpRequestMessage(HttpMethod.Post, "/account/signin") { Content = new FormUrlEncodedContent(fields) };
            post.Headers.Add("X-Forwarded-For", "10.9.9.9");
            Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(post)).StatusCode);
        }

        await using var db = database.NewContext();
        var counted = await db.Set<SignInFailures>().Where(f => f.Key.StartsWith("client:")).ToDictionaryAsync(f => f.Key, f => f.Failures);
        Assert.Equal(new Dictionary<string, int> { [$"client:{ClientAddress}"] = 2 }, counted);
    }

    /// <summary>A client connecting from <see cref="ClientAddress"/>, which is neither the gateway's address nor any node's.</summary>
    private static HttpClient Client(Uri address, bool cookies = false) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = cookies,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(ClientAddress, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<HashSet<string>> NodesServingAsync(HttpClient client, int tries)
    {
        var nodes = new HashSet<string>();
        for (var i = 0; i < tries; i++)
        {
            var response = await client.GetAsync($"/api/t/{Tenant}/bundles/enrolment");
            if (response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues(GatewayHost.NodeHeader, out var node))
            {
                nodes.Add(node.Single());
            }
        }

        return nodes;
    }

    private static async Task ReadAsync(HttpClient client, int reader, ConcurrentBag<Read> reads, Stopwatch clock, CancellationToken stop)
    {
        for (var i = reader; !stop.IsCancellationRequested; i += Readers)
        {
            try
            {
                using var response = await client.GetAsync($"/api/t/{Tenant}/bundles/enrolment-{i % Clones + 1}", CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                reads.Add(new Read(clock.Elapsed, response.StatusCode,
                    response.Headers.TryGetValues(GatewayHost.NodeHeader, out var node) ? node.Single() : null, null));
            }
            catch (HttpRequestException e)
            {
                reads.Add(new Read(clock.Elapsed, null, null, e.Message));
            }
        }
    }

    private static async Task<int> PublishedAsync(TestDatabase database, Guid run)
    {
        await using var db = database.NewContext();
        return await db.Set<Publication>().IgnoreQueryFilters().CountAsync(p => p.RunId == run);
    }
}
