using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Npgsql;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- cluster [count]</c> (run by <c>infra/cluster.sh</c>): three nodes on one PostgreSQL and Azurite behind the
/// gateway (infra/gateway), <c>count</c> (2,000) approved bundles of one tenant, readers looping on GETs through the
/// gateway throughout, and a publishing run asked for through it. The node the cluster gave the run to is killed
/// (SIGKILL) once a quarter is published; then it prints whether and when the run was taken over and finished, whether
/// the zone has every publication once with sequence numbers without a gap, which reads failed and on which node, and
/// when the restarted node served through the gateway again. Exits 1 when a check fails. Needs ONEGO_TEST_POSTGRES and
/// ONEGO_TEST_AZURITE.
/// </summary>
internal static class Cluster
{
    private const string Tenant = "fujian.xiamen.haicang";
    private const string Template = "enrolment";
    private const int Readers = 8;
    private const string GatewayAddress = "127.0.0.2";

    private sealed record Read(TimeSpan At, int Status, string? Node);

    public static async Task<int> RunAsync(int count)
    {
        var server = Environment.GetEnvironmentVariable("ONEGO_TEST_POSTGRES") ?? throw new InvalidOperationException("ONEGO_TEST_POSTGRES is not set: run infra/cluster.sh.");
        var azurite = Environment.GetEnvironmentVariable("ONEGO_TEST_AZURITE") ?? throw new InvalidOperationException("ONEGO_TEST_AZURITE is not set: run infra/cluster.sh.");
        var database = "onego_cluster_" + Guid.NewGuid().ToString("N")[..12];
        var container = "onego-cluster-" + Guid.NewGuid().ToString("N")[..12];
        // As production runs: the nodes connect as the application's role; the owner migrates, and seeds and counts here.
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_owner", CommandTimeout = 600 }.ConnectionString;
        var app = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_app" }.ConnectionString;
        await ZonePublishing.ExecuteAsync(server, $"CREATE DATABASE \"{database}\" OWNER onego_owner");
        var tenants = ZonePublishing.TrimmedTenants();
        var clock = Stopwatch.StartNew();
        var logs = new ConcurrentQueue<(TimeSpan At, int Node, string Line)>();
        var nodes = new Node?[3];
        Node? gateway = null;
        try
        {
            var ports = Enumerable.Range(0, 4).Select(_ => FreePort()).ToArray();
            var entry = new Uri($"http://127.0.0.1:{ports[3]}");
            string[] Options(int node, bool import) =>
            [
                $"--urls=http://127.0.0.1:{ports[node]}",
                "--Database:Provider=postgres", $"--Database:ConnectionString={app}", $"--Database:OwnerConnectionString={connectionString}", "--Database:AppRole=onego_app",
                $"--TenantFiles:Folder={tenants}", $"--TenantFiles:ImportOnStartup={import}",
                "--Blobs:Provider=Azure", $"--Blobs:ConnectionString={azurite}", $"--Blobs:Container={container}",
                $"--Identity:Issuer={entry}", $"--Network:KnownProxies:0={GatewayAddress}",
                "--RateLimiting:ClientPerSecond=100000000", "--RateLimiting:ClientBurst=100000000",
                "--RateLimiting:TokensPerSecond=100000000", "--RateLimiting:Burst=100000000",
                "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
                "--Logging:LogLevel:OneGo.Server.Features.Zone.PublishingJob=Information",
            ];
            Task<Node> Start(int node, bool import) =>
                Node.StartAsync(Options(node, import), onLine: line => logs.Enqueue((clock.Elapsed, node, line)));

            // The first node migrates and imports; the others start on what it made.
            nodes[0] = await Start(0, import: true);
            var seeded = Stopwatch.StartNew();
            await OneGo.Testing.BundleClones.CloneAsync(connectionString, Tenant, Template, count);
            var expected = await ZonePublishing.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM \"Bundles\" WHERE \"TenantId\" = '{Tenant}' AND \"LiveVersion\" IS NOT NULL");
            Console.WriteLine($"seeded {count:N0} approved bundles of {Tenant} in {seeded.Elapsed.TotalSeconds:N1} s ({expected:N0} to publish with its own)");
            nodes[1] = await Start(1, import: false);
            nodes[2] = await Start(2, import: false);
            gateway = await Node.StartAsync(
            [
                $"--urls={entry}", .. Enumerable.Range(0, 3).Select(i => $"--Gateway:Nodes:{i}=http://127.0.0.1:{ports[i]}"),
                $"--Gateway:ConnectFrom={GatewayAddress}", "--Gateway:HealthInterval=00:00:02", "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            ], "Production", assembly: Node.GatewayAssembly);
            Console.WriteLine($"three nodes on 127.0.0.1:{ports[0]}, :{ports[1]}, :{ports[2]} behind the gateway at {entry} (Quartz check-in and its threshold at their defaults, 7.5 s each)");

            using var client = new HttpClient { BaseAddress = entry, Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            var reads = new ConcurrentBag<Read>();
            var readers = Enumerable.Range(0, Readers).Select(i => Task.Run(() => ReadAsync(client, i, count, reads, clock, stop.Token))).ToList();
            // The run is asked for once every node serves the readers, so that the node killed is one they are reading from.
            await UntilAsync(() => Task.FromResult(reads.Where(r => r.Status == 200).Select(r => r.Node).Distinct().Count()), n => n == 3, "every node to serve reads through the gateway");

            // "Publish now", by the region's admin (signed in with the second factor on one node; the token names the
            // gateway, so it is good on every node), through the gateway; the cluster gives the run to whichever node acquires it.
            using var admin = new HttpClient { BaseAddress = entry, Timeout = TimeSpan.FromSeconds(30) };
            using (var signedIn = await nodes[0]!.AdminAsync(Tenant))
            {
                admin.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
            }

            var asked = clock.Elapsed;
            using var accepted = await admin.PostAsync($"/api/t/{Tenant}/publishing-runs", null);
            var answer = await accepted.Content.ReadAsStringAsync();
            var run = accepted.StatusCode == System.Net.HttpStatusCode.Accepted
                ? Guid.Parse((string)JsonNode.Parse(answer)!["id"]!)
                : throw new InvalidOperationException($"Publish now answered {(int)accepted.StatusCode}: {answer}");
            var runner = await UntilAsync(() => Task.FromResult(logs.FirstOrDefault(l => l.Line.Contains($"Publishing run {run} of", StringComparison.Ordinal)) is { Line: not null } l ? l.Node : -1),
                n => n >= 0, "the node running the run");
            await UntilAsync(() => PublishedAsync(connectionString, run), n => n >= expected / 4, "a quarter published");
            var killedNode = $"node{runner + 1}";
            var servedBefore = reads.Count(r => r.Node == killedNode && r.Status == 200);
            await nodes[runner]!.KillAsync();
            var killedAt = clock.Elapsed;
            var atKill = await PublishedAsync(connectionString, run);
            Console.WriteLine($"run {run} asked for through the gateway, on {killedNode}; {killedNode} killed (SIGKILL) {(killedAt - asked).TotalSeconds:N1} s later, "
                + $"with {atKill:N0} of {expected:N0} published and {servedBefore:N0} reads served through the gateway");

            var ended = await UntilAsync(async () => await RunRowAsync(connectionString, run), r => (string?)r["status"] is "Succeeded" or "Failed", "the run to end");
            var endedAt = clock.Elapsed;
            var takeover = logs.FirstOrDefault(l => l.Line.Contains($"Publishing run {run} of {Tenant} was cut off", StringComparison.Ordinal));
            Console.WriteLine(takeover.Line is null
                ? $"run {ended["status"]} with {ended["published"]:N0} published; no node logged a takeover"
                : $"run taken over by node{takeover.Node + 1} {(takeover.At - killedAt).TotalSeconds:N1} s after the kill; {ended["status"]} {(endedAt - killedAt).TotalSeconds:N1} s after it, {(int)ended["published"]!:N0} published in all");

            // The killed node again, on its address: the gateway's health checks bring it back.
            var restartedAt = clock.Elapsed;
            nodes[runner] = await Start(runner, import: false);
            await UntilAsync(() => Task.FromResult(reads.Any(r => r.Node == killedNode && r.At > restartedAt && r.Status == 200)), ok => ok, $"{killedNode} to serve reads again");
            var servedAgainAt = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3));
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            Console.WriteLine($"{killedNode} restarted: serving reads through the gateway {(servedAgainAt - restartedAt).TotalSeconds:N1} s after its start began "
                + $"({reads.Count(r => r.Node == killedNode && r.At > restartedAt):N0} reads in its first {(clock.Elapsed - servedAgainAt).TotalSeconds + (servedAgainAt - restartedAt).TotalSeconds:N0} s)");

            // The zone: every publication once, numbered without a gap.
            var zone = await RowAsync(connectionString,
                "SELECT count(*), count(DISTINCT (\"TenantId\", \"BundleCode\", \"Version\")), count(DISTINCT \"Sequence\"), coalesce(min(\"Sequence\"), 0), coalesce(max(\"Sequence\"), 0), (SELECT \"Last\" FROM \"ZoneHeads\") FROM \"Publications\"");
            Console.WriteLine($"zone feed: {zone[0]:N0} rows, {zone[1]:N0} distinct bundle@version, sequences {zone[3]}–{zone[4]} ({zone[2]:N0} distinct), zone head at {zone[5]}");

            var all = reads.ToList();
            var failed = all.Where(r => r.Status != 200).ToList();
            var window = all.Where(r => r.At > asked).ToList();
            Console.WriteLine($"reads through the gateway: {all.Count:N0} by {Readers} readers ({all.Count / clock.Elapsed.TotalSeconds:N0}/s over the run); "
                + $"by node: {string.Join(", ", all.GroupBy(r => r.Node ?? "none").OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}"))}");
            Console.WriteLine($"failed reads: {failed.Count} ({string.Join(", ", failed.GroupBy(r => $"{r.Status} from {r.Node ?? "no node"}").Select(g => $"{g.Count()}× {g.Key}"))}); "
                + $"at most {Readers} could be in flight on {killedNode} when it died; reads served while it was down: {window.Count(r => r.At > killedAt && r.At < servedAgainAt && r.Status == 200):N0}");

