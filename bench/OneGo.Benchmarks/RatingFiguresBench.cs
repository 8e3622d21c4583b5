using System.Diagnostics;
using Npgsql;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- ratings [count]</c>: the 好差评 figures over <c>count</c> (1,000,000) ratings of Haicang's applications on
/// PostgreSQL, as a user waits for them — <c>GET /api/t/{tenant}/statistics</c> (the public view: every bundle, every
/// department, the region) from a real server process connected as the application's role under row-level security —
/// against the plain thing beside it: the same two grouped queries (the completed applications' sums, the ratings' counts) as
/// the owner, who bypasses row-level security, and as the application's role in the region's scope. The
/// ratings (a tenth of them bad, a third of those replied, a tenth of the rest overdue) are written straight into the
/// database, untimed. Each side is run 10 times after a warm-up; the medians and their ratio are printed. Needs
/// ONEGO_TEST_POSTGRES (infra/postgres.sh).
/// </summary>
internal static class RatingFiguresBench
{
    private const string Tenant = "fujian.xiamen.haicang";
    private const int Runs = 10;

    public static async Task RunAsync(int count)
    {
        var server = Environment.GetEnvironmentVariable("ONEGO_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ONEGO_TEST_POSTGRES is not set: start PostgreSQL with infra/postgres.sh start … and export it.");
        var database = "onego_bench_" + Guid.NewGuid().ToString("N")[..12];
        var owner = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_owner", CommandTimeout = 3600 }.ConnectionString;
        var app = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_app" }.ConnectionString;
        await ExecuteAsync(server, $"CREATE DATABASE \"{database}\" OWNER onego_owner");
        var tenants = ZonePublishing.TrimmedTenants();
        var blobs = Path.Combine(Path.GetDirectoryName(tenants)!, "blobs");
        string[] options =
        [
            "--Database:Provider=postgres", $"--Database:ConnectionString={app}", $"--Database:OwnerConnectionString={owner}", "--Database:AppRole=onego_app",
            $"--TenantFiles:Folder={tenants}", "--TenantFiles:ImportOnStartup=true", "--Zone:RelayEnabled=false", $"--Blobs:Path={blobs}", "--Scheduling:Enabled=false",
            "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        ];
        try
        {
            // 1. The schema, the regions and their live bundles, by a node that then stops.
            await using (await Node.StartAsync(options))
            {
            }

            // 2. The ratings: one per application, of the enrolment bundle, given over the last twelve months.
            var stopwatch = Stopwatch.StartNew();
            await ExecuteAsync(owner, $"""
                INSERT INTO "Applications" ("Id", "TenantId", "ApplicantId", "ApplicantName", "BundleCode", "BundleName", "BundleVersion", "State", "Number",
                    "Answers", "ValuesProtected", "CreatedBy", "CreatedAt", "UpdatedAt", "SubmittedAt", "EndedAt", "PromisedDays", "Revision", "DueDatesProvisional", "Trips", "MaterialsFetched")
                SELECT gen_random_uuid(), '{Tenant}', 'bench-' || (g % 1000), '张三', 'enrolment', '{"{"}"zh":"入园入学一件事"{"}"}', 1, 'Completed', 'B' || lpad(g::text, 12, '0'),
                    '{"{}"}', '', 'bench', now(), now(), now(), now(), 20, 1, false, 0, 0
                FROM generate_series(1, {count}) g
                """);
            await ExecuteAsync(owner, $"""
                INSERT INTO "Ratings" ("Id", "TenantId", "ApplicantId", "Department", "ApplicationId", "Number", "Matter", "BundleCode", "LeadDepartment", "Level",
                    "AtCounter", "GivenAt", "Key", "Hash", "Rectification", "DueOn", "DueProvisional", "RepliedOnTime", "Overdue", "Excluded", "Revision")
                SELECT gen_random_uuid(), a."TenantId", a."ApplicantId", (ARRAY['window','education','health','civil-affairs'])[1 + n % 4], a."Id", a."Number", '', 'enrolment', 'administrative-approval',
                    (ARRAY['VerySatisfied','VerySatisfied','VerySatisfied','VerySatisfied','Satisfied','Satisfied','Satisfied','BasicallySatisfied','BasicallySatisfied','Dissatisfied'])[1 + n % 10],
                    n % 7 = 0, now() - (n % 365) * interval '1 day', 'k', 'h',
                    CASE WHEN n % 10 = 9 THEN (CASE WHEN n % 3 = 0 THEN 'Replied' ELSE 'Open' END) END,
                    CASE WHEN n % 10 = 9 THEN current_date + 10 END, false,
                    CASE WHEN n % 10 = 9 AND n % 3 = 0 THEN n % 6 = 0 END, n % 10 = 9 AND n % 3 <> 0 AND n % 30 = 19, false, 0
                FROM (SELECT a.*, row_number() OVER () AS n FROM "Applications" a WHERE a."CreatedBy" = 'bench') a
                """);
            await ExecuteAsync(owner, "VACUUM ANALYZE \"Ratings\"");
            Console.WriteLine($"{count:N0} ratings written in {stopwatch.Elapsed.TotalSeconds:F1} s");

            // 3. The plain thing: the two grouped queries the route needs (the completed applications' sums, the ratings' counts), as the owner.
            var sql = $"""
                SELECT "BundleCode", max("BundleName"), count(*), sum(coalesce("TookDays", 0)), sum("Trips"), sum(coalesce("MaterialsBrought", 0)), sum("MaterialsFetched")
                FROM "Applications" WHERE "TenantId" = '{Tenant}' AND "State" = 'Completed' GROUP BY "BundleCode";
                SELECT "BundleCode", "Department", "Level", "Rectification", "Overdue", "RepliedOnTime", count(*) FROM "Ratings"
                WHERE "TenantId" = '{Tenant}' AND NOT "Excluded" GROUP BY "BundleCode", "Department", "Level", "Rectification", "Overdue", "RepliedOnTime";
                """;
            var plain = await MedianAsync(async () => await ExecuteAsync(owner, sql));
            // The same as the application's role in the region's scope: what row-level security adds.
            var scoped = await MedianAsync(async () => await ExecuteAsync(app,
                $"SELECT set_config('onego.tenant', '{Tenant}', false), set_config('onego.below', 'off', false), set_config('onego.public', 'off', false), set_config('onego.applicant', '', false), set_config('onego.department', '', false);" + sql));

            // 4. The statistics route end to end, as the public reads it.
            await using var node = await Node.StartAsync(options);
            using var client = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromMinutes(5) };
            var route = await MedianAsync(async () =>
            {
                using var response = await client.GetAsync($"/api/t/{Tenant}/statistics");
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            });
            Console.WriteLine($"plain grouped queries (owner): median {plain.TotalMilliseconds:F0} ms over {Runs} runs");
            Console.WriteLine($"the same as the application's role under row-level security: median {scoped.TotalMilliseconds:F0} ms");
            Console.WriteLine($"GET /statistics (measured reductions and ratings, end to end): median {route.TotalMilliseconds:F0} ms over {Runs} runs");
            Console.WriteLine($"ratio (row-level security / route): {scoped / route:F2}");
            Console.WriteLine($"ratio (plain / route): {plain / route:F2}");
        }
        finally
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            Directory.Delete(Path.GetDirectoryName(tenants)!, recursive: true);
        }
    }

    private static async Task<TimeSpan> MedianAsync(Func<Task> run)
    {
        await run();
        var times = new List<TimeSpan>();
        for (var i = 0; i < Runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await run();
            times.Add(stopwatch.Elapsed);
        }

        times.Sort();
        return times[Runs / 2];
    }

    private static async Task<int> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 3600 };
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        do
        {
            while (await reader.ReadAsync())
            {
                rows++;
            }
        }
        while (await reader.NextResultAsync());

        return Math.Max(rows, reader.RecordsAffected);
    }
}
