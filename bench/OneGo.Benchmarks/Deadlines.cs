using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- deadlines [count]</c>: the deadline job (<c>watch-deadlines</c>) over <c>count</c> (1,000,000) open cases of
/// Haicang's accepted applications on PostgreSQL — a third overdue, a third due tomorrow (at risk), a third due in a
/// month — run by a real server process connected as the application's role under row-level security, against the plain
/// UPDATEs of the same rows (the same two predicates, as the owner, who bypasses it) on the same table, vacuumed before
/// each. The rows are written straight into the database (four cases per application), untimed. The job's own time is
/// what it logs when it ends. Prints both times and their ratio. Needs ONEGO_TEST_POSTGRES (infra/postgres.sh).
/// </summary>
internal static partial class Deadlines
{
    private const string Tenant = "fujian.xiamen.haicang";

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
        // The run's own blob folder: its audit checkpoints are signed with this run's key.
        var blobs = Path.Combine(Path.GetDirectoryName(tenants)!, "blobs");
        string[] options =
        [
            "--Database:Provider=postgres", $"--Database:ConnectionString={app}", $"--Database:OwnerConnectionString={owner}", "--Database:AppRole=onego_app",
            $"--TenantFiles:Folder={tenants}", "--TenantFiles:ImportOnStartup=true", "--Zone:RelayEnabled=false", $"--Blobs:Path={blobs}",
            "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            "--Logging:LogLevel:OneGo.Server.Features.Cases.DeadlineJob=Information",
        ];
        try
        {
            // 1. The schema, the regions and the calendar, by a node that then stops; its own schedule far away.
            await using (await Node.StartAsync([.. options, "--CaseWork:DeadlineSchedule=0 0 3 1 1 ? 2099"]))
            {
            }

            // 2. The cases: four per accepted application.
            var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
            var stopwatch = Stopwatch.StartNew();
            var applications = (count + 3) / 4;
            await ExecuteAsync(owner, $"""
                INSERT INTO "Applications" ("Id", "TenantId", "ApplicantId", "ApplicantName", "BundleCode", "BundleName", "BundleVersion", "State", "Number",
                    "Answers", "ValuesProtected", "CreatedBy", "CreatedAt", "UpdatedAt", "SubmittedAt", "AcceptedAt", "PromisedDays", "Revision", "DueDatesProvisional")
                SELECT gen_random_uuid(), '{Tenant}', 'bench-' || (g % 1000), '张三', 'enrolment', '{"{"}"zh":"入园入学一件事"{"}"}', 1, 'Accepted', 'B' || lpad(g::text, 12, '0'),
                    '{"{}"}', '', 'bench', now(), now(), now(), now(), 20, 1, false
                FROM generate_series(1, {applications}) g
                """);
            await ExecuteAsync(owner, $"""
                INSERT INTO "Cases" ("Id", "TenantId", "ApplicantId", "ApplicationId", "Matter", "MatterName", "Department", "After", "State", "PromisedDays",
                    "DueOn", "DueProvisional", "CreatedAt", "Revision", "Watch")
                SELECT gen_random_uuid(), a."TenantId", a."ApplicantId", a."Id", 'matter-' || m, '{"{"}"zh":"事项"{"}"}', (ARRAY['education','health','public-security','civil-affairs'])[m], '', 'Ready', 5,
                    CASE (row_number() OVER ()) % 3 WHEN 0 THEN DATE '{today:yyyy-MM-dd}' - 5 WHEN 1 THEN DATE '{NextWorkingDay(today):yyyy-MM-dd}' ELSE DATE '{today:yyyy-MM-dd}' + 30 END,
                    false, now(), 1, 'OnTime'
                FROM "Applications" a CROSS JOIN generate_series(1, 4) m
                WHERE a."CreatedBy" = 'bench'
                LIMIT {count}
                """);
            Console.WriteLine($"{count:N0} open cases written in {stopwatch.Elapsed.TotalSeconds:F1} s");

            // 3. The plain UPDATEs of the same rows, as the owner; then every mark undone.
            await ExecuteAsync(owner, "VACUUM ANALYZE \"Cases\"");
            stopwatch.Restart();
            var plain = await ExecuteAsync(owner, $"""UPDATE "Cases" SET "Watch" = 'Overdue', "Revision" = "Revision" + 1 WHERE "State" IN ('Waiting', 'Ready', 'Approved') AND "DueOn" < DATE '{today:yyyy-MM-dd}' AND "Watch" <> 'Overdue'""")
                + await ExecuteAsync(owner, $"""UPDATE "Cases" SET "Watch" = 'AtRisk', "Revision" = "Revision" + 1 WHERE "State" IN ('Waiting', 'Ready', 'Approved') AND "DueOn" >= DATE '{today:yyyy-MM-dd}' AND "DueOn" <= DATE '{AtRiskUntil(today):yyyy-MM-dd}' AND "Watch" = 'OnTime'""");
            var plainTime = stopwatch.Elapsed;
            await ExecuteAsync(owner, "UPDATE \"Cases\" SET \"Watch\" = 'OnTime'");
            await ExecuteAsync(owner, "VACUUM ANALYZE \"Cases\"");

            // 4. The job, on a node whose schedule fires it at once; its time is what it logs.
            var ran = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (var node = await Node.StartAsync([.. options, "--CaseWork:DeadlineSchedule=00:00:05"], onLine: line =>
            {
                if (line.Contains("Deadlines:", StringComparison.Ordinal))
                {
                    ran.TrySetResult(line);
                }
            }))
            {
                var line = await ran.Task.WaitAsync(TimeSpan.FromMinutes(30));
                var match = JobLine().Match(line);
                if (!match.Success)
                {
                    throw new InvalidOperationException("The job's line is not as expected: " + line);
                }

                var marked = int.Parse(match.Groups["overdue"].Value, CultureInfo.InvariantCulture) + int.Parse(match.Groups["risk"].Value, CultureInfo.InvariantCulture);
                var job = TimeSpan.FromMilliseconds(double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture));
                Console.WriteLine($"plain UPDATEs: {plain:N0} rows in {plainTime.TotalSeconds:F2} s");
                Console.WriteLine($"deadline job:  {marked:N0} rows in {job.TotalSeconds:F2} s (under row-level security, region by region, with its audit entry)");
                Console.WriteLine($"ratio (plain / job): {plainTime / job:F2}");
            }
        }
        finally
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            Directory.Delete(Path.GetDirectoryName(tenants)!, recursive: true);
        }
    }

    // The calendar's next working day and the at-risk horizon (two working days), counted on weekdays: the rows only need
    // to fall on either side of what the job computes on the real calendar, and a holiday would move both alike.
    private static DateOnly NextWorkingDay(DateOnly day)
    {
        do
        {
            day = day.AddDays(1);
        }
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        return day;
    }

    private static DateOnly AtRiskUntil(DateOnly today) => NextWorkingDay(NextWorkingDay(today));

    private static async Task<int> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 3600 };
        return await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"Deadlines: (?<withdrawn>\d+) application\(s\) withdrawn, (?<overdue>\d+) case\(s\) newly overdue, (?<risk>\d+) newly at risk, (?<post>\d+) post-check\(s\) and (?<rectifications>\d+) rectification\(s\) overdue, in (?<ms>[\d.]+) ms")]
    private static partial Regex JobLine();
}
