using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OneGo.Browser.Tests.Infrastructure;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// A standard moves on and its adopter follows in the console: Jiangsu approves a version 2 of its marriage standard
/// that locks the premarital health check, whose department Gulou had changed; Gulou's editor sees the bundle
/// behind on the home page, rebases it onto version 2, finds that change set aside as a conflict, cannot submit
/// until it is resolved, resolves it and submits.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class ConsoleRebaseTestsInChromiumOnSqlite(PagesServer server)
{
    private const string Gulou = "jiangsu.nanjing.gulou";
    private const string Workspace = $"/console/t/{Gulou}/bundles/marriage";

    [Fact]
    public async Task AnEditorRebasesOntoANewStandardVersionResolvesTheConflictAndSubmits()
    {
        await PublishSecondVersionLockingTheHealthCheckAsync();

        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console", $"demo-editor@{Gulou}");
        Assert.Contains("marriage", browser.Find("#behind").Text, StringComparison.Ordinal);

        browser.Go(Workspace);
        Assert.Equal("v1", browser.Find("#adopted-version").Text);
        Assert.Contains("1", browser.Find("#behind-by").Text, StringComparison.Ordinal);
        Assert.Contains("premarital-health-check", browser.Find("#change-list").Text, StringComparison.Ordinal);

        browser.Navigating(() => browser.Find("#rebase button").Click());
        Assert.Equal("v2", browser.Find("#adopted-version").Text);
        Assert.Equal("draft", browser.Find("#draft-state").GetAttribute("data-state"));
        var conflict = browser.Find("#conflicts").Text;
        Assert.Contains("/matters/premarital-health-check/department", conflict, StringComparison.Ordinal);
        Assert.Contains("locked", conflict, StringComparison.Ordinal);
        Assert.DoesNotContain("premarital-health-check", browser.Find("#change-list").Text, StringComparison.Ordinal);
        browser.Screenshot("console-rebase-conflict");

        // Submitting with the conflict unresolved is refused (the API's 409), and the page says so beside the button.
        browser.Navigating(() => browser.Find("#submit button").Click());
        Assert.Contains("409", browser.Find("#problem-submit").GetAttribute("data-status") ?? "", StringComparison.Ordinal);
        Assert.Equal("draft", browser.Find("#draft-state").GetAttribute("data-state"));

        // The editor accepts the rebased changes as they are: the conflict is resolved, and the draft can be submitted.
        browser.Navigating(() => browser.Find("#resolve-conflicts button").Click());
        Assert.Empty(browser.FindAll("#conflicts"));
        browser.Navigating(() => browser.Find("#submit button").Click());
        Assert.Equal("submitted", browser.Find("#draft-state").GetAttribute("data-state"));
    }

    /// <summary>Jiangsu's editor locks the health check in the marriage standard and Jiangsu's reviewer approves it: version 2.</summary>
    private async Task PublishSecondVersionLockingTheHealthCheckAsync()
    {
        const string draft = "/api/t/jiangsu/bundles/marriage/draft";
        // The test server's access tokens live 20 seconds: each call gets a fresh one.
        var (document, etag) = await ReadAsync(await ClientAsync("demo-editor@jiangsu"), draft);
        var changed = document["document"]!.DeepClone();
        changed["standard"]!["locked"]!.AsArray().Add("/matters/premarital-health-check");
        etag = await SendAsync(await ClientAsync("demo-editor@jiangsu"), HttpMethod.Put, draft, changed, etag);
        etag = await SendAsync(await ClientAsync("demo-editor@jiangsu"), HttpMethod.Post, draft + "/submit", null, etag);
        await SendAsync(await ClientAsync("demo-reviewer@jiangsu"), HttpMethod.Post, draft + "/approve", null, etag);
    }

    private async Task<HttpClient> ClientAsync(string account)
    {
        var token = await Tokens.RequestAsync(server.Api, account);
        var client = new HttpClient { BaseAddress = server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(JsonNode Body, string ETag)> ReadAsync(HttpClient client, string url)
    {
        using var owned = client;
        using var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!, response.Headers.ETag!.ToString());
    }

    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, string url, JsonNode? body, string ifMatch)
    {
        using var owned = client;
        using var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.Headers.ETag?.ToString() ?? "";
    }
}
