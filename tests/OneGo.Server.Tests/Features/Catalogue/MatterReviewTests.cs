using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>
/// A matter's elements are a working copy reviewed like a bundle's, and only the approved revision is live; a
/// bundle's submission pins the matter revisions it embeds, so what the reviewer approves is what was submitted.
/// Gulou (鼓楼区, Nanjing) adds its own matter funeral-fee-waiver to its live after-death bundle.
/// </summary>
public abstract class MatterReviewTests(Provider provider) : IAsyncLifetime
{
    private const string Matter = "/api/t/320106/matters/funeral-fee-waiver";
    private const string MatterDraft = Matter + "/draft";
    private const string Bundle = "/api/t/320106/bundles/after-death";
    private const string BundleDraft = Bundle + "/draft";
    private const string OriginalDepartment = "civil-affairs";
    // An unreviewed change hands the matter to another body (the comprehensive window) than the one the file names.
    private const string ScamDepartment = "window";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _editor = null!;
    private HttpClient _reviewer = null!;
    private HttpClient _admin = null!;
    private HttpClient _auditor = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
        _editor = await _app.AsAsync(Roles.Editor, "jiangsu.nanjing.gulou");
        _reviewer = await _app.AsAsync(Roles.Reviewer, "jiangsu.nanjing.gulou");
        _admin = await _app.AsAsync(Roles.Admin, "jiangsu.nanjing.gulou");
        _auditor = await _app.AsAsync(Roles.Auditor, "jiangsu.nanjing.gulou");
        _anonymous = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _editor.Dispose();
        _reviewer.Dispose();
        _admin.Dispose();
        _auditor.Dispose();
        _anonymous.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>An account of Gulou holding both editor and reviewer, as the README allows.</summary>
    private async Task<HttpClient> BothRolesAsync() => (await People.EditorAndReviewerAsync(_app, "jiangsu.nanjing.gulou", "jiangsu")).Client;

    /// <summary>Saves the matter's working copy with its department set to <paramref name="department"/>.</summary>
    private static async Task<HttpResponseMessage> EditMatterAsync(HttpClient editor, string department)
    {
        var read = await editor.GetAsync(MatterDraft);
        var document = (await read.JsonAsync())["document"]!.DeepClone();
        document["department"] = department;
        return await editor.SendJsonAsync(HttpMethod.Put, MatterDraft, document, read.ETag());
    }

    /// <summary>The editor saves the bundle's working copy unchanged in content and submits it; returns the submission.</summary>
    private static async Task<HttpResponseMessage> SubmitBundleAsync(HttpClient editor)
    {
        var read = await editor.GetAsync(BundleDraft);
        var saved = await editor.SendJsonAsync(HttpMethod.Put, BundleDraft, (await read.JsonAsync())["document"], read.ETag());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var submitted = await editor.SendJsonAsync(HttpMethod.Post, BundleDraft + "/submit", ifMatch: saved.ETag());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        return submitted;
    }

    private async Task<string?> LiveDepartmentAsync()
    {
        var live = await (await _anonymous.GetAsync(Bundle)).JsonAsync();
        return (string?)live["matters"]!.AsArray().Single(m => (string?)m!["code"] == "funeral-fee-waiver")!["department"];
    }

    private async Task<int> LiveVersionAsync() => (int)(await (await _editor.GetAsync(BundleDraft)).JsonAsync())["liveVersion"]!;

