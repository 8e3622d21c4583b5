using System.Net;
using System.Text;
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
}
