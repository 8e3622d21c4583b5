using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Npgsql;

namespace OneGo.Benchmarks;

/// <summary>
/// <c>-- zone [count]</c>: one tenant with <c>count</c> (10,000) approved bundles published into the national zone by
/// the real server on PostgreSQL, snapshots to Azurite. Prints the publishing run's items per second (relay off, so
/// the run has the machine), then the relay's snapshot throughput (a second start with the relay on), and the run's
/// time against a plain binary COPY of the same publication rows. Needs ONEGO_TEST_POSTGRES and ONEGO_TEST_AZURITE
/// (<c>infra/postgres.sh start …</c>, <c>infra/azurite.sh start …</c>).
/// </summary>
internal static partial class ZonePublishing
{
    private const string Tenant = "fujian.xiamen.haicang";
    private const string Template = "enrolment";

    /// <summary>Xiamen's bundle, copied for the node's first run, of Xiamen (copies carry the zone state of what they copy).</summary>
    private const string WarmUpTenant = "fujian.xiamen";

    private const string WarmUp = "newborn";

    private const int WarmUpCount = 1000;

    public static async Task RunAsync(int count)
    {
        var server = Required("ONEGO_TEST_POSTGRES");
        var azurite = Required("ONEGO_TEST_AZURITE");
        var database = "onego_bench_" + Guid.NewGuid().ToString("N")[..12];
        var container = "onego-bench-" + Guid.NewGuid().ToString("N")[..12];
        // As production connects: the database owned by onego_owner (migrations), the server as onego_app under row-level
        // security (roles of infra/postgres.sh); the seeding and the plain COPY run as the owner.
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_owner", CommandTimeout = 3600 }.ConnectionString;
        var app = new NpgsqlConnectionStringBuilder(server) { Database = database, Username = "onego_app" }.ConnectionString;
        await ExecuteAsync(server, $"CREATE DATABASE \"{database}\" OWNER onego_owner");
        var tenants = TrimmedTenants();
        try
        {
            string[] common =
            [
                "--Database:Provider=postgres", $"--Database:ConnectionString={app}", $"--Database:OwnerConnectionString={connectionString}", "--Database:AppRole=onego_app",
                $"--TenantFiles:Folder={tenants}", "--TenantFiles:ImportOnStartup=true", "--Blobs:Provider=Azure", $"--Blobs:ConnectionString={azurite}", $"--Blobs:Container={container}",
                "--Logging:Format=simple", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            ];

            // 1. The publishing run alone: the relay off, so the run's figure is the run's. A node that has just started
            // spends much of its first run compiling (tiered JIT, two cores): that first run, of other bundles, is
            // printed on its own; the measured run is a node's that has served, as a nightly run's is.
            TimeSpan run;
            int published;
            await using (var node = await Node.StartAsync([.. common, "--Zone:RelayEnabled=false"]))
            {
                await OneGo.Testing.BundleClones.CloneAsync(connectionString, WarmUpTenant, WarmUp, WarmUpCount);
                var (first, firstCount) = await PublishAsync(node, WarmUpTenant);
                Console.WriteLine($"first run after the node started: {firstCount:N0} publications in {first.TotalSeconds:N2} s = {firstCount / first.TotalSeconds:N0} items/s");
                var seeded = Stopwatch.StartNew();
                await OneGo.Testing.BundleClones.CloneAsync(connectionString, Tenant, Template, count);
                Console.WriteLine($"seeded {count:N0} approved bundles of {Tenant} in {seeded.Elapsed.TotalSeconds:N1} s");
                (run, published) = await PublishAsync(node, Tenant);
            }

            Console.WriteLine($"publishing run: {published:N0} publications in {run.TotalSeconds:N2} s = {published / run.TotalSeconds:N0} items/s (batches of 200, one transaction each)");

            // 2. A plain bulk insert of the same rows, for scale: binary COPY into a copy of the table with its indexes.
            var copy = await BulkInsertAsync(connectionString, lastRunOnly: true);
            Console.WriteLine($"plain COPY of the same {published:N0} publication rows: {copy.TotalSeconds:N3} s = {published / copy.TotalSeconds:N0} rows/s; the run takes {run / copy:N1}× as long");

            // 3. The relay: every publication's snapshot to Azurite, timed from the rows' delivery times.
            await using (var node = await Node.StartAsync(common))
            {
                var (snapshots, spread) = await SnapshotsDeliveredAsync(connectionString, published);
                Console.WriteLine($"relay: {snapshots:N0} snapshots to Azurite in {spread.TotalSeconds:N2} s = {snapshots / spread.TotalSeconds:N0} items/s (one node)");
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            await new BlobContainerClient(azurite, container).DeleteIfExistsAsync();
            Directory.Delete(Path.GetDirectoryName(tenants)!, recursive: true);
        }
    }

    internal static string Required(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{variable} is not set: start the service with infra/ (see the class comment) and export it.");

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// The regions down to Haicang with the catalogues on its way — national's, Xiamen's and Haicang's, which its matters
    /// claim and its bundles adopt — and nothing of the other regions: the import and demo accounts take seconds, not a minute.
    /// </summary>
    internal static string TrimmedTenants()
    {
        var repository = Node.Repository;
        var source = Path.Combine(repository, "tenants");
        var target = Path.Combine(Path.GetTempPath(), "onego-bench-" + Guid.NewGuid().ToString("N")[..12], "tenants");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative is "tenant.yaml" or "tenant.schema.json" or "fujian/tenant.yaml" or "fujian/xiamen/tenant.yaml" || relative.StartsWith("calendar/", StringComparison.Ordinal)
                || relative.StartsWith("matters/", StringComparison.Ordinal) || relative.StartsWith("bundles/", StringComparison.Ordinal)
                || relative.StartsWith("fujian/xiamen/bundles/", StringComparison.Ordinal) || relative.StartsWith("fujian/xiamen/matters/", StringComparison.Ordinal)
                || relative.StartsWith("fujian/xiamen/haicang/", StringComparison.Ordinal))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
                File.Copy(file, Path.Combine(target, relative));
            }
        }

