using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- submit [count] [concurrency]</c>: <c>count</c> (400) applications for Haicang's 入园入学一件事 (the 户籍 guide)
/// submitted through the API of the real server on PostgreSQL, <c>concurrency</c> (8) at a time, against plain Npgsql
/// transactions writing the same rows at the same concurrency — each the draft's update, the day's counter, the cases
/// and the audit entry, copied in the database from what the API wrote, into tables of the same shape and indexes. The
/// drafts are prepared first, untimed. Prints both rates and their ratio. Needs ONEGO_TEST_POSTGRES.
/// </summary>
internal static class Submissions
{
    private const string Tenant = "fujian.xiamen.haicang";

    public static async Task RunAsync(int count, int concurrency)
    {
        var server = Environment.GetEnvironmentVariable("ONEGO_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ONEGO_TEST_POSTGRES is not set: start PostgreSQL with infra/postgres.sh start … and export it.");
        var database = "onego_bench_" + Guid.NewGuid().ToString("N")[..12];
        // As production connects: the database owned by onego_owner (migrations), the server as onego_app under row-level
        // security (roles of infra/postgres.sh); the plain transactions run as the owner, who bypasses it.
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_owner" }.ConnectionString;
        var app = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_app" }.ConnectionString;
        await ExecuteAsync(server, $"CREATE DATABASE \"{database}\" OWNER onego_owner");
        var tenants = ZonePublishing.TrimmedTenants();
        try
        {
            await using var node = await Node.StartAsync(
            [
                "--Database:Provider=postgres", $"--Database:ConnectionString={app}", $"--Database:OwnerConnectionString={connectionString}", "--Database:AppRole=onego_app",
                $"--TenantFiles:Folder={tenants}", "--TenantFiles:ImportOnStartup=true",
                "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
                // The 户籍 guide fetches everything it needs: from the node's own stand-in exchange, over loopback HTTP.
                "--DataExchange:DemoStandIn=true",
                "--RateLimiting:ClientPerSecond=100000", "--RateLimiting:ClientBurst=100000", "--RateLimiting:TokensPerSecond=100000", "--RateLimiting:Burst=100000",
            ]);
            using var client = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromMinutes(2) };
            var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "demo-applicant-zhang", ["client_secret"] = "demo-secret", ["scope"] = "apply",
            }));
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                (string?)JsonNode.Parse(await token.Content.ReadAsStringAsync())!["access_token"] ?? throw new InvalidOperationException("No token"));

            var answers = new JsonObject { ["guide"] = "haicang-hukou" };
            var evaluated = await client.PostAsJsonAsync($"/api/t/{Tenant}/bundles/enrolment/guide", new JsonObject { ["answers"] = answers.DeepClone() });
            var guide = (await evaluated.Content.ReadFromJsonAsync<JsonNode>())!;
            var values = new JsonObject();
            foreach (var field in guide["form"]!.AsArray())
            {
                values[(string)field!["code"]!] = (string)field["type"]! switch
                {
                    "idNumber" => "350205198806121231",
                    "phone" => "13800138000",
                    _ => "张晓明",
                };
            }

            var drafts = new List<string>();
            foreach (var _ in Enumerable.Range(0, count))
            {
                var created = await client.PostAsJsonAsync($"/api/t/{Tenant}/applications", new JsonObject { ["bundle"] = "enrolment", ["answers"] = answers.DeepClone(), ["values"] = values.DeepClone() });
                created.EnsureSuccessStatusCode();
                var draft = (await created.Content.ReadFromJsonAsync<JsonNode>())!;
                var id = (string)draft["id"]!;
                var sharing = draft["sharing"]!.AsArray();
                var agreed = await client.PostAsJsonAsync($"/api/t/{Tenant}/applications/{id}/consents", new JsonObject
                {
                    ["datasets"] = new JsonArray([.. sharing.Select(d => JsonValue.Create((string)d!["dataset"]!))]),
                    ["textVersion"] = (string?)sharing[0]!["textVersion"],
                    ["asGuardian"] = true,
                });
                agreed.EnsureSuccessStatusCode();
                drafts.Add(id);
            }

            Console.WriteLine($"prepared {count:N0} drafts of {Tenant}'s enrolment (untimed)");

            // 1. Through the API: submit each draft once, `concurrency` at a time.
            var api = await TimeAsync(drafts, concurrency, async id =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/t/{Tenant}/applications/{id}/submit");
                request.Headers.Add("Idempotency-Key", "bench-" + id);
                using var response = await client.SendAsync(request);
                if ((int)response.StatusCode != 201)
                {
                    throw new InvalidOperationException($"Submitting {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            });
            Console.WriteLine($"API: {count:N0} submissions in {api.TotalSeconds:N2} s = {count / api.TotalSeconds:N1} submissions/s ({concurrency} at a time)");

            // 2. The same rows by plain transactions: tables of the same shape and indexes, the rows copied from what the API wrote.
            await ExecuteAsync(connectionString, """
                CREATE TABLE "ApplicationsPlain" (LIKE "Applications" INCLUDING ALL);
                INSERT INTO "ApplicationsPlain" SELECT * FROM "Applications";
                UPDATE "ApplicationsPlain" SET "State" = 'Draft', "Number" = NULL;
                CREATE TABLE "CasesPlain" (LIKE "Cases" INCLUDING ALL);
                CREATE TABLE "AuditEntriesPlain" (LIKE "AuditEntries" INCLUDING ALL);
                CREATE TABLE "TrackingCountersPlain" (LIKE "TrackingCounters" INCLUDING ALL);
                INSERT INTO "TrackingCountersPlain" ("TenantId", "Day", "Last") VALUES ('fujian.xiamen.haicang', 'bench', 0);
                """);
            var sequence = 0L;
            await using var source = NpgsqlDataSource.Create(connectionString);
            var plain = await TimeAsync(drafts, concurrency, async id =>
            {
                await using var connection = await source.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var next = Interlocked.Increment(ref sequence);
                var sql = new StringBuilder()
                    .Append("UPDATE \"TrackingCountersPlain\" SET \"Last\" = \"Last\" + 1 WHERE \"Day\" = 'bench';")
                    .Append("UPDATE \"ApplicationsPlain\" p SET \"State\" = a.\"State\", \"Number\" = a.\"Number\", \"ValuesProtected\" = a.\"ValuesProtected\", \"Commitments\" = a.\"Commitments\", ")
                    .Append("\"SubmitKey\" = a.\"SubmitKey\", \"SubmitHash\" = a.\"SubmitHash\", \"SubmittedAt\" = a.\"SubmittedAt\", \"SubmittedBy\" = a.\"SubmittedBy\", \"Revision\" = a.\"Revision\" ")
                    .Append("FROM \"Applications\" a WHERE p.\"Id\" = @id AND a.\"Id\" = @id;")
                    .Append("INSERT INTO \"CasesPlain\" SELECT * FROM \"Cases\" WHERE \"ApplicationId\" = @id;")
                    .Append("INSERT INTO \"AuditEntriesPlain\" (\"TenantId\", \"Sequence\", \"At\", \"Actor\", \"Action\", \"Subject\", \"Comment\", \"Changes\", \"PreviousHash\", \"Hash\") ")
                    .Append("SELECT e.\"TenantId\", @sequence, e.\"At\", e.\"Actor\", e.\"Action\", e.\"Subject\", e.\"Comment\", e.\"Changes\", e.\"PreviousHash\", e.\"Hash\" ")
                    .Append("FROM \"AuditEntries\" e JOIN \"Applications\" a ON e.\"Subject\" = 'application/' || a.\"Number\" WHERE a.\"Id\" = @id;");
                await using var command = new NpgsqlCommand(sql.ToString(), connection, transaction);
                command.Parameters.AddWithValue("id", Guid.Parse(id));
                command.Parameters.AddWithValue("sequence", next);
                await command.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            });
            Console.WriteLine($"plain transactions: {count:N0} in {plain.TotalSeconds:N2} s = {count / plain.TotalSeconds:N1}/s ({concurrency} at a time)");
            Console.WriteLine($"ratio (API / plain): {plain / api:N3}");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            Directory.Delete(Path.GetDirectoryName(tenants)!, recursive: true);
        }
    }

    private static async Task<TimeSpan> TimeAsync(IReadOnlyList<string> ids, int concurrency, Func<string, Task> work)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(ids.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                await work(id);
            }
            finally
            {
                gate.Release();
            }
        }));
        return watch.Elapsed;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
