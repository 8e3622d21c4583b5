using System.Net;
using System.Text.Json.Nodes;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>What anyone reads: a region's live bundles, one bundle with its ETag, its guide and its versions.</summary>
public abstract class LiveBundlesApiTests(AppFixture fixture)
{
    private static readonly string[] ArticleMaterials =
        ["family-planning", "health-card", "household-register", "id-card", "physical-exam", "property-certificate", "social-insurance", "vaccination-record"];

    private HttpClient Client => fixture.Client;

    private async Task<List<JsonNode>> AllItemsAsync(string url)
    {
        var items = new List<JsonNode>();
        string? next = null;
        do
        {
            var page = await (await Client.GetAsync(next is null ? url : $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}cursor={next}")).JsonAsync();
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            next = (string?)page["next"];
        }
        while (next is not null);
        return items;
    }

    [Fact]
    public async Task ARegionListsItsLiveBundlesWithTheirSummaries()
    {
        var items = await AllItemsAsync("/api/t/350205/bundles");
        var enrolment = Assert.Single(items, i => (string?)i["summary"]!["code"] == "enrolment");
        Assert.Equal(1, (int)enrolment["version"]!);
        Assert.Equal("入园入学一件事", (string?)enrolment["summary"]!["name"]!["zh"]);
        Assert.Equal("personal", (string?)enrolment["summary"]!["audience"]);
        var reductions = enrolment["summary"]!["reductions"]!;
        Assert.True((int)reductions["before"]!["materials"]! > (int)reductions["after"]!["materials"]!);
        Assert.True((int)enrolment["summary"]!["reductions"]!["before"]!["trips"]! > (int)enrolment["summary"]!["reductions"]!["after"]!["trips"]!);
    }

    [Theory]
    [InlineData("?audience=personal", true)]
    [InlineData("?audience=enterprise", false)]
    [InlineData("?theme=schooling", true)]
    [InlineData("?theme=retirement", false)]
    [InlineData("?q=入学", true)]
    [InlineData("?q=ENROLMENT", true)]
    [InlineData("?q=不存在的词", false)]
    [InlineData("?audience=personal&theme=schooling&q=入园&limit=1", true)]
    public async Task FiltersSelectTheBundles(string query, bool listsEnrolment)
    {
        var items = await AllItemsAsync("/api/t/fujian.xiamen.haicang/bundles" + query);
        Assert.Equal(listsEnrolment, items.Any(i => (string?)i["summary"]!["code"] == "enrolment"));
    }

    [Theory]
    [InlineData("?audience=everyone", "audience")]
    [InlineData("?theme=moon", "theme")]
    [InlineData("?limit=9999", "limit")]
    public async Task BadFiltersAreA422NamingTheParameter(string query, string parameter)
    {
        var response = await Client.GetAsync("/api/t/350205/bundles" + query);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(parameter, await response.ErrorPlacesAsync());
    }

    [Fact]
    public async Task ALiveBundleHasAStrongETagAnd304OnIfNoneMatch()
    {
        var first = await Client.GetAsync("/api/t/350205/bundles/enrolment");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.ETag();
        Assert.False(first.Headers.ETag!.IsWeak);
        var bytes = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes, await Client.GetByteArrayAsync("/api/t/fujian.xiamen.haicang/bundles/enrolment"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/t/350205/bundles/enrolment");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var notModified = await Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/api/t/350205/bundles/enrolment");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"something-else\"");
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task AnApprovedVersionIsImmutableAndIsWhatIsLive()
    {
        var versions = await (await Client.GetAsync("/api/t/350205/bundles/enrolment/versions")).JsonAsync();
        var latest = versions["items"]!.AsArray().Last()!;
        var response = await Client.GetAsync($"/api/t/350205/bundles/enrolment/versions/{(int)latest["version"]!}");
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(await Client.GetByteArrayAsync("/api/t/350205/bundles/enrolment"), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/t/350205/bundles/enrolment/versions/999")).StatusCode);
    }

    [Fact]
    public async Task ABundleOfOneRegionIsNotFoundInAnother()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/t/fujian.xiamen.siming/bundles/enrolment")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.SendJsonAsync(HttpMethod.Post, "/api/t/350203/bundles/enrolment/guide", new { answers = new { guide = "haicang-hukou" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/t/nowhere/bundles/enrolment")).StatusCode);
    }

    [Fact]
    public async Task InTheHaicangHukouGuideEveryMaterialIsFetchedAndNothingIsBrought()
    {
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/guide", new { answers = new { guide = "haicang-hukou" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var guide = await response.JsonAsync();
        Assert.Empty(guide["bring"]!.AsArray());
        var fetched = guide["fetchedForYou"]!.AsArray();
        Assert.Equal(ArticleMaterials, fetched.Select(m => (string)m!["code"]!).Order(StringComparer.Ordinal));
        Assert.All(fetched, m => Assert.False(string.IsNullOrEmpty((string?)m!["source"]!["department"])));
        Assert.Equal(0, (int)guide["trips"]!);
        Assert.Equal(["primary-school-enrolment", "vaccination-check"], guide["matters"]!.AsArray().Select(m => (string)m!["code"]!));
        Assert.NotNull(guide["matters"]![0]!["why"]);
    }

    [Fact]
    public async Task ChildrenFromOutsideTheMainlandBringTheDocumentsNoRegisterHolds()
    {
        var guide = await (await Client.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/guide", new { answers = new { guide = "hmt-foreign" } })).JsonAsync();
        Assert.Equal(["travel-permit"], guide["bring"]!.AsArray().Select(m => (string)m!["code"]!));
        var fetched = guide["fetchedForYou"]!.AsArray().Select(m => (string)m!["code"]!).ToList();
        Assert.DoesNotContain("household-register", fetched);
        Assert.DoesNotContain("family-planning", fetched);
        Assert.Equal(1, (int)guide["trips"]!);
    }

    [Theory]
    [InlineData("""{"answers":{"colour":"red"}}""", "/answers/colour")]
    [InlineData("""{"answers":{"guide":"moon"}}""", "/answers/guide")]
    [InlineData("""{"answers":{}}""", "/answers/guide")]
    [InlineData("""{"answers":{"guide":3}}""", "/answers/guide")]
    public async Task BadAnswersAreA422NamingTheQuestion(string body, string pointer)
    {
        var response = await Client.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/guide", body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(pointer, await response.ErrorPlacesAsync());
    }
}

public sealed class LiveBundlesApiTestsOnSqlite(SqliteAppFixture fixture) : LiveBundlesApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class LiveBundlesApiTestsOnPostgres(PostgresAppFixture fixture) : LiveBundlesApiTests(fixture), IClassFixture<PostgresAppFixture>;
