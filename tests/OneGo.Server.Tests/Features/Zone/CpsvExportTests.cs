using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// One OneGo host whose zone holds every live bundle of the repository's <c>tenants/</c>: each region published once,
/// as "publish now" does. The export's IRIs live under <see cref="BaseUri"/>. The tests only read.
/// </summary>
public abstract class CpsvFixture : IAsyncLifetime
{
    public const string BaseUri = "https://onego.example.gov.cn/id/";

    protected abstract Provider Provider { get; }

    public OneGoApp App { get; private set; } = null!;

    /// <summary>Nobody signed in.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>An integration with <c>zone.read</c>.</summary>
    public HttpClient Reader { get; private set; } = null!;

    /// <summary>Every live bundle as its region lists it: <c>tenant/code</c>.</summary>
    public IReadOnlyList<string> Live { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var database = await TestDatabase.CreateAsync(Provider);
        App = new OneGoApp(database, settings: new Dictionary<string, string?> { ["Zone:Cpsv:BaseUri"] = BaseUri });
        Anonymous = App.CreateClient();
        var regions = (await (await Anonymous.GetAsync("/api/tenants?limit=500")).JsonAsync())["items"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
        var live = new List<string>();
        foreach (var region in regions)
        {
            await using (var scope = App.Services.CreateAsyncScope())
            {
                var publisher = scope.ServiceProvider.GetRequiredService<ZonePublisher>();
                var (queued, _) = await publisher.QueueAsync(region, "manual", "tests", CancellationToken.None);
                Assert.Equal(RunStatus.Succeeded, (await publisher.RunAsync(region, queued.Id, CancellationToken.None)).Status);
            }

            var bundles = await (await Anonymous.GetAsync($"/api/t/{region}/bundles?limit=500")).JsonAsync();
            Assert.Null(bundles["next"]);
            live.AddRange(bundles["items"]!.AsArray().Select(b => $"{region}/{b!["summary"]!["code"]}"));
        }

        Live = live;
        Reader = App.CreateClient();
        Reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.RequestAsync(Reader, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope));
    }

    public async Task DisposeAsync()
    {
        Anonymous.Dispose();
        Reader.Dispose();
        await App.DisposeAsync();
        await App.Database.DisposeAsync();
    }
}

public sealed class SqliteCpsvFixture : CpsvFixture
{
    protected override Provider Provider => Provider.Sqlite;
}

public sealed class PostgresCpsvFixture : CpsvFixture
{
    protected override Provider Provider => Provider.Postgres;
}

