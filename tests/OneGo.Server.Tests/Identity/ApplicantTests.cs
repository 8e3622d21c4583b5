using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Applicants: a person registers (name, 居民身份证号 with its GB 11643 check, a password; an enterprise's 统一社会信用代码),
/// is bound to no tenant, signs in by authorization code with PKCE and scope apply, and stays "not real-name
/// verified"; records and tokens know them by an immutable subject, never their ID number, which is kept encrypted.
/// </summary>
public abstract class ApplicantTests(Provider provider) : IAsyncLifetime
{
    private const string ZhangId = "350205198806121231";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static string Authorize(string challenge, string scope) => "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
    {
        ["client_id"] = ApplicantClient.ClientId, ["redirect_uri"] = Tokens.ToolRedirect, ["response_type"] = "code", ["scope"] = scope,
        ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["state"] = "s", ["nonce"] = "n",
    }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

    private static Dictionary<string, string> Registration(Dictionary<string, string> hidden, string userName, string idNumber, string password = "a-long-harbour-walk") =>
        new(hidden)
        {
            ["userName"] = userName, ["name"] = "林小海", ["idNumber"] = idNumber, ["creditCode"] = "", ["enterpriseName"] = "",
            ["newPassword"] = password, ["repeat"] = password,
        };

    private async Task<int> ApplicantCountAsync()
    {
        await using var db = _database.NewContext();
        return await db.Set<Applicant>().CountAsync();
    }

    [Fact]
    public async Task APersonRegistersFromTheSignInOfTheApplicantsClientAndSignsInWithScopeApplyNotRealNameVerified()
    {
        using var http = Tokens.Browser(_app);
        var cookies = new CookieContainer();
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        // The applicants' client may not even ask for a staff scope.
        Assert.Equal(HttpStatusCode.BadRequest, (await Tokens.SendAsync(http, cookies, HttpMethod.Get, Authorize(challenge, "openid profile apply api"), null)).StatusCode);
        var authorize = Authorize(challenge, "openid profile apply");

        // Not signed in: the sign-in page, which offers the applicants' client's people to register.
        var signIn = await Tokens.SendAsync(http, cookies, HttpMethod.Get, authorize, null);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var signInPage = await (await Tokens.SendAsync(http, cookies, HttpMethod.Get, signIn.Headers.Location!.PathAndQuery, null)).Content.ReadAsStringAsync();
        var register = System.Text.RegularExpressions.Regex.Match(signInPage, "<a id=\"register\" href=\"([^\"]+)\"").Groups[1].Value;
        Assert.StartsWith(RegisterPage.Path + "?returnUrl=", WebUtility.HtmlDecode(register), StringComparison.Ordinal);

        // A mistyped digit: the check character of GB 11643 catches it, the page says which field, and nothing is kept.
        var form = await (await Tokens.SendAsync(http, cookies, HttpMethod.Get, WebUtility.HtmlDecode(register), null)).Content.ReadAsStringAsync();
        Assert.Contains("未实名核验", form, StringComparison.Ordinal);
        var hidden = Tokens.HiddenFields(form);
        var name = "lin-" + Guid.NewGuid().ToString("N")[..6];
        var before = await ApplicantCountAsync();
        var mistyped = await Tokens.SendAsync(http, cookies, HttpMethod.Post, RegisterPage.Path, new FormUrlEncodedContent(Registration(hidden, name, "350205198806121232")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mistyped.StatusCode);
        var refused = await mistyped.Content.ReadAsStringAsync();
        Assert.Contains("id=\"error-idNumber\"", refused, StringComparison.Ordinal);
        Assert.Contains("GB 11643", refused, StringComparison.Ordinal);
        Assert.Equal(before, await ApplicantCountAsync());

        // Registered: signed in, back to the authorization request, which gives the code to the portal.
        var registered = await Tokens.SendAsync(http, cookies, HttpMethod.Post, RegisterPage.Path,
            new FormUrlEncodedContent(Registration(Tokens.HiddenFields(refused), name, ZhangId)));
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        var back = await Tokens.SendAsync(http, cookies, HttpMethod.Get, registered.Headers.Location!.OriginalString, null);
        Assert.StartsWith(Tokens.ToolRedirect, back.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        var code = System.Web.HttpUtility.ParseQueryString(back.Headers.Location.Query)["code"]!;
        var tokens = await (await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Tokens.ToolRedirect, ["client_id"] = ApplicantClient.ClientId, ["code_verifier"] = verifier,
        }))).JsonAsync();
        Assert.Equal("openid profile apply", (string?)tokens["scope"]);

        // The identity token: an immutable subject that is not the ID number, no tenant, no user name, not verified.
        var identity = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken((string)tokens["id_token"]!);
        var subject = identity.Subject;
        Assert.True(Guid.TryParse(subject, out _));
        Assert.Equal("unverified", identity.Claims.Single(c => c.Type == OneGoClaims.RealName).Value);
        Assert.DoesNotContain(identity.Claims, c => c.Type is OneGoClaims.Tenant or OneGoClaims.UserName or OneGoClaims.Role);
        Assert.DoesNotContain(identity.Claims, c => c.Value.Contains(ZhangId, StringComparison.Ordinal));

        using var applicant = _app.CreateClient();
        applicant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)tokens["access_token"]!);
        var me = await (await applicant.GetAsync("/api/me")).JsonAsync();
        Assert.Equal((subject, "林小海", "350***********1231", false), ((string?)me["subject"], (string?)me["name"], (string?)me["idNumber"], (bool)me["realNameVerified"]!));
        // No staff right comes with it, in any region.
        Assert.Equal(HttpStatusCode.Forbidden, (await applicant.GetAsync("/api/t/350205/drafts")).StatusCode);

        // Kept encrypted, bound to no tenant; the platform operator's log names the applicant by subject alone.
        await using (var db = _database.NewContext())
        {
            var row = await db.Set<Applicant>().SingleAsync(a => a.AccountId == Guid.Parse(subject));
            Assert.DoesNotContain(ZhangId, row.IdNumberProtected, StringComparison.Ordinal);
            Assert.Null((await db.Set<Account>().SingleAsync(a => a.Id == row.AccountId)).TenantId);
        }

        using var auditor = await _app.AsAsync(Roles.Auditor, RegionRules.NationalId);
        var log = await (await auditor.GetAsync($"/api/t/national/audit?subject={Uri.EscapeDataString("applicant/" + subject)}&limit=50")).Content.ReadAsStringAsync();
        Assert.Contains("applicant.register", log, StringComparison.Ordinal);
        Assert.DoesNotContain(ZhangId, log, StringComparison.Ordinal);
        Assert.DoesNotContain("林小海", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistrationNamesEveryWrongFieldAtOnceAndKeepsNothing()
    {
        using var http = Tokens.Browser(_app);
        var cookies = new CookieContainer();
        var form = await (await Tokens.SendAsync(http, cookies, HttpMethod.Get, RegisterPage.Path, null)).Content.ReadAsStringAsync();
        var fields = Registration(Tokens.HiddenFields(form), "13800138000", "35020519880612123", password: "123456");
        fields["name"] = "";
        fields["creditCode"] = "91350205MA31RKQ2CA";
        fields["enterpriseName"] = "厦门海沧示例科技有限公司";
        var before = await ApplicantCountAsync();
        var answer = await Tokens.SendAsync(http, cookies, HttpMethod.Post, RegisterPage.Path, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var page = await answer.Content.ReadAsStringAsync();
        // A phone number as a user name, no name, 17 characters, a mistyped credit code: each says so beside its field.
        foreach (var field in new[] { "userName", "name", "idNumber", "creditCode" })
        {
            Assert.Contains($"id=\"error-{field}\"", page, StringComparison.Ordinal);
            Assert.Contains($"id=\"{field}\"", page, StringComparison.Ordinal);
        }

        Assert.Contains("GB 32100", page, StringComparison.Ordinal);
        // What was typed stays in the form, the passwords never.
        Assert.Contains("value=\"13800138000\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("123456\"", page, StringComparison.Ordinal);
        Assert.Equal(before, await ApplicantCountAsync());

        // Right fields and a common password: the password policy refuses it, and still nothing is kept.
        var common = Registration(Tokens.HiddenFields(page), "lin-" + Guid.NewGuid().ToString("N")[..6], ZhangId, password: "123456789012");
        var refused = await Tokens.SendAsync(http, cookies, HttpMethod.Post, RegisterPage.Path, new FormUrlEncodedContent(common));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var refusedPage = await refused.Content.ReadAsStringAsync();
        Assert.Contains("id=\"error-newPassword\"", refusedPage, StringComparison.Ordinal);
        Assert.Equal(before, await ApplicantCountAsync());

        // One namespace for every account and OAuth client: an integration's client id is taken.
        var clientName = Registration(Tokens.HiddenFields(refusedPage), DemoAccounts.ZoneReader, ZhangId);
        var taken = await Tokens.SendAsync(http, cookies, HttpMethod.Post, RegisterPage.Path, new FormUrlEncodedContent(clientName));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.StatusCode);
        Assert.Contains("id=\"error-userName\"", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await ApplicantCountAsync());
    }

    [Fact]
    public async Task ADemoApplicantActsThroughItsClientAndNoAdminReachesAnApplicant()
    {
        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me")).StatusCode);

        var (userName, _, _, creditCode, enterprise) = DemoAccounts.Applicants.Single(a => a.CreditCode is not null);
        using var chen = _app.CreateClient();
        // Its client has scope apply and nothing else: asking for api is refused.
        await Assert.ThrowsAsync<InvalidOperationException>(() => Tokens.RequestAsync(chen, userName, scope: "apply api"));
        chen.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(chen, userName, scope: "apply"));
        var me = await (await chen.GetAsync("/api/me")).JsonAsync();
        // Vouched for by the demo's stand-in identity service (so that data sharing can be tried), and saying so.
        Assert.Equal(("350***********246X", creditCode, enterprise, true, DemoAccounts.DemoVerifier),
            ((string?)me["idNumber"], (string?)me["creditCode"], (string?)me["enterpriseName"], (bool)me["realNameVerified"]!, (string?)me["verifiedBy"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await chen.GetAsync("/api/t/350205/drafts")).StatusCode);

        // Staff are not applicants: an editor's token does not reach /api/me.
        using var editor = await _app.AsAsync(Roles.Editor, "fujian.xiamen.haicang");
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync("/api/me")).StatusCode);

        // Applicants are bound to no tenant: not even the national operator lists or changes them.
        using var national = await _app.AsAsync(Roles.Admin, RegionRules.NationalId);
        Assert.Equal(HttpStatusCode.NotFound, (await national.GetAsync($"/api/t/national/accounts/{userName}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await national.PostAsync($"/api/t/national/accounts/{userName}/disable", null)).StatusCode);
        Assert.DoesNotContain(userName, await (await national.GetAsync("/api/t/national/accounts")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class ApplicantTestsOnSqlite() : ApplicantTests(Provider.Sqlite);

public sealed class ApplicantTestsOnPostgres() : ApplicantTests(Provider.Postgres);
