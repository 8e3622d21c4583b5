using System.Diagnostics;
using System.Net;
using Npgsql;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// 数据备份恢复: the backup and restore steps of <c>infra/backup-restore.sh</c> (the recipe of infra/README.md) on a
/// database holding the repository's catalogue and its audit log, with an audit checkpoint in its blob folder. The copy
/// holds what the original did, table by table, with the same audit chain heads; a node starts on it without migrating
/// (readiness says no migration is pending) and serves it as the application's role; and <c>audit verify</c> finds the
/// restored chains intact against the restored checkpoint.
/// </summary>
public sealed class BackupRestoreTestsOnPostgres : IAsyncLifetime
{
    private static readonly string Script = Path.Combine(OpenApiContract.Root, "infra", "backup-restore.sh");

    private TestDatabase _original = null!;
    private TestDatabase _restored = null!;
    private readonly TempFolder _backup = new("backup");

    public async Task InitializeAsync()
    {
        _original = await TestDatabase.CreateAsync(Provider.Postgres);
        _restored = TestDatabase.OnPostgres(await TestPostgres.CreateDatabaseAsync());
    }

    public async Task DisposeAsync()
    {
        await _original.DisposeAsync();
        await _restored.DisposeAsync();
        _backup.Dispose();
    }

    /// <summary>The script's step on one database and blob folder, connected as libpq's variables say, as the tables' owner.</summary>
    private static async Task<string> StepAsync(string step, TestDatabase database, string folder)
    {
        var owner = new NpgsqlConnectionStringBuilder(database.OwnerConnectionString);
        var start = new ProcessStartInfo("bash", [Script, step, folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["PGHOST"] = owner.Host,
                ["PGPORT"] = owner.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PGUSER"] = owner.Username,
                ["PGDATABASE"] = owner.Database,
                ["ONEGO_APP_ROLE"] = database.AppRole,
                ["ONEGO_BLOBS"] = database.BlobFolder,
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"backup-restore.sh {step} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    /// <summary>Every table's row count and each audit chain's head, as the owner sees them (every row).</summary>
    private static async Task<List<string>> ContentAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var content = new List<string>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", connection);
            content.Add($"{table} {await count.ExecuteScalarAsync()}");
        }

        await using var heads = new NpgsqlCommand("""SELECT DISTINCT ON ("TenantId") "TenantId" || ' ' || "Sequence" || ' ' || "Hash" FROM "AuditEntries" ORDER BY "TenantId", "Sequence" DESC""", connection);
        await using (var reader = await heads.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                content.Add(reader.GetString(0));
            }
        }

        return content;
    }

    [Fact]
    public async Task ARestoredBackupHoldsWhatTheOriginalDidAndANodeServesItWithoutMigrating()
    {
        var checkpoint = await ServerProcess.RunAsync(_original, _original.BlobFolder, "audit", "checkpoint");
        Assert.True(checkpoint.Exit == 0, checkpoint.Error);

        Assert.Contains("Backed up", await StepAsync("backup", _original, _backup.Path), StringComparison.Ordinal);
        Assert.Contains("with the backup's row counts", await StepAsync("restore", _restored, _backup.Path), StringComparison.Ordinal);

        // Checked here too, apart from the script's own check.
        var original = await ContentAsync(_original);
        Assert.True(original.Count > 50, string.Join('\n', original));
        Assert.DoesNotContain("AuditEntries 0", original);
        Assert.Equal(original, await ContentAsync(_restored));

        // A node that does not migrate is ready on the copy only when no migration is pending, and reads the regions'
        // bundles as the application's role, under row-level security.
        await using (var node = await ServerProcess.StartAsync(_restored, "--Database:MigrateOnStartup=false"))
        {
            using var client = node.Client();
            var ready = await client.GetAsync("/health/ready");
            Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            var bundles = await client.GetStringAsync("/api/t/350205/bundles");
            Assert.Contains("enrolment", bundles, StringComparison.Ordinal);
        }

        var verify = await ServerProcess.RunAsync(_restored, _restored.BlobFolder, "audit", "verify");
        Assert.True(verify.Exit == 0, verify.Out + verify.Error);
        // The node's own checkpoint job may have added one to the restored one.
        Assert.Matches(@"[1-9]\d* checkpoint\(s\) walked", verify.Out);
        Assert.Contains("Every chain is intact.", verify.Out, StringComparison.Ordinal);
    }
}
