using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Npgsql;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- nation [scale]</c>: a whole nation on one server process, PostgreSQL and Azurite, in one run. Writes the
/// synthetic nation (<see cref="NationFolder"/>; scale 1: 31 provinces, 333 cities, 2,844 districts, about 85,000
/// bundles; <c>0.05</c> keeps every province and shrinks the cities and districts for a quick try) as a
/// <c>tenants/</c> folder in a temporary directory and then measures:
/// (1) its import at the server's start (the schema migrated before, by <c>migrate</c>);
/// (2) publishing every imported version through each tenant's scheduled publishing run, every tenant put on one slot
/// a few minutes ahead (<c>PUT …/settings</c>, as the default 02:00 puts a nation on one slot) and the scheduler left to
/// fire them (the relay off so the runs have the machine): how many fired, how late the last started, and the time from
/// the slot to the last run's end against a binary COPY of the same publication rows;
/// (3) a new version of national's <c>restaurant</c> approved through the review API, every adopter shown behind
/// (<c>GET …/templates/restaurant/adoptions</c>), the rebases without conflicts done, submitted and approved through the
/// API, and their tenants published again;
/// (4) wrk on the live-bundle route against the raw-bytes endpoint (<c>Diagnostics:LoadProbe</c>), each spreading its
/// requests over the same 10,000 live bundles.
/// The server's resident memory (VmRSS) is sampled every 250 ms throughout and its peak printed per phase, with the
/// machine's load average. The node runs in Testing (demo accounts act for the editors, reviewers and national's admin)
/// connected as the application's role under row-level security, as the deadline benchmark runs it. Needs
/// ONEGO_TEST_POSTGRES and ONEGO_TEST_AZURITE (<c>infra/postgres.sh start …</c>, <c>infra/azurite.sh start …</c>) and wrk
/// (installed from Debian's packages when missing).
/// </summary>
internal static class SyntheticNation
{
    private const string Standard = "restaurant";
    private const int LiveSample = 10_000;
    private const int Concurrency = 4;

    /// <summary>The heap limit .NET sets itself in a container limited to 1 GiB (infra/kubernetes/onego.yaml): 75% of it.</summary>
    private static readonly Dictionary<string, string> ContainerMemory = new() { ["DOTNET_GCHeapHardLimit"] = "0x30000000" };

    // RunStatus.Succeeded as the server stores it (by name).
    private const string Succeeded = "Succeeded";

