using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Hosting;

public abstract class HostTests(Provider provider)
{
    [Fact]
    public async Task LivenessAndReadinessAnswerWhenTheDatabaseIsMigrated()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new OneGoApp(database);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadinessFailsWhileMigrationsAreNotApplied()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Empty);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("migrations").GetProperty("status").GetString());
    }

    [Fact]
    public async Task L7_ReadinessShowsAnyoneTheStatusesAndOnlyTheNationalOperatorWhatTheChecksFound()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new OneGoApp(database);
        using var anonymous = app.CreateClient();
        using var editor = await app.AsAsync(OneGo.Server.Identity.Roles.Editor, "fujian.xiamen.haicang");
        using var nationalOperator = await app.AsAsync(OneGo.Server.Identity.Roles.Admin, OneGo.Tenancy.RegionRules.NationalId);

        foreach (var caller in new[] { anonymous, editor })
        {
            var ready = await caller.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var text = await ready.Content.ReadAsStringAsync();
            var checks = JsonDocument.Parse(text).RootElement.GetProperty("checks");
            Assert.Equal(["blobs", "database", "migrations"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
            Assert.All(checks.EnumerateObject(), c => Assert.Equal(["status"], c.Value.EnumerateObject().Select(p => p.Name)));
            Assert.DoesNotContain(app.BlobFolder, text, StringComparison.Ordinal);
        }

        var detailed = await (await nationalOperator.GetAsync("/health/ready")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(app.BlobFolder, detailed.GetProperty("checks").GetProperty("blobs").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("all migrations applied", detailed.GetProperty("checks").GetProperty("migrations").GetProperty("description").GetString());
    }

    [Fact]
    public async Task AHostNameMappedInConfigurationResolvesItsTenant()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new OneGoApp(database, settings: new Dictionary<string, string?> { ["Tenancy:Hosts:haicang.example.cn"] = "350205" });
        using var client = app.CreateClient();

        using var mapped = new HttpRequestMessage(HttpMethod.Get, "/api/site") { Headers = { Host = "haicang.example.cn" } };
        var site = await client.SendAsync(mapped);
        Assert.Equal(HttpStatusCode.OK, site.StatusCode);
        Assert.Equal("fujian.xiamen.haicang", (await site.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        using var unmapped = new HttpRequestMessage(HttpMethod.Get, "/api/site") { Headers = { Host = "elsewhere.example.cn" } };
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(unmapped)).StatusCode);
    }
}

public sealed class HostTestsOnSqlite() : HostTests(Provider.Sqlite);

public sealed class HostTestsOnPostgres() : HostTests(Provider.Postgres);

public sealed class OpenApiTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task TheOpenApiDocumentDescribesTheTenantRoutes()
    {
        var document = await fixture.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/tenants", out _));
        Assert.True(paths.TryGetProperty("/api/tenants/{tenant}", out _));
        Assert.Equal("OneGo", document.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task TheApiReferenceIsABrowsablePage()
    {
        var page = await fixture.Client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
