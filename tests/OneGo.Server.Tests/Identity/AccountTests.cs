using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Who may do what (security review H1, M1, L1): an admin proposes people and roles, a second
/// admin approves, the person sets their own password from a mailed link, admins and auditors hold no other role,
/// and a name is one account's only.
/// </summary>
public abstract class AccountTests(Provider provider) : IAsyncLifetime
{
    private const string Gulou = "jiangsu.nanjing.gulou";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _gulouAdmin = null!;
    private HttpClient _jiangsuAdmin = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database, settings: TestSmtp.Settings);
        _gulouAdmin = await _app.AsAsync(Roles.Admin, Gulou);
        _jiangsuAdmin = await _app.AsAsync(Roles.Admin, "jiangsu");
    }

    public async Task DisposeAsync()
    {
        _gulouAdmin.Dispose();
        _jiangsuAdmin.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<List<string>> AuditActionsAsync(string tenant, string subject)
    {
        using var auditor = await _app.AsAsync(Roles.Auditor, tenant);
        var log = await (await auditor.GetAsync($"/api/t/{tenant}/audit?subject={Uri.EscapeDataString(subject)}&limit=500")).JsonAsync();
        return [.. log["items"]!.AsArray().Select(e => (string)e!["action"]!).Reverse()];
    }

    [Fact]
    public async Task H1_AnAdminsProposalDoesNothingUntilASecondAdminApprovesAndThePasswordIsThePersons()
    {
        var name = "h1-editor-" + Guid.NewGuid().ToString("N")[..6];
        var email = People.Address(name);
        var proposed = await People.ProposeAsync(_gulouAdmin, Gulou, name, email, Roles.Editor);
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var account = await proposed.JsonAsync();
        Assert.Empty(account["roles"]!.AsArray());
        Assert.Equal("editor", (string?)account["pending"]![0]!["role"]);
        // The admin sees the address masked and no credential at all.
        Assert.Equal(email[..1] + "***@example.gov.cn", (string?)account["email"]);
        Assert.DoesNotContain("password", (await proposed.Content.ReadAsStringAsync()).Replace("hasPassword", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

        // The proposer cannot approve it, and until another admin does, nothing is sent and the role does nothing.
        var grant = (long)account["pending"]![0]!["id"]!;
        var own = await _gulouAdmin.PostAsync($"/api/t/{Gulou}/account-changes/{grant}/approve", null);
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal("https://onego.gov.cn/problems/four-eyes", (string?)(await own.JsonAsync())["type"]);
        await using (var db = _database.NewContext())
        {
            Assert.False(await db.Set<OutgoingMail>().AnyAsync(m => m.To == email));
        }

        // An admin above approves: the link goes to the person's own address.
        Assert.Equal(HttpStatusCode.OK, (await _jiangsuAdmin.PostAsync($"/api/t/{Gulou}/account-changes/{grant}/approve", null)).StatusCode);
        var link = await People.LinkFromMailAsync(email);
        using var browser = People.Browser(_app);

        // The password policy: length, not the name, not a common password (Chinese ones included).
        foreach (var (bad, says) in new[] { ("short-pass", "12"), ($"{name}-secret", "用户名"), ("woaini1314520", "常见"), ("5201314520131", "常见") })
        {
            var refused = await People.SetPasswordAsync(browser, link, bad);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains(says, await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        var set = await People.SetPasswordAsync(browser, link, "violet-harbour-lantern");
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        // A used link shows a page saying so and changes nothing.
        var again = await People.SetPasswordAsync(browser, link, "another-long-passphrase");
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("data-state=\"used\"", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The person signs in with their own password, and holds the role now.
        using var editor = _app.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.PersonAsync(() => Tokens.Browser(_app), name, "violet-harbour-lantern", authenticatorKey: null));
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/api/t/{Gulou}/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync("/api/t/jiangsu.nanjing.jiangning/drafts")).StatusCode);

        Assert.Equal(["account.propose", "account.change-approve", "account.password-set", "signin.success"], await AuditActionsAsync(Gulou, $"account/{name}"));
    }

    [Fact]
    public async Task H1_AGrantThatBreaksTheSeparationOfDutiesIsRefusedNamingBothRoles()
    {
        var both = await People.ProposeAsync(_gulouAdmin, Gulou, "h1-both-" + Guid.NewGuid().ToString("N")[..6], People.Address("both"), Roles.Admin, Roles.Editor);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, both.StatusCode);
        var error = (await both.JsonAsync())["errors"]![0]!;
        Assert.Equal("/roles/1", (string?)error["pointer"]);
        Assert.Equal("separation-of-duties", (string?)error["rule"]);
        Assert.Contains("'editor'", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("'admin'", (string?)error["message"], StringComparison.Ordinal);

        // A held role counts too: the demo editor may not become an auditor, nor the demo auditor an editor.
        var auditor = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts/{DemoAccounts.UserName(Roles.Editor, Gulou)}/roles", new { role = "auditor" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, auditor.StatusCode);
        Assert.Equal("separation-of-duties", (string?)(await auditor.JsonAsync())["errors"]![0]!["rule"]);
        var reviewer = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts/{DemoAccounts.UserName(Roles.Editor, Gulou)}/roles", new { role = "reviewer" });
        Assert.Equal(HttpStatusCode.Created, reviewer.StatusCode);
    }

    [Fact]
    public async Task AnOfficerIsBoundToOneOfItsRegionsOwnDepartmentsAndSignsInWithASecondFactor()
    {
        async Task<JsonNode> RefusedAsync(object body, string rule)
        {
            var answer = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            var error = Assert.Single((await answer.JsonAsync())["errors"]!.AsArray())!;
            Assert.Equal(("/department", rule), ((string?)error["pointer"], (string?)error["rule"]));
            return error;
        }

        var name = "officer-" + Guid.NewGuid().ToString("N")[..6];
        object Officer(string? department) => new { userName = name, email = People.Address(name), roles = new[] { "officer" }, department };
        Assert.Contains("window", (string?)(await RefusedAsync(Officer(null), "required"))["message"], StringComparison.Ordinal);
        // Nanjing's funeral services are in reach of Gulou's documents, but an officer works in a department of its own region.
        Assert.Contains("an officer works in one of the region's own departments", (string?)(await RefusedAsync(Officer("funeral-services"), "unknown-department"))["message"], StringComparison.Ordinal);
        await RefusedAsync(new { userName = name, email = People.Address(name), roles = new[] { "editor" }, department = "window" }, "officer-only");

        var proposed = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts", Officer("window"));
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var grant = (long)(await proposed.JsonAsync())["pending"]![0]!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await _jiangsuAdmin.PostAsync($"/api/t/{Gulou}/account-changes/{grant}/approve", null)).StatusCode);
        var account = (await (await _gulouAdmin.GetAsync($"/api/t/{Gulou}/accounts/{name}")).JsonAsync())["account"]!;
        Assert.Equal(["officer"], account["roles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("window", (string?)account["department"]);

        // Like reviewers, officers sign in with a second factor: the demo officer, at Gulou's comprehensive window.
        Assert.Contains(Roles.Officer, Roles.NeedSecondFactor);
        var demo = (await (await _gulouAdmin.GetAsync($"/api/t/{Gulou}/accounts/{DemoAccounts.UserName(Roles.Officer, Gulou)}")).JsonAsync())["account"]!;
        Assert.Equal(("window", true), ((string?)demo["department"], (bool)demo["secondFactor"]!));
    }

    [Fact]
    public async Task H1_RevokingARoleOrDisablingTakesOneAdminAndWorksAtOnce()
    {
        using var editor = ActAsTenantStaff.For(_app);
        Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync($"/api/t/{Gulou}/drafts")).StatusCode);
        var revoked = await _gulouAdmin.PostAsync($"/api/t/{Gulou}/accounts/{DemoAccounts.ServiceUserName(Roles.Editor, Gulou)}/roles/editor/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.True((long)(await revoked.JsonAsync())["revokedTokens"]! > 0);
        Assert.Equal(HttpStatusCode.Unauthorized, (await editor.GetAsync($"/api/t/{Gulou}/drafts")).StatusCode);
        using var anonymous = _app.CreateClient();
        var token = await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = DemoAccounts.UserName(Roles.Editor, Gulou), ["client_secret"] = DemoAccounts.Secret,
        }));
        Assert.Equal("invalid_grant", (string?)(await token.JsonAsync())["error"]);
        Assert.Contains("account.role-revoke", await AuditActionsAsync(Gulou, $"account/{DemoAccounts.ServiceUserName(Roles.Editor, Gulou)}"));
    }

    [Fact]
    public async Task AServiceAccountsSecretGoesByMailToItsAddressNeverToAnAdmin()
    {
        var name = "gulou-pipeline-" + Guid.NewGuid().ToString("N")[..6];
        var email = People.Address(name);
        var proposed = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts", new { userName = name, email, kind = "service", roles = new[] { "editor" } });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var approved = (await People.ApproveAllAsync(_jiangsuAdmin, Gulou, name)).Single();
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.DoesNotContain("secret", await approved.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        var mail = await TestSmtp.WaitForAsync(email, "client secret");
        var secret = System.Text.RegularExpressions.Regex.Match(mail, "client_secret: (\\S+)").Groups[1].Value;
        using var service = _app.CreateClient();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(service, name, secret));
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync($"/api/t/{Gulou}/drafts")).StatusCode);
    }

    [Fact]
    public async Task M1_AServiceAccountCannotTakeAPersonsNameOrAClientIdNorReachAnotherTenantsAccount()
    {
        // The review's attack: a district admin makes a service account named after the national operator, then disables it.
        var taken = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts",
            new { userName = DemoAccounts.UserName(Roles.Admin, RegionRules.NationalId), email = People.Address("m1"), kind = "service", roles = new[] { "editor" } });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        // C7: a name that is an OAuth client's is taken too, and nothing is created.
        var client = await _gulouAdmin.SendJsonAsync(HttpMethod.Post, $"/api/t/{Gulou}/accounts",
            new { userName = DemoAccounts.ZoneReader, email = People.Address("c7"), kind = "service", roles = new[] { "editor" } });
        Assert.Equal(HttpStatusCode.Conflict, client.StatusCode);
        await using (var db = _database.NewContext())
        {
            Assert.False(await db.Set<Account>().AnyAsync(a => a.UserName == DemoAccounts.ZoneReader));
        }

        // Through its own path an admin reaches only its own tenant's accounts, and the national operator keeps working.
        using var national = await _app.AsAsync(Roles.Admin, RegionRules.NationalId);
        var disable = await _gulouAdmin.PostAsync($"/api/t/{Gulou}/accounts/{DemoAccounts.UserName(Roles.Admin, RegionRules.NationalId)}/disable", null);
        Assert.Equal(HttpStatusCode.NotFound, disable.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await national.GetAsync("/api/t/national/accounts")).StatusCode);
    }

    [Theory]
    [InlineData("a/b", "pattern")]
    [InlineData("Import", "pattern")]
    [InlineData("import", "pattern")]
    [InlineData("system:publishing", "pattern")]
    [InlineData("anonymous", "pattern")]
    [InlineData("x", "pattern")]
    public async Task L1_AUserNameIsLowercasePlainAndNotOneOfOneGosOwn(string userName, string rule)
    {
        var refused = await People.ProposeAsync(_gulouAdmin, Gulou, userName, People.Address("l1"), Roles.Editor);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = (await refused.JsonAsync())["errors"]![0]!;
        Assert.Equal("/userName", (string?)error["pointer"]);
        Assert.Equal(rule, (string?)error["rule"]);
    }

    [Fact]
    public async Task L1_NamesDifferingOnlyInCaseAreOneName()
    {
        Assert.Equal(HttpStatusCode.Conflict, (await People.ProposeAsync(_gulouAdmin, Gulou, DemoAccounts.UserName(Roles.Reviewer, Gulou), People.Address("l1"), Roles.Editor)).StatusCode);
        // The disable route finds an account whatever case its name is written in.
        var upper = await _gulouAdmin.PostAsync($"/api/t/{Gulou}/accounts/{DemoAccounts.UserName(Roles.Reviewer, Gulou).ToUpperInvariant()}/disable", null);
        Assert.Equal(HttpStatusCode.OK, upper.StatusCode);
    }

    [Fact]
    public async Task AnAuthenticatorResetIsFourEyesAndThePersonIsToldAtTheirAddress()
    {
        var name = "reset-reviewer-" + Guid.NewGuid().ToString("N")[..6];
        var email = await People.BringInAsync(_app, _gulouAdmin, _jiangsuAdmin, Gulou, name, "copper-kettle-morning", Roles.Reviewer);
        // First sign-in: the reviewer enrols an authenticator (Tokens reads the key the page shows).
        Assert.False(string.IsNullOrEmpty(await Tokens.PersonAsync(() => Tokens.Browser(_app), name, "copper-kettle-morning", authenticatorKey: null)));

        var proposed = await _gulouAdmin.PostAsync($"/api/t/{Gulou}/accounts/{name}/authenticator/reset", null);
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var id = (long)(await proposed.JsonAsync())["id"]!;
        Assert.Equal(HttpStatusCode.Forbidden, (await _gulouAdmin.PostAsync($"/api/t/{Gulou}/account-changes/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _jiangsuAdmin.PostAsync($"/api/t/{Gulou}/account-changes/{id}/approve", null)).StatusCode);
        Assert.Contains("authenticator was reset", await TestSmtp.WaitForAsync(email, "A change to your account"), StringComparison.Ordinal);

        // The old authenticator no longer signs the person in; the next sign-in enrols a new one.
        await using (var db = _database.NewContext())
        {
            var account = await db.Set<Account>().SingleAsync(a => a.UserName == name);
            Assert.False(account.TwoFactorEnabled);
        }

        Assert.Equal(["account.propose", "account.change-approve", "account.password-set", "account.authenticator-issue", "account.second-factor-enrol", "signin.success",
            "account.change-propose", "account.change-approve"], await AuditActionsAsync(Gulou, $"account/{name}"));
    }

    [Fact]
    public async Task AnAdminServiceAccountMayImportAndDoNothingElse()
    {
        using var pipeline = _app.CreateClient();
        pipeline.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(pipeline, DemoAccounts.UserName(Roles.Admin, RegionRules.NationalId)));
        var imported = await pipeline.PostAsync("/api/imports", null);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal(0, (int)(await imported.JsonAsync())["applied"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await pipeline.GetAsync("/api/t/national/accounts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await pipeline.GetAsync("/api/t/350205/drafts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await pipeline.PostAsync("/api/t/national/publishing-runs", null)).StatusCode);
        // A province's admin person may not import the whole folder either: that is the national admins'.
        Assert.Equal(HttpStatusCode.Forbidden, (await _jiangsuAdmin.PostAsync("/api/imports", null)).StatusCode);
    }

    [Fact]
    public async Task L4_OnlyATenantsOwnAuditorsReadItsLogAndOnlyNationalAuditorsVerify()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _gulouAdmin.GetAsync($"/api/t/{Gulou}/audit")).StatusCode);
        using var gulouAuditor = await _app.AsAsync(Roles.Auditor, Gulou);
        Assert.Equal(HttpStatusCode.OK, (await gulouAuditor.GetAsync($"/api/t/{Gulou}/audit")).StatusCode);
        using var jiangsuAuditor = await _app.AsAsync(Roles.Auditor, "jiangsu");
        Assert.Equal(HttpStatusCode.Forbidden, (await jiangsuAuditor.GetAsync($"/api/t/{Gulou}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await jiangsuAuditor.GetAsync("/api/audit/verify")).StatusCode);
        using var nationalAuditor = await _app.AsAsync(Roles.Auditor, RegionRules.NationalId);
        Assert.Equal(HttpStatusCode.OK, (await nationalAuditor.GetAsync("/api/audit/verify")).StatusCode);
        using var nationalAdmin = await _app.AsAsync(Roles.Admin, RegionRules.NationalId);
        Assert.Equal(HttpStatusCode.Forbidden, (await nationalAdmin.GetAsync("/api/audit/verify")).StatusCode);
    }
}

public sealed class AccountTestsOnSqlite() : AccountTests(Provider.Sqlite);

public sealed class AccountTestsOnPostgres() : AccountTests(Provider.Postgres);
