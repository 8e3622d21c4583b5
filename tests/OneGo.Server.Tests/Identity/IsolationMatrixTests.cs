using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Identity;
using OneGo.Tenancy;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Every endpoint the server maps × every kind of caller, against a hand-written table of who may do what —
/// not derived from the authorization code. Each refused call sends what the rightful caller succeeds with,
/// and leaves the victim's rows as they were. A route missing from the table fails the test.
/// </summary>
public abstract class IsolationMatrixTests(Provider provider) : IAsyncLifetime
{
    private const string Victim = "jiangsu.nanjing.gulou";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private readonly Dictionary<string, HttpClient> _callers = [];
    private string _runLocation = "";
    private readonly Dictionary<string, long> _toApprove = [];
    private readonly Dictionary<string, long> _toRefuse = [];

    private enum Access
    {
        /// <summary>Anyone: live content.</summary>
        Public,
        ReadDrafts,
        Edit,
        Review,
        Administer,

        /// <summary>Onboarding a region below the victim's parent: only the parent's admin (and above).</summary>
        AdministerParent,

        /// <summary>The victim's own audit log: its auditors only (三员管理: not its admins, not those above).</summary>
        ReadAudit,
    }

    // Who may do what, written out by hand from PRODUCT.md §2 and API.md.
    private static readonly Dictionary<Access, string[]> Rightful = new()
    {
        [Access.Public] = ["anonymous", "editor", "reviewer", "admin", "admin-service", "auditor", "sibling-editor", "other-province-admin", "parent-admin", "parent-auditor", "zone-reader"],
        [Access.ReadDrafts] = ["editor", "reviewer", "admin", "parent-admin"],
        [Access.Edit] = ["editor"],
        [Access.Review] = ["reviewer"],
        [Access.Administer] = ["admin", "parent-admin"],
        [Access.AdministerParent] = ["parent-admin"],
        [Access.ReadAudit] = ["auditor"],
    };

    private sealed record Call(HttpMethod Method, string Url, JsonNode? Body = null, string? IfMatch = null);

    private sealed record Row(Access Access, Func<IsolationMatrixTests, string, Task<Call>> Build);

    // Non-tenant routes: not part of the matrix, each with why.
    private static readonly Dictionary<string, string> OutsideTheMatrix = new()
    {
        ["GET /api/tenants"] = "public list of regions",
        ["GET /api/tenants/{tenant}"] = "public region",
        ["GET /api/site"] = "public region of a host name",
        ["GET /health/live"] = "liveness", ["GET /health/ready"] = "readiness",
        ["GET /openapi/{documentName}.json"] = "public API description", ["GET /openapi"] = "redirect to the reference",
        ["GET /scalar/{documentName?}"] = "public API reference",
        ["GET /scalar/favicon.svg"] = "the reference's assets", ["GET /scalar/scalar.js"] = "the reference's assets", ["GET /scalar/scalar.aspnetcore.js"] = "the reference's assets",
        ["POST /connect/token"] = "OAuth protocol endpoint", ["GET /connect/authorize"] = "OAuth protocol endpoint", ["POST /connect/authorize"] = "OAuth protocol endpoint",
        ["GET /connect/endsession"] = "OAuth protocol endpoint", ["POST /connect/endsession"] = "OAuth protocol endpoint",
        ["GET /account/signin"] = "the sign-in page", ["POST /account/signin"] = "the sign-in page",
        ["GET /account/second-factor"] = "the sign-in page's second step (SignInTests)", ["POST /account/second-factor"] = "the sign-in page's second step (SignInTests)",
        ["GET /account/password"] = "a mailed set-password link (AccountTests)", ["POST /account/password"] = "a mailed set-password link (AccountTests)",
        ["GET /account/password/change"] = "a signed-in person's own password (SignInTests)", ["POST /account/password/change"] = "a signed-in person's own password (SignInTests)",
        ["POST /api/imports"] = "the national admins' import of the deployment's tenants/ folder (AccountTests)",
        ["GET /_probe/raw/{tenant}/{code}"] = "load probe, mapped only with Diagnostics:LoadProbe",
        ["PUT /api/t/{tenant}/matters/{code}"] = "retired: answers 405 naming the working copy's route (DraftsApiTests); guarded like a write all the same",
        ["GET /api/audit/verify"] = "the national auditors', across every tenant (AuditTests, AccountTests)",
        ["GET /api/zone/bundles"] = "the public national zone across regions (ZoneTests)",
        ["GET /api/zone/feed"] = "integrations with scope zone.read (ZoneTests)", ["GET /api/zone/publications/{id}"] = "integrations with scope zone.read (ZoneTests)",
        ["GET /api/zone/integrations"] = "the national operator's (ZoneTests)", ["POST /api/zone/integrations"] = "the national operator's (ZoneTests)",
        ["GET /api/zone/dead-letters"] = "the national operator's (ZoneTests)", ["POST /api/zone/dead-letters/{id:long}/replay"] = "the national operator's (ZoneTests)",
    };