        return target;
    }

    private static async Task<(TimeSpan Run, int Published)> PublishAsync(Node node, string tenant)
    {
        using var client = await node.AdminAsync(tenant);
        var accepted = await client.PostAsync($"/api/t/{tenant}/publishing-runs", null);
        accepted.EnsureSuccessStatusCode();
        while (true)
        {
            await Task.Delay(500);
            var run = (await client.GetFromJsonAsync<JsonNode>(accepted.Headers.Location))!["run"]!;
            if ((string?)run["status"] is "succeeded" or "failed")
            {
                if ((string?)run["status"] == "failed")
                {
                    throw new InvalidOperationException("The run failed: " + run["error"]);
                }

                // The server's own start and end of the run, not the polling's.
                var duration = DateTimeOffset.Parse((string)run["finishedAt"]!, CultureInfo.InvariantCulture) - DateTimeOffset.Parse((string)run["startedAt"]!, CultureInfo.InvariantCulture);
                return (duration, (int)run["published"]!);
            }
        }
    }

    /// <summary>Times a binary COPY of the publication rows (those of the last run only, if <paramref name="lastRunOnly"/>) into an empty copy of the table.</summary>
    internal static async Task<TimeSpan> BulkInsertAsync(string connectionString, bool lastRunOnly = false)
    {
        await ExecuteAsync(connectionString, "CREATE TABLE \"PublicationsCopy\" (LIKE \"Publications\" INCLUDING DEFAULTS INCLUDING INDEXES)");
        // Exported to a file, not memory: a nation's rows carry every bundle's content.
        await using var rows = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var export = await connection.BeginRawBinaryCopyAsync(lastRunOnly
            ? "COPY (SELECT * FROM \"Publications\" WHERE \"RunId\" = (SELECT \"RunId\" FROM \"Publications\" ORDER BY \"Sequence\" DESC LIMIT 1)) TO STDOUT (FORMAT BINARY)"
            : "COPY \"Publications\" TO STDOUT (FORMAT BINARY)"))
        {
            await export.CopyToAsync(rows);
        }

        rows.Position = 0;
        var watch = Stopwatch.StartNew();
        await using (var import = await connection.BeginRawBinaryCopyAsync("COPY \"PublicationsCopy\" FROM STDIN (FORMAT BINARY)"))
        {
            await rows.CopyToAsync(import);
        }

        return watch.Elapsed;
    }

    private static async Task<(long Count, TimeSpan Spread)> SnapshotsDeliveredAsync(string connectionString, int expected)
    {
        const string Delivered = "FROM \"OutboxItems\" WHERE \"Kind\" = 'Snapshot' AND \"Status\" = 'Delivered'";
        var deadline = Stopwatch.StartNew();
        while (await ScalarAsync<long>(connectionString, "SELECT count(*) " + Delivered) < expected)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException("The relay did not deliver every snapshot within 20 minutes.");
            }

            await Task.Delay(1000);
        }

        // From the first item taken (its delivery less nothing: a lower bound of the time) to the last delivered.
        var seconds = await ScalarAsync<double>(connectionString, "SELECT EXTRACT(EPOCH FROM max(\"DeliveredAt\") - min(\"DeliveredAt\"))::float8 " + Delivered);
        return (expected, TimeSpan.FromSeconds(seconds));
    }
}
