using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// Bad input is the client's mistake, never the server's: each cause of a 500 that a fuzz run found (C1–C5) sent as it
/// was found, answered with a 4xx as problem details naming what was wrong, and nothing saved. The node runs in
/// Development, where the framework's own binding errors used to become 500s.
/// </summary>
public abstract class BadInputTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Settings = $"/api/t/{Haicang}/settings";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _admin = null!;
    private HttpClient _operator = null!;

    /// <summary>A node in <paramref name="environment"/>, on the test's database: demo accounts and plain HTTP on, no publishing at start, mail to the test server (required outside Development).</summary>
    private OneGoApp Node(string environment) => new(_database, settings: new Dictionary<string, string?>(TestSmtp.Settings)
    {
        ["environment"] = environment,
        ["Demo:Enabled"] = "true",
        ["Identity:AllowHttp"] = "true",
        ["Publishing:RunOnStart"] = "false",
    });

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = Node(Environments.Development);
        Assert.True(_app.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
        _admin = await _app.AsAsync(Roles.Admin, Haicang);
        _operator = await _app.AsAsync(Roles.Admin, RegionRules.NationalId);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _operator.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static HttpRequestMessage Raw(HttpMethod method, string url, string? body, string? contentType, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    /// <summary>Asserts a problem-details answer with one of <paramref name="statuses"/>; returns it.</summary>
    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, string what, params int[] statuses)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains((int)response.StatusCode), $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)response.StatusCode, (int)problem["status"]!);
        return problem;
    }

    private static string Deep(int levels) => new string('[', levels) + new string(']', levels);

    /// <summary>Rows a refused request must leave as they were: the regions, Haicang's own rows and accounts, integrations, audit entries.</summary>
    private async Task<SortedDictionary<string, string>> RowsAsync()
    {
        var rows = await RowSnapshot.OfTenantsAsync(_database, Haicang);
        await using var db = _database.NewContext();
        rows["Regions"] = string.Join(",", await db.Regions.AsNoTracking().OrderBy(r => r.Id).Select(r => r.Id + ":" + r.Name + ":" + r.NameEn).ToListAsync());
        rows["Integrations"] = (await db.Set<Integration>().CountAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        rows["Accounts"] = (await db.Set<Account>().CountAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        rows["AuditEntries"] = (await db.Set<AuditEntry>().IgnoreQueryFilters([TenancyModel.FilterName]).CountAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return rows;
    }

    [Fact]
    public async Task C1_ALimitTheFrameworkCannotBindIsA400NamingItInDevelopmentAsInStaging()
    {
        await using var staging = Node(Environments.Staging);
        Assert.False(staging.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
        using var stagingAdmin = await staging.AsAsync(Roles.Admin, Haicang);
        // The audit log is read by its auditor: who may not read it at all is told so first, whatever the limit.
        using var auditor = await _app.AsAsync(Roles.Auditor, Haicang);
        using var stagingAuditor = await staging.AsAsync(Roles.Auditor, Haicang);
        string[] paths = ["/api/tenants", $"/api/t/{Haicang}/bundles", $"/api/t/{Haicang}/drafts", $"/api/t/{Haicang}/audit", "/api/zone/bundles"];
        string[] limits = ["abc", "1.5", "1e3", "0x10", "2147483648", "-2147483649", "%D9%A3", "1&limit=2"];
        foreach (var path in paths)
        {
            var audit = path.EndsWith("/audit", StringComparison.Ordinal);
            foreach (var limit in limits)
            {
                var url = $"{path}?limit={limit}";
                var development = await ProblemAsync(await (audit ? auditor : _admin).GetAsync(url), "Development " + url, 400);
                var production = await ProblemAsync(await (audit ? stagingAuditor : stagingAdmin).GetAsync(url), "Staging " + url, 400);
                Assert.Equal("limit", (string?)development["errors"]![0]!["parameter"]);
                Assert.Contains("whole number", (string?)development["detail"], StringComparison.Ordinal);
                Assert.Equal(production.ToJsonString(), development.ToJsonString().Replace((string)development["traceId"]!, (string)production["traceId"]!, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task C1_AQueryValueHoldingAControlCharacterIsA400NamingItOnEveryRouteAndProvider()
    {
        // On PostgreSQL a NUL reaching a text filter was a 500 (GET …/audit?action=%00, found by the fuzz run).
        foreach (var url in new[]
                 {
                     $"/api/t/{Haicang}/audit?action=%00", $"/api/t/{Haicang}/audit?subject=bundle%2F%00", $"/api/t/{Haicang}/audit?actor=a%01b",
                     $"/api/t/{Haicang}/bundles?limit=%00", "/api/zone/bundles?cursor=%0A", "/api/tenants?limit=10&x=%7F",
                 })
        {
            var problem = await ProblemAsync(await _admin.GetAsync(url), url, 400);
            var parameter = url[(url.LastIndexOf('?') + 1)..];
            parameter = parameter.Contains('&', StringComparison.Ordinal) ? parameter[(parameter.IndexOf('&', StringComparison.Ordinal) + 1)..] : parameter;
            Assert.Equal(parameter[..parameter.IndexOf('=', StringComparison.Ordinal)], (string?)problem["errors"]![0]!["parameter"]);
            Assert.Contains("control character", (string?)problem["detail"], StringComparison.Ordinal);
        }

        // Printable Chinese text in the same filter is an ordinary query: an empty page, not a refusal.
        using var auditor = await _app.AsAsync(Roles.Auditor, Haicang);
        var plain = await auditor.GetAsync($"/api/t/{Haicang}/audit?action=%E5%AE%A1%E6%89%B9");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Empty(JsonNode.Parse(await plain.Content.ReadAsStringAsync())!["items"]!.AsArray());
    }

    [Fact]
    public async Task C1_TypedBodiesThatCannotBeReadAre4xxProblemsAndCreateNothing()
    {
        var before = await RowsAsync();
        // Per route: a valid body, one with a word its field does not allow (integrations have no enum: a block for a list),
        // one with a number for a word, one with a value of the wrong kind.
        var routes = new (string Url, HttpClient Caller, string Valid, string BadEnum, string EnumNumber, string WrongType)[]
        {
            ($"/api/t/{Haicang}/children", _admin, """{"segment":"fuzz","name":"x","level":"district","divisionCode":"350299"}""",
                """{"segment":"fuzz","name":"x","level":"bogus"}""", """{"segment":"fuzz","name":"x","level":3}""", """{"segment":"fuzz","name":5}"""),
            ("/api/zone/integrations", _operator, """{"name":"x","url":"https://203.0.113.7/hook","secret":"0123456789abcdef","regions":["350000"]}""",
                """{"name":"x","url":"https://203.0.113.7/hook","secret":"0123456789abcdef","regions":{"350000":true}}""",
                """{"name":"x","url":"https://203.0.113.7/hook","secret":"0123456789abcdef","regions":[350000]}""", """{"name":"x","url":1}"""),
            ($"/api/t/{Haicang}/accounts", _admin, """{"userName":"fuzz-person","email":"fuzz@example.gov.cn","roles":["editor"],"kind":"person"}""",
                """{"userName":"fuzz-robot","email":"fuzz@example.gov.cn","roles":["editor"],"kind":"robot"}""",
                """{"userName":"fuzz-number","email":"fuzz@example.gov.cn","roles":["editor"],"kind":123}""", """{"userName":["x"]}"""),
        };
        foreach (var (url, caller, valid, badEnum, enumNumber, wrongType) in routes)
        {
            (string? Body, string? ContentType, int[] Statuses)[] cases =
            [
                ("{", "application/json", [400, 422]),
                ("[]", "application/json", [400, 422]),
                ("123", "application/json", [400, 422]),
                ("null", "application/json", [400, 422]),
                ("\"x\"", "application/json", [400, 422]),
                ("{\"name\":" + Deep(100) + "}", "application/json", [400, 422]),
                (wrongType, "application/json", [400, 422]),
                (badEnum, "application/json", [400, 422]),
                (enumNumber, "application/json", [400, 422]),
                (valid, null, [415]),
                (valid, "text/plain", [415]),
                (valid, "application/json; charset=bogus", [400, 415]),
                (valid, "application/x-www-form-urlencoded", [415]),
                ("", "application/json", [400, 422]),
            ];
            foreach (var (body, contentType, statuses) in cases)
            {
                await ProblemAsync(await caller.SendAsync(Raw(HttpMethod.Post, url, body, contentType)), $"POST {url} {contentType} {body}", statuses);
            }
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }

    [Fact]
    public async Task C2_SettingsBodiesThatAreNotJsonOrNotSettingsAre4xxProblemsAndChangeNothing()
    {
        var read = await _admin.GetAsync(Settings);
        var etag = read.ETag();
        var before = await RowsAsync();
        (string Body, string? ContentType, int[] Statuses)[] cases =
        [
            ("{", "application/json", [422]),
            ("[]", "application/json", [422]),
            ("1", "application/json", [422]),
            ("null", "application/json", [422]),
            ("\"s\"", "application/json", [422]),
            ("""{"name":"海沧区","contact":-1}""", "application/json", [422]),
            ("""{"name":"海沧区","displayName":[]}""", "application/json", [422]),
            ("""{"name":"\ud800"}""", "application/json", [422]),
            ("{\"name\":\"海沧区\",\"contact\":" + Deep(70) + "}", "application/json", [422]),
            ("""{"name":"海沧区"}""", "text/plain", [415]),
            ("""{"name":"海沧区"}""", "application/xml", [415]),
            ("name=x", "application/x-www-form-urlencoded", [415]),
            ("""{"name":"海沧区"}""", "multipart/form-data; boundary=x", [400, 415]),
            ("""{"name":"海沧区"}""", "*/*", [415]),
            ("""{"name":"海沧区"}""", null, [415]),
            ("""{"name":"海沧区"}""", "garbage", [415]),
            ("""{"name":"海沧区"}""", "application/json; charset=bogus", [415]),
            ("""{"name":"海沧区"}""", "application/json; charset=utf-16", [415]),
        ];
        foreach (var (body, contentType, statuses) in cases)
        {
            await ProblemAsync(await _admin.SendAsync(Raw(HttpMethod.Put, Settings, body, contentType, etag)), $"{contentType} {body}", statuses);
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
        // The same body, well formed, is taken.
        Assert.Equal(HttpStatusCode.OK, (await _admin.SendAsync(Raw(HttpMethod.Put, Settings, """{"name":"海沧区","displayName":"海沧区政务服务中心"}""", "application/json", etag))).StatusCode);
    }

    [Fact]
    public async Task C2_SettingsLongerThanTheirColumnsAre422NamingTheFieldAndTheLimit()
    {
        var read = await _admin.GetAsync(Settings);
        var before = await RowsAsync();
        var tooLong = new JsonObject
        {
            ["name"] = new string('海', 101),
            ["nameEn"] = new string('h', 201),
            ["displayName"] = new string('海', 201),
            ["displayNameEn"] = new string('h', 301),
            ["contact"] = new JsonObject { ["phone"] = new string('5', 51), ["email"] = new string('e', 201), ["address"] = new string('a', 301), ["hours"] = new string('h', 201) },
            ["publishingSchedule"] = "0 0 2 * * ?" + new string(' ', 120),
        };
        var refused = await _admin.SendJsonAsync(HttpMethod.Put, Settings, tooLong, read.ETag());
        var problem = await ProblemAsync(refused, "too long", 422);
        Assert.Equal(["/name", "/nameEn", "/displayName", "/displayNameEn", "/contact/phone", "/contact/email", "/contact/address", "/contact/hours", "/publishingSchedule"],
            problem["errors"]!.AsArray().Select(e => (string)e!["pointer"]!));
        Assert.All(problem["errors"]!.AsArray(), e => Assert.Equal("length", (string?)e!["rule"]));
        Assert.Contains("at most 100 characters", (string?)problem["errors"]![0]!["message"], StringComparison.Ordinal);
        Assert.Contains("at most 50 characters", (string?)problem["errors"]![4]!["message"], StringComparison.Ordinal);
        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }

    [Fact]
    public async Task C3_AScheduleThatNeverFiresOrFiresMoreOftenThanTheMinimumIsRefusedBeforeItIsSaved()
    {
        var read = await _admin.GetAsync(Settings);
        var before = await RowsAsync();
        foreach (var (cron, says) in new[]
                 {
                     ("0 0 0 31 2 ?", "never fires"), ("0 0 0 1 1 ? 1999", "never fires"),
                     ("* * * * * ?", "a region publishes at most every 5 minute(s)"), ("0 * * * * ?", "1 minute(s) apart"),
                     ("0 0,1 2 * * ?", "1 minute(s) apart"), ("every night", "not a Quartz cron expression"),
                 })
        {
            var refused = await _admin.SendJsonAsync(HttpMethod.Put, Settings, new { name = "海沧区", publishingSchedule = cron }, read.ETag());
            var problem = await ProblemAsync(refused, cron, 422);
            var error = Assert.Single(problem["errors"]!.AsArray());
            Assert.Equal("/publishingSchedule", (string?)error!["pointer"]);
            Assert.Contains(says, (string?)error["message"], StringComparison.Ordinal);
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
        // Every five minutes is the most a region may publish by default.
        var saved = await _admin.SendJsonAsync(HttpMethod.Put, Settings, new { name = "海沧区", publishingSchedule = "0 0/5 * * * ?" }, read.ETag());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("0 0/5 * * * ?", (string?)(await saved.JsonAsync())["publishing"]!["schedule"]);
    }

    [Fact]
    public async Task C3_AStoredScheduleThatNeverFiresIsSkippedAtStartAndTheNodeStartsAndServes()
    {
        // An older version (or someone with SQL) stored a schedule that never fires.
        var tenants = new CurrentTenant();
        await using (var db = _database.NewContext(tenants))
        {
            using (tenants.Enter(Haicang))
            {
                var changed = await db.Database.ExecuteSqlRawAsync("UPDATE \"TenantSettings\" SET \"PublishingSchedule\" = {0} WHERE \"TenantId\" = {1}", "0 0 0 31 2 ?", Haicang);
                Assert.Equal(1, changed);
            }
        }

        await _app.DisposeAsync();
        await using var restarted = Node(Environments.Development);
        using var client = restarted.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/tenants")).StatusCode);
        Assert.Equal("0 0 0 31 2 ?", (string?)(await (await client.GetAsync(Settings)).JsonAsync())["publishing"]!["schedule"]);
        // The tenant has no scheduled runs, and can still publish when asked; every other tenant keeps its schedule.
        var scheduler = await restarted.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        Assert.Null(await scheduler.GetTrigger(OneGo.Server.Scheduling.Jobs.TriggerKeyOf(PublishingJob.KeyOf(Haicang))));
        Assert.NotNull(await scheduler.GetJobDetail(PublishingJob.KeyOf(Haicang)));
        Assert.NotNull(await scheduler.GetTrigger(OneGo.Server.Scheduling.Jobs.TriggerKeyOf(PublishingJob.KeyOf("fujian.xiamen.siming"))));
        using var admin = await restarted.AsAsync(Roles.Admin, Haicang);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/t/{Haicang}/publishing-runs", null)).StatusCode);
    }

    [Fact]
    public async Task C4_AnOverlayChangeWithoutItsOpOrWithAnUnknownOpIs422AtItsPointer()
    {
        using var editor = await _app.AsAsync(Roles.Editor, Haicang);
        var before = await RowsAsync();
        foreach (var (change, says) in new[] { ("""{"hours":"x"}""", "has no 'op'"), ("""{"op":"bogus","hours":"x"}""", "'bogus' is not a kind of change") })
        {
            var adopted = await editor.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles",
                $$"""{"adopts":{"tenant":"national","code":"credit-repair","version":1},"changes":[{{change}}]}""");
            var error = Assert.Single((await ProblemAsync(adopted, change, 422))["errors"]!.AsArray());
            Assert.Equal("/changes/0/op", (string?)error!["pointer"]);
            Assert.Contains(says, (string?)error["message"], StringComparison.Ordinal);
            Assert.Contains("setHours", (string?)error["message"], StringComparison.Ordinal);
        }

        // A null where a change belongs (found by the fuzz run: it was a 500).
        var nulled = await editor.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles",
            """{"adopts":{"tenant":"national","code":"credit-repair","version":1},"changes":[null]}""");
        Assert.Equal("/changes/0", (string?)Assert.Single((await ProblemAsync(nulled, "null", 422))["errors"]!.AsArray())!["pointer"]);

        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));

        // The same in a working copy: Gulou's marriage bundle adopts Jiangsu's standard.
        using var gulou = await _app.AsAsync(Roles.Editor, "jiangsu.nanjing.gulou");
        const string draft = "/api/t/jiangsu.nanjing.gulou/bundles/marriage/draft";
        var read = await gulou.GetAsync(draft);
        var document = (await read.JsonAsync())["document"]!.DeepClone();
        document["changes"]!.AsArray().Add(JsonNode.Parse("""{"text":"x"}"""));
        var index = document["changes"]!.AsArray().Count - 1;
        var gulouBefore = await RowSnapshot.OfTenantsAsync(_database, "jiangsu.nanjing.gulou");
        var refused = await gulou.SendJsonAsync(HttpMethod.Put, draft, document, read.ETag());
        Assert.Equal($"/changes/{index}/op", (string?)(await ProblemAsync(refused, "draft", 422))["errors"]![0]!["pointer"]);
        Assert.Empty(RowSnapshot.Changed(gulouBefore, await RowSnapshot.OfTenantsAsync(_database, "jiangsu.nanjing.gulou")));
    }

    [Fact]
    public async Task C5_AFormBodyWithANulOrUndecodableBytesIsA400OnAnyRouteAndIssuesNothing()
    {
        using var anonymous = _app.CreateClient();
        var before = await RowsAsync();
        foreach (var (method, url, body) in new[]
                 {
                     (HttpMethod.Get, "/api/tenants", "access_token=%00"),
                     (HttpMethod.Get, $"/api/t/{Haicang}/bundles", "a=%00b"),
                     (HttpMethod.Post, "/connect/token", "grant_type=client_credentials&client_id=%00&client_secret=demo-secret"),
                     (HttpMethod.Post, "/account/signin", "userName=demo-editor%40fujian.xiamen.haicang&password=demo-secret&returnUrl=%2F%00"),
                 })
        {
            var problem = await ProblemAsync(await anonymous.SendAsync(Raw(method, url, body, "application/x-www-form-urlencoded")), $"{method} {url} {body}", 400);
            Assert.Contains("form", (string?)problem["detail"], StringComparison.OrdinalIgnoreCase);
        }

        // Bytes that are not UTF-8 at all, in a form, never reach a 5xx either.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new ByteArrayContent([0x61, 0x3D, 0xFF, 0xFE, 0x00, 0xC3]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var undecodable = await anonymous.SendAsync(request);
        Assert.True((int)undecodable.StatusCode is >= 400 and < 500, $"{(int)undecodable.StatusCode} {await undecodable.Content.ReadAsStringAsync()}");
        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }

    [Fact]
    public async Task C5_AFormPostedWithoutItsAntiforgeryTokenIsA400SayingSoOnEveryFormRouteAndChangesNothing()
    {
        // Another site's page posting the identity forms: well-formed fields, no token (found by the fuzz run as a 500
        // once the request delegates were generated at build).
        using var anonymous = _app.CreateClient();
        var before = await RowsAsync();
        foreach (var (url, body) in new[]
                 {
                     (OneGo.Server.Identity.SignInPage.Path, "userName=demo-editor%40fujian.xiamen.haicang&password=demo-secret&returnUrl=%2F"),
                     (OneGo.Server.Identity.SignInPage.SecondFactorPath, "code=123456&returnUrl=%2F"),
                     (OneGo.Server.Identity.PasswordPages.SetPath, "token=x&newPassword=another-secret-1&repeat=another-secret-1"),
                     (OneGo.Server.Identity.PasswordPages.ChangePath, "password=demo-secret&newPassword=another-secret-1&repeat=another-secret-1"),
                     (OneGo.Server.Features.Applicants.RegisterPage.Path, "userName=someone&name=%E5%BC%A0%E4%B8%89&newPassword=another-secret-1&repeat=another-secret-1"),
                 })
        {
            var problem = await ProblemAsync(await anonymous.SendAsync(Raw(HttpMethod.Post, url, body, "application/x-www-form-urlencoded")), $"POST {url}", 400);
            Assert.Contains("anti-forgery", (string?)problem["detail"], StringComparison.Ordinal);
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }

    [Fact]
    public async Task UnknownFieldsAndRepeatedKeysAreRefusedAlikeOnEveryWriteRoute()
    {
        using var editor = await _app.AsAsync(Roles.Editor, Haicang);
        var settings = await _admin.GetAsync(Settings);
        var draft = await editor.GetAsync($"/api/t/{Haicang}/bundles/enrolment/draft");
        var before = await RowsAsync();
        var writes = new (HttpClient Caller, HttpMethod Method, string Url, string Body, string? IfMatch)[]
        {
            (_admin, HttpMethod.Put, Settings, """{"name":"海沧区","extra":1}""", settings.ETag()),
            (_admin, HttpMethod.Post, $"/api/t/{Haicang}/children", """{"segment":"fuzz","name":"x","level":"district","extra":1}""", null),
            (_operator, HttpMethod.Post, "/api/zone/integrations", """{"name":"x","url":"https://203.0.113.7/hook","secret":"0123456789abcdef","regions":["350000"],"extra":1}""", null),
            (_admin, HttpMethod.Post, $"/api/t/{Haicang}/accounts", """{"userName":"fuzz","email":"fuzz@example.gov.cn","roles":["editor"],"extra":1}""", null),
            (editor, HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/withdrawal", """{"comment":"x","extra":1}""", draft.ETag()),
            (editor, HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/guide", """{"answers":{},"extra":1}""", null),
        };
        foreach (var (caller, method, url, body, ifMatch) in writes)
        {
            var problem = await ProblemAsync(await caller.SendAsync(Raw(method, url, body, "application/json", ifMatch)), $"{method} {url}", 422);
            var error = Assert.Single(problem["errors"]!.AsArray());
            Assert.Equal(("/extra", "'extra' is not a field here."), ((string?)error!["pointer"], (string?)error["message"]));
        }

        foreach (var (caller, method, url, body, ifMatch, pointer) in new[]
                 {
                     (_admin, HttpMethod.Put, Settings, """{"name":"海沧区","name":"x"}""", settings.ETag(), "/name"),
                     (editor, HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/withdrawal", """{"comment":null,"comment":"x"}""", draft.ETag(), "/comment"),
                     (_admin, HttpMethod.Post, $"/api/t/{Haicang}/accounts", """{"userName":"a","userName":"b","email":"fuzz@example.gov.cn","roles":["editor"]}""", null, "/userName"),
                 })
        {
            var problem = await ProblemAsync(await caller.SendAsync(Raw(method, url, body, "application/json", ifMatch)), $"{method} {url} repeated", 422);
            var error = Assert.Single(problem["errors"]!.AsArray());
            Assert.Equal(pointer, (string?)error!["pointer"]);
            Assert.Contains("more than once", (string?)error["message"], StringComparison.Ordinal);
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }

    [Fact]
    public async Task AnyTextOfABodyLongerThanTenThousandCharactersIs422AtItsPointer()
    {
        using var anonymous = _app.CreateClient();
        var guide = await anonymous.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/bundles/enrolment/guide",
            new { answers = new Dictionary<string, string> { ["guide"] = new string('长', 10_001) } });
        var error = Assert.Single((await ProblemAsync(guide, "guide", 422))["errors"]!.AsArray());
        Assert.Equal(("/answers/guide", "length", "This text has 10,001 characters; a text here has at most 10,000."),
            ((string?)error!["pointer"], (string?)error["rule"], (string?)error["message"]));
    }

    /// <summary>PostgreSQL keeps no U+0000 in a text column: a settings body holding one was a 500 there (found by the fuzz run).</summary>
    [Fact]
    public async Task AnyTextOfABodyHoldingANulIs422AtItsPointerAndChangesNothing()
    {
        var read = await _admin.GetAsync(Settings);
        var before = await RowsAsync();
        var settings = await read.JsonAsync();
        var change = new JsonObject
        {
            ["name"] = (string?)settings["name"],
            ["contact"] = new JsonObject { ["phone"] = "0592-\u00006053000" },
        };
        var refused = await _admin.SendJsonAsync(HttpMethod.Put, Settings, change, read.ETag());
        var error = Assert.Single((await ProblemAsync(refused, "NUL", 422))["errors"]!.AsArray());
        Assert.Equal(("/contact/phone", "character"), ((string?)error!["pointer"], (string?)error["rule"]));
        Assert.Contains("U+0000", (string?)error["message"], StringComparison.Ordinal);
        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }

    [Fact]
    public async Task ChildrenAndIntegrationsLongerThanTheirColumnsAre422NamingTheLimit()
    {
        // Signed in first: a person's sign-in is itself audited.
        using var xiamen = await _app.AsAsync(Roles.Admin, "fujian.xiamen");
        var before = await RowsAsync();
        var child = await _admin.SendJsonAsync(HttpMethod.Post, "/api/t/fujian.xiamen/children",
            new { segment = new string('a', 200), name = new string('海', 101), nameEn = new string('h', 201), level = "district", divisionCode = "350299" });
        Assert.Equal(HttpStatusCode.Forbidden, child.StatusCode);
        child = await xiamen.SendJsonAsync(HttpMethod.Post, "/api/t/fujian.xiamen/children",
            new { segment = new string('a', 200), name = new string('海', 101), nameEn = new string('h', 201), level = "district", divisionCode = "350299" });
        Assert.Equal(["/segment", "/name", "/nameEn"], (await ProblemAsync(child, "child", 422))["errors"]!.AsArray().Select(e => (string)e!["pointer"]!));

        var integration = await _operator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations",
            new { name = new string('n', 201), url = "https://203.0.113.7/" + new string('p', 1000), secret = new string('s', 257), regions = Enumerable.Repeat("350000", 51) });
        var problem = await ProblemAsync(integration, "integration", 422);
        Assert.Equal(["/name", "/url", "/secret", "/regions"], problem["errors"]!.AsArray().Select(e => (string)e!["pointer"]!));
        Assert.Contains("at most 1,000 characters", (string?)problem["errors"]![1]!["message"], StringComparison.Ordinal);
        Assert.Empty(RowSnapshot.Changed(before, await RowsAsync()));
    }
}

public sealed class BadInputTestsOnSqlite() : BadInputTests(Provider.Sqlite);

public sealed class BadInputTestsOnPostgres() : BadInputTests(Provider.Postgres);