            var problems = new List<string>();
            if ((string?)ended["status"] != "Succeeded" || (int)ended["published"]! != expected)
            {
                problems.Add($"the run ended {ended.ToJsonString()}");
            }

            if (takeover.Line is null || takeover.Node == runner)
            {
                problems.Add("no other node took the run over");
            }

            if (zone[0] != expected || zone[1] != expected || zone[2] != expected || zone[3] != 1 || zone[4] != expected || zone[5] != expected)
            {
                problems.Add("the zone does not hold every publication exactly once, numbered 1 to " + expected);
            }

            if (failed.Count > Readers || failed.Any(r => r.Node != killedNode || r.At < killedAt))
            {
                problems.Add("reads failed that were not in flight on the killed node");
            }

            Console.WriteLine(problems.Count == 0 ? "OK: taken over, nothing lost or published twice, errors only for reads in flight on the killed node, and it rejoined" : "FAILED: " + string.Join("; ", problems));
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (node is not null)
                {
                    await node.DisposeAsync();
                }
            }

            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
            await ZonePublishing.ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            await new BlobContainerClient(azurite, container).DeleteIfExistsAsync();
            Directory.Delete(Path.GetDirectoryName(tenants)!, recursive: true);
        }
    }

    private static async Task ReadAsync(HttpClient client, int reader, int count, ConcurrentBag<Read> reads, Stopwatch clock, CancellationToken stop)
    {
        for (var i = reader; !stop.IsCancellationRequested; i += Readers)
        {
            try
            {
                using var response = await client.GetAsync($"/api/t/{Tenant}/bundles/{Template}-{i % count + 1}", CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                reads.Add(new Read(clock.Elapsed, (int)response.StatusCode, response.Headers.TryGetValues("X-OneGo-Node", out var node) ? node.Single() : null));
            }
            catch (HttpRequestException)
            {
                reads.Add(new Read(clock.Elapsed, 0, null));
            }
        }
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"Waited five minutes for {what}; last seen {value}.");
            }

            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task<long> PublishedAsync(string connectionString, Guid run) =>
        ZonePublishing.ScalarAsync<long>(connectionString, $"SELECT count(*) FROM \"Publications\" WHERE \"RunId\" = '{run}'");

    /// <summary>The run as its row says: status and how many it published.</summary>
    private static async Task<JsonObject> RunRowAsync(string connectionString, Guid run)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT \"Status\"::text, \"Published\" FROM \"PublishingRuns\" WHERE \"Id\" = '{run}'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new JsonObject { ["status"] = reader.GetString(0), ["published"] = reader.GetInt32(1) };
    }

    private static async Task<long[]> RowAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