    public static async Task RunAsync(double scale)
    {
        var server = ZonePublishing.Required("ONEGO_TEST_POSTGRES");
        var azurite = ZonePublishing.Required("ONEGO_TEST_AZURITE");
        var database = "onego_nation_" + Guid.NewGuid().ToString("N")[..12];
        var container = "onego-nation-" + Guid.NewGuid().ToString("N")[..12];
        var owner = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_owner", CommandTimeout = 3600 }.ConnectionString;
        var app = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_app" }.ConnectionString;
        var work = Directory.CreateTempSubdirectory("onego-nation-").FullName;
        await ZonePublishing.ExecuteAsync(server, $"CREATE DATABASE \"{database}\" OWNER onego_owner");
        var memory = new ResidentMemory();
        try
        {
            // 0. The nation as files.
            var watch = Stopwatch.StartNew();
            var nation = NationFolder.Write(Path.Combine(work, "tenants"), scale);
            Console.WriteLine($"scale {scale}: {nation.Tenants.Count:N0} tenants (31 provinces, {nation.CityCount} cities, {nation.DistrictCount:N0} districts), {nation.Bundles.Count:N0} bundles "
                + $"({nation.Adoptions:N0} adoptions with {nation.OverlayChanges:N0} local changes, {nation.OverlayChanges / (double)Math.Max(1, nation.Adoptions):N1} each), written in {watch.Elapsed.TotalSeconds:N1} s");
            string[] options =
            [
                "--Database:Provider=postgres", $"--Database:ConnectionString={app}", $"--Database:OwnerConnectionString={owner}", "--Database:AppRole=onego_app",
                $"--TenantFiles:Folder={nation.Folder}", "--TenantFiles:ImportOnStartup=true", "--Zone:RelayEnabled=false",
                "--Blobs:Provider=Azure", $"--Blobs:ConnectionString={azurite}", $"--Blobs:Container={container}", "--Diagnostics:LoadProbe=true",
                "--RateLimiting:TokensPerSecond=100000000", "--RateLimiting:Burst=100000000", "--RateLimiting:ClientPerSecond=100000000", "--RateLimiting:ClientBurst=100000000",
                "--RateLimiting:IdentityPerSecond=100000000", "--RateLimiting:IdentityBurst=100000000",
                "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
                "--Logging:LogLevel:OneGo.Server.Hosting.StartupWork=Information", "--Logging:LogLevel:OneGo.Server.Identity.DemoAccounts=Information",
            ];
            await MigrateAsync(options);

            // 1. The import, at the server's start; then the demo accounts of every tenant, before it listens.
            memory.Phase("import");
            watch.Restart();
            TimeSpan? imported = null;
            // The node's heap is held to what .NET takes from the memory limit of its container in infra/kubernetes (1 GiB,
            // 75% of it for the heap), as it runs deployed: without a limit the GC lets a busy server's heap grow into what
            // the machine has.
            await using var node = await Node.StartAsync(options, onProcess: memory.Watch, startTimeout: TimeSpan.FromHours(2), variables: ContainerMemory, onLine: line =>
            {
                if (line.Contains("tenants/ imported from", StringComparison.Ordinal))
                {
                    imported ??= watch.Elapsed;
                    memory.Phase("demo accounts");
                }
            });
            var importTime = imported ?? throw new InvalidOperationException("The server listens, but never said it imported the tenants/ folder.");
            Console.WriteLine($"(1) import: {nation.Bundles.Count:N0} bundles of {nation.Tenants.Count:N0} tenants in {importTime.TotalSeconds:N1} s = {nation.Bundles.Count / importTime.TotalSeconds:N0} bundles/s; "
                + $"peak RSS {memory.Peak("import")}; {LoadAverage()}");
            Console.WriteLine($"    demo accounts of every tenant, until the server listens: {(watch.Elapsed - importTime).TotalSeconds:N1} s; peak RSS {memory.Peak("demo accounts")}");

            var admin = await node.AdminAsync("national");
            admin.Timeout = TimeSpan.FromMinutes(10);

            // 2. Everything imported is approved; every tenant's scheduled run publishes it, all of them in one nightly slot.
            memory.Phase("publish");
            var slot = await OneSlotAsync(admin, nation.Tenants);
            var night = await SlotRunsAsync(owner, slot, nation.Tenants.Count);
            var copy = await ZonePublishing.BulkInsertAsync(owner);
            Console.WriteLine($"(2) the nightly slot: {night.Fired:N0} of {nation.Tenants.Count:N0} tenants' scheduled runs fired at {slot.ToOffset(TimeSpan.FromHours(8)):HH:mm} Asia/Shanghai, "
                + $"the last one started {night.LastStart.TotalSeconds:N1} s after the slot (Scheduling:MisfireThreshold skips a later one); {night.Published:N0} publications "
                + $"in {night.Run.TotalSeconds:N1} s from the slot to the last run's end = {night.Published / night.Run.TotalSeconds:N0} items/s; peak RSS {memory.Peak("publish")}; {LoadAverage()}");
            Console.WriteLine($"    binary COPY of the same {night.Published:N0} publication rows: {copy.TotalSeconds:N2} s = {night.Published / copy.TotalSeconds:N0} rows/s; "
                + $"ratio COPY/slot {copy / night.Run:N3} (aim ≥ 0.3; the slot takes {night.Run / copy:N1}× as long)");

            // 3. A new national version, its adopters behind, the clean rebases approved and published (national's admin signed
            // in again: a person's access token lasts 5 minutes, Identity:AccessTokenLifetime, less than the slot's wait).
            memory.Phase("rebase");
            admin.Dispose();
            admin = await node.AdminAsync("national");
            admin.Timeout = TimeSpan.FromMinutes(10);
            await ApproveNewVersionAsync(node.Address);
            watch.Restart();
            var adoptions = (await admin.GetFromJsonAsync<JsonObject>($"/api/t/national/templates/{Standard}/adoptions"))!["items"]!.AsArray();
            var behind = adoptions.Where(a => (int)a!["behind"]! > 0).Select(a => (string)a!["tenant"]!).ToList();
            var listed = watch.Elapsed;
            var (rebased, conflicted) = await RebaseAsync(node.Address, behind);
            var rebaseTime = watch.Elapsed - listed;
            var (republish, republished) = await PublishAsync(admin, owner, rebased);
            Console.WriteLine($"(3) national {Standard} v2 approved: {behind.Count:N0} of {adoptions.Count:N0} adopters shown behind (listed in {listed.TotalMilliseconds:N0} ms); "
                + $"{rebased.Count:N0} rebased without conflicts, submitted and approved in {rebaseTime.TotalSeconds:N1} s ({rebased.Count / rebaseTime.TotalSeconds:N1}/s, {Concurrency} at a time), "
                + $"{conflicted:N0} left with conflicts for their editors; re-published {republished:N0} in {republish.TotalSeconds:N1} s; "
                + $"the whole {(watch.Elapsed).TotalSeconds:N1} s; peak RSS {memory.Peak("rebase")}; {LoadAverage()}");

            // 4. Live reads spread over 10,000 bundles, the live route against the raw bytes.
            memory.Phase("live reads");
            var sample = nation.Bundles.ToArray();
            new Random(20261213).Shuffle(sample);
            var (live, raw) = await LiveReadsAsync(node.Address, sample.Take(LiveSample).ToList(), work);
            Console.WriteLine($"(4) live reads over {Math.Min(LiveSample, sample.Length):N0} bundles: live route {live:N0} requests/s, raw bytes {raw:N0} requests/s, "
                + $"ratio {live / raw:N3} (aim ≥ 0.8); peak RSS {memory.Peak("live reads")}; {LoadAverage()}");
            admin.Dispose();
            Console.WriteLine($"server RSS peak over the whole run: {memory.Peak(null)} (aim < 1 GiB)");
        }
        finally
        {
            memory.Dispose();
            NpgsqlConnection.ClearAllPools();
            await ZonePublishing.ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            await new BlobContainerClient(azurite, container).DeleteIfExistsAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task MigrateAsync(string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(Node.ServerAssembly) };
        start.ArgumentList.Add(Node.ServerAssembly);
        start.ArgumentList.Add("migrate");
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"migrate exited with {process.ExitCode}: {await error}");
        }
    }

    /// <summary>
    /// Puts every tenant on one publishing slot a few minutes ahead, as national's admin through each tenant's settings
    /// (<c>PUT …/settings</c>), as the default schedule (02:00) puts a whole nation on one slot every night. Returns the slot.
    /// </summary>
    private static async Task<DateTimeOffset> OneSlotAsync(HttpClient admin, IReadOnlyList<string> tenants)
    {
        var now = DateTimeOffset.UtcNow;
        var slot = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(5);
        var local = slot.ToOffset(TimeSpan.FromHours(8));
        var cron = $"0 {local.Minute} {local.Hour} * * ?";
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (tenant, _) =>
        {
            var path = $"/api/t/{tenant}/settings";
            var (view, etag) = await ReadAsync(admin, path);
            await SendAsync(admin, HttpMethod.Put, path, etag, new JsonObject
            {
                ["name"] = view["name"]?.DeepClone(), ["nameEn"] = view["nameEn"]?.DeepClone(), ["displayName"] = view["displayName"]?.DeepClone(),
                ["displayNameEn"] = view["displayNameEn"]?.DeepClone(), ["contact"] = view["contact"]?.DeepClone(), ["publishingSchedule"] = cron,
            });
        });
        if (DateTimeOffset.UtcNow > slot - TimeSpan.FromSeconds(20))
        {
            throw new InvalidOperationException($"Setting {tenants.Count:N0} schedules took until {DateTimeOffset.UtcNow:HH:mm:ss}, too close to the slot at {slot:HH:mm:ss} UTC.");
        }

        return slot;
    }

    /// <summary>
    /// Waits for the slot's scheduled runs, read from the database: until every tenant's has ended, or none has started
    /// for two minutes with every started one ended (a trigger skipped as missed never fires). Returns how many fired,
    /// how late the last one started, the time from the slot to the last one's end, and what they published.
    /// </summary>
    private static async Task<(long Fired, TimeSpan LastStart, TimeSpan Run, int Published)> SlotRunsAsync(string owner, DateTimeOffset slot, int tenants)
    {
        await Task.Delay(slot - DateTimeOffset.UtcNow);
        var since = $"\"Trigger\" = 'schedule' AND \"RequestedAt\" >= '{slot.AddMinutes(-1):O}'";
        var (seen, quiet) = (-1L, Stopwatch.StartNew());
        while (true)
        {
            await Task.Delay(1000);
            var fired = await ZonePublishing.ScalarAsync<long>(owner, $"SELECT count(*) FROM \"PublishingRuns\" WHERE {since}");
            var open = await ZonePublishing.ScalarAsync<long>(owner, $"SELECT count(*) FROM \"PublishingRuns\" WHERE {since} AND \"FinishedAt\" IS NULL");
            if (fired != seen)
            {
                (seen, quiet) = (fired, Stopwatch.StartNew());
            }

            if (open == 0 && (fired >= tenants || quiet.Elapsed > TimeSpan.FromMinutes(2)))
            {
                break;
            }
        }

        var failed = await ZonePublishing.ScalarAsync<long>(owner, $"SELECT count(*) FROM \"PublishingRuns\" WHERE {since} AND \"Status\" <> '{Succeeded}'");
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} scheduled publishing run(s) did not succeed.");
        }

        var lastStart = await ZonePublishing.ScalarAsync<double>(owner, $"SELECT EXTRACT(EPOCH FROM max(\"StartedAt\") - '{slot:O}'::timestamptz)::float8 FROM \"PublishingRuns\" WHERE {since}");
        var run = await ZonePublishing.ScalarAsync<double>(owner, $"SELECT EXTRACT(EPOCH FROM max(\"FinishedAt\") - '{slot:O}'::timestamptz)::float8 FROM \"PublishingRuns\" WHERE {since}");
        var published = await ZonePublishing.ScalarAsync<long>(owner, $"SELECT coalesce(sum(\"Published\"), 0)::bigint FROM \"PublishingRuns\" WHERE {since}");
        return (seen, TimeSpan.FromSeconds(lastStart), TimeSpan.FromSeconds(run), (int)published);
    }

    /// <summary>
    /// Asks every tenant's run, as national's admin, <see cref="Concurrency"/> requests at a time (a nightly slot fires
    /// them all at once; one request after another, the requests themselves had set the pace), and waits for all to
    /// end. Returns the time from the first run's start to the last one's end (the server's own times) and what they
    /// published.
    /// </summary>
    private static async Task<(TimeSpan Run, int Published)> PublishAsync(HttpClient admin, string owner, IReadOnlyList<string> tenants)
    {
        var runs = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (tenant, _) =>
        {
            using var accepted = await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null);
            if (accepted.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"publish-now of {tenant} answered {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
            }

            runs.Add(Guid.Parse(accepted.Headers.Location!.OriginalString.Split('/')[^1]));
        });

        // The runs are read from the database: polling thousands of them through the API would load the server measured.
        var list = string.Join(", ", runs.Select(r => $"'{r}'"));
        while (await ZonePublishing.ScalarAsync<long>(owner, $"SELECT count(*) FROM \"PublishingRuns\" WHERE \"Id\" IN ({list}) AND \"FinishedAt\" IS NULL") > 0)
        {
            await Task.Delay(1000);
        }

        var failed = await ZonePublishing.ScalarAsync<long>(owner, $"SELECT count(*) FROM \"PublishingRuns\" WHERE \"Id\" IN ({list}) AND \"Status\" <> '{Succeeded}'");
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} publishing run(s) did not succeed: " + await ZonePublishing.ScalarAsync<string>(owner,
                $"SELECT string_agg(\"TenantId\" || ': ' || coalesce(\"Error\", '?'), '; ') FROM (SELECT * FROM \"PublishingRuns\" WHERE \"Id\" IN ({list}) AND \"Status\" <> '{Succeeded}' LIMIT 5) r"));
        }

        var seconds = await ZonePublishing.ScalarAsync<double>(owner, $"SELECT EXTRACT(EPOCH FROM max(\"FinishedAt\") - min(\"StartedAt\"))::float8 FROM \"PublishingRuns\" WHERE \"Id\" IN ({list})");
        var published = await ZonePublishing.ScalarAsync<long>(owner, $"SELECT sum(\"Published\")::bigint FROM \"PublishingRuns\" WHERE \"Id\" IN ({list})");
        return (TimeSpan.FromSeconds(seconds), (int)published);
    }

    /// <summary>
    /// National's editor changes the standard — the promise shortened from 10 to 8 working days, a new guide text — and
    /// submits it; its reviewer approves: version 2. Adopters whose own promise is now longer than the standard's meet a
    /// conflict when they rebase.
    /// </summary>
    private static async Task ApproveNewVersionAsync(Uri address)
    {
        using var editor = await ServiceClientAsync(address, "editor", "national");
        using var reviewer = await ServiceClientAsync(address, "reviewer", "national");
        var path = $"/api/t/national/bundles/{Standard}/draft";
        var (draft, etag) = await ReadAsync(editor, path);
        var document = draft["document"]!.AsObject();
        document["definition"]!["promisedDays"] = 8;
        document["definition"]!["guideText"] = new JsonObject { ["zh"] = "开办餐饮店一件事第二版：承诺8个工作日办结，由市场监管部门牵头。" };
        etag = await SendAsync(editor, HttpMethod.Put, path, etag, document);
        await SendAsync(editor, HttpMethod.Post, path + "/submit", etag, null);
        (_, etag) = await ReadAsync(reviewer, path);
        await SendAsync(reviewer, HttpMethod.Post, path + "/approve", etag, null);
    }

    /// <summary>Each adopter's editor rebases its working copy onto version 2; one without conflicts is submitted and approved by its reviewer.</summary>
    private static async Task<(List<string> Rebased, int Conflicted)> RebaseAsync(Uri address, IReadOnlyList<string> adopters)
    {
        var rebased = new List<string>();
        var conflicted = 0;
        await Parallel.ForEachAsync(adopters, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (tenant, _) =>
        {
            using var editor = await ServiceClientAsync(address, "editor", tenant);
            var path = $"/api/t/{tenant}/bundles/{Standard}/draft";
            var (_, etag) = await ReadAsync(editor, path);
            using var request = new HttpRequestMessage(HttpMethod.Post, path + "/rebase") { Content = JsonContent.Create(new { version = 2 }) };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            using var response = await editor.SendAsync(request);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The rebase of {tenant} answered {(int)response.StatusCode}: {answer.ToJsonString()}");
            }

            if (answer["conflicts"]!.AsArray().Count > 0)
            {
                Interlocked.Increment(ref conflicted);
                return;
            }

            await SendAsync(editor, HttpMethod.Post, path + "/submit", response.Headers.ETag!.ToString(), null);
            using var reviewer = await ServiceClientAsync(address, "reviewer", tenant);
            var (_, submitted) = await ReadAsync(reviewer, path);
            await SendAsync(reviewer, HttpMethod.Post, path + "/approve", submitted, null);
            lock (rebased)
            {
                rebased.Add(tenant);
            }
        });
        return (rebased, conflicted);
    }

    /// <summary>A client calling as the demo service account of a role in a tenant (client credentials).</summary>
    private static async Task<HttpClient> ServiceClientAsync(Uri address, string role, string tenant)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        using var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = $"demo-{role}@{tenant}", ["client_secret"] = "demo-secret",
        }));
        var body = JsonNode.Parse(await token.Content.ReadAsStringAsync())!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string?)body["access_token"] ?? throw new InvalidOperationException($"No token for demo-{role}@{tenant}: {body.ToJsonString()}"));
        return client;
    }

    private static async Task<(JsonObject Body, string ETag)> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject(), response.Headers.ETag!.ToString());
    }

    /// <summary>A write naming what was read (If-Match); returns the new ETag, if any.</summary>
    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, string path, string etag, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response.Headers.ETag?.ToString() ?? "";
    }

    /// <summary>
    /// One pass over the bundles on both routes (each answers 200 with the same bytes; the raw endpoint captures them,
    /// the live route fills its caches), then wrk on each in turn, twice, every thread going round the same list.
    /// Returns the mean requests per second of each.
    /// </summary>
    private static async Task<(double Live, double Raw)> LiveReadsAsync(Uri address, IReadOnlyList<(string Tenant, string Code)> bundles, string work)
    {
        await Parallel.ForEachAsync(bundles, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (bundle, _) =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = address };
            var live = await http.GetByteArrayAsync($"/api/t/{bundle.Tenant}/bundles/{bundle.Code}");
            var raw = await http.GetByteArrayAsync($"/_probe/raw/{bundle.Tenant}/{bundle.Code}");
            if (!live.AsSpan().SequenceEqual(raw))
            {
                throw new InvalidOperationException($"{bundle.Tenant}/{bundle.Code}: the live route and the raw endpoint sent different bytes.");
            }
        });

        var paths = Path.Combine(work, "paths.txt");
        await File.WriteAllLinesAsync(paths, bundles.Select(b => $"{b.Tenant}/{b.Code}"));
        var script = Path.Combine(work, "spread.lua");
        await File.WriteAllTextAsync(script, SpreadScript);
        EnsureWrk();
        double live = 0, raw = 0;
        const int Rounds = 2;
        for (var round = 1; round <= Rounds; round++)
        {
            var rawRound = Wrk(address, "/_probe/raw/", paths, script);
            var liveRound = Wrk(address, "/api/t/", paths, script, "/bundles/");
            Console.WriteLine($"    round {round}: raw bytes {rawRound:N0} requests/s, live route {liveRound:N0} requests/s");
            raw += rawRound / Rounds;
            live += liveRound / Rounds;
        }

        return (live, raw);
    }

    // Each thread goes round the list from its own place; every answer must be a 200 (a socket error or another status fails the run).
    private const string SpreadScript = """
        local paths = {}
        for line in io.lines(os.getenv("NATION_PATHS")) do
          local slash = line:find("/")
          paths[#paths + 1] = os.getenv("NATION_PREFIX") .. line:sub(1, slash - 1) .. os.getenv("NATION_MIDDLE") .. line:sub(slash + 1)
        end
        local threads, counter = {}, 0
        function setup(thread)
          thread:set("start", #threads * 997)
          table.insert(threads, thread)
        end
        local i = 0
        bad = 0
        function request()
          i = i + 1
          return wrk.format("GET", paths[(start + i) % #paths + 1])
        end
        function response(status, headers, body)
          if status ~= 200 then bad = bad + 1 end
        end
        function done(summary, latency, requests)
          local failed = 0
          for _, t in ipairs(threads) do failed = failed + t:get("bad") end
          local e = summary.errors
          io.write(string.format("RESULT rps=%.1f requests=%d not200=%d socketerrors=%d p50ms=%.2f p99ms=%.2f\n",
            summary.requests / (summary.duration / 1e6), summary.requests, failed + e.status, e.connect + e.read + e.write + e.timeout,
            latency:percentile(50) / 1000, latency:percentile(99) / 1000))
        end
        """;

    private static double Wrk(Uri address, string prefix, string paths, string script, string middle = "/")
    {
        var start = new ProcessStartInfo("wrk", $"-t2 -c32 -d15s --latency -s {script} {address.ToString().TrimEnd('/')}") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["NATION_PATHS"] = paths;
        start.Environment["NATION_PREFIX"] = prefix;
        start.Environment["NATION_MIDDLE"] = middle;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var result = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result: {output} {process.StandardError.ReadToEnd()}");
        if (!result.Contains("not200=0 socketerrors=0", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Not every answer was a 200 on {prefix}: {result}");
        }

        return double.Parse(result.Split(' ')[1]["rps=".Length..], CultureInfo.InvariantCulture);
    }

    private static void EnsureWrk()
    {
        if (File.Exists("/usr/bin/wrk"))
        {
            return;
        }

        Console.Error.WriteLine("wrk not found: installing it from Debian's packages…");
        foreach (var arguments in new[] { "update -qq", "install -y -qq wrk" })
        {
            var start = new ProcessStartInfo("apt-get", arguments);
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var process = Process.Start(start)!;
            process.WaitForExit();
        }
    }

    private static string LoadAverage() => "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    /// <summary>The server's VmRSS, read from /proc every 250 ms; the peak of each phase.</summary>
    private sealed class ResidentMemory : IDisposable
    {
        private readonly Dictionary<string, long> _peaks = [];
        private readonly CancellationTokenSource _stop = new();
        private string _phase = "start";

        public void Phase(string phase)
        {
            lock (_peaks)
            {
                _phase = phase;
            }
        }

        public void Watch(int processId) => _ = Task.Run(async () =>
        {
            var status = $"/proc/{processId}/status";
            while (!_stop.IsCancellationRequested && File.Exists(status))
            {
                try
                {
                    var line = File.ReadLines(status).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                    var kilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    lock (_peaks)
                    {
                        _peaks[_phase] = Math.Max(_peaks.GetValueOrDefault(_phase), kilobytes);
                    }
                }
                catch (IOException)
                {
                    // The process ended between the check and the read.
                }

                await Task.Delay(250);
            }
        });

        public string Peak(string? phase)
        {
            lock (_peaks)
            {
                var kilobytes = phase is null ? _peaks.Values.DefaultIfEmpty().Max() : _peaks.GetValueOrDefault(phase);
                return $"{kilobytes / 1024.0:N0} MiB";
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }
}
