using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Duende.IdentityModel.OidcClient;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Identity;

/// <summary>OneGo as its own OpenID Connect provider: tokens, roles bound to tenants, disabling, demo mode.</summary>
public abstract partial class IdentityTests(Provider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
        _anonymous = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private Task<HttpClient> AsAsync(string role, string tenant) => _app.AsAsync(role, tenant);

    [Fact]
    public async Task DiscoveryNamesTheEndpointsAndFlows()
    {
        var discovery = JsonNode.Parse(await _anonymous.GetStringAsync("/.well-known/openid-configuration"))!;
        Assert.EndsWith("/connect/token", (string?)discovery["token_endpoint"], StringComparison.Ordinal);
        Assert.EndsWith("/connect/authorize", (string?)discovery["authorization_endpoint"], StringComparison.Ordinal);
        var grants = discovery["grant_types_supported"]!.AsArray().Select(g => (string)g!).ToList();
        Assert.Contains("client_credentials", grants);
        Assert.Contains("authorization_code", grants);
        Assert.Contains("refresh_token", grants);
        Assert.Contains("S256", discovery["code_challenge_methods_supported"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public async Task AServiceAccountGetsATokenAndAWrongSecretGetsNone()
    {
        // The token works, as the account it names: Haicang's editor, who reads Haicang's drafts, not Siming's, and approves nothing.
        using var editor = _app.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(_anonymous, "demo-editor@fujian.xiamen.haicang"));
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/api/t/350205/drafts")).StatusCode);
        var beside = await editor.GetAsync("/api/t/350203/drafts");
        Assert.Equal(HttpStatusCode.Forbidden, beside.StatusCode);
        Assert.Contains("editor of fujian.xiamen.haicang", (string?)(await beside.JsonAsync())["detail"], StringComparison.Ordinal);
        using var approve = await editor.GetAsync("/api/t/350205/bundles/enrolment/draft");
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/draft/approve", ifMatch: approve.ETag())).StatusCode);

        var refused = await _anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "demo-editor@fujian.xiamen.haicang", ["client_secret"] = "wrong",
        }));
        Assert.False(refused.IsSuccessStatusCode);
        Assert.Equal("invalid_client", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task ApiRoutesAnswer401Then403NeverARedirect()
    {
        var anonymous = await _anonymous.GetAsync("/api/t/350205/drafts");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Null(anonymous.Headers.Location);

        using var sibling = await AsAsync(Roles.Editor, "fujian.xiamen.siming");
        Assert.Equal(HttpStatusCode.Forbidden, (await sibling.GetAsync("/api/t/350205/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await sibling.SendJsonAsync(HttpMethod.Put, "/api/t/350205/matters/x/draft", new { code = "x" })).StatusCode);

        // An unknown tenant is a 404 before anything else.
        Assert.Equal(HttpStatusCode.NotFound, (await sibling.GetAsync("/api/t/nowhere/drafts")).StatusCode);

        using var editor = await AsAsync(Roles.Editor, "fujian.xiamen.haicang");
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/api/t/350205/drafts")).StatusCode);
        // An editor cannot approve: that is the reviewer's.
        var draft = await editor.GetAsync("/api/t/350205/bundles/enrolment/draft");
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/draft/approve", ifMatch: draft.ETag())).StatusCode);
    }

    [Fact]
    public async Task AnAdminReadsTheDraftsBelowButNotBesideOrAboveAndChangesNoCatalogue()
    {
        using var fujian = await AsAsync(Roles.Admin, "fujian");
        Assert.Equal(HttpStatusCode.OK, (await fujian.GetAsync("/api/t/350205/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fujian.GetAsync("/api/t/350205/bundles/enrolment/draft")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fujian.SendJsonAsync(HttpMethod.Put, "/api/t/350205/matters/x/draft", new { code = "x" })).StatusCode);

        using var zhejiang = await AsAsync(Roles.Admin, "zhejiang");
        Assert.Equal(HttpStatusCode.Forbidden, (await zhejiang.GetAsync("/api/t/350205/drafts")).StatusCode);

        using var haicang = await AsAsync(Roles.Admin, "fujian.xiamen.haicang");
        Assert.Equal(HttpStatusCode.Forbidden, (await haicang.GetAsync("/api/t/fujian/drafts")).StatusCode);
    }

    [Fact]
    public async Task ADisabledAccountLosesAccessAtOnce()
    {
        using var editor = await AsAsync(Roles.Editor, "fujian.xiamen.siming");
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/api/t/350203/drafts")).StatusCode);

        using var xiamen = await AsAsync(Roles.Admin, "fujian.xiamen");
        var disabled = await xiamen.PostAsync("/api/t/350203/accounts/demo-editor@fujian.xiamen.siming/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);

        // Disabling the person leaves the service account of the same role alone: each is its own subject.
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/api/t/350203/drafts")).StatusCode);
        var service = await xiamen.PostAsync($"/api/t/350203/accounts/{DemoAccounts.ServiceUserName(Roles.Editor, "fujian.xiamen.siming")}/disable", null);
        Assert.Equal(HttpStatusCode.OK, service.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await editor.GetAsync("/api/t/350203/drafts")).StatusCode);
        var refused = await _anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "demo-editor@fujian.xiamen.siming", ["client_secret"] = DemoAccounts.Secret,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_grant", (string?)(await refused.JsonAsync())["error"]);

        // A sibling's admin may not disable accounts beside it.
        using var haicang = await AsAsync(Roles.Admin, "fujian.xiamen.haicang");
        Assert.Equal(HttpStatusCode.Forbidden, (await haicang.PostAsync("/api/t/350203/accounts/demo-reviewer@fujian.xiamen.siming/disable", null)).StatusCode);
    }

    [Fact]
    public async Task TheNationalOperatorOnboardsACityOfAProvinceAndChangesItsSettings()
    {
        // Every province-level region is in tenants/ already: the national operator onboards below one, as an admin above it.
        using var national = await AsAsync(Roles.Admin, "national");
        var created = await national.SendJsonAsync(HttpMethod.Post, "/api/t/hainan/children", new { segment = "haikou", name = "海口市", nameEn = "Haikou", level = "city", divisionCode = "460100" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("hainan.haikou", (string?)JsonNode.Parse(await _anonymous.GetStringAsync("/api/tenants/460100"))!["id"]);
        Assert.Equal(HttpStatusCode.Conflict, (await national.SendJsonAsync(HttpMethod.Post, "/api/t/hainan/children", new { segment = "haikou", name = "海口市", level = "city", divisionCode = "460100" })).StatusCode);

        var badCode = await national.SendJsonAsync(HttpMethod.Post, "/api/t/hainan/children", new { segment = "sanya", name = "三亚市", level = "city", divisionCode = "450200" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badCode.StatusCode);
        Assert.Contains("/divisionCode", await badCode.ErrorPlacesAsync());

        using var zhejiang = await AsAsync(Roles.Admin, "zhejiang");
        Assert.Equal(HttpStatusCode.Forbidden, (await zhejiang.SendJsonAsync(HttpMethod.Post, "/api/t/hainan/children", new { segment = "sanya", name = "三亚市", level = "city", divisionCode = "460200" })).StatusCode);

        var settings = await _anonymous.GetAsync("/api/t/hainan.haikou/settings");
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await national.SendJsonAsync(HttpMethod.Put, "/api/t/hainan.haikou/settings", new { name = "海口市", displayName = "海口市政务服务网" })).StatusCode);
        var changed = await national.SendJsonAsync(HttpMethod.Put, "/api/t/hainan.haikou/settings", new { name = "海口市", displayName = "海口市政务服务网", publishingSchedule = "0 15 2 * * ?" }, settings.ETag());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("海口市政务服务网", (string?)JsonNode.Parse(await _anonymous.GetStringAsync("/api/tenants/hainan.haikou"))!["displayName"]);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await national.SendJsonAsync(HttpMethod.Put, "/api/t/hainan.haikou/settings", new { name = "海口" }, settings.ETag())).StatusCode);
    }

    [Fact]
    public async Task APersonSignsInThroughAStandardOidcClientWithPkceAndRefreshes()
    {
        var oidc = new OidcClient(new OidcClientOptions
        {
            Authority = "http://localhost",
            ClientId = OneGo.Server.ConsoleUi.ConsoleSetup.ClientId,
            RedirectUri = "http://127.0.0.1/oidc-callback",
            Scope = "openid offline_access api",
            LoadProfile = false,
            Browser = new SignInBrowser(_app, "demo-reviewer@fujian.xiamen.haicang", DemoAccounts.Secret),
            BackchannelHandler = _app.Server.CreateHandler(),
            Policy = new Policy { Discovery = new Duende.IdentityModel.Client.DiscoveryPolicy { RequireHttps = false } },
        });

        var login = await oidc.LoginAsync(new LoginRequest());
        Assert.False(login.IsError, login.Error + " " + login.ErrorDescription);
        Assert.Equal("fujian.xiamen.haicang", login.User.FindFirst("tenant")?.Value);
        Assert.Equal("reviewer", login.User.FindFirst("role")?.Value);
        // A reviewer signed in with a second factor, and the token says so.
        Assert.Contains("mfa", login.User.FindAll("amr").Select(c => c.Value));

        using var reviewer = _app.CreateClient();
        reviewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/api/t/350205/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/api/t/350203/drafts")).StatusCode);

        var refreshed = await oidc.RefreshTokenAsync(login.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.NotEqual(login.AccessToken, refreshed.AccessToken);

        // A wrong password never gets back to the client.
        var wrong = new OidcClient(new OidcClientOptions
        {
            Authority = "http://localhost", ClientId = OneGo.Server.ConsoleUi.ConsoleSetup.ClientId, RedirectUri = "http://127.0.0.1/oidc-callback", Scope = "openid api",
            LoadProfile = false, Browser = new SignInBrowser(_app, "demo-reviewer@fujian.xiamen.haicang", "wrong"),
            BackchannelHandler = _app.Server.CreateHandler(),
            Policy = new Policy { Discovery = new Duende.IdentityModel.Client.DiscoveryPolicy { RequireHttps = false } },
        });
        Assert.True((await wrong.LoginAsync(new LoginRequest())).IsError);

        // Nor does the right password with a wrong second factor: a reviewer needs both.
        var noCode = new OidcClient(new OidcClientOptions
        {
            Authority = "http://localhost", ClientId = OneGo.Server.ConsoleUi.ConsoleSetup.ClientId, RedirectUri = "http://127.0.0.1/oidc-callback", Scope = "openid api",
            LoadProfile = false, Browser = new SignInBrowser(_app, "demo-reviewer@fujian.xiamen.haicang", DemoAccounts.Secret, authenticatorKey: null),
            BackchannelHandler = _app.Server.CreateHandler(),
            Policy = new Policy { Discovery = new Duende.IdentityModel.Client.DiscoveryPolicy { RequireHttps = false } },
        });
        Assert.True((await noCode.LoginAsync(new LoginRequest())).IsError);
    }
}

public sealed class IdentityTestsOnSqlite() : IdentityTests(Provider.Sqlite);

public sealed class IdentityTestsOnPostgres() : IdentityTests(Provider.Postgres);

public sealed class DemoModeTestsOnSqlite
{
    [Fact]
    public async Task ProductionRefusesToStartWithDemoModeOn()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Demo:Enabled"] = "true" })
            .WithWebHostBuilder(b => b.UseEnvironment("Production"));
        Assert.Contains("Demo:Enabled", SettingsRefusal.Of(app), StringComparison.Ordinal);
    }
}
