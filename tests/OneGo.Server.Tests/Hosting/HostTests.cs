using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

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
    public async Task ANodeRefusesToStartWhileMigrationsArePendingAndChangesNothing()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Empty);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });

        var refused = Assert.Throws<InvalidOperationException>(() => app.CreateClient());
        Assert.Contains("refuses to start", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'migrate'", refused.Message, StringComparison.Ordinal);
        await using var db = database.NewContext();
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        Assert.Contains(pending[0], refused.Message, StringComparison.Ordinal);
        Assert.Empty(await db.Database.GetAppliedMigrationsAsync());
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

    [Fact]
    public async Task OutsideDevelopmentTheStartLogNamesTheDefencesTheDatabaseLacks()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var mail = TestSmtp.Settings;
        await using var server = await ServerProcess.StartAsync(database, "--environment=Staging", "--Identity:AllowHttp=true",
            $"--Mail:Host={mail["Mail:Host"]}", $"--Mail:Port={mail["Mail:Port"]}", "--Mail:Security=none");
        using var client = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/t/350205/bundles/enrolment")).StatusCode);
        // SQLite has no row-level security and no privileges: a residual risk said at every start; PostgreSQL as the
        // application's role has both, so nothing is said.
        const string risk = "which has no row-level security and no database privileges of OneGo's";
        if (provider == Provider.Sqlite)
        {
            Assert.Contains($"OneGo runs on sqlite, {risk}", server.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(risk, server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("is not bound by row-level security", server.Output, StringComparison.Ordinal);
        }
    }
}

public sealed class HostTestsOnSqlite() : HostTests(Provider.Sqlite);

public sealed class HostTestsOnPostgres() : HostTests(Provider.Postgres);

public sealed partial class OpenApiTestsOnSqlite(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryApiRouteWithItsMethod()
    {
        var document = await fixture.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        Assert.Equal("OneGo", document.GetProperty("info").GetProperty("title").GetString());

        // Every route the server maps under /api, as the document names it: route constraints are not part of a path. A
        // route kept only to tell old clients where to go (405 naming the new one) is left out of the contract on purpose.
        var routes = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m.ToLowerInvariant(), Path: "/" + Constraint().Replace(e.RoutePattern.RawText!.Trim('/'), "}"))))
            .Distinct().ToList();
        Assert.Contains(routes, r => r.Path == "/api/t/{tenant}/bundles/{code}/draft/approve");
        var undocumented = routes.Where(r => !paths.TryGetProperty(r.Path, out var item) || !item.TryGetProperty(r.Method, out _))
            .Select(r => $"{r.Method.ToUpperInvariant()} {r.Path}").ToList();
        Assert.True(undocumented.Count == 0, "Not in the OpenAPI document: " + string.Join(", ", undocumented));
    }

    [Fact]
    public async Task TheApiReferenceIsABrowsablePage()
    {
        var page = await fixture.Client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(:[^}]+)?\??\}")]
    private static partial Regex Constraint();
}
