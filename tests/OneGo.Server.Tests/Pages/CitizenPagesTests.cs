using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Pages;

/// <summary>
/// The citizens' pages through the in-memory host: status codes, languages, and the same bundles and guides as the
/// API. The browser tests (tests/OneGo.Browser.Tests) drive the same pages in Chromium.
/// </summary>
public abstract class CitizenPagesTests(AppFixture fixture)
{
    // A client per test without a cookie jar: the language cookie of one test must not choose another's language.
    private HttpClient NewClient() => fixture.App.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    private static async Task<string> PageAsync(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode}, expected {(int)expected}\n{body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return body;
    }

    /// <summary>The markup of the element with this id, up to the end of the section or list it opens.</summary>
    private static string Part(string html, string id, string end = "</section>")
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no element with id {id}");
        var stop = html.IndexOf(end, start, StringComparison.Ordinal);
        return html[start..stop];
    }

    private static List<string> Codes(string html, string attribute) =>
        Regex.Matches(html, $"{attribute}=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public async Task TheHomePageOffersTheRegionTreeAndSearchesTheNationalZoneAcrossRegions()
    {
        using var client = NewClient();
        var home = await PageAsync(client, "/");
        Assert.Contains("<html lang=\"zh-CN\">", home, StringComparison.Ordinal);
        foreach (var province in (string[])["北京市", "江苏省", "浙江省", "福建省", "重庆市"])
        {
            Assert.Contains($"<summary>{province}</summary>", home, StringComparison.Ordinal);
        }

        Assert.Contains("href=\"/regions/fujian.xiamen.haicang\"", home, StringComparison.Ordinal);

        // The search is the national zone's: nothing is found before the regions publish, their live bundles after.
        var search = "/?q=" + Uri.EscapeDataString("入学");
        Assert.DoesNotContain("href=\"/regions/fujian.xiamen.haicang/bundles/enrolment\"", await PageAsync(client, search), StringComparison.Ordinal);
        foreach (var tenant in (string[])["national", "fujian.xiamen.haicang"])
        {
            using var admin = await fixture.App.AsAsync("admin", tenant);
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null)).StatusCode);
        }

        var everywhere = await Eventually.HoldsAsync(() => PageAsync(client, search),
            html => html.Contains("href=\"/regions/fujian.xiamen.haicang/bundles/enrolment\"", StringComparison.Ordinal) && html.Contains("href=\"/regions/national/", StringComparison.Ordinal),
            "Haicang's and national's runs to put their bundles in the zone");

        var inFujian = await PageAsync(client, "/?region=350000&q=" + Uri.EscapeDataString("入学"));
        Assert.Contains("href=\"/regions/fujian.xiamen.haicang/bundles/enrolment\"", inFujian, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/regions/national/", inFujian, StringComparison.Ordinal);
        Assert.Contains("<option value=\"fujian\" selected>", inFujian, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegionPageListsTheApisLiveBundlesForItsIdAndItsDivisionCodeAlike()
    {
        using var client = NewClient();
        var api = await (await client.GetAsync("/api/t/350205/bundles?limit=500")).JsonAsync();
        var codes = api["items"]!.AsArray().Select(i => (string)i!["summary"]!["code"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("enrolment", codes);

        foreach (var tenant in (string[])["350205", "fujian.xiamen.haicang"])
        {
            var page = await PageAsync(client, $"/regions/{tenant}");
            Assert.Contains("<h1>海沧区</h1>", page, StringComparison.Ordinal);
            var linked = Regex.Matches(page, "href=\"/regions/fujian\\.xiamen\\.haicang/bundles/([^\"]+)\"").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(codes, linked);
            Assert.Contains("id=\"personal-heading\">个人服务</h2>", page, StringComparison.Ordinal);
            Assert.Contains("id=\"enterprise-heading\">企业服务</h2>", page, StringComparison.Ordinal);
        }

        var enterprise = await PageAsync(client, "/regions/350205?audience=enterprise");
        Assert.DoesNotContain("bundles/enrolment\"", enterprise, StringComparison.Ordinal);
        Assert.Contains("bundles/enrolment\"", await PageAsync(client, "/regions/350205?theme=schooling&q=" + Uri.EscapeDataString("入园")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryProvinceLevelRegionIsOnTheHomePageAndARegionPageShowsItsCode()
    {
        using var client = NewClient();
        var home = await PageAsync(client, "/");
        foreach (var region in (string[])["shanghai", "xizang", "neimenggu", "bingtuan"])
        {
            Assert.Contains($"href=\"/regions/{region}\"", home, StringComparison.Ordinal);
        }

        Assert.Contains("<p class=\"lead\">区县 · 行政区划代码 350205 · ", await PageAsync(client, "/regions/fujian.xiamen.haicang"), StringComparison.Ordinal);
        // The Corps' code is the national platform's, not GB/T 2260's: the page says so wherever it shows it.
        Assert.Contains("代码 660000（非 GB/T 2260 行政区划代码，是国家政务服务平台为新疆生产建设兵团使用的代码）", await PageAsync(client, "/regions/bingtuan"), StringComparison.Ordinal);
        Assert.Contains("Code 660000 (not a GB/T 2260 code;", await PageAsync(client, "/regions/660000?lang=en"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownRegionIsA404PageWhileTheApiKeepsItsProblemDetails()
    {
        using var client = NewClient();
        var page = await PageAsync(client, "/regions/999999", HttpStatusCode.NotFound);
        Assert.Contains("<h1>没有这个地区</h1>", page, StringComparison.Ordinal);
        Assert.Contains("“999999”", page, StringComparison.Ordinal);
        var bundlePage = await PageAsync(client, "/regions/nowhere/bundles/enrolment", HttpStatusCode.NotFound);
        Assert.Contains("<h1>没有这个地区</h1>", bundlePage, StringComparison.Ordinal);
        // In English, the page is English throughout: its heading and message as well as its frame.
        var english = await PageAsync(client, "/regions/999999?lang=en", HttpStatusCode.NotFound);
        Assert.Contains("<h1>No such region</h1>", english, StringComparison.Ordinal);
        Assert.Contains("There is no region with the id or division code “999999”.", english, StringComparison.Ordinal);
        Assert.Contains("Back to the home page", english, StringComparison.Ordinal);

        var api = await client.GetAsync("/api/t/999999/bundles");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.MediaType()?.MediaType);
    }

    [Fact]
    public async Task AnUnknownBundleIsA404PageOfItsRegion()
    {
        using var client = NewClient();
        var page = await PageAsync(client, "/regions/350205/bundles/moon-landing", HttpStatusCode.NotFound);
        Assert.Contains("<h1>没有这件事</h1>", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/regions/fujian.xiamen.haicang\"", page, StringComparison.Ordinal);
        var english = await PageAsync(client, "/regions/350205/bundles/moon-landing?lang=en", HttpStatusCode.NotFound);
        Assert.Contains("<h1>No such service</h1>", english, StringComparison.Ordinal);
        Assert.Contains("offers no service “moon-landing” at present.", english, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("haicang-hukou")]
    [InlineData("hmt-foreign")]
    [InlineData("points")]
    public async Task TheGuideOnTheBundlePageIsTheApisGuide(string option)
    {
        using var client = NewClient();
        var guide = await (await client.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/guide",
            new JsonObject { ["answers"] = new JsonObject { ["guide"] = option } })).JsonAsync();
        var page = await PageAsync(client, $"/regions/350205/bundles/enrolment?answered=1&q.guide={option}");

        var sections = new Dictionary<string, string>
        {
            ["bring"] = "bring", ["fetched"] = "fetchedForYou", ["commitment"] = "byCommitment", ["issued"] = "issuedInBundle", ["later"] = "mayFollowLater",
        };
        foreach (var (id, property) in sections)
        {
            var expected = guide[property]!.AsArray().Select(m => (string)m!["code"]!).ToList();
            Assert.Equal(expected, Codes(Part(page, id), "data-material"));
        }

        Assert.Equal(guide["matters"]!.AsArray().Select(m => (string)m!["code"]!).ToList(), Codes(Part(page, "guide-matters", "</ul>"), "data-matter"));
        Assert.Contains($"data-fact=\"trips\" data-value=\"{(int)guide["trips"]!}\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-fact=\"days\" data-value=\"{(int)guide["promisedDays"]!}\"", page, StringComparison.Ordinal);
        // The guide names each source department by code; the page by the name the region (or the one above) lists.
        var departments = (await (await client.GetAsync("/api/t/350205/departments")).JsonAsync()).AsArray()
            .ToDictionary(d => (string)d!["code"]!, d => (string)d!["name"]!);
        foreach (var shared in guide["fetchedForYou"]!.AsArray())
        {
            Assert.Contains(departments[(string)shared!["source"]!["department"]!], Part(page, "fetched"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheBundlePageShowsExampleBesideEachIllustrativeTimeLimitAndTrips()
    {
        using var client = NewClient();
        var bundle = await (await client.GetAsync("/api/t/350205/bundles/enrolment")).JsonAsync();
        var table = Part(await PageAsync(client, "/regions/350205/bundles/enrolment"), "matters", "</table>");
        var marked = 0;
        foreach (var matter in bundle["matters"]!.AsArray())
        {
            var row = table[table.IndexOf($"<tr data-matter=\"{(string)matter!["code"]!}\"", StringComparison.Ordinal)..];
            row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
            var shown = (matter["illustrative"]?.AsArray().Select(f => (string)f!) ?? []).Count(f => f is "promisedDays" or "tripsAlone");
            Assert.Equal(shown, Regex.Count(row, "<span class=\"illustrative\" title=\"[^\"]+\">示例</span>"));
            marked += shown;
        }

        Assert.True(marked > 0, "no matter of Haicang's enrolment marks a value illustrative");
    }

    [Fact]
    public async Task TheBundlePageShowsItsMattersAndTheApisReductions()
    {
        using var client = NewClient();
        var bundle = await (await client.GetAsync("/api/t/350205/bundles/enrolment")).JsonAsync();
        var page = await PageAsync(client, "/regions/350205/bundles/enrolment");
        Assert.Equal(
            bundle["matters"]!.AsArray().Select(m => (string)m!["code"]!).Order(StringComparer.Ordinal).ToList(),
            Codes(Part(page, "matters", "</table>"), "data-matter").Order(StringComparer.Ordinal).ToList());
        foreach (var measure in (string[])["steps", "days", "materials", "trips"])
        {
            var before = (int)bundle["reductions"]!["before"]![measure]!;
            var after = (int)bundle["reductions"]!["after"]![measure]!;
            Assert.Contains($"data-measure=\"{measure}\" data-before=\"{before}\" data-after=\"{after}\"", Part(page, "reductions", "</figure>"), StringComparison.Ordinal);
        }

        // Not answered yet: the questionnaire, no guide.
        Assert.Contains("name=\"q.guide\" value=\"haicang-hukou\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"guide\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingOrUnknownAnswerIsA422WithItsMessageNextToTheQuestion()
    {
        using var client = NewClient();
        var missing = await PageAsync(client, "/regions/350205/bundles/enrolment?answered=1", HttpStatusCode.UnprocessableEntity);
        var question = Part(missing, "question-guide", "</fieldset>");
        Assert.Contains("aria-describedby=\"error-guide\"", question, StringComparison.Ordinal);
        Assert.Contains("<p class=\"error\" id=\"error-guide\">请回答这个问题：选择一项。</p>", question, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"guide-heading\"", missing, StringComparison.Ordinal);

        var unknown = await PageAsync(client, "/regions/350205/bundles/enrolment?answered=1&q.guide=moon&lang=en", HttpStatusCode.UnprocessableEntity);
        Assert.Contains("That answer is not one of this question", Part(unknown, "question-guide", "</fieldset>"), StringComparison.Ordinal);

        var notAsked = await PageAsync(client, "/regions/350205/bundles/enrolment?q.guide=haicang-hukou&q.planet=mars", HttpStatusCode.UnprocessableEntity);
        Assert.Contains("这件事不问“planet”", notAsked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnglishIsChosenByTheQueryAndRememberedByACookie()
    {
        using var client = NewClient();
        var response = await client.GetAsync("/regions/350205/bundles/enrolment?lang=en");
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.Contains("<h1>Kindergarten and school enrolment</h1>", page, StringComparison.Ordinal);
        Assert.Equal("en", Assert.Single(response.Content.Headers.ContentLanguage));
        // The switch leads back to Chinese, and departments written only in Chinese say so.
        Assert.Contains("href=\"/regions/350205/bundles/enrolment?lang=zh\" hreflang=\"zh-CN\" lang=\"zh-CN\">中文</a>", page, StringComparison.Ordinal);
        Assert.Contains("<span lang=\"zh-CN\">厦门市海沧区行政审批管理局</span>", page, StringComparison.Ordinal);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("onego.lang=en", StringComparison.Ordinal));
        using var remembered = new HttpRequestMessage(HttpMethod.Get, "/regions/350205");
        remembered.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Contains("<html lang=\"en\">", await (await client.SendAsync(remembered)).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Contains("<html lang=\"zh-CN\">", await PageAsync(client, "/regions/350205"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatAVisitorTypesIsEncodedWhereverThePageShowsIt()
    {
        using var client = NewClient();
        const string Evil = "\"><script>alert(1)</script>";
        var search = await PageAsync(client, "/?q=" + Uri.EscapeDataString(Evil));
        var filter = await PageAsync(client, "/regions/350205?q=" + Uri.EscapeDataString(Evil));
        var region = await PageAsync(client, "/regions/" + Uri.EscapeDataString(Evil), HttpStatusCode.NotFound);
        var bundle = await PageAsync(client, "/regions/350205/bundles/" + Uri.EscapeDataString(Evil), HttpStatusCode.NotFound);
        var answer = await PageAsync(client, "/regions/350205/bundles/enrolment?q." + Uri.EscapeDataString(Evil) + "=" + Uri.EscapeDataString(Evil), HttpStatusCode.UnprocessableEntity);
        foreach (var page in (string[])[search, filter, region, bundle, answer])
        {
            Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ThePagesLoadOneVersionedStylesheetAndAllowNoScript()
    {
        using var client = NewClient();
        var response = await client.GetAsync("/");
        // default-src 'none' with no script-src: the browser runs no script at all on these pages.
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", policy, StringComparison.Ordinal);
        var href = Regex.Match(await response.Content.ReadAsStringAsync(), "<link rel=\"stylesheet\" href=\"([^\"]+)\"( /)?>").Groups[1].Value;
        Assert.Matches("^/css/onego\\.css\\?v=[0-9a-f]{12}$", href);
        var css = await client.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.MediaType()?.MediaType);
        Assert.Contains("immutable", css.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("@media print", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class CitizenPagesTestsOnSqlite(SqliteAppFixture fixture) : CitizenPagesTests(fixture), IClassFixture<SqliteAppFixture>;
