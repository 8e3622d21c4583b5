using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>
/// 一表申请、一次提交 through the API, as a demo applicant does it: a draft for Haicang's 入园入学一件事, its values checked
/// field by field, submitted once with an Idempotency-Key into one case per matter that applies (the ones with
/// <c>after</c> matters waiting), safe to retry, refused against a superseded version, and invisible to anyone else.
/// </summary>
public abstract partial class ApplicationTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Applications = "/api/t/350205/applications";
    private const string GuardianId = Applying.GuardianId;
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _zhang = null!;
    private StandInExchange _exchange = null!;

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

    private async Task<(int Applications, int Cases)> CountAsync()
    {
        await using var db = _database.NewContext();
        return (await db.Set<Application>().IgnoreQueryFilters().CountAsync(), await db.Set<ApplicationCase>().IgnoreQueryFilters().CountAsync());
    }

    [Fact]
    public async Task AnApplicantPreparesADraftSubmitsItOnceAndItSplitsIntoTheDepartmentsCases()
    {
        // The policy-care guide: the school enrolment waits for the policy-care confirmation; the vaccination check does not wait.
        var created = await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "policy-care" }, values = new { phone = "13800138000" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var draft = await created.JsonAsync();
        var id = (string)draft["id"]!;
        Assert.Equal($"/api/t/{Haicang}/applications/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(("draft", Haicang, null), ((string?)draft["state"], (string?)draft["tenant"], (string?)draft["number"]));
        // The phone number is masked wherever the application is shown.
        Assert.Equal("138****8000", (string?)draft["values"]!["phone"]);
        Assert.Equal(DateTimeOffset.Parse((string)draft["updatedAt"]!, System.Globalization.CultureInfo.InvariantCulture).AddDays(30),
            DateTimeOffset.Parse((string)draft["deleteAfter"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(draft["cases"]!.AsArray());
        var form = draft["guide"]!["form"]!;
        // Submitting needs an Idempotency-Key, then every field of the form: each missing one is named, and nothing changes.
        Assert.Equal(HttpStatusCode.BadRequest, (await _zhang.SubmitAsync(Haicang, id, key: null)).StatusCode);
        var incomplete = await _zhang.SubmitAsync(Haicang, id, "first-try");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, incomplete.StatusCode);
        Assert.Equal(
            form.AsArray().Select(f => (string)f!["code"]!).Where(c => c != "phone").Select(c => "/values/" + c)
                // Nothing agreed to share yet: what the guide would fetch is to be brought.
                .Concat(draft["owed"]!.AsArray().Where(o => !(bool)o!["mayFollowLater"]!).Select(o => "/materials/" + (string)o!["material"]!)).Order(StringComparer.Ordinal),
            (await incomplete.ErrorPlacesAsync()).Order(StringComparer.Ordinal));
        Assert.NotEmpty(draft["owed"]!.AsArray());
        Assert.Equal((1, 0), await CountAsync());

        // The guardian agrees to share: what the departments hold is fetched, and nothing is left to bring.
        Assert.DoesNotContain((await _zhang.ShareAllAsync(Haicang, id))["owed"]!.AsArray(), o => !(bool)o!["mayFollowLater"]!);

        var changed = await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = Applying.ValuesFor(form) });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("350***********1231", (string?)(await changed.JsonAsync())["values"]!["guardian-id-number"]);

        var submitted = await _zhang.SubmitAsync(Haicang, id, "submit-1").ExpectAsync(HttpStatusCode.Created);
        var application = await submitted.JsonAsync();
        var number = (string)application["number"]!;
        Assert.Matches(TrackingNumber(), number);
        Assert.Equal($"/api/t/{Haicang}/applications/{number}", submitted.Headers.Location!.OriginalString);
        Assert.Equal(("submitted", id), ((string?)application["state"], (string?)application["id"]));
        Assert.Null(application["deleteAfter"]);
        var cases = application["cases"]!.AsArray().ToDictionary(c => (string)c!["matter"]!, c => c!);
        Assert.Equal(["policy-care-confirmation", "primary-school-enrolment", "vaccination-check"], cases.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("waiting", "policy-care-confirmation"), ((string?)cases["primary-school-enrolment"]["state"], (string?)cases["primary-school-enrolment"]["after"]![0]));
        Assert.Equal(["ready", "ready"], new[] { cases["policy-care-confirmation"], cases["vaccination-check"] }.Select(c => (string?)c["state"]));
        Assert.Equal(("education", "厦门市海沧区教育局"), ((string?)cases["primary-school-enrolment"]["department"], (string?)cases["primary-school-enrolment"]["departmentName"]));

        // A retry with the same key and body is the same application; another body with that key is 422; another key 409.
        var retried = await _zhang.SubmitAsync(Haicang, id, "submit-1");
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(number, (string?)(await retried.JsonAsync())["number"]);
        var otherBody = await _zhang.SubmitAsync(Haicang, id, "submit-1", new { commitments = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.Equal(["Idempotency-Key"], await otherBody.ErrorPlacesAsync());
        var otherKey = await _zhang.SubmitAsync(Haicang, id, "submit-2");
        Assert.Equal(HttpStatusCode.Conflict, otherKey.StatusCode);
        Assert.Equal(number, (string?)(await otherKey.JsonAsync())["number"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = new { phone = "13900139000" } })).StatusCode);
        Assert.Equal((1, 3), await CountAsync());

        // The applicant follows it by number, and in their list across regions.
        var byNumber = await (await _zhang.GetAsync($"{Applications}/{number}")).JsonAsync();
        Assert.Equal((id, 3), ((string?)byNumber["id"], byNumber["cases"]!.AsArray().Count));
        var mine = await (await _zhang.GetAsync("/api/me/applications")).JsonAsync();
        var item = Assert.Single(mine["items"]!.AsArray());
        Assert.Equal((number, Haicang, "入园入学一件事"), ((string?)item!["number"], (string?)item["tenant"], (string?)item["bundleName"]!["zh"]));

        // The region's audit log has the submission by number and codes, never the applicant's ID or phone number.
        await using var db = _database.NewContext();
        using (new CurrentTenant().Enter(Haicang))
        {
            var entries = await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == Haicang && e.Action == "application.submit").ToListAsync();
            var entry = Assert.Single(entries);
            Assert.Equal($"application/{number}", entry.Subject);
            Assert.DoesNotContain(GuardianId, entry.Changes ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain("13800138000", entry.Changes ?? "", StringComparison.Ordinal);
        }

        // The values are kept encrypted: the database does not hold the ID number in clear.
        var stored = await db.Set<Application>().IgnoreQueryFilters().SingleAsync();
        Assert.DoesNotContain(GuardianId, stored.ValuesProtected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryWrongAnswerAndValueIsNamedByItsPointerAndNothingIsKept()
    {
        var unknownBundle = await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "no-such-bundle", answers = new { } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownBundle.StatusCode);
        Assert.Equal(["/bundle"], await unknownBundle.ErrorPlacesAsync());

        var badAnswer = await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "no-such-option" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badAnswer.StatusCode);
        Assert.Equal(["/answers/guide"], await badAnswer.ErrorPlacesAsync());

        var badValues = await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new
        {
            bundle = "enrolment",
            answers = new { guide = "haicang-hukou" },
            values = new Dictionary<string, object>
            {
                ["guardian-id-number"] = "350205198806121232",
                ["phone"] = "12345",
                ["no-such-field"] = "x",
                ["child-name"] = 7,
            },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badValues.StatusCode);
        Assert.Equal(["/values/child-name", "/values/guardian-id-number", "/values/no-such-field", "/values/phone"],
            (await badValues.ErrorPlacesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal((0, 0), await CountAsync());
    }

    [Fact]
    public async Task NoOtherApplicantNorAnotherRegionNorTheRegionsStaffReachesAnApplicantsApplication()
    {
        var created = await (await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "haicang-hukou" } })).JsonAsync();
        var id = (string)created["id"]!;

        using var chen = await _app.ApplicantAsync("demo-applicant-chen");
        Assert.Equal(HttpStatusCode.NotFound, (await chen.GetAsync($"{Applications}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await chen.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = new { phone = "13900139000" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await chen.SubmitAsync(Haicang, id, "chen-1")).StatusCode);
        Assert.Empty((await (await chen.GetAsync("/api/me/applications")).JsonAsync())["items"]!.AsArray());
        Assert.Empty((await (await chen.GetAsync(Applications)).JsonAsync())["items"]!.AsArray());
        Assert.Equal(id, (string?)Assert.Single((await (await _zhang.GetAsync(Applications)).JsonAsync())["items"]!.AsArray())!["id"]);

        // The same applicant through another region's route: not found there.
        Assert.Equal(HttpStatusCode.NotFound, (await _zhang.GetAsync($"/api/t/fujian.xiamen/applications/{id}")).StatusCode);
        Assert.Empty((await (await _zhang.GetAsync("/api/t/fujian.xiamen/applications")).JsonAsync())["items"]!.AsArray());
        // Staff tokens are no applicant's: the applicants' routes refuse them.
        using var editor = await _app.AsAsync(Roles.Editor, Haicang);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync($"{Applications}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync("/api/me/applications")).StatusCode);

        // The draft is untouched.
        var again = await (await _zhang.GetAsync($"{Applications}/{id}")).JsonAsync();
        Assert.Equal((string?)created["updatedAt"], (string?)again["updatedAt"]);
    }

    [Fact]
    public async Task ADraftOfASupersededVersionIsRefusedNamingTheLiveVersionAndKeptToMoveOn()
    {
        var created = await (await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "haicang-hukou" } })).JsonAsync();
        var id = (string)created["id"]!;
        var version = (int)created["version"]!;
        await _zhang.ShareAllAsync(Haicang, id);
        Assert.Equal(HttpStatusCode.OK, (await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = Applying.ValuesFor(created["guide"]!["form"]!) })).StatusCode);

        // The region approves a new version of the bundle meanwhile.
        using (var editor = await _app.AsAsync(Roles.Editor, Haicang))
        using (var reviewer = await _app.AsAsync(Roles.Reviewer, Haicang))
        {
            const string draftUrl = "/api/t/350205/bundles/enrolment/draft";
            var read = await editor.GetAsync(draftUrl);
            var document = (await read.JsonAsync())["document"]!.DeepClone();
            document["definition"]!["guideText"] = new JsonObject { ["zh"] = "网上报名，材料零提交。", ["en"] = "Apply online: nothing to submit." };
            var saved = await editor.SendJsonAsync(HttpMethod.Put, draftUrl, document, read.ETag());
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            await editor.SubmitAndApproveWithAsync(reviewer, draftUrl, saved.ETag());
        }

        var refused = await _zhang.SubmitAsync(Haicang, id, "superseded-1");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(version + 1, (int?)(await refused.JsonAsync())["liveVersion"]);
        Assert.Equal((1, 0), await CountAsync());

        // Moving the draft to the live version only; then the same key submits it.
        var wrongVersion = await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { version = version + 7 });
        Assert.Equal(["/version"], await wrongVersion.ErrorPlacesAsync());
        var moved = await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { version = version + 1 });
        Assert.Equal(version + 1, (int?)(await moved.JsonAsync())["version"]);
        var submitted = await _zhang.SubmitAsync(Haicang, id, "superseded-1").ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(version + 1, (int?)(await submitted.JsonAsync())["version"]);
    }

    [Fact]
    public async Task ConcurrentRetriesOfOneSubmissionMakeOneApplicationAndDistinctNumbersForOthers()
    {
        var ids = new List<string>();
        foreach (var _ in Enumerable.Range(0, 4))
        {
            var created = await (await _zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "haicang-hukou" } })).JsonAsync();
            var id = (string)created["id"]!;
            await _zhang.ShareAllAsync(Haicang, id);
            Assert.Equal(HttpStatusCode.OK, (await _zhang.SendJsonAsync(HttpMethod.Patch, $"{Applications}/{id}", new { values = Applying.ValuesFor(created["guide"]!["form"]!) })).StatusCode);
            ids.Add(id);
        }

        // Each draft submitted three times at once with its key: one number per application, the retries answered alike.
        var answers = await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 3).Select(async _ =>
        {
            var response = await _zhang.SubmitAsync(Haicang, id, "key-" + id);
            return (id, response.StatusCode, number: (string?)(await response.JsonAsync())["number"]);
        })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var numbers = answers.GroupBy(a => a.id).Select(g => Assert.Single(g.Select(a => a.number).Distinct())).ToList();
        Assert.Equal(4, numbers.Distinct().Count());
        var (applications, cases) = await CountAsync();
        Assert.Equal(4, applications);
        Assert.Equal(0, cases % 4);
    }

    [GeneratedRegex(@"^350205\d{8}\d{6}$")]
    private static partial Regex TrackingNumber();
}

public sealed class ApplicationTestsOnSqlite() : ApplicationTests(Provider.Sqlite);

public sealed class ApplicationTestsOnPostgres() : ApplicationTests(Provider.Postgres);
