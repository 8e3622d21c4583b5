using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Templates;

/// <summary>
/// Xiamen publishes a standard; Siming adopts it with local changes; the standard moves on; Siming sees it is
/// behind, rebases, meets a conflict and resolves it. Haicang, which adopts nothing, is untouched throughout.
/// </summary>
public abstract class TemplatesApiTests(Provider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
        _client = ActAsTenantStaff.For(_app);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static JsonObject Matter(string code, string department, int days) => new()
    {
        ["code"] = code,
        ["name"] = "事项 " + code,
        ["department"] = department,
        ["kind"] = "publicService",
        ["promisedDays"] = days,
        ["tripsAlone"] = 1,
        ["materials"] = new JsonArray(new JsonObject { ["code"] = "id-card", ["name"] = "身份证", ["kind"] = "certificate", ["source"] = new JsonObject { ["kind"] = "dataSharing", ["department"] = "public-security", ["dataset"] = "人口" } }),
    };

    private static JsonObject Standard(string guideText, params string[] locked) => new()
    {
        ["definition"] = new JsonObject
        {
            ["code"] = "retire",
            ["name"] = new JsonObject { ["zh"] = "退休一件事", ["en"] = "Retirement" },
            ["audience"] = "personal",
            ["theme"] = "retirement",
            ["leadDepartment"] = "human-resources-social-security",
            ["matters"] = new JsonArray(
                new JsonObject { ["code"] = "pension" },
                new JsonObject { ["code"] = "medical", ["after"] = new JsonArray("pension") },
                new JsonObject { ["code"] = "housing-fund", ["optional"] = true }),
            ["guideText"] = guideText,
            ["promisedDays"] = 20,
        },
        ["standard"] = new JsonObject { ["locked"] = new JsonArray(locked.Select(l => (JsonNode)l).ToArray()) },
    };

    private async Task<string> ApproveAsync(string tenant, string code)
    {
        var draft = await _client.GetAsync($"/api/t/{tenant}/bundles/{code}/draft");
        var approved = await _client.SubmitAndApproveAsync($"/api/t/{tenant}/bundles/{code}/draft", draft.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        return (string)(await approved.JsonAsync())["location"]!;
    }

    private async Task PublishStandardAsync()
    {
        foreach (var (code, department, days) in new[] { ("pension", "human-resources-social-security", 10), ("medical", "medical-security", 5), ("housing-fund", "housing-provident-fund", 5) })
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.ReviseMatterAsync("fujian.xiamen", Matter(code, department, days))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350200/bundles", Standard("厦门市统一指南", "/leadDepartment"))).StatusCode);
        await ApproveAsync("350200", "retire");
    }

    private static JsonObject Adoption(int version, params JsonObject[] changes) => new()
    {
        ["adopts"] = new JsonObject { ["tenant"] = "fujian.xiamen", ["code"] = "retire", ["version"] = version },
        ["changes"] = new JsonArray(changes.Select(c => (JsonNode)c).ToArray()),
    };

    [Fact]
    public async Task AStandardIsListedWithItsVersionsAndLocks()
    {
        await PublishStandardAsync();
        var templates = await (await _client.GetAsync("/api/t/fujian.xiamen/templates")).JsonAsync();
        var retire = Assert.Single(templates["items"]!.AsArray(), t => (string?)t!["code"] == "retire")!;
        Assert.Equal(1, (int)retire["latestVersion"]!);
        Assert.Equal(["/leadDepartment"], retire["locked"]!.AsArray().Select(l => (string)l!));
        Assert.Empty((await (await _client.GetAsync("/api/t/350205/templates")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task AnOverlayBreakingTheStandardsRulesIsA422ListingEachChange()
    {
        await PublishStandardAsync();
        var response = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Adoption(1,
            new JsonObject { ["op"] = "setContact", ["contact"] = "12345" },
            new JsonObject { ["op"] = "setLeadDepartment", ["department"] = "human-resources-social-security" },
            new JsonObject { ["op"] = "shortenPromisedDays", ["days"] = 30 },
            new JsonObject { ["op"] = "markNotApplicable", ["matter"] = "pension" },
            new JsonObject { ["op"] = "setMatterDepartment", ["matter"] = "nowhere", ["department"] = "x" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.JsonAsync();
        var errors = problem["errors"]!.AsArray().Select(e => ((string)e!["pointer"]!, (string)e["rule"]!)).ToList();
        Assert.Contains(("/changes/1", "locked"), errors);
        Assert.Contains(("/changes/2", "longer-time-limit"), errors);
        Assert.Contains(("/changes/3", "required-matter"), errors);
        Assert.Contains(errors, e => e.Item1 == "/changes/4");
        Assert.DoesNotContain(errors, e => e.Item1 == "/changes/0");
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/bundles/retire/draft")).StatusCode);

        var notAbove = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/fujian/bundles", new JsonObject
        {
            ["adopts"] = new JsonObject { ["tenant"] = "fujian.xiamen.siming", ["code"] = "retire", ["version"] = 1 },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notAbove.StatusCode);
        Assert.Contains("/adopts/tenant", await notAbove.ErrorPlacesAsync());
    }

    [Fact]
    public async Task AnAdopterIsBehindRebasesMeetsAConflictAndResolvesIt()
    {
        await PublishStandardAsync();
        var adopted = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Adoption(1,
            new JsonObject { ["op"] = "setGuideText", ["text"] = "思明区指南" },
            new JsonObject { ["op"] = "shortenPromisedDays", ["days"] = 15 },
            new JsonObject { ["op"] = "markNotApplicable", ["matter"] = "housing-fund" }));
        Assert.Equal(HttpStatusCode.Created, adopted.StatusCode);

        var effective = await (await _client.GetAsync("/api/t/350203/bundles/retire/draft/effective")).JsonAsync();
        Assert.Equal(15, (int)effective["promisedDays"]!);
        Assert.DoesNotContain(effective["matters"]!.AsArray(), m => (string?)m!["code"] == "housing-fund");
        Assert.Equal("human-resources-social-security", (string?)effective["leadDepartment"]);

        var templateDiff = await (await _client.GetAsync("/api/t/350203/bundles/retire/draft/diff?against=template")).JsonAsync();
        var pointers = templateDiff["standard"]!["differences"]!.AsArray().Select(d => (string)d!["pointer"]!).ToList();
        Assert.Contains("/guideText", pointers);
        Assert.Contains("/promisedDays", pointers);
        await ApproveAsync("350203", "retire");

        var matrix = await (await _client.GetAsync("/api/t/fujian.xiamen/templates/retire/adoptions")).JsonAsync();
        var siming = Assert.Single(matrix["items"]!.AsArray())!;
        Assert.Equal(("fujian.xiamen.siming", 1, 0, 3), ((string)siming["tenant"]!, (int)siming["adoptedVersion"]!, (int)siming["behind"]!, (int)siming["localChanges"]!));

        // Xiamen changes its guide text: a new version; Siming is now one behind and sees what changed.
        var standardDraft = await _client.GetAsync("/api/t/350200/bundles/retire/draft");
        Assert.Equal(HttpStatusCode.OK, (await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350200/bundles/retire/draft", Standard("厦门市统一指南（2026年版）", "/leadDepartment"), standardDraft.ETag())).StatusCode);
        await ApproveAsync("350200", "retire");

        var live = await (await _client.GetAsync("/api/t/350203/bundles/retire/diff")).JsonAsync();
        Assert.Equal(1, (int)live["standard"]!["behind"]!);
        Assert.Contains(live["standard"]!["standardChangedSince"]!.AsArray(), d => (string?)d!["pointer"] == "/guideText");
        Assert.Equal(1, (int)(await (await _client.GetAsync("/api/t/fujian.xiamen/templates/retire/adoptions")).JsonAsync())["items"]![0]!["behind"]!);

        // The same, in one call for every live bundle of Siming and for every standard Xiamen and those above it offer.
        var standing = (await (await _client.GetAsync("/api/t/350203/live-standing")).JsonAsync())["items"]!.AsArray().Single(i => (string?)i!["code"] == "retire")!;
        Assert.Equal(("fujian.xiamen", "retire", 1, 2, 1), ((string)standing["adopts"]!["tenant"]!, (string)standing["adopts"]!["code"]!, (int)standing["adopts"]!["version"]!,
            (int)standing["latestStandardVersion"]!, (int)standing["behind"]!));
        var xiamen = await (await _client.GetAsync("/api/t/350200/adoption-matrix")).JsonAsync();
        Assert.Equal("fujian.xiamen", (string?)xiamen["tenant"]);
        var retire = xiamen["standards"]!.AsArray().Single(s => (string?)s!["standard"]!["code"] == "retire")!;
        Assert.Equal(("fujian.xiamen", 2, "[1,2]"), ((string)retire["standard"]!["tenant"]!, (int)retire["standard"]!["version"]!, retire["versions"]!.ToJsonString()));
        var adopter = Assert.Single(retire["adoptions"]!.AsArray())!;
        Assert.Equal(("fujian.xiamen.siming", 1, 1, 3), ((string)adopter["tenant"]!, (int)adopter["adoptedVersion"]!, (int)adopter["behind"]!, (int)adopter["localChanges"]!));
        // Its own standards come first, then those of the regions above it, nearest first; Fujian's matrix does not hold Xiamen's.
        var offerors = xiamen["standards"]!.AsArray().Select(s => (string)s!["standard"]!["tenant"]!).Distinct().ToList();
        Assert.Equal("fujian.xiamen", offerors[0]);
        Assert.Equal("national", offerors[^1]);
        Assert.DoesNotContain((await (await _client.GetAsync("/api/t/fujian/adoption-matrix")).JsonAsync())["standards"]!.AsArray(),
            s => (string?)s!["standard"]!["tenant"] == "fujian.xiamen");
        // Siming has no region below it: its matrix lists what it may adopt, adopted by nobody below.
        Assert.All((await (await _client.GetAsync("/api/t/350203/adoption-matrix")).JsonAsync())["standards"]!.AsArray(), s => Assert.Empty(s!["adoptions"]!.AsArray()));

        var draft = await _client.GetAsync("/api/t/350203/bundles/retire/draft");
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles/retire/draft/rebase", new { version = 2 })).StatusCode);
        var rebased = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles/retire/draft/rebase", new { version = 2 }, draft.ETag());
        Assert.Equal(HttpStatusCode.OK, rebased.StatusCode);
        var result = await rebased.JsonAsync();
        var conflict = Assert.Single(result["conflicts"]!.AsArray())!;
        Assert.Equal("/guideText", (string?)conflict["target"]);
        Assert.Equal(2, (int)result["draft"]!["document"]!["adopts"]!["version"]!);
        Assert.Equal(2, result["draft"]!["document"]!["changes"]!.AsArray().Count);

        // With a conflict unresolved, the draft cannot be submitted.
        var submit = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles/retire/draft/submit", ifMatch: rebased.ETag());
        Assert.Equal(HttpStatusCode.Conflict, submit.StatusCode);

        // The editor keeps the standard's new text (saves the rebased document as it is), then approves.
        var saved = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/bundles/retire/draft", result["draft"]!["document"]!, rebased.ETag());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Empty((await saved.JsonAsync())["conflicts"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await _client.SubmitAndApproveAsync("/api/t/350203/bundles/retire/draft", saved.ETag())).StatusCode);

        var after = await (await _client.GetAsync("/api/t/fujian.xiamen/templates/retire/adoptions")).JsonAsync();
        Assert.Equal((2, 0, 2), ((int)after["items"]![0]!["adoptedVersion"]!, (int)after["items"]![0]!["behind"]!, (int)after["items"]![0]!["localChanges"]!));
        Assert.Equal("厦门市统一指南（2026年版）", (string?)(await (await _client.GetAsync("/api/t/350203/bundles/retire")).JsonAsync())["guideText"]!["zh"]);
    }

    [Fact]
    public async Task ALiveBundleSaysWhenAMatterChangedSinceItsApproval()
    {
        var before = await (await _client.GetAsync("/api/t/350205/bundles/enrolment/diff")).JsonAsync();
        Assert.Empty(before["mattersChangedSinceApproval"]!.AsArray());

        var matter = await (await _client.GetAsync("/api/t/350205/matters/vaccination-check")).JsonAsync();
        matter["promisedDays"] = 3;
        Assert.Equal(HttpStatusCode.OK, (await _client.ReviseMatterAsync("350205", matter)).StatusCode);

        var after = await (await _client.GetAsync("/api/t/350205/bundles/enrolment/diff")).JsonAsync();
        Assert.Equal(["vaccination-check"], after["mattersChangedSinceApproval"]!.AsArray().Select(c => (string)c!));

        // The live standing says it of every live bundle at once — to those who may read the drafts, and to nobody else.
        var standing = (await (await _client.GetAsync("/api/t/350205/live-standing?limit=500")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(["enrolment"], standing.Where(i => i!["mattersChangedSinceApproval"]!.AsArray().Count > 0).Select(i => (string)i!["code"]!));
        using var anonymous = _app.CreateClient();
        var public_ = (await (await anonymous.GetAsync("/api/t/350205/live-standing?limit=500")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(standing.Count, public_.Count);
        Assert.All(public_, i => Assert.Null(i!["mattersChangedSinceApproval"]));
    }

    [Fact]
    public async Task ChangingAMatterChangesTheBundlesThatUseItAndLeavesEveryOtherAsItWas()
    {
        await PublishStandardAsync();
        const string standard = "/api/t/350200/bundles/retire/draft/effective";
        const string unrelated = "/api/t/350205/bundles/enrolment/draft/effective";
        var standardBefore = await _client.GetByteArrayAsync(standard);
        var unrelatedBefore = await _client.GetByteArrayAsync(unrelated);
        Assert.Equal(standardBefore, await _client.GetByteArrayAsync(standard));

        var read = await _client.GetAsync("/api/t/350200/matters/medical");
        var matter = await read.JsonAsync();
        var days = (int)matter["promisedDays"]!;
        matter["promisedDays"] = days - 1;
        Assert.Equal(HttpStatusCode.OK, (await _client.ReviseMatterAsync("350200", matter)).StatusCode);

        // The bundle that uses the matter shows it changed — read twice, the same — and one that does not is byte for byte as it was.
        var standardAfter = await _client.GetByteArrayAsync(standard);
        Assert.NotEqual(standardBefore, standardAfter);
        Assert.Equal(standardAfter, await _client.GetByteArrayAsync(standard));
        Assert.Equal(days - 1, (int)JsonNode.Parse(standardAfter)!["matters"]!.AsArray().Single(m => (string?)m!["code"] == "medical")!["promisedDays"]!);
        Assert.Equal(unrelatedBefore, await _client.GetByteArrayAsync(unrelated));
    }
}

public sealed class TemplatesApiTestsOnSqlite() : TemplatesApiTests(Provider.Sqlite);

public sealed class TemplatesApiTestsOnPostgres() : TemplatesApiTests(Provider.Postgres);
