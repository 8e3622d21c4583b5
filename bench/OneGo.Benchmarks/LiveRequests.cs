using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- live [sample]</c>: what a visitor waits for when the live bundle asked for is in no cache of the node — the
/// first <c>GET /api/t/{tenant}/bundles/{code}</c> after a start, end to end: HTTP on loopback, the whole pipeline
/// (limits, tenant resolution, the route), the database (SQLite, the embedded default, <c>tenants/</c> imported), the
/// resolution through the template chain, canonical JSON and the ETag. Beside it, in the same run and on the same
/// bundles: the second GET (the node's caches warm) and the raw-bytes endpoint (<c>Diagnostics:LoadProbe</c>: the
/// same bytes and headers written from a byte array), so that the figures read as ratios on a noisy machine.
/// A first node imports and lists every tenant's live bundles; then, three times, a fresh node (nothing cached)
/// warms its pipeline on other bundles and reads <c>sample</c> (200) bundles chosen by a fixed seed, in turn.
/// Runs as a deployment runs (Staging: Production's pipeline, plain HTTP allowed on loopback).
/// </summary>
internal static class LiveRequests
{
    private const int Rounds = 3;
    private const int WarmUp = 40;

    public static async Task RunAsync(int sample)
    {
        var work = Directory.CreateTempSubdirectory("onego-live-").FullName;
        try
        {
            var options = Options(work);
            List<(string Tenant, string Code)> bundles;
            await using (var first = await Node.StartAsync(options, "Staging"))
            {
                bundles = await ListAsync(first.Address);
            }

            var shuffled = bundles.ToArray();
            new Random(20261204).Shuffle(shuffled);
            var warmUp = shuffled[..Math.Min(WarmUp, shuffled.Length / 4)];
            var chosen = shuffled[warmUp.Length..].Take(sample).ToArray();
            Console.WriteLine($"{bundles.Count:N0} live bundles in {bundles.Select(b => b.Tenant).Distinct().Count()} tenants; {warmUp.Length} warm the pipeline, {chosen.Length} are measured, {Rounds} rounds on a fresh node each");

            var misses = new List<double>();
            var hits = new List<double>();
            var raws = new List<double>();
            long bytes = 0;
            for (var round = 1; round <= Rounds; round++)
            {
                await using var node = await Node.StartAsync(options, "Staging");
                using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = node.Address };
                foreach (var (tenant, code) in warmUp)
                {
                    await TimeAsync(http, $"/api/t/{tenant}/bundles/{code}");
                    await TimeAsync(http, $"/_probe/raw/{tenant}/{code}");
                }

                var (roundMiss, roundHit, roundRaw) = (new List<double>(), new List<double>(), new List<double>());
                foreach (var (tenant, code) in chosen)
                {
                    var (miss, length) = await TimeAsync(http, $"/api/t/{tenant}/bundles/{code}");
                    var (hit, _) = await TimeAsync(http, $"/api/t/{tenant}/bundles/{code}");
                    await TimeAsync(http, $"/_probe/raw/{tenant}/{code}");
                    var (raw, rawLength) = await TimeAsync(http, $"/_probe/raw/{tenant}/{code}");
                    if (rawLength != length)
                    {
                        throw new InvalidOperationException($"{tenant}/{code}: the live route sent {length} bytes, the raw endpoint {rawLength}.");
                    }

                    roundMiss.Add(miss);
                    roundHit.Add(hit);
                    roundRaw.Add(raw);
                    bytes += length;
                }

                Console.WriteLine($"round {round}: cache-missed {Median(roundMiss),8:N0} µs (p90 {Percentile(roundMiss, 0.9):N0}), warm {Median(roundHit),6:N0} µs, raw bytes {Median(roundRaw),6:N0} µs (medians)");
                misses.AddRange(roundMiss);
                hits.AddRange(roundHit);
                raws.AddRange(roundRaw);
            }

            Console.WriteLine($"all rounds, {misses.Count} requests each, {bytes / misses.Count / 1024.0:N1} KB per bundle on average:");
            Console.WriteLine($"  cache-missed live bundle  median {Median(misses),8:N0} µs  p90 {Percentile(misses, 0.9),8:N0} µs  = {Median(misses) / Median(raws):N2} × raw");
            Console.WriteLine($"  warm live bundle          median {Median(hits),8:N0} µs  p90 {Percentile(hits, 0.9),8:N0} µs  = {Median(hits) / Median(raws):N2} × raw");
            Console.WriteLine($"  raw bytes (the ceiling)   median {Median(raws),8:N0} µs  p90 {Percentile(raws, 0.9),8:N0} µs");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string[] Options(string work)
    {
        var repository = Node.Repository;
        // What a Staging node refuses to start without: a checkpoint key, its issuer, a mail server (named, never
        // called) and a certificate that protects its keys at rest — throwaway ones, made for this run.
        var certificate = Path.Combine(work, "keys.pfx");
        Run("openssl", $"req -x509 -newkey rsa:2048 -nodes -subj /CN=OneGo-live-run -days 1 -keyout {work}/keys.key -out {work}/keys.crt");
        Run("openssl", $"pkcs12 -export -inkey {work}/keys.key -in {work}/keys.crt -out {certificate} -passout pass:live-run");
        return
        [
            $"--Database:ConnectionString=Data Source={Path.Combine(work, "live.db")}", $"--TenantFiles:Folder={Path.Combine(repository, "tenants")}",
            $"--Blobs:Path={Path.Combine(work, "blobs")}", "--Diagnostics:LoadProbe=true",
            "--Identity:Issuer=http://127.0.0.1/", "--Identity:AllowHttp=true", "--Mail:Host=127.0.0.1",
            $"--Identity:KeyProtection:Certificate={certificate}", "--Identity:KeyProtection:Password=live-run",
            $"--Audit:CheckpointKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}",
            "--RateLimiting:TokensPerSecond=100000000", "--RateLimiting:Burst=100000000",
            "--RateLimiting:ClientPerSecond=100000000", "--RateLimiting:ClientBurst=100000000",
            "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        ];
    }

    /// <summary>Every tenant's live bundles, page by page.</summary>
    private static async Task<List<(string Tenant, string Code)>> ListAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        var found = new List<(string, string)>();
        foreach (var tenant in await PagesAsync(http, "/api/tenants"))
        {
            var id = (string)tenant["id"]!;
            found.AddRange((await PagesAsync(http, $"/api/t/{id}/bundles")).Select(i => (id, (string)i["summary"]!["code"]!)));
        }

        return found;
    }

    private static async Task<List<JsonNode>> PagesAsync(HttpClient http, string path)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = (await http.GetFromJsonAsync<JsonObject>($"{path}?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))))!;
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["next"];
        }
        while (cursor is not null);
        return items;
    }

    private static async Task<(double Microseconds, long Length)> TimeAsync(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = watch.Elapsed.TotalMicroseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
        }

        return (elapsed, body.Length);
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {process.StandardError.ReadToEnd()}");
        }
    }
}
