using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.DataSharing;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>
/// 数据共享 with consent, against a stand-in exchange on a real port: a guardian agrees, dataset by dataset, to the text
/// shown; the datasets are fetched with signed requests and fill Haicang's 入园入学 form, so nothing is brought; each
/// fetch is recorded; withdrawing drops what was filled; an exchange that is down or slow is retried and then leaves the
/// material to bring with a notice; a person not real-name verified is never looked up.
/// </summary>
public abstract class DataSharingTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Applications = "/api/t/fujian.xiamen.haicang/applications";
    private const string Household = "户籍信息";
    private TestDatabase _database = null!;
    private StandInExchange _exchange = null!;
    private OneGoApp _app = null!;
    private HttpClient _zhang = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _exchange = new StandInExchange();
        _app = new OneGoApp(_database, settings: _exchange.Settings());
        _zhang = await _app.ApplicantAsync("demo-applicant-zhang");
    }

    public async Task DisposeAsync()
    {
        _zhang.Dispose();
        await _app.DisposeAsync();
        _exchange.Dispose();
        await _database.DisposeAsync();
    }

    private async Task<JsonNode> DraftAsync(object? values = null)
    {
        var created = await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "haicang-hukou" }, values = values ?? new { } })
            .ExpectAsync(HttpStatusCode.Created);
        return await created.JsonAsync();
    }

    private Task<HttpResponseMessage> ConsentAsync(string id, IEnumerable<string> datasets, bool? asGuardian = true, string textVersion = Sharing.TextVersion) =>
        _zhang.SendJsonAsync(HttpMethod.Post, $"{Applications}/{id}/consents", new { datasets, textVersion, asGuardian });

    private static Dictionary<string, string> States(JsonNode application) =>
        application["sharing"]!.AsArray().ToDictionary(d => (string)d!["dataset"]!, d => (string)d!["state"]!);

    private static List<string> Owed(JsonNode application) => [.. application["owed"]!.AsArray().Select(o => (string)o!["material"]!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task AGuardianAgreesTheFormFillsFromTheExchangeAndNothingIsBrought()
    {
        var draft = await DraftAsync(new { phone = "13800138000" });
        var id = (string)draft["id"]!;
        var sharing = draft["sharing"]!.AsArray();
        var datasets = sharing.Select(d => (string)d!["dataset"]!).ToList();
        Assert.Equal(8, datasets.Count);
        Assert.All(sharing, d =>
        {
            Assert.Equal(("not-agreed", true, Sharing.TextVersion), ((string?)d!["state"], (bool)d["childData"]!, (string?)d["textVersion"]));
            Assert.Contains("监护人", (string)d["consentText"]!["zh"]!, StringComparison.Ordinal);
        });
        Assert.NotEqual("public-security", (string?)sharing.Single(d => (string)d!["dataset"]! == Household)!["departmentName"]);
        // Until agreed, what would be fetched is to be brought, each saying why.
        Assert.Contains("household-register", Owed(draft));
        Assert.All(draft["owed"]!.AsArray(), o => Assert.StartsWith("未同意调取", (string)o!["notice"]!["zh"]!, StringComparison.Ordinal));

        // The data is a child's: only as guardian (个人信息保护法 Art. 31), and only to the text shown.
        Assert.Equal(["/asGuardian"], await (await ConsentAsync(id, datasets, asGuardian: null)).ErrorPlacesAsync());
        Assert.Equal(["/textVersion"], await (await ConsentAsync(id, datasets, textVersion: "2020-01")).ErrorPlacesAsync());
        Assert.Equal(["/datasets/0"], await (await ConsentAsync(id, ["婚姻登记信息"])).ErrorPlacesAsync());
        Assert.Empty(_exchange.Requests);

        // The guardian typed their name their own way: what they typed stays theirs.
        await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = new Dictionary<string, string> { ["guardian-name"] = "张晓明（父）" } }).ExpectAsync(HttpStatusCode.OK);
        var agreed = await (await ConsentAsync(id, datasets).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.All(States(agreed).Values, state => Assert.Equal("fetched", state));
        Assert.Empty(Owed(agreed));
        var values = agreed["values"]!;
        Assert.Equal(("张小宇", "350***********0034", "厦门市海沧区沧林东路188号3幢1201室", "张晓明（父）"),
            ((string?)values["child-name"], (string?)values["child-id-number"], (string?)values["address"], (string?)values["guardian-name"]));
        var filled = agreed["fetchedFields"]!.AsObject().Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["address", "child-id-number", "child-name", "guardian-id-number"], filled);

        // Every fetch is recorded, and every request was signed, for this guardian, as guardian.
        var fetches = agreed["fetches"]!.AsArray();
        Assert.Equal(datasets.Order(StringComparer.Ordinal), fetches.Select(f => (string)f!["dataset"]!).Order(StringComparer.Ordinal));
        Assert.All(fetches, f => Assert.Equal(("fetched", 1), ((string?)f!["outcome"], (int)f["attempts"]!)));
        Assert.All(_exchange.Requests, r =>
        {
            Assert.True(r.Signed);
            Assert.Equal(("350205198806121231", true, r.Dataset), ((string?)r.Body["subject"]!["idNumber"], (bool)r.Body["asGuardian"]!, (string?)r.Body["dataset"]));
        });
        var consent = agreed["sharing"]!.AsArray().Single(d => (string)d!["dataset"]! == Household)!["consent"]!;
        Assert.True((bool)consent["asGuardian"]!);
        Assert.Contains("入园入学一件事", (string)consent["purpose"]!, StringComparison.Ordinal);

        // Agreeing again changes nothing and fetches nothing more.
        await ConsentAsync(id, [Household]).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(8, _exchange.Requests.Count);

        // Nothing to bring: it submits at once, and what was shared no longer changes.
        var submitted = await _zhang.SubmitAsync(Haicang, id, "shared-1").ExpectAsync(HttpStatusCode.Created);
        Assert.Empty((await submitted.JsonAsync())["materials"]!.AsArray());
        Assert.Equal(HttpStatusCode.Conflict, (await _zhang.DeleteAsync($"{Applications}/{id}/consents/{Uri.EscapeDataString(Household)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await ConsentAsync(id, [Household])).StatusCode);

        // The values never reach the database in clear, nor the audit log.
        await using var db = _database.NewContext();
        var row = await db.Set<OneGo.Server.Features.Applications.Application>().IgnoreQueryFilters().SingleAsync(a => a.Id == Guid.Parse(id));
        Assert.DoesNotContain("张小宇", row.ValuesProtected, StringComparison.Ordinal);
        var audit = await db.Set<OneGo.Server.Features.Audit.AuditEntry>().IgnoreQueryFilters().Where(e => e.Action == "application.share").ToListAsync();
        Assert.Single(audit);
        Assert.DoesNotContain("350205", audit[0].Changes ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithdrawingAConsentDropsWhatItFilledAndItsMaterialsAreBroughtAgain()
    {
        var id = (string)(await DraftAsync())["id"]!;
        await _zhang.ShareAllAsync(Haicang, id);
        var before = await (await _zhang.GetAsync($"{Applications}/{id}")).JsonAsync();
        // The dataset that filled the child's name, and everything it filled.
        var dataset = (string)before["fetchedFields"]!["child-name"]!;
        var filled = before["fetchedFields"]!.AsObject().Where(f => (string)f.Value! == dataset).Select(f => f.Key).ToList();
        var materials = before["sharing"]!.AsArray().Single(d => (string)d!["dataset"]! == dataset)!["materials"]!.AsArray().Select(m => (string)m!).Order(StringComparer.Ordinal).ToList();
        var path = $"{Applications}/{id}/consents/{Uri.EscapeDataString(dataset)}";

        var withdrawn = await (await _zhang.DeleteAsync(path).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("not-agreed", States(withdrawn)[dataset]);
        Assert.Null(withdrawn["sharing"]!.AsArray().Single(d => (string)d!["dataset"]! == dataset)!["consent"]);
        Assert.Equal(materials, Owed(withdrawn));
        Assert.Contains("child-name", filled);
        Assert.All(filled, code => Assert.Null(withdrawn["values"]![code]));
        Assert.All(filled, code => Assert.Null(withdrawn["fetchedFields"]![code]));
        // The record of what was fetched stays.
        Assert.Contains(withdrawn["fetches"]!.AsArray(), f => (string)f!["dataset"]! == dataset);
        Assert.Equal(HttpStatusCode.NotFound, (await _zhang.DeleteAsync(path)).StatusCode);

        // Submitting now needs its materials brought.
        await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = Applying.ValuesFor(before["guide"]!["form"]!) }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(materials.Select(m => "/materials/" + m), await (await _zhang.SubmitAsync(Haicang, id, "withdrawn-1")).ErrorPlacesAsync());
    }

    [Fact]
    public async Task AnExchangeThatFailsIsRetriedThenItsMaterialIsBroughtWithANoticeAndAgreeingAgainFetchesAgain()
    {
        _exchange.Behaviour[Household] = ExchangeBehaviour.Down;
        _exchange.Behaviour["不动产登记信息"] = ExchangeBehaviour.FailOnce;
        _exchange.Behaviour["居民电子健康卡"] = ExchangeBehaviour.Slow;
        _exchange.Behaviour["计划生育信息"] = ExchangeBehaviour.NotHeld;
        var id = (string)(await DraftAsync(new { phone = "13800138000" }))["id"]!;

        var agreed = await _zhang.ShareAllAsync(Haicang, id);
        var states = States(agreed);
        Assert.Equal(("failed", "fetched", "failed", "not-found", "fetched"),
            (states[Household], states["不动产登记信息"], states["居民电子健康卡"], states["计划生育信息"], states["人口基础信息"]));
        // Each failure was tried three times (two retries); the one that failed once took two.
        Assert.Equal((3, 2), (_exchange.Attempts(Household), _exchange.Attempts("不动产登记信息")));
        var fetches = agreed["fetches"]!.AsArray().ToDictionary(f => (string)f!["dataset"]!);
        Assert.Equal((3, 2, 3), ((int)fetches[Household]!["attempts"]!, (int)fetches["不动产登记信息"]!["attempts"]!, (int)fetches["居民电子健康卡"]!["attempts"]!));
        Assert.Contains("within 1 s", (string)fetches["居民电子健康卡"]!["detail"]!, StringComparison.Ordinal);
        Assert.Contains("503", (string)fetches[Household]!["detail"]!, StringComparison.Ordinal);

        // Nothing is lost: the materials fall back to being brought, each with its notice; the rest stays fetched.
        Assert.Equal(["family-planning", "health-card", "household-register"], Owed(agreed));
        var notices = agreed["owed"]!.AsArray().ToDictionary(o => (string)o!["material"]!, o => (string)o!["notice"]!["zh"]!);
        Assert.StartsWith("共享交换平台暂未应答", notices["household-register"], StringComparison.Ordinal);
        Assert.StartsWith("数源部门未查到", notices["family-planning"], StringComparison.Ordinal);
        await _zhang.AttachAsync(Haicang, id, "family-planning").ExpectAsync(HttpStatusCode.Created);

        // The exchange is back: agreeing again fetches what failed, and only that.
        _exchange.Behaviour[Household] = ExchangeBehaviour.Answer;
        var again = await (await ConsentAsync(id, [Household, "不动产登记信息"]).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("fetched", States(again)[Household]);
        Assert.Equal((4, 2), (_exchange.Attempts(Household), _exchange.Attempts("不动产登记信息")));
        Assert.Equal(["health-card"], Owed(again));
        Assert.Equal(2, again["fetches"]!.AsArray().Count(f => (string)f!["dataset"]! == Household));
    }

    [Fact]
    public async Task TheMergedFormComesPrefilledInOneCallAsANewDraftOrNothingIsKept()
    {
        var guide = await (await _zhang.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/enrolment/guide", new { answers = new { guide = "haicang-hukou" } })).JsonAsync();
        var datasets = guide["fetchedForYou"]!.AsArray().Select(m => (string)m!["source"]!["dataset"]!).Distinct().ToArray();
        const string form = "/api/t/350205/bundles/enrolment/form";

        // Not as guardian, an unknown dataset, or a bundle that is not live: refused, and no draft is kept.
        Assert.Equal(["/asGuardian"], await (await _zhang.SendJsonAsync(HttpMethod.Post, form,
            new { answers = new { guide = "haicang-hukou" }, consent = datasets, textVersion = Sharing.TextVersion })).ErrorPlacesAsync());
        Assert.Equal(["/consent/0"], await (await _zhang.SendJsonAsync(HttpMethod.Post, form,
            new { answers = new { guide = "haicang-hukou" }, consent = new[] { "婚姻登记信息" }, textVersion = Sharing.TextVersion, asGuardian = true })).ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _zhang.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/no-such-bundle/form", new { answers = new { } })).StatusCode);
        Assert.Empty((await (await _zhang.GetAsync("/api/me/applications")).JsonAsync())["items"]!.AsArray());
        Assert.Empty(_exchange.Requests);

        var created = await _zhang.SendJsonAsync(HttpMethod.Post, form,
            new { answers = new { guide = "haicang-hukou" }, values = new { phone = "13800138000" }, consent = datasets, textVersion = Sharing.TextVersion, asGuardian = true })
            .ExpectAsync(HttpStatusCode.Created);
        var draft = await created.JsonAsync();
        Assert.Equal($"/api/t/{Haicang}/applications/{draft["id"]}", created.Headers.Location!.OriginalString);
        Assert.Equal(("张小宇", "138****8000"), ((string?)draft["values"]!["child-name"], (string?)draft["values"]!["phone"]));
        Assert.Equal(datasets.Length, draft["fetches"]!.AsArray().Count);
        Assert.Empty(Owed(draft));
        // Everything is filled and fetched: it submits as it is.
        await _zhang.SubmitAsync(Haicang, (string)draft["id"]!, "one-form-1").ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task APersonNotRealNameVerifiedIsNeverLookedUp()
    {
        await using (var db = _database.NewContext())
        {
            await db.Set<Applicant>().IgnoreQueryFilters().ExecuteUpdateAsync(a => a.SetProperty(p => p.VerifiedBy, (string?)null));
        }

        var draft = await DraftAsync();
        var refused = await ConsentAsync((string)draft["id"]!, draft["sharing"]!.AsArray().Select(d => (string)d!["dataset"]!));
        Assert.Equal(["/datasets"], await refused.ErrorPlacesAsync());
        Assert.Contains("real-name verified", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_exchange.Requests);
        var after = await (await _zhang.GetAsync($"{Applications}/{draft["id"]}")).JsonAsync();
        Assert.Empty(after["fetches"]!.AsArray());
        Assert.All(States(after).Values, state => Assert.Equal("not-agreed", state));
    }
}

public sealed class DataSharingTestsOnSqlite() : DataSharingTests(Provider.Sqlite);

public sealed class DataSharingTestsOnPostgres() : DataSharingTests(Provider.Postgres);

/// <summary>An exchange configured on an address OneGo may not call (loopback, without AllowedNetworks) is never reached: the fetch fails, saying why.</summary>
public sealed class DataExchangeAddressTestsOnSqlite : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private StandInExchange _exchange = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Sqlite);
        _exchange = new StandInExchange();
        var settings = _exchange.Settings("fujian.xiamen");
        settings.Remove("DataExchange:AllowedNetworks");
        _app = new OneGoApp(_database, settings: settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _exchange.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task AnExchangeOnTheNodesOwnNetworkIsNotCalled()
    {
        using var zhang = await _app.ApplicantAsync("demo-applicant-zhang");
        var draft = await (await zhang.SendJsonAsync(HttpMethod.Post, "/api/t/350205/applications", new { bundle = "enrolment", answers = new { guide = "haicang-hukou" } })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var agreed = await zhang.ShareAllAsync("fujian.xiamen.haicang", (string)draft["id"]!);

        Assert.Empty(_exchange.Requests);
        Assert.All(agreed["fetches"]!.AsArray(), f =>
        {
            Assert.Equal(("failed", 1), ((string?)f!["outcome"], (int)f["attempts"]!));
            Assert.Contains("may not call", (string)f["detail"]!, StringComparison.Ordinal);
        });
    }
}