    [Fact]
    public async Task H2_AnUnreviewedMatterChangeNeverGoesLive()
    {
        using var both = await BothRolesAsync();
        var before = await LiveVersionAsync();

        // The account with both roles changes the matter — and even hands it to review — but nobody approves it.
        var edited = await EditMatterAsync(both, ScamDepartment);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", ifMatch: edited.ETag())).StatusCode);

        // Another editor submits a change of a bundle that uses the matter; the account with both roles approves it.
        var submitted = await SubmitBundleAsync(_editor);
        var draftEffective = await (await _editor.GetAsync(BundleDraft + "/effective")).JsonAsync();
        Assert.Equal(OriginalDepartment, (string?)draftEffective["matters"]!.AsArray().Single(m => (string?)m!["code"] == "funeral-fee-waiver")!["department"]);
        var approved = await both.SendJsonAsync(HttpMethod.Post, BundleDraft + "/approve", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(before + 1, (int)(await approved.JsonAsync())["version"]!);

        // The new live version embeds the matter's approved revision, not the unreviewed change.
        Assert.Equal(OriginalDepartment, await LiveDepartmentAsync());
        Assert.Equal(OriginalDepartment, (string?)(await (await _editor.GetAsync(Matter)).JsonAsync())["department"]);
        var guide = await (await _anonymous.SendJsonAsync(HttpMethod.Post, Bundle + "/guide", new { answers = new { } })).JsonAsync();
        Assert.DoesNotContain("400-000-0000", guide.ToJsonString(), StringComparison.Ordinal);

        // And the matter change itself cannot be approved by the one who made it.
        var own = await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: (await both.GetAsync(MatterDraft)).ETag());
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal(OriginalDepartment, await LiveDepartmentAsync());
    }

