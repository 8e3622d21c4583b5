using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Hosting;

/// <summary>The limits that come before everything else: 413 for an oversized body, 429 per tenant.</summary>
public sealed class LimitsTestsOnSqlite : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Provider.Sqlite);

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task AnOversizedBodyIsA413BeforeTenantOrTokenAreLookedAt()
    {
        await using var app = new OneGoApp(_database, settings: new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "1000" });
        using var client = app.CreateClient();
        using var big = new StringContent(new string('x', 5000), Encoding.UTF8, "application/json");
        var response = await client.PutAsync("/api/t/nowhere/matters/x", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        using var small = new StringContent("{}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsync("/api/t/nowhere/matters/x", small)).StatusCode);
    }

    [Fact]
    public async Task ATenantOverItsRateGets429WhileAnotherTenantIsServed()
    {
        await using var app = new OneGoApp(_database, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:TokensPerSecond"] = "1",
            ["RateLimiting:Burst"] = "5",
        });
        using var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            // Id and division code of one region share one bucket.
            statuses.Add((await client.GetAsync(i % 2 == 0 ? "/api/t/350205/bundles" : "/api/t/fujian.xiamen.haicang/bundles")).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) <= 6);
        var limited = await client.GetAsync("/api/t/350205/bundles");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/t/zhejiang/bundles")).StatusCode);
    }

    /// <summary>
    /// Finding L8: anyone signed in may open any region's console home, and each of its API calls counts against that
    /// region's rate bucket. The home asks the API in a few calls however many bundles the region holds — not one per
    /// live bundle — so reloading it cannot drain another region's bucket.
    /// </summary>
    [Fact]
    public async Task ARegionsConsoleHomeCostsItsRateBucketAFewCallsHoweverManyBundlesItHolds()
    {
        // Chongqing's bucket holds six requests and is not refilled during the test.
        await using var server = await ServerProcess.StartAsync(_database, $"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", "--Zone:RelayEnabled=false",
            "--RateLimiting:TokensPerSecond=1", "--RateLimiting:Burst=6", "--RateLimiting:Period=01:00:00");
        using var anonymous = server.Client();
        var live = (await JsonNode.ParseAsync(await (await anonymous.GetAsync("/api/t/chongqing/bundles?limit=500")).Content.ReadAsStreamAsync()))!["items"]!.AsArray();
        Assert.True(live.Count > 6, $"Chongqing holds {live.Count} live bundles: more than its bucket, for the test to mean anything.");

        // A Haicang editor opens Chongqing's console home: it shows every live bundle of Chongqing ...
        using var haicang = await ConsoleSession.SignInAsync(server.Address, DemoAccounts.UserName(Roles.Editor, "fujian.xiamen.haicang"), DemoAccounts.Secret);
        var home = await haicang.Client.GetAsync("/console/t/chongqing");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Matches($"id=\"count-live\">.*>{live.Count}<", await home.Content.ReadAsStringAsync());

        // ... and Chongqing's API still serves everyone else.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/t/chongqing/bundles")).StatusCode);
    }
}
