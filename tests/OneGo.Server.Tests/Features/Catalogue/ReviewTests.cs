using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>
/// Review: editors submit, another person approves or rejects with a comment, a submitted
/// draft is read-only, concurrent edits lose nothing, withdrawal is reviewed too, and every move is audited in
/// the same transaction as the change.
/// </summary>
public abstract class ReviewTests(Provider provider) : IAsyncLifetime
{
    // Gulou (鼓楼区, Nanjing) adopts Jiangsu's standards; its marriage bundle is live at version 1.
    private const string Draft = "/api/t/320106/bundles/marriage/draft";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _editor = null!;
    private HttpClient _reviewer = null!;
    private HttpClient _auditor = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
        _editor = await _app.AsAsync(Roles.Editor, "jiangsu.nanjing.gulou");
        _reviewer = await _app.AsAsync(Roles.Reviewer, "jiangsu.nanjing.gulou");
        _auditor = await _app.AsAsync(Roles.Auditor, "jiangsu.nanjing.gulou");
    }

    public async Task DisposeAsync()
    {
        _editor.Dispose();
        _reviewer.Dispose();
        _auditor.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>The editor changes the guide text of the working copy; returns the answer with its ETag.</summary>
    private async Task<HttpResponseMessage> EditAsync(HttpClient editor, string text)
    {
        var read = await editor.GetAsync(Draft);
        return await editor.SendJsonAsync(HttpMethod.Put, Draft, WithGuideText((await read.JsonAsync())["document"]!, text), read.ETag());
    }

    /// <summary>The document with its overlay's guide text set to <paramref name="text"/>.</summary>
    private static JsonNode WithGuideText(JsonNode document, string text)
    {
        var copy = document.DeepClone();
        copy["changes"]!.AsArray().Single(c => (string?)c!["op"] == "setGuideText")!["text"] = text;
        return copy;
    }

    private static string GuideTextOf(JsonNode document) =>
        document["changes"]!.AsArray().Single(c => (string?)c!["op"] == "setGuideText")!["text"] switch
        {
            JsonObject text => (string)text["zh"]!,
            var plain => (string)plain!, // a text with Chinese only is written as a plain string
        };

    private static async Task<string> StateAsync(HttpClient client) => (string)(await (await client.GetAsync(Draft)).JsonAsync())["state"]!;

    [Fact]
    public async Task AnEditorSubmitsAReviewerApprovesAndTheNewVersionIsLiveAtOnce()
    {
        var saved = await EditAsync(_editor, "鼓楼区婚姻登记处：周一至周五办理。");
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("draft", await StateAsync(_editor));

        // Nothing is approved that was not submitted.
        var early = await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: saved.ETag());
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("draft", (string?)(await early.JsonAsync())["state"]);

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit")).StatusCode);
        var submitted = await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit", new { comment = "请审核新的办理时间。" }, saved.ETag());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var view = await submitted.JsonAsync();
        Assert.Equal(("submitted", "svc-demo-editor@jiangsu.nanjing.gulou"), ((string?)view["state"], (string?)view["submittedBy"]));

        // Read-only while it waits: a PUT is 409, so is a rebase, and so is a second submit.
        var put = await _editor.SendJsonAsync(HttpMethod.Put, Draft, view["document"], submitted.ETag());
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("submitted", (string?)(await put.JsonAsync())["state"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/rebase", new { version = 1 }, submitted.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit", ifMatch: submitted.ETag())).StatusCode);

        // The reviewer's inbox: what waits, since when, by whom.
        var inbox = await (await _reviewer.GetAsync("/api/t/320106/drafts?status=submitted")).JsonAsync();
        var waiting = Assert.Single(inbox["items"]!.AsArray())!;
        Assert.Equal(("marriage", "svc-demo-editor@jiangsu.nanjing.gulou", "请审核新的办理时间。"),
            ((string?)waiting["code"], (string?)waiting["submittedBy"], (string?)waiting["comment"]));
        Assert.NotNull(waiting["submittedAt"]);

        // Approval names what was read: without If-Match 428, with the ETag before submission 412.
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: saved.ETag())).StatusCode);
        var approved = await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(2, (int)(await approved.JsonAsync())["version"]!);
        Assert.Equal("/api/t/jiangsu.nanjing.gulou/bundles/marriage/versions/2", approved.Headers.Location?.ToString());

        var live = await (await _app.CreateClient().GetAsync("/api/t/320106/bundles/marriage")).JsonAsync();
        Assert.Equal("鼓楼区婚姻登记处：周一至周五办理。", (string?)live["guideText"]!["zh"]);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient().GetAsync("/api/t/320106/bundles/marriage/versions/2")).StatusCode);
        Assert.Equal("approved", await StateAsync(_editor));
        Assert.Empty((await (await _reviewer.GetAsync("/api/t/320106/drafts?status=submitted")).JsonAsync())["items"]!.AsArray());

        // Approved is final: nothing left to approve, reject or submit.
        var after = await _reviewer.GetAsync(Draft);
        Assert.Equal(HttpStatusCode.Conflict, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: after.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/reject", new { comment = "x" }, after.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit", ifMatch: after.ETag())).StatusCode);
    }

    [Fact]
    public async Task ARejectedDraftReturnsToTheEditorWithTheReviewersComment()
    {
        var saved = await EditAsync(_editor, "草稿");
        var submitted = await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit", ifMatch: saved.ETag());

        var silent = await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/reject", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, silent.StatusCode);
        Assert.Equal(["/comment"], await silent.ErrorPlacesAsync());
        Assert.Equal("submitted", await StateAsync(_editor));

        var rejected = await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/reject", new { comment = "请写明办理地点和电话。" }, submitted.ETag());
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var returned = Assert.Single((await (await _editor.GetAsync("/api/t/320106/drafts?status=rejected")).JsonAsync())["items"]!.AsArray())!;
        Assert.Equal(("marriage", "rejected", "请写明办理地点和电话。"), ((string?)returned["code"], (string?)returned["state"], (string?)returned["comment"]));

        // The editor changes it and submits again; the live version was never touched.
        var again = await EditAsync(_editor, "鼓楼区婚姻登记处，中山北路 101 号，电话 025-00000000。");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("draft", await StateAsync(_editor));
        Assert.Equal(HttpStatusCode.OK, (await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit", ifMatch: again.ETag())).StatusCode);
        Assert.Equal(1, (int)(await (await _app.CreateClient().GetAsync("/api/t/320106/bundles/marriage/versions")).JsonAsync())["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task WhoeverLastChangedOrSubmittedADraftCannotApproveItEvenHoldingBothRoles()
    {
        var (both, name) = await People.EditorAndReviewerAsync(_app, "jiangsu.nanjing.gulou", "jiangsu");
        using var _ = both;

        // The person with both roles edits and submits, then tries to approve their own change.
        var saved = await EditAsync(both, "自己改的");
        var submitted = await both.SendJsonAsync(HttpMethod.Post, Draft + "/submit", ifMatch: saved.ETag());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var own = await both.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains(name, (string?)(await own.JsonAsync())["detail"], StringComparison.Ordinal);
        Assert.Equal("submitted", await StateAsync(_editor));

        // Four eyes comes after the preconditions: a stale approval by the same person is a 412, not a 403.
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await both.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: saved.ETag())).StatusCode);

        // Another reviewer approves it.
        Assert.Equal(HttpStatusCode.OK, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: submitted.ETag())).StatusCode);

        // Submitting someone else's change does not make it one's own to approve either.
        var edited = await EditAsync(_editor, "编辑改的");
        var handed = await both.SendJsonAsync(HttpMethod.Post, Draft + "/submit", ifMatch: edited.ETag());
        Assert.Equal(HttpStatusCode.Forbidden, (await both.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: handed.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: handed.ETag())).StatusCode);
    }

    [Fact]
    public async Task OfTwoConcurrentEditsWithTheSameETagExactlyOneWinsAndTheOtherIs412()
    {
        var read = await _editor.GetAsync(Draft);
        var etag = read.ETag();
        var document = (await read.JsonAsync())["document"]!;
        var texts = Enumerable.Range(1, 8).Select(i => $"并发修改 {i}").ToList();
        var answers = await Task.WhenAll(texts.Select(text =>
        {
            return _editor.SendJsonAsync(HttpMethod.Put, Draft, WithGuideText(document, text), etag);
        }));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(texts.Count - 1, answers.Count(a => a.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = texts[Array.FindIndex(answers, a => a.StatusCode == HttpStatusCode.OK)];
        var draft = await (await _editor.GetAsync(Draft)).JsonAsync();
        Assert.Equal(winner, GuideTextOf(draft["document"]!));

        // The winner's edit and only it is in the audit log.
        var log = await (await _auditor.GetAsync("/api/t/320106/audit?action=bundle.edit")).JsonAsync();
        Assert.Single(log["items"]!.AsArray());
    }

    [Fact]
    public async Task WithdrawingALiveBundleIsReviewedAndThenItIsNoLongerLive()
    {
        // The proposer holds both roles, so that only four eyes — not a missing role — keeps them from approving it.
        var both = await People.EditorAndReviewerAsync(_app, "jiangsu.nanjing.gulou", "jiangsu");
        using var proposer = both.Client;
        var proposerName = both.UserName;
        var read = await proposer.GetAsync(Draft);
        var unexplained = await proposer.SendJsonAsync(HttpMethod.Post, "/api/t/320106/bundles/marriage/withdrawal", ifMatch: read.ETag());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unexplained.StatusCode);

        var proposed = await proposer.SendJsonAsync(HttpMethod.Post, "/api/t/320106/bundles/marriage/withdrawal", new { comment = "并入“婚育户一件事”。" }, read.ETag());
        Assert.Equal(HttpStatusCode.OK, proposed.StatusCode);
        var view = await proposed.JsonAsync();
        Assert.Equal(("submitted", "withdrawal"), ((string?)view["state"], (string?)view["proposal"]));
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient().GetAsync("/api/t/320106/bundles/marriage")).StatusCode);

        // The proposer cannot approve it, reviewer or not; another reviewer can.
        var own = await proposer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: proposed.ETag());
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains(proposerName, (string?)(await own.JsonAsync())["detail"], StringComparison.Ordinal);
        Assert.Equal(("submitted", "withdrawal"), ((string?)(await (await _editor.GetAsync(Draft)).JsonAsync())["state"], (string?)view["proposal"]));
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient().GetAsync("/api/t/320106/bundles/marriage")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/approve", ifMatch: proposed.ETag())).StatusCode);

        using var citizen = _app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await citizen.GetAsync("/api/t/320106/bundles/marriage")).StatusCode);
        var list = await (await citizen.GetAsync("/api/t/320106/bundles?limit=500")).JsonAsync();
        Assert.DoesNotContain(list["items"]!.AsArray(), b => (string?)b!["code"] == "marriage");
        // Its approved versions stay readable: they are history.
        Assert.Equal(HttpStatusCode.OK, (await citizen.GetAsync("/api/t/320106/bundles/marriage/versions/1")).StatusCode);

        var state = await (await _editor.GetAsync(Draft)).JsonAsync();
        Assert.Equal(("approved", (int?)null), ((string?)state["state"], (int?)state["liveVersion"]));
        var withdrawal = Assert.Single((await (await _auditor.GetAsync("/api/t/320106/audit?action=bundle.withdraw")).JsonAsync())["items"]!.AsArray())!;
        Assert.Equal("svc-demo-reviewer@jiangsu.nanjing.gulou", (string?)withdrawal["actor"]);

        // Nothing is live to withdraw again; editing and approving makes it live once more, as version 2.
        var again = await _editor.GetAsync(Draft);
        Assert.Equal(HttpStatusCode.Conflict, (await _editor.SendJsonAsync(HttpMethod.Post, "/api/t/320106/bundles/marriage/withdrawal", new { comment = "x" }, again.ETag())).StatusCode);
        var saved = await EditAsync(_editor, "恢复办理");
        var back = await _editor.SubmitAndApproveWithAsync(_reviewer, Draft, saved.ETag());
        Assert.Equal(2, (int)(await back.JsonAsync())["version"]!);
        Assert.Equal(HttpStatusCode.OK, (await citizen.GetAsync("/api/t/320106/bundles/marriage")).StatusCode);
    }

    [Fact]
    public async Task EveryMoveIsInTheTenantsAuditLogWithWhoWhatAndWhy()
    {
        var saved = await EditAsync(_editor, "新的办理指南");
        var submitted = await _editor.SendJsonAsync(HttpMethod.Post, Draft + "/submit", new { comment = "更新指南" }, saved.ETag());
        var rejected = await _reviewer.SendJsonAsync(HttpMethod.Post, Draft + "/reject", new { comment = "再写清楚一些" }, submitted.ETag());
        var resaved = await EditAsync(_editor, "新的办理指南（修订）");
        await _editor.SubmitAndApproveWithAsync(_reviewer, Draft, resaved.ETag());
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await _editor.GetAsync("/api/t/320106/audit")).StatusCode);
        var log = await (await _auditor.GetAsync("/api/t/320106/audit?subject=bundle/marriage")).JsonAsync();
        var entries = log["items"]!.AsArray().Select(e => e!).ToList();
        Assert.Equal(["bundle.approve", "bundle.submit", "bundle.edit", "bundle.reject", "bundle.submit", "bundle.edit", "import.bundle"],
            entries.Select(e => (string)e["action"]!));
        Assert.Equal(["svc-demo-reviewer@jiangsu.nanjing.gulou", "svc-demo-editor@jiangsu.nanjing.gulou", "svc-demo-editor@jiangsu.nanjing.gulou", "svc-demo-reviewer@jiangsu.nanjing.gulou"],
            entries.Take(4).Select(e => (string)e["actor"]!));
        Assert.Equal("再写清楚一些", (string?)entries[3]["comment"]);

        // What changed, field by field, keyed by pointers into the document.
        var edit = entries[2]["changes"]!.AsArray();
        Assert.Contains(edit, c => ((string?)c!["path"])!.StartsWith("/changes/", StringComparison.Ordinal) && c["after"]?.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Contains("新的办理指南（修订）", StringComparison.Ordinal) == true);
        Assert.Equal(2, (int)entries[0]["changes"]!["version"]!);

        // The import that made version 1 names its file and the file's hash.
        var import = entries[^1]["changes"]!;
        Assert.Equal("jiangsu/nanjing/gulou/bundles/marriage.yaml", (string?)import["file"]);
        Assert.Equal(64, ((string)import["sha256"]!).Length);

        // Entries chain: each names the hash of the one before it in the tenant's log.
        var all = (await (await _auditor.GetAsync("/api/t/320106/audit?limit=500")).JsonAsync())["items"]!.AsArray().Reverse().ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => (long)e!["sequence"]!));
        for (var i = 1; i < all.Count; i++)
        {
            Assert.Equal((string?)all[i - 1]!["hash"], (string?)all[i]!["previousHash"]);
        }
    }

    [Fact]
    public async Task AChangeWhoseTransactionFailsLeavesNeitherTheChangeNorItsAuditEntry()
    {
        var failing = new FailingCommit();
        await using var app = _app.WithWebHostBuilder(b => b.ConfigureServices(services =>
        {
            if (provider == Provider.Sqlite)
            {
                services.ConfigureDbContext<SqliteOneGoDbContext>(o => o.AddInterceptors(failing));
            }
            else
            {
                services.ConfigureDbContext<PostgresOneGoDbContext>(o => o.AddInterceptors(failing));
            }
        }));
        using var editor = app.CreateClient();
        editor.DefaultRequestHeaders.Authorization = _editor.DefaultRequestHeaders.Authorization;
        var before = await AuditCountAsync();
        var draftBefore = await (await editor.GetAsync(Draft)).Content.ReadAsStringAsync();

        failing.Armed = true;
        var saved = await EditAsync(editor, "不会保存");
        failing.Armed = false;

        Assert.Equal(HttpStatusCode.InternalServerError, saved.StatusCode);
        Assert.True(failing.Refused > 0);
        Assert.Equal(draftBefore, await (await editor.GetAsync(Draft)).Content.ReadAsStringAsync());
        Assert.Equal(before, await AuditCountAsync());

        // Unarmed, the same edit goes through with its entry.
        Assert.Equal(HttpStatusCode.OK, (await EditAsync(editor, "会保存")).StatusCode);
        Assert.Equal(before + 1, await AuditCountAsync());
    }

    private async Task<int> AuditCountAsync()
    {
        var tenants = new CurrentTenant();
        await using var db = _database.NewContext(tenants);
        using (tenants.Enter("jiangsu.nanjing.gulou"))
        {
            return await db.Set<AuditEntry>().CountAsync();
        }
    }

    /// <summary>Fails every commit while armed: the change and its audit entry were both sent, and neither may stay.</summary>
    private sealed class FailingCommit : DbTransactionInterceptor
    {
        public volatile bool Armed;
        public int Refused;

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(
            System.Data.Common.DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (Armed)
            {
                Interlocked.Increment(ref Refused);
                throw new InvalidOperationException("The test refuses this commit.");
            }

            return ValueTask.FromResult(result);
        }
    }
}

public sealed class ReviewTestsOnSqlite() : ReviewTests(Provider.Sqlite);

public sealed class ReviewTestsOnPostgres() : ReviewTests(Provider.Postgres);
