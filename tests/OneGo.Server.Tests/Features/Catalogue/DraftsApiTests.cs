using System.Net;
using System.Text.Json.Nodes;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>A district officer's writes: matters, bundle drafts with If-Match, approval into a live version.</summary>
public abstract class DraftsApiTests(Provider provider) : IAsyncLifetime
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

    private static JsonObject Matter(string code, string department = "civil-affairs") => new()
    {
        ["code"] = code,
        ["name"] = new JsonObject { ["zh"] = "测试事项 " + code, ["en"] = "Test matter " + code },
        ["department"] = department,
        ["kind"] = "publicService",
        ["promisedDays"] = 5,
        ["tripsAlone"] = 1,
        ["materials"] = new JsonArray(new JsonObject { ["code"] = "id-card", ["name"] = "身份证", ["kind"] = "certificate" }),
    };

    private static JsonObject Bundle(string code, params string[] matters) => new()
    {
        ["definition"] = new JsonObject
        {
            ["code"] = code,
            ["name"] = "测试一件事",
            ["audience"] = "personal",
            ["theme"] = "other",
            ["leadDepartment"] = "civil-affairs",
            ["matters"] = new JsonArray(matters.Select(m => (JsonNode)new JsonObject { ["code"] = m }).ToArray()),
        },
    };

    private async Task CreateMattersAsync(params string[] codes)
    {
        foreach (var code in codes)
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.ReviseMatterAsync("350203", Matter(code))).StatusCode);
        }
    }

    [Fact]
    public async Task AMatterIsCreatedThenChangedOnlyWithTheETagOfWhatWasRead()
    {
        var created = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m1/draft", Matter("m1"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/t/fujian.xiamen.siming/matters/m1/draft", created.Headers.Location!.OriginalString);
        var etag = created.ETag();

        var read = await _client.GetAsync("/api/t/fujian.xiamen.siming/matters/m1/draft");
        Assert.Equal(etag, read.ETag());
        // Nothing of a new matter is live before a reviewer approves it.
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/matters/m1")).StatusCode);

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m1/draft", Matter("m1", "education"))).StatusCode);
        var changed = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m1/draft", Matter("m1", "health"), etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.ETag());

        // A second writer holding the first ETag is refused, and what the first wrote stays.
        var stale = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m1/draft", Matter("m1", "market-regulation"), etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("health", (string?)(await (await _client.GetAsync("/api/t/350203/matters/m1/draft")).JsonAsync())["document"]!["department"]);

        // Approved, it is the live revision, with the ETag of its bytes.
        Assert.Equal(HttpStatusCode.OK, (await _client.SubmitAndApproveAsync("/api/t/350203/matters/m1/draft", changed.ETag())).StatusCode);
        var live = await _client.GetAsync("/api/t/350203/matters/m1");
        Assert.Equal("health", (string?)(await live.JsonAsync())["department"]);
        var listed = (await (await _client.GetAsync("/api/t/350203/matters?limit=500")).JsonAsync())["items"]!.AsArray().Single(m => (string?)m!["code"] == "m1")!;
        Assert.Equal((live.ETag(), 1), ((string?)listed["eTag"], (int)listed["revision"]!));
        // The list names the department as Siming lists it; the document by its code.
        Assert.Equal(("health", "厦门市思明区卫生健康局"), ((string?)listed["department"], (string?)listed["departmentName"]));
    }

    [Fact]
    public async Task ADepartmentOutOfTheRegionsReachIsRefusedAtItsPointerAndNothingIsSaved()
    {
        // Haicang lists an administrative approval bureau; Siming, beside it, does not, and neither do Xiamen or national.
        var matter = Matter("m2", "administrative-approval");
        matter["materials"]![0]!["source"] = new JsonObject { ["kind"] = "dataSharing", ["department"] = "police", ["dataset"] = "人口基础信息" };
        var refused = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m2/draft", matter);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var errors = (await refused.JsonAsync())["errors"]!.AsArray();
        Assert.Equal(["/department", "/materials/id-card/source/department"], errors.Select(e => (string)e!["pointer"]!).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.Equal("unknown-department", (string?)e!["rule"]));
        Assert.Contains("思明区 (fujian.xiamen.siming)", (string?)errors[0]!["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/matters/m2/draft")).StatusCode);
    }

    [Fact]
    public async Task TheOldInPlaceMatterWriteIsRefusedAndSaysWhereTheWorkingCopyIs()
    {
        var response = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m1", Matter("m1"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("/api/t/fujian.xiamen.siming/matters/m1/draft", (string?)(await response.JsonAsync())["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/matters/m1/draft")).StatusCode);
    }

    [Fact]
    public async Task AnInvalidMatterIsA422WithPointersAndChangesNothing()
    {
        var matter = Matter("m2");
        matter.Remove("department");
        matter["materials"] = new JsonArray();
        matter["promisedDays"] = -1;
        var response = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m2/draft", matter);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var places = await response.ErrorPlacesAsync();
        Assert.Contains("/department", places);
        Assert.Contains("/materials", places);
        Assert.Contains("/promisedDays", places);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/matters/m2/draft")).StatusCode);

        var unknownField = Matter("m2");
        unknownField["colour"] = "red";
        var shape = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/matters/m2/draft", unknownField);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, shape.StatusCode);
        Assert.Equal(["/colour"], await shape.ErrorPlacesAsync());
    }

    [Fact]
    public async Task ABundleIsCreatedWith201AndADuplicateCodeIs409()
    {
        await CreateMattersAsync("a", "b");
        var created = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Bundle("test", "a", "b"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/t/fujian.xiamen.siming/bundles/test/draft", created.Headers.Location!.OriginalString);
        Assert.Equal("draft", (string?)(await created.JsonAsync())["state"]);

        Assert.Equal(HttpStatusCode.Conflict, (await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Bundle("test", "a", "b"))).StatusCode);
        // The same code in another region is another bundle.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles", Bundle("test", "a", "b"))).StatusCode);
    }

    [Fact]
    public async Task AnInvalidBundleIsA422PointingAtTheMatterByCode()
    {
        await CreateMattersAsync("a");
        var response = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Bundle("test", "a", "nowhere"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("/definition/matters/nowhere", await response.ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/bundles/test/draft")).StatusCode);
    }

    [Fact]
    public async Task DraftWritesNeedIfMatchAndAStaleOneLosesNothing()
    {
        await CreateMattersAsync("a", "b", "c");
        var created = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Bundle("test", "a", "b"));
        var etag = created.ETag();

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/bundles/test/draft", Bundle("test", "a", "b", "c"))).StatusCode);
        var first = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/bundles/test/draft", Bundle("test", "a", "b", "c"), etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var second = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/bundles/test/draft", Bundle("test", "a", "c"), etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);

        var draft = await (await _client.GetAsync("/api/t/350203/bundles/test/draft")).JsonAsync();
        Assert.Equal(3, draft["document"]!["definition"]!["matters"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350203/bundles/none/draft", Bundle("none", "a", "b"), etag)).StatusCode);
    }

    [Fact]
    public async Task ApprovingADraftMakesItLiveAsANewVersion()
    {
        await CreateMattersAsync("a", "b");
        var created = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles", Bundle("test", "a", "b"));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/t/350203/bundles/test")).StatusCode);

        var effective = await _client.GetAsync("/api/t/350203/bundles/test/draft/effective");
        Assert.Equal(HttpStatusCode.OK, effective.StatusCode);

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles/test/draft/submit")).StatusCode);
        var approved = await _client.SubmitAndApproveAsync("/api/t/350203/bundles/test/draft", created.ETag());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(1, (int)(await approved.JsonAsync())["version"]!);

        var live = await _client.GetAsync("/api/t/350203/bundles/test");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(await effective.Content.ReadAsByteArrayAsync(), await live.Content.ReadAsByteArrayAsync());

        var draft = await _client.GetAsync("/api/t/350203/bundles/test/draft");
        Assert.Equal("approved", (string?)(await draft.JsonAsync())["state"]);
        var again = await _client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles/test/draft/approve", ifMatch: draft.ETag());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task SwitchingOneSharedMaterialToBringItRaisesMaterialsAndTripsOnceApproved()
    {
        static async Task<JsonNode> HukouGuideAsync(HttpClient client) =>
            await (await client.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/guide", new { answers = new { guide = "haicang-hukou" } })).JsonAsync();

        var before = await HukouGuideAsync(_client);
        Assert.Empty(before["bring"]!.AsArray());
        Assert.Equal(0, (int)before["trips"]!);

        // The property certificate is no longer shared by the natural-resources bureau: the applicant brings it.
        var read = await _client.GetAsync("/api/t/350205/matters/primary-school-enrolment");
        var matter = await read.JsonAsync();
        var property = matter["materials"]!.AsArray().Single(m => (string?)m!["code"] == "property-certificate")!;
        property["source"] = new JsonObject { ["kind"] = "applicant" };
        Assert.Equal(HttpStatusCode.OK, (await _client.ReviseMatterAsync("350205", matter)).StatusCode);

        // The live version embeds the matter as approved: nothing changes until a new version is approved.
        Assert.Empty((await HukouGuideAsync(_client))["bring"]!.AsArray());

        var draft = await _client.GetAsync("/api/t/350205/bundles/enrolment/draft");
        var document = (await draft.JsonAsync())["document"]!;
        var saved = await _client.SendJsonAsync(HttpMethod.Put, "/api/t/350205/bundles/enrolment/draft", document, draft.ETag());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.SubmitAndApproveAsync("/api/t/350205/bundles/enrolment/draft", saved.ETag())).StatusCode);

        var after = await HukouGuideAsync(_client);
        Assert.Equal(["property-certificate"], after["bring"]!.AsArray().Select(m => (string)m!["code"]!));
        Assert.Equal(1, (int)after["trips"]!);
        Assert.True((int)after["reductions"]!["after"]!["materials"]! > (int)before["reductions"]!["after"]!["materials"]!);
        Assert.Equal(2, (int)(await (await _client.GetAsync("/api/t/350205/bundles/enrolment/versions")).JsonAsync())["items"]!.AsArray().Last()!["version"]!);
    }
}

public sealed class DraftsApiTestsOnSqlite() : DraftsApiTests(Provider.Sqlite);

public sealed class DraftsApiTestsOnPostgres() : DraftsApiTests(Provider.Postgres);