    [Fact]
    public async Task H2_ApprovingAfterAMatterChangedIsRefused()
    {
        var before = await LiveVersionAsync();
        var submitted = await SubmitBundleAsync(_editor);
        var seen = await (await _reviewer.GetAsync(BundleDraft + "/effective")).Content.ReadAsByteArrayAsync();

        // A new revision of the matter is approved while the bundle waits.
        var edited = await EditMatterAsync(_editor, "funeral-services");
        Assert.Equal(HttpStatusCode.OK, (await _editor.SubmitAndApproveWithAsync(_reviewer, MatterDraft, edited.ETag())).StatusCode);

        // Approving with the same If-Match would take content the reviewer never saw: refused, naming the matter.
        var refused = await _reviewer.SendJsonAsync(HttpMethod.Post, BundleDraft + "/approve", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.JsonAsync();
        Assert.Equal(["funeral-fee-waiver"], problem["matters"]!.AsArray().Select(m => (string)m!));
        Assert.Equal("submitted", (string?)problem["state"]);
        Assert.Contains("funeral-fee-waiver", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(before, await LiveVersionAsync());
        Assert.Equal(OriginalDepartment, await LiveDepartmentAsync());

        // Returned and submitted again, it pins the new revision; the approved version is what the reviewer then read.
        var rejected = await _reviewer.SendJsonAsync(HttpMethod.Post, BundleDraft + "/reject", new { comment = "事项已更新，请重新提交。" }, submitted.ETag());
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var again = await _editor.SendJsonAsync(HttpMethod.Post, BundleDraft + "/submit", ifMatch: rejected.ETag());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, (int)(await again.JsonAsync())["pinnedMatters"]!["funeral-fee-waiver"]!["revision"]!);
        var read = await (await _reviewer.GetAsync(BundleDraft + "/effective")).Content.ReadAsByteArrayAsync();
        Assert.NotEqual(seen, read);
        var approved = await _reviewer.SendJsonAsync(HttpMethod.Post, BundleDraft + "/approve", ifMatch: again.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(read, await (await _anonymous.GetAsync(Bundle)).Content.ReadAsByteArrayAsync());
        Assert.Equal("funeral-services", await LiveDepartmentAsync());
    }

    [Fact]
    public async Task AMatterChangeGoesLiveOnlyOnceAnotherPersonApprovesIt()
    {
        var edited = await EditMatterAsync(_editor, "funeral-services");
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("draft", (string?)(await edited.JsonAsync())["state"]);
        Assert.Equal(OriginalDepartment, (string?)(await (await _editor.GetAsync(Matter)).JsonAsync())["department"]);

        // The reviewer's inbox lists matter working copies beside bundles, saying which kind each is.
        var submitted = await _editor.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", new { comment = "所名更正。" }, edited.ETag());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var inbox = (await (await _reviewer.GetAsync("/api/t/320106/drafts?status=submitted")).JsonAsync())["items"]!.AsArray();
        var waiting = Assert.Single(inbox)!;
        Assert.Equal(("matter", "funeral-fee-waiver", "svc-demo-editor@jiangsu.nanjing.gulou", "所名更正。"),
            ((string?)waiting["kind"], (string?)waiting["code"], (string?)waiting["submittedBy"], (string?)waiting["comment"]));
        Assert.Empty((await (await _reviewer.GetAsync("/api/t/320106/drafts?status=submitted&kind=bundle")).JsonAsync())["items"]!.AsArray());

        // Read-only while it waits.
        var put = await _editor.SendJsonAsync(HttpMethod.Put, MatterDraft, (await submitted.JsonAsync())["document"], submitted.ETag());
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal("submitted", (string?)(await put.JsonAsync())["state"]);

        var approved = await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var view = await approved.JsonAsync();
        Assert.Equal(("approved", 2), ((string?)view["state"], (int)view["liveRevision"]!));
        var live = await _editor.GetAsync(Matter);
        Assert.Equal("funeral-services", (string?)(await live.JsonAsync())["department"]);
        Assert.Empty((await (await _reviewer.GetAsync("/api/t/320106/drafts?status=submitted")).JsonAsync())["items"]!.AsArray());

        // Every move is audited in the same save, with the change of the live revision on the approval.
        var log = (await (await _auditor.GetAsync("/api/t/320106/audit?subject=matter/funeral-fee-waiver")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(["matter.approve", "matter.submit", "matter.edit", "import.matter"], log.Select(e => (string)e!["action"]!));
        var approval = log[0]!;
        Assert.Equal("svc-demo-reviewer@jiangsu.nanjing.gulou", (string?)approval["actor"]);
        Assert.Contains(approval["changes"]!["changes"]!.AsArray(), c => (string?)c!["path"] == "/department" && (string?)c["after"] == "funeral-services");
    }

    [Fact]
    public async Task WhoeverLastChangedOrSubmittedAMatterCannotApproveItEvenHoldingBothRoles()
    {
        using var both = await BothRolesAsync();
        var edited = await EditMatterAsync(both, "veterans-affairs");
        var submitted = await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", ifMatch: edited.ETag());
        var own = await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("demo-editor@jiangsu.nanjing.gulou", (string?)(await own.JsonAsync())["detail"], StringComparison.Ordinal);

        // Submitting another's change makes one its submitter: four eyes holds for that too.
        var rejected = await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/reject", new { comment = "请写明全称。" }, submitted.ETag());
        var changed = await EditMatterAsync(_editor, "funeral-services");
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var handed = await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", ifMatch: changed.ETag());
        Assert.Equal(HttpStatusCode.OK, handed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: handed.ETag())).StatusCode);
        Assert.Equal(OriginalDepartment, (string?)(await (await _editor.GetAsync(Matter)).JsonAsync())["department"]);

        Assert.Equal(HttpStatusCode.OK, (await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: handed.ETag())).StatusCode);
        Assert.Equal("funeral-services", (string?)(await (await _editor.GetAsync(Matter)).JsonAsync())["department"]);
    }

    [Fact]
    public async Task AMatterReviewMoveAnswersInTheContractsOrder()
    {
        using var both = await BothRolesAsync();
        // 404 for a matter that does not exist, whatever else is wrong.
        Assert.Equal(HttpStatusCode.NotFound, (await _reviewer.SendJsonAsync(HttpMethod.Post, "/api/t/320106/matters/nowhere/draft/approve")).StatusCode);

        // 409 for a move the state does not allow, before If-Match is looked at.
        var edited = await EditMatterAsync(both, "funeral-services");
        var early = await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve");
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("draft", (string?)(await early.JsonAsync())["state"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/reject", new { comment = "x" })).StatusCode);

        // Then 428 without If-Match, 412 with a stale one — for its own author too — and only then 403 four eyes.
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit")).StatusCode);
        var submitted = await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", ifMatch: edited.ETag());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await both.SendJsonAsync(HttpMethod.Put, MatterDraft, (await submitted.JsonAsync())["document"])).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: edited.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await both.SendJsonAsync(HttpMethod.Post, MatterDraft + "/approve", ifMatch: submitted.ETag())).StatusCode);
        // A reviewer returns it only with a comment.
        var silent = await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/reject", ifMatch: submitted.ETag());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, silent.StatusCode);
        Assert.Equal(["/comment"], await silent.ErrorPlacesAsync());
        Assert.Equal("submitted", (string?)(await (await _editor.GetAsync(MatterDraft)).JsonAsync())["state"]);
    }

    [Fact]
    public async Task TheApprovalIsAuditedWithTheEffectiveBundlesChangesAgainstTheLiveVersion()
    {
        var edited = await EditMatterAsync(_editor, "funeral-services");
        await _editor.SubmitAndApproveWithAsync(_reviewer, MatterDraft, edited.ETag());
        var submitted = await SubmitBundleAsync(_editor);
        var approved = await _reviewer.SendJsonAsync(HttpMethod.Post, BundleDraft + "/approve", new { comment = "同意。" }, submitted.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var entry = Assert.Single((await (await _auditor.GetAsync("/api/t/320106/audit?action=bundle.approve")).JsonAsync())["items"]!.AsArray())!;
        Assert.Equal(("svc-demo-reviewer@jiangsu.nanjing.gulou", "同意。"), ((string?)entry["actor"], (string?)entry["comment"]));
        // The bundle's own document did not change; what goes live did, and the entry says exactly what.
        Assert.Empty(entry["changes"]!["changes"]!.AsArray());
        var effective = entry["changes"]!["effectiveChanges"]!.AsArray();
        Assert.Contains(effective, c => (string?)c!["path"] == "/matters/funeral-fee-waiver/department"
            && (string?)c["before"] == OriginalDepartment && (string?)c["after"] == "funeral-services");
        Assert.All(effective, c => Assert.StartsWith("/matters/funeral-fee-waiver/", (string?)c!["path"], StringComparison.Ordinal));
        Assert.Equal(2, (int)entry["changes"]!["pinnedMatters"]!["funeral-fee-waiver"]!["revision"]!);
    }

    [Fact]
    public async Task AReviewMoveThatNamesNoETagWithAStarIsRefused()
    {
        async Task RefusedAsync(HttpClient client, string url, object? body, string draft)
        {
            var before = (await client.GetAsync(draft)).ETag();
            var response = await client.SendJsonAsync(HttpMethod.Post, url, body, "*");
            Assert.Equal(HttpStatusCode.PreconditionRequired, response.StatusCode);
            Assert.Contains("must name the ETag", (string?)(await response.JsonAsync())["detail"], StringComparison.Ordinal);
            Assert.Equal(before, (await client.GetAsync(draft)).ETag());
        }

        // Bundles: submit, rebase, approve, reject, withdrawal.
        var read = await _editor.GetAsync(BundleDraft);
        var saved = await _editor.SendJsonAsync(HttpMethod.Put, BundleDraft, (await read.JsonAsync())["document"], read.ETag());
        await RefusedAsync(_editor, BundleDraft + "/submit", null, BundleDraft);
        await RefusedAsync(_editor, BundleDraft + "/rebase", new { version = 1 }, BundleDraft);
        var submitted = await _editor.SendJsonAsync(HttpMethod.Post, BundleDraft + "/submit", ifMatch: saved.ETag());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        await RefusedAsync(_reviewer, BundleDraft + "/approve", null, BundleDraft);
        await RefusedAsync(_reviewer, BundleDraft + "/reject", new { comment = "请补充。" }, BundleDraft);
        Assert.Equal(HttpStatusCode.OK, (await _reviewer.SendJsonAsync(HttpMethod.Post, BundleDraft + "/approve", ifMatch: submitted.ETag())).StatusCode);
        await RefusedAsync(_editor, Bundle + "/withdrawal", new { comment = "并入新的一件事。" }, BundleDraft);

        // Matters: submit, approve, reject.
        var edited = await EditMatterAsync(_editor, "funeral-services");
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        await RefusedAsync(_editor, MatterDraft + "/submit", null, MatterDraft);
        Assert.Equal(HttpStatusCode.OK, (await _editor.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", ifMatch: edited.ETag())).StatusCode);
        await RefusedAsync(_reviewer, MatterDraft + "/approve", null, MatterDraft);
        await RefusedAsync(_reviewer, MatterDraft + "/reject", new { comment = "请补充。" }, MatterDraft);
        Assert.Equal(OriginalDepartment, (string?)(await (await _editor.GetAsync(Matter)).JsonAsync())["department"]);
    }

    [Theory]
    [InlineData("Newborn")]
    [InlineData("new born")]
    [InlineData("-newborn")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("bell\u0007")]
    [InlineData("新生儿")]
    [InlineData("a-code-of-sixty-five-characters-is-one-character-too-long-for-its")]
    public async Task L11_ABundleOrMatterCodeOutsideTheFormatIsRefusedAtItsPointer(string code)
    {
        var bundle = new JsonObject
        {
            ["definition"] = new JsonObject
            {
                ["code"] = code, ["name"] = "测试一件事", ["audience"] = "personal", ["theme"] = "other", ["leadDepartment"] = "civil-affairs",
                ["matters"] = new JsonArray(new JsonObject { ["code"] = "funeral-fee-waiver" }, new JsonObject { ["code"] = "funeral-fee-waiver" }),
            },
        };
        var refused = await _editor.SendJsonAsync(HttpMethod.Post, "/api/t/320106/bundles", bundle);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = Assert.Single((await refused.JsonAsync())["errors"]!.AsArray())!;
        Assert.Equal(("/definition/code", "code-format"), ((string?)error["pointer"], (string?)error["rule"]));

        var matter = (await (await _editor.GetAsync(Matter)).JsonAsync()).AsObject();
        matter["code"] = code;
        var path = "/api/t/320106/matters/" + Uri.EscapeDataString(code) + "/draft";
        var answer = await _editor.SendJsonAsync(HttpMethod.Put, path, matter);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        Assert.Contains((await answer.JsonAsync())["errors"]!.AsArray(), e => (string?)e!["pointer"] == "/code" && (string?)e["rule"] == "code-format");
        Assert.DoesNotContain(code, (await (await _editor.GetAsync("/api/t/320106/drafts?limit=500")).JsonAsync())["items"]!.AsArray().Select(i => (string?)i!["code"]));
    }

    [Fact]
    public async Task L3_OnlyThoseWhoMayReadTheDraftsAreToldWhichMattersChangedSinceApproval()
    {
        // A working copy is not a change of what is live: nothing is reported for it.
        var edited = await EditMatterAsync(_editor, "funeral-services");
        Assert.Empty((await (await _editor.GetAsync(Bundle + "/diff")).JsonAsync())["mattersChangedSinceApproval"]!.AsArray());

        // Once a newer revision is live, the tenant's staff see it; an anonymous caller reads the diff without it.
        await _editor.SubmitAndApproveWithAsync(_reviewer, MatterDraft, edited.ETag());
        Assert.Equal(["funeral-fee-waiver"], (await (await _editor.GetAsync(Bundle + "/diff")).JsonAsync())["mattersChangedSinceApproval"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(["funeral-fee-waiver"], (await (await _reviewer.GetAsync(Bundle + "/diff")).JsonAsync())["mattersChangedSinceApproval"]!.AsArray().Select(c => (string)c!));

        var anonymous = await _anonymous.GetAsync(Bundle + "/diff");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var shown = await anonymous.JsonAsync();
        Assert.Null(shown["mattersChangedSinceApproval"]);
        using var sibling = await _app.AsAsync(Roles.Editor, "jiangsu.nanjing.jiangning");
        Assert.Null((await (await sibling.GetAsync(Bundle + "/diff")).JsonAsync())["mattersChangedSinceApproval"]);
    }
}

public sealed class MatterReviewTestsOnSqlite() : MatterReviewTests(Provider.Sqlite);

public sealed class MatterReviewTestsOnPostgres() : MatterReviewTests(Provider.Postgres);
