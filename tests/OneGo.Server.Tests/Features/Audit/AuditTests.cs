using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Storage;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Audit;

/// <summary>
/// The tamper-evident audit log: the national operator's verification walks every checkpoint in blob storage and
/// every chain against each of them, and names the first entry altered, removed or reordered directly in the
/// database, and a chain rewritten consistently before a checkpoint; the checkpoint job, run here by hand on a clock
/// the test moves, refuses to checkpoint a chain that does not extend the latest checkpoint. Checkpoints go to the
/// file system on SQLite and to Azure Blob Storage (Azurite) on PostgreSQL. The database is tampered with through the
/// connection the test database was made with (its owner), as someone with the owner's credentials could.
/// </summary>
public abstract class AuditTests(Provider provider) : IAsyncLifetime
{
    private const string Gulou = "jiangsu.nanjing.gulou";
    private const string Draft = "/api/t/320106/bundles/marriage/draft";

    // Whole milliseconds, as OneGo stores time.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private WebApplicationFactory<Program> _host = null!;
    private HttpClient _operator = null!;
    private HttpClient _editor = null!;
    private HttpClient _reviewer = null!;
    private Dictionary<string, string?> _blobSettings = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _blobSettings = provider == Provider.Postgres
            ? new Dictionary<string, string?>
            {
                ["Blobs:Provider"] = "Azure",
                ["Blobs:ConnectionString"] = TestAzurite.ConnectionString,
                ["Blobs:Container"] = TestAzurite.NewContainerName(),
            }
            : [];
        // The scheduler is off: each test runs the checkpoint job itself, at the fake clock's now.
        _app = new OneGoApp(_database, settings: new Dictionary<string, string?>(_blobSettings) { ["Scheduling:Enabled"] = "false" });
        _host = _app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<TimeProvider>(_clock);
            s.AddLogging(logging => logging.AddFakeLogging());
        }));
        _operator = await _host.AsAsync(Roles.Auditor, RegionRules.NationalId);
        _editor = await _host.AsAsync(Roles.Editor, Gulou);
        _reviewer = await _host.AsAsync(Roles.Reviewer, Gulou);

        // A few changes in Gulou on top of what the import recorded.
        await ChangeGulouAsync("第一次修改");
        await ChangeGulouAsync("第二次修改");
    }

    public async Task DisposeAsync()
    {
        _operator.Dispose();
        _editor.Dispose();
        _reviewer.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>An edit of Gulou's marriage bundle, submitted and approved: a few entries on Gulou's chain.</summary>
    private async Task ChangeGulouAsync(string text)
    {
        var read = await _editor.GetAsync(Draft);
        var document = (await read.JsonAsync())["document"]!.DeepClone();
        document["changes"]!.AsArray().Single(c => (string?)c!["op"] == "setGuideText")!["text"] = text;
        var saved = await _editor.SendJsonAsync(HttpMethod.Put, Draft, document, read.ETag());
        await _editor.SubmitAndApproveWithAsync(_reviewer, Draft, saved.ETag());
    }

    private async Task<JsonNode> VerifyAsync()
    {
        var response = await _operator.GetAsync("/api/audit/verify");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>An edit of Zhejiang's settings: a legitimate move of another chain.</summary>
    private async Task ChangeZhejiangAsync()
    {
        using var admin = await _host.AsAsync(Roles.Admin, "zhejiang");
        var settings = await admin.GetAsync("/api/t/zhejiang/settings");
        var body = await settings.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.SendJsonAsync(HttpMethod.Put, "/api/t/zhejiang/settings",
            new JsonObject { ["name"] = body["name"]!.DeepClone(), ["displayName"] = "浙江政务服务网" }, settings.ETag())).StatusCode);
    }

    /// <summary>One run of the checkpoint job, a minute after the last, as the scheduler would fire it.</summary>
    private Task<CheckpointRun> RunCheckpointJobAsync() => RunCheckpointJobAsync(_host, _clock);

    private static async Task<CheckpointRun> RunCheckpointJobAsync(WebApplicationFactory<Program> node, FakeTimeProvider clock)
    {
        clock.Advance(TimeSpan.FromMinutes(1));
        await using var scope = node.Services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<AuditCheckpointJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);
    }

    private static long HeadOf(CheckpointRun run, string tenant) => run.Checkpoint!.Chains.Single(c => c.Tenant == tenant).Sequence;

    private IBlobStore Blobs => _host.Services.GetRequiredService<IBlobStore>();

    /// <summary>Every blob under the checkpoints' folder, whatever its name.</summary>
    private async Task<List<string>> CheckpointBlobsAsync()
    {
        var paths = new List<string>();
        await foreach (var path in Blobs.ListAsync(AuditCheckpoints.Folder))
        {
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>What the job has alerted since the test cleared the log.</summary>
    private List<string> CriticalLines() =>
        _host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Critical).Select(r => r.Message).ToList();

    /// <summary>What someone with the database owner's credentials could do behind OneGo's back.</summary>
    private async Task TamperAsync(params string[] statements)
    {
        await using var db = _database.NewContext();
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql);
        }
    }

    private async Task<List<AuditEntry>> ChainAsync(string tenant)
    {
        var tenants = new CurrentTenant();
        await using var db = _database.NewContext(tenants);
        using (tenants.Enter(tenant))
        {
            return await db.Set<AuditEntry>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        }
    }

    /// <summary>
    /// Deletes one entry with SQL and renumbers and re-hashes every entry after it, so that the chain is consistent in
    /// itself again: the attack a chain alone cannot detect.
    /// </summary>
    private async Task RemoveAndRehashAsync(string tenant, long sequence)
    {
        var chain = await ChainAsync(tenant);
        var statements = new List<string> { $"""DELETE FROM "AuditEntries" WHERE "TenantId" = '{tenant}' AND "Sequence" = {sequence}""" };
        var previous = sequence == 1 ? AuditEntry.Genesis : chain[(int)sequence - 2].Hash;
        foreach (var entry in chain.Where(e => e.Sequence > sequence))
        {
            entry.Sequence--;
            entry.PreviousHash = previous;
            entry.Hash = entry.ComputeHash();
            previous = entry.Hash;
            statements.Add($"""UPDATE "AuditEntries" SET "Sequence" = {entry.Sequence}, "PreviousHash" = '{entry.PreviousHash}', "Hash" = '{entry.Hash}' WHERE "Id" = {entry.Id}""");
        }

        await TamperAsync([.. statements]);
    }

    /// <summary>Removes a blob with the storage account's own rights, as someone holding its credentials could.</summary>
    private async Task DeleteBlobAsync(string path)
    {
        if (provider == Provider.Sqlite)
        {
            File.Delete(Path.Combine(_app.BlobFolder, path));
        }
        else
        {
            await new BlobContainerClient(TestAzurite.ConnectionString, _blobSettings["Blobs:Container"]).DeleteBlobAsync(path);
        }
    }

    private static JsonNode SingleBreak(JsonNode verification)
    {
        Assert.False((bool)verification["intact"]!);
        return Assert.Single(verification["breaks"]!.AsArray())!;
    }

    private static (string Tenant, long Sequence, string Kind) Named(JsonNode broken) =>
        ((string)broken["tenant"]!, (long)broken["sequence"]!, (string)broken["kind"]!);

    private static List<(long Number, string Kind)> CheckpointBreaks(JsonNode verification) =>
        verification["checkpointBreaks"]!.AsArray().Select(b => ((long)b!["number"]!, (string)b["kind"]!)).ToList();

    [Fact]
    public async Task AnUntouchedLogIsIntactAndOnlyTheNationalAuditorsMayVerifyIt()
    {
        var result = await VerifyAsync();
        Assert.True((bool)result["intact"]!);
        Assert.Equal(RepositoryTenants.RegionCount, (int)result["chains"]!);
        Assert.Contains("chain alone", (string?)result["window"], StringComparison.Ordinal);

        using var gulouAdmin = await _host.AsAsync(Roles.Admin, Gulou);
        Assert.Equal(HttpStatusCode.Forbidden, (await gulouAdmin.GetAsync("/api/audit/verify")).StatusCode);
        using var jiangsuAuditor = await _host.AsAsync(Roles.Auditor, "jiangsu");
        Assert.Equal(HttpStatusCode.Forbidden, (await jiangsuAuditor.GetAsync("/api/audit/verify")).StatusCode);
        // 三员管理: the national operator runs the deployment, the national auditors check it.
        using var nationalAdmin = await _host.AsAsync(Roles.Admin, RegionRules.NationalId);
        Assert.Equal(HttpStatusCode.Forbidden, (await nationalAdmin.GetAsync("/api/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.CreateClient().GetAsync("/api/audit/verify")).StatusCode);

        // A checkpoint is written only when a chain moved since the last one.
        var first = await RunCheckpointJobAsync();
        Assert.Equal((CheckpointOutcome.Written, 1L), (first.Outcome, first.Checkpoint!.Number));
        Assert.Contains(first.Checkpoint.Chains, c => c.Tenant == Gulou);
        Assert.Equal(CheckpointOutcome.Unchanged, (await RunCheckpointJobAsync()).Outcome);
        await ChangeGulouAsync("第三次修改");
        var second = await RunCheckpointJobAsync();
        Assert.Equal((CheckpointOutcome.Written, 2L), (second.Outcome, second.Checkpoint!.Number));
        Assert.Equal([AuditCheckpoints.PathOf(1), AuditCheckpoints.PathOf(2)], await CheckpointBlobsAsync());

        var verified = await VerifyAsync();
        Assert.True((bool)verified["intact"]!, verified.ToJsonString());
        Assert.Equal(2, (int)verified["checkpoints"]!);
        Assert.Equal(2, (long)verified["checkpoint"]!["number"]!);
        Assert.Equal(1, (long)verified["checkpoint"]!["previous"]!["number"]!);
        Assert.Empty(verified["checkpointBreaks"]!.AsArray());
        Assert.Empty(CriticalLines());
    }

    [Fact]
    public async Task TheSchedulerCheckpointsTheHeadsOnItsIntervalAndTheVerifierHoldsTheChainsAgainstIt()
    {
        // A second node on the same database and the same blob storage, with its scheduler on: whichever node the job
        // fires on writes there.
        var settings = new Dictionary<string, string?>(_blobSettings)
        {
            ["Audit:CheckpointInterval"] = "00:00:01",
        };
        settings.TryAdd("Blobs:Path", _app.BlobFolder);
        await using var app = new OneGoApp(_database, importOnStartup: false, settings: settings);
        using var client = app.CreateClient();
        var gulou = (await ChainAsync(Gulou))[^1];
        // Within a few seconds a checkpoint holds Gulou's head as it now is (an earlier one may predate the test's changes).
        await Eventually.HoldsAsync(
            async () =>
            {
                await using var scope = app.Services.CreateAsyncScope();
                return (await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().LatestAsync(CancellationToken.None))?.Checkpoint?.Chains.SingleOrDefault(c => c.Tenant == Gulou);
            },
            head => head is not null && head.Sequence == gulou.Sequence && head.Hash == gulou.Hash,
            "a checkpoint of Gulou's head", timeout: TimeSpan.FromSeconds(60));

        using var national = await app.AsAsync(Roles.Auditor, RegionRules.NationalId);
        var verified = await (await national.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True((bool)verified["intact"]!, verified.ToJsonString());
        Assert.NotNull(verified["checkpoint"]);
    }

    [Fact]
    public async Task AnEntryAlteredInTheDatabaseIsNamed()
    {
        await TamperAsync($"""UPDATE "AuditEntries" SET "Comment" = '改过的理由' WHERE "TenantId" = '{Gulou}' AND "Sequence" = 3""");
        var broken = SingleBreak(await VerifyAsync());
        Assert.Equal((Gulou, 3L, "altered"), Named(broken));
    }

    [Fact]
    public async Task AnEntryRemovedFromTheMiddleOfAChainIsNamed()
    {
        await TamperAsync($"""DELETE FROM "AuditEntries" WHERE "TenantId" = '{Gulou}' AND "Sequence" = 4""");
        var broken = SingleBreak(await VerifyAsync());
        Assert.Equal((Gulou, 4L, "removed"), Named(broken));
    }

    [Fact]
    public async Task EntriesReorderedInTheDatabaseAreNamed()
    {
        await TamperAsync(
            $"""UPDATE "AuditEntries" SET "Sequence" = -5 WHERE "TenantId" = '{Gulou}' AND "Sequence" = 5""",
            $"""UPDATE "AuditEntries" SET "Sequence" = 5 WHERE "TenantId" = '{Gulou}' AND "Sequence" = 6""",
            $"""UPDATE "AuditEntries" SET "Sequence" = 6 WHERE "TenantId" = '{Gulou}' AND "Sequence" = -5""");
        var broken = SingleBreak(await VerifyAsync());
        Assert.Equal((Gulou, 5L, "reordered"), Named(broken));
    }

    [Fact]
    public async Task AChainRewrittenConsistentlyOrCutShortBeforeTheCheckpointIsNamedAndLaterEntriesAreNot()
    {
        var checkpoint = (await RunCheckpointJobAsync()).Checkpoint!;
        var gulouHead = checkpoint.Chains.Single(c => c.Tenant == Gulou);

        // Rewrite Gulou's chain from entry 2 on, every hash recomputed: the chain is consistent in itself.
        var chain = await ChainAsync(Gulou);
        chain[1].Comment = "从未发生";
        var previous = chain[0].Hash;
        var statements = new List<string>();
        foreach (var entry in chain.Skip(1))
        {
            entry.PreviousHash = previous;
            entry.Hash = entry.ComputeHash();
            previous = entry.Hash;
            statements.Add($"""UPDATE "AuditEntries" SET "Comment" = {(entry.Comment is null ? "NULL" : $"'{entry.Comment}'")}, "PreviousHash" = '{entry.PreviousHash}', "Hash" = '{entry.Hash}' WHERE "Id" = {entry.Id}""");
        }

        // Cut Haicang's chain short by its last entry, which the checkpoint holds.
        var haicang = checkpoint.Chains.Single(c => c.Tenant == "fujian.xiamen.haicang");
        statements.Add($"""DELETE FROM "AuditEntries" WHERE "TenantId" = 'fujian.xiamen.haicang' AND "Sequence" = {haicang.Sequence}""");
        await TamperAsync([.. statements]);

        var result = await VerifyAsync();
        var breaks = result["breaks"]!.AsArray().ToDictionary(b => (string)b!["tenant"]!, b => b!);
        Assert.Equal(2, breaks.Count);
        Assert.Equal(("rewritten", gulouHead.Sequence), ((string)breaks[Gulou]["kind"]!, (long)breaks[Gulou]["sequence"]!));
        Assert.Equal(("removed", haicang.Sequence), ((string)breaks["fujian.xiamen.haicang"]["kind"]!, (long)breaks["fujian.xiamen.haicang"]["sequence"]!));

        // Within the window after the checkpoint, only the chain covers new entries: a new change verifies.
        await ChangeZhejiangAsync();
        Assert.DoesNotContain((await VerifyAsync())["breaks"]!.AsArray(), b => (string?)b!["tenant"] == "zhejiang");
    }

    [Fact]
    public async Task H3_ARewriteBeforeACheckpointIsNotLaunderedByTheNextCheckpoint()
    {
        var first = await RunCheckpointJobAsync();
        await ChangeGulouAsync("第三次修改");
        var second = await RunCheckpointJobAsync();
        Assert.Equal((CheckpointOutcome.Written, CheckpointOutcome.Written), (first.Outcome, second.Outcome));
        var (atFirst, atSecond) = (HeadOf(first, Gulou), HeadOf(second, Gulou));
        var written = await CheckpointBlobsAsync();

        // The table's owner deletes entry 2 of Gulou and renumbers and re-hashes everything after it; OneGo then goes
        // on appending to the forged chain, and another region changes too.
        await RemoveAndRehashAsync(Gulou, 2);
        await ChangeGulouAsync("篡改之后的修改");
        _host.Services.GetFakeLogCollector().Clear();

        var runs = new[] { await RunCheckpointJobAsync(), await RunCheckpointJobAsync() };

        Assert.Equal(written, await CheckpointBlobsAsync());
        Assert.All(runs, run => Assert.Equal(CheckpointOutcome.Refused, run.Outcome));
        // The alert at every run, naming the chain, the entry and the break; it never gets used to it.
        var alerts = CriticalLines();
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, line => Assert.Contains($"Audit chain {Gulou} does not extend checkpoint #2: entry {atSecond} rewritten", line, StringComparison.Ordinal));

        var verified = await VerifyAsync();
        var broken = SingleBreak(verified);
        Assert.Equal((Gulou, atFirst, "rewritten"), Named(broken));
        Assert.Contains("checkpoint #1", (string?)broken["detail"], StringComparison.Ordinal);
        Assert.Empty(verified["checkpointBreaks"]!.AsArray());
        Assert.Equal(2, (int)verified["checkpoints"]!);
    }

    [Fact]
    public async Task H3_ATruncatedChainIsNotLaunderedByTheNextCheckpoint()
    {
        var first = await RunCheckpointJobAsync();
        var head = HeadOf(first, Gulou);
        var written = await CheckpointBlobsAsync();

        // The owner deletes Gulou's last three entries; Zhejiang changes legitimately meanwhile.
        await TamperAsync($"""DELETE FROM "AuditEntries" WHERE "TenantId" = '{Gulou}' AND "Sequence" > {head - 3}""");
        await ChangeZhejiangAsync();

        _host.Services.GetFakeLogCollector().Clear();
        await RunCheckpointJobAsync();
        await RunCheckpointJobAsync();

        // Nothing at all is written, not even Zhejiang's new head.
        Assert.Equal(written, await CheckpointBlobsAsync());
        var alerts = CriticalLines();
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, line => Assert.Contains($"Audit chain {Gulou} does not extend checkpoint #1: entry {head - 2} removed", line, StringComparison.Ordinal));
        Assert.Equal((Gulou, head - 2, "removed"), Named(SingleBreak(await VerifyAsync())));
    }

    [Fact]
    public async Task H3_AChainBrokenBeforeTheFirstCheckpointIsCheckedFromItsFirstEntryAndNeverCheckpointed()
    {
        await TamperAsync($"""UPDATE "AuditEntries" SET "Actor" = 'someone-else' WHERE "TenantId" = '{Gulou}' AND "Sequence" = 3""");

        Assert.Equal(CheckpointOutcome.Refused, (await RunCheckpointJobAsync()).Outcome);

        Assert.Empty(await CheckpointBlobsAsync());
        Assert.Contains($"Audit chain {Gulou} is broken before the first checkpoint: entry 3 altered", Assert.Single(CriticalLines()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task H3_ACheckpointAlteredOrDeletedIsReported()
    {
        await RunCheckpointJobAsync();
        await ChangeGulouAsync("第三次修改");
        await RunCheckpointJobAsync();
        await ChangeGulouAsync("第四次修改");
        var third = await RunCheckpointJobAsync();
        Assert.Equal(3, third.Checkpoint!.Number);

        // Checkpoint #1 made to record a shorter Gulou chain, without its key; #2 deleted.
        var path = AuditCheckpoints.PathOf(1);
        var original = Encoding.UTF8.GetString((await Blobs.GetAsync(path))!);
        var recorded = $$"""{"tenant":"{{Gulou}}","sequence":""";
        var start = original.IndexOf(recorded, StringComparison.Ordinal) + recorded.Length;
        var altered = original[..start] + "1" + original[original.IndexOf(',', start)..];
        Assert.True(await Blobs.PutAsync(path, Encoding.UTF8.GetBytes(altered), "application/json", BlobWrite.Overwrite));
        await DeleteBlobAsync(AuditCheckpoints.PathOf(2));

        var verified = await VerifyAsync();
        Assert.False((bool)verified["intact"]!);
        Assert.Equal([(1L, "altered"), (2L, "missing")], CheckpointBreaks(verified));
        Assert.Empty(verified["breaks"]!.AsArray());
        Assert.Equal(2, (int)verified["checkpoints"]!);

        // The latest checkpoint deleted behind the back of the node that wrote it: it refuses to write over the gap.
        await ChangeGulouAsync("第五次修改");
        await DeleteBlobAsync(AuditCheckpoints.PathOf(3));
        _host.Services.GetFakeLogCollector().Clear();
        Assert.Equal(CheckpointOutcome.Refused, (await RunCheckpointJobAsync()).Outcome);
        Assert.Contains("Audit checkpoint #3 missing", Assert.Single(CriticalLines()), StringComparison.Ordinal);
        Assert.Equal([AuditCheckpoints.PathOf(1)], await CheckpointBlobsAsync());
    }

    [Fact]
    public async Task H3_ACheckpointSignedWithAnotherKeyOrUnsignedIsReported()
    {
        var first = await RunCheckpointJobAsync();
        await ChangeGulouAsync("第三次修改");
        var second = await RunCheckpointJobAsync();

        // Someone rewrites Gulou's chain and re-signs checkpoint #1 to match with a key of their own; #2 loses its signature.
        await RemoveAndRehashAsync(Gulou, 2);
        var forgedHead = (await ChainAsync(Gulou))[(int)HeadOf(first, Gulou) - 1];
        var forged = first.Checkpoint! with
        {
            Chains = [.. first.Checkpoint!.Chains.Select(c => c.Tenant == Gulou ? c with { Hash = forgedHead.Hash } : c)],
        };
        var otherKey = "another key of exactly 32 bytes."u8.ToArray();
        var content = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(forged, OneGo.Catalogue.CatalogueJson.Options);
        var signature = new CheckpointSignature(AuditCryptography.SignatureAlgorithm, AuditCryptography.KeyId(otherKey), AuditCryptography.Sign(otherKey, content));
        await Blobs.PutAsync(AuditCheckpoints.PathOf(1), AuditCheckpoints.Document(content, signature), "application/json", BlobWrite.Overwrite);
        var secondContent = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(second.Checkpoint!, OneGo.Catalogue.CatalogueJson.Options);
        await Blobs.PutAsync(AuditCheckpoints.PathOf(2), AuditCheckpoints.Document(secondContent, signature: null), "application/json", BlobWrite.Overwrite);

        var verified = await VerifyAsync();
        Assert.False((bool)verified["intact"]!);
        Assert.Equal([(1L, "signedWithAnotherKey"), (2L, "unsigned"), (2L, "unlinked")], CheckpointBreaks(verified));

        _host.Services.GetFakeLogCollector().Clear();
        Assert.Equal(CheckpointOutcome.Refused, (await RunCheckpointJobAsync()).Outcome);
        Assert.Contains("Audit checkpoint #2 unsigned", Assert.Single(CriticalLines()), StringComparison.Ordinal);
        Assert.Equal([AuditCheckpoints.PathOf(1), AuditCheckpoints.PathOf(2)], await CheckpointBlobsAsync());
    }

    [Fact]
    public async Task H3_TwoWritersRacingForTheSameCheckpointNumberLeaveExactlyOne()
    {
        // A second node on the same database and blob storage, with its own clock a second ahead, so that the two nodes'
        // checkpoints of the same heads differ in their bytes.
        var clock = new FakeTimeProvider(_clock.GetUtcNow().AddSeconds(1));
        var settings = new Dictionary<string, string?>(_blobSettings) { ["Scheduling:Enabled"] = "false" };
        settings.TryAdd("Blobs:Path", _app.BlobFolder);
        await using var other = new OneGoApp(_database, importOnStartup: false, settings: settings);
        var node = other.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));

        Task<CheckpointRun> RunOnOtherNodeAsync() => RunCheckpointJobAsync(node, clock);

        Assert.Equal(CheckpointOutcome.Written, (await RunCheckpointJobAsync()).Outcome);
        Assert.Equal(CheckpointOutcome.Unchanged, (await RunOnOtherNodeAsync()).Outcome);
        for (var round = 2; round <= 4; round++)
        {
            await ChangeGulouAsync($"第{round}轮");
            var runs = await Task.WhenAll(Task.Run(() => RunCheckpointJobAsync()), Task.Run(RunOnOtherNodeAsync));

            // Whoever lost the number read the winner's checkpoint and found nothing left to write.
            Assert.Equal([CheckpointOutcome.Written, CheckpointOutcome.Unchanged], runs.Select(r => r.Outcome).Order());
            Assert.All(runs, run => Assert.Equal(round, run.Checkpoint!.Number));
            Assert.Equal(Enumerable.Range(1, round).Select(n => AuditCheckpoints.PathOf(n)), await CheckpointBlobsAsync());
        }

        var verified = await VerifyAsync();
        Assert.True((bool)verified["intact"]!, verified.ToJsonString());
        Assert.Equal(4, (int)verified["checkpoints"]!);
    }
}

public sealed class AuditTestsOnSqlite() : AuditTests(Provider.Sqlite);

public sealed class AuditTestsOnPostgresAndAzurite() : AuditTests(Provider.Postgres);
