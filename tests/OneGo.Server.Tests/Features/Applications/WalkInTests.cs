using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.DataSharing;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>
/// 综窗代办: Haicang's window officer registers a walk-in applicant whose identity card they checked, then does for them
/// everything an applicant does — prepare, agree to share as guardian, submit — with every call naming the applicant.
/// The application records both; the officer's reads are audited; the officer reaches no one else's application, and
/// no officer of another window or region acts for anyone.
/// </summary>
public abstract class WalkInTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Applications = "/api/t/fujian.xiamen.haicang/applications";
    private TestDatabase _database = null!;
    private StandInExchange _exchange = null!;
    private OneGoApp _app = null!;
    private HttpClient _officer = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _exchange = new StandInExchange();
        _app = new OneGoApp(_database, settings: _exchange.Settings());
        _officer = await _app.AsAsync(Roles.Officer, Haicang);
    }

    public async Task DisposeAsync()
    {
        _officer.Dispose();
        await _app.DisposeAsync();
        _exchange.Dispose();
        await _database.DisposeAsync();
    }

    private static HttpRequestMessage For(string subject, HttpMethod method, string url, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add(OnBehalf.Header, subject);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        return request;
    }

    [Fact]
    public async Task AWindowOfficerAppliesForAWalkInApplicantAndTheApplicationRecordsBoth()
    {
        // The identity card is checked at the window: a wrong number is named, and nothing is registered.
        Assert.Equal(["/idNumber", "/name"], (await (await _officer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/walk-ins", new { name = " ", idNumber = "350205198806121232" })).ErrorPlacesAsync()).Order(StringComparer.Ordinal));
        var registered = await (await _officer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/walk-ins", new { name = "张晓明", idNumber = "350205198806121231" })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var subject = (string)registered["subject"]!;
        Assert.Equal("350***********1231", (string?)registered["idNumber"]);

        // Without naming the applicant, an officer does nothing on the applicants' routes.
        Assert.Equal(HttpStatusCode.BadRequest, (await _officer.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "haicang-hukou" } })).StatusCode);

        var created = await _officer.SendAsync(For(subject, HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "haicang-hukou" }, values = new { phone = "13800138000" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var id = (string)(await created.JsonAsync())["id"]!;
        var sharing = (await created.JsonAsync())["sharing"]!.AsArray();
        // The walk-in applicant was checked in person: their data is fetched, as guardian, at the window.
        var agreed = await _officer.SendAsync(For(subject, HttpMethod.Post, $"{Applications}/{id}/consents", new
        {
            datasets = sharing.Select(d => (string)d!["dataset"]!).ToArray(), textVersion = Sharing.TextVersion, asGuardian = true,
        })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("张小宇", (string?)(await agreed.JsonAsync())["values"]!["child-name"]);
        var submitted = await _officer.SendAsync(WithKey(For(subject, HttpMethod.Post, $"{Applications}/{id}/submit"), "walk-in-1")).ExpectAsync(HttpStatusCode.Created);
        var number = (string)(await submitted.JsonAsync())["number"]!;
        Assert.NotEmpty((await submitted.JsonAsync())["cases"]!.AsArray());

        // The application records both: the walk-in applicant it belongs to, and the officer who prepared and submitted it.
        var officerName = DemoAccounts.UserName(Roles.Officer, Haicang);
        await using (var db = _database.NewContext())
        {
            var application = await db.Set<Application>().IgnoreQueryFilters().SingleAsync(a => a.Id == Guid.Parse(id));
            Assert.Equal((subject, "张晓明", officerName, officerName), (application.ApplicantId, application.ApplicantName, application.CreatedBy, application.SubmittedBy));
            Assert.Equal(officerName, (await db.Set<DataConsent>().IgnoreQueryFilters().FirstAsync(c => c.ApplicationId == application.Id)).GivenBy);
        }

        // Every read the officer makes for the applicant is audited, by subject.
        await _officer.SendAsync(For(subject, HttpMethod.Get, $"{Applications}/{number}")).ExpectAsync(HttpStatusCode.OK);
        await using (var db = _database.NewContext())
        {
            var reads = await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.Action == "applicant.read" && e.TenantId == Haicang).ToListAsync();
            Assert.Contains(reads, r => r.Subject == $"applicant/{subject}" && r.Actor == officerName && (r.Changes ?? "").Contains(number, StringComparison.Ordinal));
        }

        // The demo applicant (someone's own account) is no walk-in of this window: the officer cannot act for them, nor reach their application.
        using var zhang = await _app.ApplicantAsync("demo-applicant-zhang");
        var own = (string)(await (await zhang.GetAsync("/api/me")).JsonAsync())["subject"]!;
        Assert.Equal(HttpStatusCode.BadRequest, (await _officer.SendAsync(For(own, HttpMethod.Get, "/api/t/350205/applications/" + id))).StatusCode);
        var theirs = (string)(await (await zhang.SendJsonAsync(HttpMethod.Post, Applications, new { bundle = "enrolment", answers = new { guide = "kindergarten" } })).JsonAsync())["id"]!;
        Assert.Equal(HttpStatusCode.NotFound, (await _officer.SendAsync(For(subject, HttpMethod.Get, $"{Applications}/{theirs}"))).StatusCode);
        // Nor is the walk-in's application the demo applicant's.
        Assert.Equal(HttpStatusCode.NotFound, (await zhang.GetAsync($"{Applications}/{id}")).StatusCode);
        // At the window, the officer follows the walk-in's applications in the region: theirs, and no one else's.
        var listed = await (await _officer.SendAsync(For(subject, HttpMethod.Get, Applications)).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(number, (string?)Assert.Single(listed["items"]!.AsArray())!["number"]);
        Assert.DoesNotContain(id, (await zhang.GetStringAsync(Applications)), StringComparison.Ordinal);

        // An officer of another region acts for no one here.
        using var gulouOfficer = await _app.AsAsync(Roles.Officer, "jiangsu.nanjing.gulou");
        Assert.Equal(HttpStatusCode.Forbidden, (await gulouOfficer.SendAsync(For(subject, HttpMethod.Get, $"{Applications}/{id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await gulouOfficer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Haicang}/walk-ins", new { name = "张晓明", idNumber = "350205198806121231" })).StatusCode);
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}

public sealed class WalkInTestsOnSqlite() : WalkInTests(Provider.Sqlite);

public sealed class WalkInTestsOnPostgres() : WalkInTests(Provider.Postgres);
