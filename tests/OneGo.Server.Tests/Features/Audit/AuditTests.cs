using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Audit;

/// <summary>
/// The tamper-evident audit log: the national operator's verification walks every chain against the latest
/// checkpoint in blob storage and names the first entry altered, removed or reordered directly in the database,
/// and a chain rewritten consistently before the checkpoint. Checkpoints go to the file system on SQLite and to
/// Azure Blob Storage (Azurite) on PostgreSQL.
/// </summary>
public abstract class AuditTests(Provider provider) : IAsyncLifetime
{
    private const string Gulou = "jiangsu.nanjing.gulou";
    private const string Draft = "/api/t/320106/bundles/marriage/draft";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _operator = null!;
    private Dictionary<string, string?>? _settings;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _settings = provider == Provider.Postgres
            ? new Dictionary<string, string?>
            {
                ["Blobs:Provider"] = "Azure",
                ["Blobs:ConnectionString"] = TestAzurite.ConnectionString,
                ["Blobs:Container"] = TestAzurite.NewContainerName(),
            }
            : null;
        _app = new OneGoApp(_database, settings: _settings);
        _operator = await _app.AsAsync(Roles.Admin, RegionRules.NationalId);

        // A few changes in Gulou on top of what the import recorded.
        using var editor = await _app.AsAsync(Roles.Editor, Gulou);
        using var reviewer = await _app.AsAsync(Roles.Reviewer, Gulou);
        foreach (var text in (string[])["第一次修改", "第二次修改"])
        {
            var read = await editor.GetAsync(Draft);
            var document = (await read.JsonAsync())["document"]!.DeepClone();
            document["changes"]!.AsArray().Single(c => (string?)c!["op"] == "setGuideText")!["text"] = text;
            var saved = await editor.SendJsonAsync(HttpMethod.Put, Draft, document, read.ETag());
            await editor.SubmitAndApproveWithAsync(reviewer, Draft, saved.ETag());
        }
    }

    public async Task DisposeAsync()
    {
        _operator.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<JsonNode> VerifyAsync()
    {
        var response = await _operator.GetAsync("/api/audit/verify");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private async Task<AuditCheckpoint> CheckpointAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().WriteAsync(CancellationToken.None))!;
    }

    /// <summary>What someone with the database's owner credentials could do behind OneGo's back.</summary>
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

    private static JsonNode SingleBreak(JsonNode verification)
    {
        Assert.False((bool)verification["intact"]!);
        return Assert.Single(verification["breaks"]!.AsArray())!;
    }

    [Fact]
    public async Task AnUntouchedLogIsIntactAndOnlyTheNationalOperatorMayVerifyIt()
    {
        var result = await VerifyAsync();
        Assert.True((bool)result["intact"]!);
        Assert.Equal(RepositoryTenants.RegionCount, (int)result["chains"]!);
        Assert.Contains("chain alone", (string?)result["window"], StringComparison.Ordinal);

        using var gulouAdmin = await _app.AsAsync(Roles.Admin, Gulou);
        Assert.Equal(HttpStatusCode.Forbidden, (await gulouAdmin.GetAsync("/api/audit/verify")).StatusCode);
        using var jiangsuAdmin = await _app.AsAsync(Roles.Admin, "jiangsu");
        Assert.Equal(HttpStatusCode.Forbidden, (await jiangsuAdmin.GetAsync("/api/audit/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient().GetAsync("/api/audit/verify")).StatusCode);

        // A checkpoint is written only when a chain moved since the last one.
        var first = await CheckpointAsync();
        Assert.Contains(first.Chains, c => c.Tenant == Gulou);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().WriteAsync(CancellationToken.None));
        }

        Assert.True((bool)(await VerifyAsync())["intact"]!);
    }

    [Fact]
    public async Task TheSchedulerCheckpointsTheHeadsOnItsIntervalAndTheVerifierHoldsTheChainsAgainstIt()
    {
        // A second node on the same database and the same blob storage: whichever node the job fires on writes there.
        var settings = new Dictionary<string, string?>(_settings ?? new Dictionary<string, string?> { ["Blobs:Path"] = _app.BlobFolder })
        {
            ["Audit:CheckpointInterval"] = "00:00:01",
        };
        await using var app = new OneGoApp(_database, importOnStartup: false, settings: settings);
        using var client = app.CreateClient();
        var blobs = app.Services.GetRequiredService<OneGo.Server.Storage.IBlobStore>();
        var gulou = (await ChainAsync(Gulou))[^1];
        // Within a few seconds a checkpoint holds Gulou's head as it now is (an earlier one may predate the test's changes).
        await Eventually.HoldsAsync(
            async () => await blobs.GetAsync("audit/checkpoints/latest.json") is { } bytes
                ? System.Text.Json.JsonSerializer.Deserialize<AuditCheckpoint>(bytes, OneGo.Catalogue.CatalogueJson.Options)!.Chains.SingleOrDefault(c => c.Tenant == Gulou)
                : null,
            head => head is not null && head.Sequence == gulou.Sequence && head.Hash == gulou.Hash,
            "a checkpoint of Gulou's head", timeout: TimeSpan.FromSeconds(60));

        using var national = await app.AsAsync(Roles.Admin, RegionRules.NationalId);
        var verified = await (await national.GetAsync("/api/audit/verify")).JsonAsync();
        Assert.True((bool)verified["intact"]!);
        Assert.NotNull(verified["checkpoint"]);
    }

    [Fact]
    public async Task AnEntryAlteredInTheDatabaseIsNamed()
    {
        await TamperAsync($"""UPDATE "AuditEntries" SET "Comment" = '改过的理由' WHERE "TenantId" = '{Gulou}' AND "Sequence" = 3""");
        var broken = SingleBreak(await VerifyAsync());
        Assert.Equal((Gulou, 3L, "altered"), ((string)broken["tenant"]!, (long)broken["sequence"]!, (string)broken["kind"]!));
    }

    [Fact]
    public async Task AnEntryRemovedFromTheMiddleOfAChainIsNamed()
    {
        await TamperAsync($"""DELETE FROM "AuditEntries" WHERE "TenantId" = '{Gulou}' AND "Sequence" = 4""");
        var broken = SingleBreak(await VerifyAsync());
        Assert.Equal((Gulou, 4L, "removed"), ((string)broken["tenant"]!, (long)broken["sequence"]!, (string)broken["kind"]!));
    }

    [Fact]
    public async Task EntriesReorderedInTheDatabaseAreNamed()
    {
        await TamperAsync(
            $"""UPDATE "AuditEntries" SET "Sequence" = -5 WHERE "TenantId" = '{Gulou}' AND "Sequence" = 5""",
            $"""UPDATE "AuditEntries" SET "Sequence" = 5 WHERE "TenantId" = '{Gulou}' AND "Sequence" = 6""",
            $"""UPDATE "AuditEntries" SET "Sequence" = 6 WHERE "TenantId" = '{Gulou}' AND "Sequence" = -5""");
        var broken = SingleBreak(await VerifyAsync());
        Assert.Equal((Gulou, 5L, "reordered"), ((string)broken["tenant"]!, (long)broken["sequence"]!, (string)broken["kind"]!));
    }

    [Fact]
    public async Task AChainRewrittenConsistentlyOrCutShortBeforeTheCheckpointIsNamedAndLaterEntriesAreNot()
    {
        var checkpoint = await CheckpointAsync();
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
        using var admin = await _app.AsAsync(Roles.Admin, "zhejiang");
        var settings = await admin.GetAsync("/api/t/zhejiang/settings");
        var body = await settings.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.SendJsonAsync(HttpMethod.Put, "/api/t/zhejiang/settings",
            new JsonObject { ["name"] = body["name"]!.DeepClone(), ["displayName"] = "浙江政务服务网" }, settings.ETag())).StatusCode);
        Assert.DoesNotContain((await VerifyAsync())["breaks"]!.AsArray(), b => (string?)b!["tenant"] == "zhejiang");
    }
}

public sealed class AuditTestsOnSqlite() : AuditTests(Provider.Sqlite);

public sealed class AuditTestsOnPostgresAndAzurite() : AuditTests(Provider.Postgres);