    private static readonly Dictionary<string, Row> Table = new()
    {
        ["GET /api/t/{tenant}/bundles"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles")),
        ["GET /api/t/{tenant}/bundles/{code}"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn")),
        ["POST /api/t/{tenant}/bundles/{code}/guide"] = new(Access.Public, (t, _) => t.GuideAsync()),
        ["GET /api/t/{tenant}/bundles/{code}/versions"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn/versions")),
        ["GET /api/t/{tenant}/bundles/{code}/versions/{version:int}"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn/versions/1")),
        ["GET /api/t/{tenant}/bundles/{code}/diff"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn/diff")),
        ["GET /api/t/{tenant}/templates"] = new(Access.Public, (t, _) => Get("/api/t/320106/templates")),
        ["GET /api/t/{tenant}/templates/{code}/adoptions"] = new(Access.Public, (t, _) => Get("/api/t/jiangsu/templates/newborn/adoptions")),
        ["GET /api/t/{tenant}/matters"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/matters")),
        ["GET /api/t/{tenant}/matters/{code}"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/matters/funeral-fee-waiver")),
        ["GET /api/t/{tenant}/matters/{code}/draft"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/matters/funeral-fee-waiver/draft")),
        ["PUT /api/t/{tenant}/matters/{code}/draft"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/funeral-fee-waiver/draft", HttpMethod.Put, "/api/t/320106/matters/funeral-fee-waiver/draft", d => d["document"]!)),
        ["POST /api/t/{tenant}/matters/{code}/draft/submit"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/matrix-draft/draft", HttpMethod.Post, "/api/t/320106/matters/matrix-draft/draft/submit", _ => null)),
        ["POST /api/t/{tenant}/matters/{code}/draft/approve"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/matrix-approve/draft", HttpMethod.Post, "/api/t/320106/matters/matrix-approve/draft/approve", _ => null)),
        ["POST /api/t/{tenant}/matters/{code}/draft/reject"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/matrix-reject/draft", HttpMethod.Post, "/api/t/320106/matters/matrix-reject/draft/reject",
            _ => new JsonObject { ["comment"] = "请补充法律依据。" })),
        ["POST /api/t/{tenant}/bundles"] = new(Access.Edit, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/bundles",
            new JsonObject { ["adopts"] = new JsonObject { ["tenant"] = "national", ["code"] = "school-enrolment", ["version"] = 1 } }))),
        ["GET /api/t/{tenant}/drafts"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/drafts")),
        ["GET /api/t/{tenant}/bundles/{code}/draft"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/bundles/newborn/draft")),
        ["PUT /api/t/{tenant}/bundles/{code}/draft"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/newborn/draft", HttpMethod.Put, "/api/t/320106/bundles/newborn/draft", d => d["document"]!)),
        ["GET /api/t/{tenant}/bundles/{code}/draft/effective"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/bundles/newborn/draft/effective")),
        ["GET /api/t/{tenant}/bundles/{code}/draft/diff"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/bundles/newborn/draft/diff?against=template")),
        ["POST /api/t/{tenant}/bundles/{code}/draft/rebase"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/newborn/draft", HttpMethod.Post, "/api/t/320106/bundles/newborn/draft/rebase", _ => new JsonObject { ["version"] = 1 })),
        ["POST /api/t/{tenant}/bundles/{code}/draft/submit"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/pharmacy/draft", HttpMethod.Post, "/api/t/320106/bundles/pharmacy/draft/submit", _ => null)),
        ["POST /api/t/{tenant}/bundles/{code}/draft/approve"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/marriage/draft", HttpMethod.Post, "/api/t/320106/bundles/marriage/draft/approve", _ => null)),
        ["POST /api/t/{tenant}/bundles/{code}/draft/reject"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/employment/draft", HttpMethod.Post, "/api/t/320106/bundles/employment/draft/reject",
            _ => new JsonObject { ["comment"] = "请补充办理地点。" })),
        ["POST /api/t/{tenant}/bundles/{code}/withdrawal"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/convenience-store/draft", HttpMethod.Post, "/api/t/320106/bundles/convenience-store/withdrawal",
            _ => new JsonObject { ["comment"] = "并入新的一件事。" })),
        ["GET /api/t/{tenant}/audit"] = new(Access.ReadAudit, (t, _) => Get("/api/t/320106/audit")),
        ["POST /api/t/{tenant}/publishing-runs"] = new(Access.Administer, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/publishing-runs"))),
        ["GET /api/t/{tenant}/publishing-runs"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/publishing-runs")),
        ["GET /api/t/{tenant}/publishing-runs/{id:guid}"] = new(Access.ReadDrafts, (t, _) => Get(t._runLocation)),
        ["GET /api/t/{tenant}/accounts"] = new(Access.Administer, (t, _) => Get("/api/t/320106/accounts")),
        ["POST /api/t/{tenant}/accounts"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/accounts",
            new JsonObject { ["userName"] = "proposed-" + caller, ["email"] = $"proposed-{caller}@example.gov.cn", ["roles"] = new JsonArray("editor") }))),
        ["GET /api/t/{tenant}/accounts/{userName}"] = new(Access.Administer, (t, caller) => Get($"/api/t/320106/accounts/mv-{caller}")),
        ["POST /api/t/{tenant}/accounts/{userName}/roles"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/roles",
            new JsonObject { ["role"] = "reviewer" }))),
        ["POST /api/t/{tenant}/accounts/{userName}/roles/{role}/revoke"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/roles/editor/revoke"))),
        ["POST /api/t/{tenant}/accounts/{userName}/credential"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/credential"))),
        ["POST /api/t/{tenant}/accounts/{userName}/authenticator/reset"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/authenticator/reset"))),
        ["POST /api/t/{tenant}/accounts/{userName}/email"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/email",
            new JsonObject { ["email"] = $"new-{caller}@example.gov.cn" }))),
        ["GET /api/t/{tenant}/account-changes"] = new(Access.Administer, (t, _) => Get("/api/t/320106/account-changes?state=proposed")),
        ["POST /api/t/{tenant}/account-changes/{id:long}/approve"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/account-changes/{t._toApprove[caller]}/approve"))),
        ["POST /api/t/{tenant}/account-changes/{id:long}/refuse"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/account-changes/{t._toRefuse[caller]}/refuse",
            new JsonObject { ["comment"] = "不需要。" }))),
        ["POST /api/t/{tenant}/children"] = new(Access.AdministerParent, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320100/children",
            new JsonObject { ["segment"] = "gaochun", ["name"] = "高淳区", ["level"] = "district", ["divisionCode"] = "320118" }))),
        ["GET /api/t/{tenant}/settings"] = new(Access.Public, (t, _) => Get("/api/t/320106/settings")),
        ["GET /"] = new(Access.Public, (t, _) => Get("/?q=%E7%BB%93%E5%A9%9A")),
        ["GET /regions/{tenant}"] = new(Access.Public, (t, _) => Get("/regions/320106")),
        ["GET /regions/{tenant}/bundles/{code}"] = new(Access.Public, (t, _) => Get("/regions/320106/bundles/newborn")),
        ["PUT /api/t/{tenant}/settings"] = new(Access.Administer, (t, _) => t.ReadThenWriteAsync("/api/t/320106/settings", HttpMethod.Put, "/api/t/320106/settings",
            d => new JsonObject { ["name"] = d["name"]!.DeepClone(), ["displayName"] = "鼓楼区政务服务中心", ["publishingSchedule"] = "0 30 1 * * ?" })),
        ["POST /api/t/{tenant}/accounts/{userName}/disable"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/disable"))),
    };

    private static Task<Call> Get(string url) => Task.FromResult(new Call(HttpMethod.Get, url));

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
        var anonymous = _app.CreateClient();
        _callers["anonymous"] = anonymous;
        async Task Add(string name, string clientId, string? scope = null)
        {
            var client = _app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(anonymous, clientId, scope: scope));
            _callers[name] = client;
        }

        // Admins and auditors are people, signed in with their second factor; an admin service account may only import.
        async Task AddPerson(string name, string role, string tenant) => _callers[name] = await _app.AsAsync(role, tenant);

        await Add("editor", DemoAccounts.UserName(Roles.Editor, Victim));
        await Add("reviewer", DemoAccounts.UserName(Roles.Reviewer, Victim));
        await AddPerson("admin", Roles.Admin, Victim);
        await Add("admin-service", DemoAccounts.UserName(Roles.Admin, Victim));
        await AddPerson("auditor", Roles.Auditor, Victim);
        await Add("sibling-editor", DemoAccounts.UserName(Roles.Editor, "jiangsu.nanjing.jiangning"));
        await AddPerson("other-province-admin", Roles.Admin, "zhejiang");
        await AddPerson("parent-admin", Roles.Admin, "jiangsu.nanjing");
        await AddPerson("parent-auditor", Roles.Auditor, "jiangsu.nanjing");
        await Add("zone-reader", DemoAccounts.ZoneReader, OneGoClaims.ZoneReadScope);

        // The account rows: an account of the victim per caller, holding editor, with two changes proposed by the national operator.
        using (var national = await _app.AsAsync(Roles.Admin, RegionRules.NationalId))
        using (var province = await _app.AsAsync(Roles.Admin, "jiangsu"))
        {
            foreach (var caller in _callers.Keys)
            {
                Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(national, Victim, $"mv-{caller}", $"mv-{caller}@example.gov.cn", Roles.Editor)).StatusCode);
                Assert.All(await People.ApproveAllAsync(province, Victim, $"mv-{caller}"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
                Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(national, Victim, $"md-{caller}", $"md-{caller}@example.gov.cn", Roles.Editor)).StatusCode);
                Assert.All(await People.ApproveAllAsync(province, Victim, $"md-{caller}"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
                _toApprove[caller] = (long)(await (await national.SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/accounts/md-{caller}/email", new { email = $"md2-{caller}@example.gov.cn" })).JsonAsync())["id"]!;
                _toRefuse[caller] = (long)(await (await national.SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/accounts/md-{caller}/roles", new { role = "reviewer" })).JsonAsync())["id"]!;
            }
        }

        // The submit row needs a draft; the approve and reject rows a draft waiting for review; the disable row an account.
        async Task<HttpResponseMessage> EditAsync(string code)
        {
            var read = await _callers["editor"].GetAsync($"/api/t/320106/bundles/{code}/draft");
            var saved = await _callers["editor"].SendJsonAsync(HttpMethod.Put, $"/api/t/320106/bundles/{code}/draft", (await read.JsonAsync())["document"], read.ETag());
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            return saved;
        }

        await EditAsync("pharmacy");
        foreach (var code in (string[])["marriage", "employment"])
        {
            var saved = await EditAsync(code);
            Assert.Equal(HttpStatusCode.OK, (await _callers["editor"].SendJsonAsync(HttpMethod.Post, $"/api/t/320106/bundles/{code}/draft/submit", ifMatch: saved.ETag())).StatusCode);
        }

        // The matter rows likewise: a new matter's working copy in draft, and two waiting for review.
        foreach (var code in (string[])["matrix-draft", "matrix-approve", "matrix-reject"])
        {
            var matter = (await (await _callers["editor"].GetAsync("/api/t/320106/matters/funeral-fee-waiver")).JsonAsync()).AsObject();
            matter["code"] = code;
            var saved = await _callers["editor"].SendJsonAsync(HttpMethod.Put, $"/api/t/320106/matters/{code}/draft", matter);
            Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
            if (code != "matrix-draft")
            {
                Assert.Equal(HttpStatusCode.OK, (await _callers["editor"].SendJsonAsync(HttpMethod.Post, $"/api/t/320106/matters/{code}/draft/submit", ifMatch: saved.ETag())).StatusCode);
            }
        }

        var run = await _callers["admin"].PostAsync("/api/t/320106/publishing-runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        _runLocation = run.Headers.Location!.ToString();
        await RunEndedAsync(_callers["admin"], _runLocation);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _callers.Values)
        {
            client.Dispose();
        }

        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static async Task RunEndedAsync(HttpClient client, string location)
    {
        for (var i = 0; i < 300; i++)
        {
            var status = (string?)(await (await client.GetAsync(location)).JsonAsync())["run"]!["status"];
            if (status is "succeeded" or "failed")
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The publishing run {location} did not end within a minute.");
    }

    private async Task<Call> GuideAsync()
    {
        var bundle = await (await _callers["anonymous"].GetAsync("/api/t/320106/bundles/newborn")).JsonAsync();
        var answers = new JsonObject();
        foreach (var question in bundle["scenarios"]!.AsArray())
        {
            answers[(string)question!["id"]!] = (string)question["options"]![0]!["id"]!;
        }

        return new Call(HttpMethod.Post, "/api/t/320106/bundles/newborn/guide", new JsonObject { ["answers"] = answers });
    }

    // Read as the tenant's editor, then send the change with the ETag read: what the rightful caller would send.
    private async Task<Call> ReadThenWriteAsync(string readUrl, HttpMethod method, string url, Func<JsonNode, JsonNode?> body)
    {
        var read = await _callers["editor"].GetAsync(readUrl);
        return new Call(method, url, body(await read.JsonAsync())?.DeepClone(), read.ETag());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Call call)
    {
        using var request = new HttpRequestMessage(call.Method, call.Url);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (call.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", call.IfMatch);
        }

        return await client.SendAsync(request);
    }

    [Fact]
    public async Task EveryRouteAnswersEveryCallerAsTheTableSaysAndRefusalsChangeNothing()
    {
        var mapped = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {"/" + e.RoutePattern.RawText!.Trim('/')}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        // The console's pages read and write nothing themselves: they call these routes with the signed-in person's own
        // token, so the rows below are their isolation too (the browser tests show a refusal reaching the page).
        var missing = mapped.Where(r => !Table.ContainsKey(r) && !OutsideTheMatrix.ContainsKey(r) && !r.Contains(" /console", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "Routes missing from the matrix's table: " + string.Join(", ", missing));

        var failures = new List<string>();
        var calls = 0;
        // Refused callers first, then the rightful ones, so that a refusal is always checked against untouched rows.
        foreach (var (route, row) in Table.Where(r => mapped.Contains(r.Key)).OrderBy(r => r.Key.Contains("/disable", StringComparison.Ordinal)))
        {
            foreach (var caller in _callers.Keys.OrderBy(c => Rightful[row.Access].Contains(c)))
            {
                var before = await RowSnapshot.TakeAsync(_database, Victim);
                var call = await row.Build(this, caller);
                var response = await SendAsync(_callers[caller], call);
                calls++;
                var status = (int)response.StatusCode;
                var rightful = Rightful[row.Access].Contains(caller);
                var expected = rightful ? "2xx" : caller == "anonymous" ? "401" : "403";
                var ok = rightful ? status is >= 200 and < 300 : status == int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
                if (!ok)
                {
                    failures.Add($"{route} as {caller}: {status}, expected {expected}: {await response.Content.ReadAsStringAsync()}");
                }
                else if (rightful && response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } run)
                {
                    // A publishing run works in the background: let it end before the next refusal is checked.
                    await RunEndedAsync(_callers[caller], run.ToString());
                }

                if (!rightful)
                {
                    var changed = RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database, Victim));
                    if (changed.Count > 0)
                    {
                        failures.Add($"{route} as {caller} changed {string.Join(", ", changed)}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls broke the table:\n" + string.Join("\n", failures));
        Assert.True(calls >= Table.Count * _callers.Count - _callers.Count);
    }
}

public sealed class IsolationMatrixTestsOnSqlite() : IsolationMatrixTests(Provider.Sqlite);

public sealed class IsolationMatrixTestsOnPostgres() : IsolationMatrixTests(Provider.Postgres);