/// <summary>
/// The zone in CPSV-AP 3.2.0: <c>GET /api/zone/cpsv</c>, public and paged, conforms to the profile's SHACL shapes for
/// every live bundle of the repository; a publication answers <c>Accept: application/ld+json</c>.
/// </summary>
public abstract class CpsvExportTests(CpsvFixture fixture, ITestOutputHelper output)
{
    private const string Context = "https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld";
    private const string Title = "http://purl.org/dc/terms/title";
    private const string PublicService = "http://purl.org/vocab/cpsv#PublicService";

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Every page of the export from <paramref name="url"/> on, as the server sent them.</summary>
    private async Task<List<string>> PagesAsync(string url)
    {
        var pages = new List<string>();
        string? next = null;
        do
        {
            var response = await GetAsync(fixture.Anonymous, next is null ? url : $"{url}&cursor={next}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            pages.Add(text);
            next = (string?)JsonNode.Parse(text)!["next"];
        }
        while (next is not null);
        return pages;
    }

    private static List<JsonObject> Items(IEnumerable<string> pages) =>
        pages.SelectMany(p => JsonNode.Parse(p)!["@graph"]!.AsArray().Select(i => i!.AsObject())).ToList();

    private static string Key(JsonObject service) => (string)service["PublicService.identifier"]!;

    [Fact]
    public async Task EveryLiveBundleOfTheRepositoryIsExportedAndConformsToCpsvAp()
    {
        var pages = await PagesAsync("/api/zone/cpsv?limit=100");
        var services = Items(pages);
        Assert.Equal(fixture.Live.Order(StringComparer.Ordinal), services.Select(Key).Order(StringComparer.Ordinal));
        Assert.All(pages, p => Assert.Equal(Context, (string?)JsonNode.Parse(p)!["@context"]));
        Assert.All(services, s => Assert.StartsWith(CpsvFixture.BaseUri + "regions/", (string?)s["@id"], StringComparison.Ordinal));

        var report = await Shacl.ValidateAsync(pages);
        output.WriteLine($"CPSV-AP export: {services.Count} bundles on {pages.Count} pages, {report.Types[PublicService]} public services "
                         + $"(bundles and their matters), {report.Triples} triples, {report.Violations.Count} violations");
        Assert.Empty(report.Violations.Select(v => $"{v.FocusNode} {v.Path} {v.Constraint}: {v.Message}"));
        Assert.True(report.Conforms);
        Assert.True(report.Types[PublicService] > services.Count, "The bundles' matters are public services too.");
    }

    [Fact]
    public async Task AServiceWithoutItsNameIsAViolationTheShapesName()
    {
        var page = JsonNode.Parse(await (await GetAsync(fixture.Anonymous, "/api/zone/cpsv?region=350205&limit=1")).Content.ReadAsStringAsync())!;
        var service = page["@graph"]![0]!.AsObject();
        Assert.True((await Shacl.ValidateAsync([page.ToJsonString()])).Conforms);

        service.Remove("PublicService.name");
        var report = await Shacl.ValidateAsync([page.ToJsonString()]);
        Assert.False(report.Conforms);
        var violation = Assert.Single(report.Violations);
        Assert.Equal(((string)service["@id"]!, Title, "http://www.w3.org/ns/shacl#MinCountConstraintComponent"),
            (violation.FocusNode, violation.Path, violation.Constraint));
        Assert.Contains("PublicServiceShape", violation.Shape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheExportIsPagedToTheEndOverARegionAndEverythingBelowIt()
    {
        var pages = await PagesAsync("/api/zone/cpsv?region=350000&limit=3");
        var services = Items(pages);
        Assert.All(pages, p => Assert.InRange(JsonNode.Parse(p)!["@graph"]!.AsArray().Count, 1, 3));
        Assert.Null(JsonNode.Parse(pages[^1])!["next"]);
        Assert.Equal(services.Count, services.Select(Key).Distinct().Count());
        Assert.Equal(fixture.Live.Where(l => l.StartsWith("fujian", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            services.Select(Key).Order(StringComparer.Ordinal));
        Assert.True(pages.Count > 1, "Fujian has more than three live bundles.");

        // The zone's search and its export list the same bundles.
        var search = await (await fixture.Anonymous.GetAsync("/api/zone/bundles?region=fujian&limit=500")).JsonAsync();
        Assert.Equal(search["items"]!.AsArray().Select(i => $"{i!["tenant"]}/{i["code"]}").Order(StringComparer.Ordinal), services.Select(Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ABundleIsAPublicServiceGroupedByTheLifeOrBusinessEventOfItsAudience()
    {
        var page = await (await GetAsync(fixture.Anonymous, "/api/zone/cpsv?region=fujian.xiamen.haicang&limit=500")).JsonAsync();
        var services = page["@graph"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var enrolment = services.Single(s => Key(s) == "fujian.xiamen.haicang/enrolment");
        var live = await (await fixture.Anonymous.GetAsync("/api/t/350205/bundles/enrolment")).JsonAsync();
        Assert.Equal(CpsvFixture.BaseUri + "regions/fujian.xiamen.haicang/bundles/enrolment", (string?)enrolment["@id"]);
        Assert.Equal(["LifeEvent", "Event"], enrolment["PublicService.isGroupedBy"]![0]!["@type"]!.AsArray().Select(t => (string)t!));
        Assert.Equal($"P{live["promisedDays"]}D", (string?)enrolment["PublicService.processingTime"]);
        Assert.Contains("working days", enrolment["http://www.w3.org/2004/02/skos/core#note"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(enrolment["PublicService.name"]!.AsArray(), n => (string?)n!["@language"] == "zh" && (string?)n["@value"] == "入园入学一件事");

        // Its matters are related services, each with a competent authority; its materials are evidence.
        var matters = enrolment["PublicService.relatedService"]!.AsArray();
        // A matter is identified by its national codes when it has them: the region's implementation code, else the basic code it claims.
        Assert.Equal(live["matters"]!.AsArray().Select(m => (string)(m!["implementationCode"] ?? m["basicCode"] ?? m["code"])!),
            matters.Select(m => (string)m!["PublicService.identifier"]!));
        Assert.Contains(live["matters"]!.AsArray(), m => m!["implementationCode"] is not null);
        Assert.All(live["matters"]!.AsArray().Where(m => m!["implementationCode"] is not null), m => Assert.Contains(
            matters.Single(s => ((string)s!["@id"]!).EndsWith($"/matters/{m!["code"]}", StringComparison.Ordinal))!["http://www.w3.org/ns/adms#identifier"]!.AsArray(),
            i => (string?)i!["http://www.w3.org/2004/02/skos/core#notation"] == (string?)m!["implementationCode"]));
        Assert.All(matters, m => Assert.NotNull(m!["PublicService.hasCompetentAuthority"]));
        Assert.Equal(live["materials"]!.AsArray().Count, enrolment["PublicService.hasInput"]!.AsArray().Count);

        var enterprise = services.First(s => s["PublicService.addressee"]![0]!["@id"]!.ToString().EndsWith("/enterprise", StringComparison.Ordinal));
        Assert.Equal(["BusinessEvent", "Event"], enterprise["PublicService.isGroupedBy"]![0]!["@type"]!.AsArray().Select(t => (string)t!));
    }

    [Fact]
    public async Task AnyoneReadsTheExportAndAnUnknownRegionIs404()
    {
        var response = await GetAsync(fixture.Anonymous, "/api/zone/cpsv?region=350205&limit=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);

        var unknown = await GetAsync(fixture.Anonymous, "/api/zone/cpsv?region=999999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("999999", (string?)(await unknown.JsonAsync())["detail"], StringComparison.Ordinal);

        var badLimit = await GetAsync(fixture.Anonymous, "/api/zone/cpsv?limit=501");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badLimit.StatusCode);
        Assert.Equal(["limit"], await badLimit.ErrorPlacesAsync());
    }

    [Theory]
    [InlineData("text/turtle", HttpStatusCode.NotAcceptable, "application/problem+json")]
    [InlineData("text/html, application/xml;q=0.9", HttpStatusCode.NotAcceptable, "application/problem+json")]
    [InlineData("application/ld+json;q=0, text/html", HttpStatusCode.NotAcceptable, "application/problem+json")]
    [InlineData("application/json", HttpStatusCode.OK, "application/json")]
    [InlineData("text/html, */*;q=0.8", HttpStatusCode.OK, "application/ld+json")]
    [InlineData("application/json;q=0.5, application/ld+json", HttpStatusCode.OK, "application/ld+json")]
    public async Task TheExportAnswersWhatTheAcceptHeaderAllowsOr406(string accept, HttpStatusCode status, string mediaType)
    {
        var response = await GetAsync(fixture.Anonymous, "/api/zone/cpsv?region=350205&limit=1", accept);
        Assert.Equal((status, mediaType), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Contains("Accept", response.Headers.Vary);
        if (status == HttpStatusCode.OK)
        {
            Assert.Equal(Context, (string?)(await response.JsonAsync())["@context"]);
        }
    }

    [Fact]
    public async Task APublicationAnswersInCpsvApWhenAskedAndInJsonByDefault()
    {
        var search = await (await fixture.Anonymous.GetAsync("/api/zone/bundles?region=350205&limit=500")).JsonAsync();
        var id = (string)search["items"]!.AsArray().Single(i => (string?)i!["code"] == "enrolment")!["publication"]!;
        var url = $"/api/zone/publications/{id}";

        var json = await GetAsync(fixture.Reader, url);
        Assert.Equal((HttpStatusCode.OK, "application/json"), (json.StatusCode, json.Content.Headers.ContentType?.MediaType));
        Assert.Equal(id, (string?)(await json.JsonAsync())["id"]);

        var linked = await GetAsync(fixture.Reader, url, "application/ld+json");
        Assert.Equal((HttpStatusCode.OK, "application/ld+json"), (linked.StatusCode, linked.Content.Headers.ContentType?.MediaType));
        Assert.Contains("Accept", linked.Headers.Vary);
        Assert.Contains("immutable", linked.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(json.ETag(), linked.ETag());
        var text = await linked.Content.ReadAsStringAsync();
        var document = JsonNode.Parse(text)!;
        Assert.Equal(Context, (string?)document["@context"]);
        var service = Assert.Single(document["@graph"]!.AsArray())!;

        // The same description as the export's, and a conforming document on its own.
        var exported = (await (await GetAsync(fixture.Anonymous, "/api/zone/cpsv?region=fujian.xiamen.haicang&limit=500")).JsonAsync())["@graph"]!.AsArray()
            .Single(s => (string?)s!["@id"] == (string?)service["@id"])!;
        Assert.True(JsonNode.DeepEquals(exported, service));
        Assert.True((await Shacl.ValidateAsync([text])).Conforms);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.TryAddWithoutValidation("Accept", "application/ld+json");
        again.Headers.TryAddWithoutValidation("If-None-Match", linked.ETag());
        Assert.Equal(HttpStatusCode.NotModified, (await fixture.Reader.SendAsync(again)).StatusCode);

        var refused = await GetAsync(fixture.Reader, url, "text/turtle");
        Assert.Equal((HttpStatusCode.NotAcceptable, "application/problem+json"), (refused.StatusCode, refused.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(fixture.Reader, "/api/zone/publications/pub_none", "application/ld+json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(fixture.Anonymous, url, "application/ld+json")).StatusCode);
    }
}

public sealed class CpsvExportTestsOnSqlite(SqliteCpsvFixture fixture, ITestOutputHelper output) : CpsvExportTests(fixture, output), IClassFixture<SqliteCpsvFixture>;

public sealed class CpsvExportTestsOnPostgres(PostgresCpsvFixture fixture, ITestOutputHelper output) : CpsvExportTests(fixture, output), IClassFixture<PostgresCpsvFixture>;
