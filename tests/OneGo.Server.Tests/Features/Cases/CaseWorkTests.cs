using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Cases;

/// <summary>
/// 前台综合受理、后台分类审批: Haicang's comprehensive window accepts an enrolment application once — after its one
/// supplement notice, answered while the clock stood still — and the education and health departments decide and issue
/// their cases, education's in <c>after</c> order, health's in parallel. Every move from a state it does not apply to
/// is 409, a move without If-Match 428 and with a stale one 412, and changes nothing. A denial closes what waits for it;
/// a refusal ends everything. Days are counted on the holiday calendar from a clock the test moves.
/// </summary>
public abstract partial class CaseWorkTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Api = "/api/t/fujian.xiamen.haicang";

    // Monday 2026-09-28, 10:00 China Standard Time: the week before the National Day holidays.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 9, 28, 10, 0, 0, TimeSpan.FromHours(8)));
    private TestDatabase _database = null!;
    private StandInExchange _exchange = null!;
    private OneGoApp _app = null!;
    private WebApplicationFactory<Program> _host = null!;
    private HttpClient _zhang = null!;
    private HttpClient _window = null!;
    private HttpClient _education = null!;
    private HttpClient _health = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _exchange = new StandInExchange();
        // Mail goes to the real SMTP server; the region's webhook is a real endpoint on this machine's loopback address.
        _app = new OneGoApp(_database, settings: new Dictionary<string, string?>(_exchange.Settings().Concat(TestSmtp.Settings))
        {
            ["Scheduling:Enabled"] = "false",
            ["Zone:Push:AllowedNetworks"] = "127.0.0.1/32",
        });
        _host = _app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        await SignInAsync();
    }

    // Tokens live on the server's clock: after the test moves it on, everyone signs in again.
    private async Task SignInAsync()
    {
        _zhang = await _host.ApplicantAsync();
        _window = await _host.AsAsync(Roles.Officer, Haicang);
        _education = await _host.OfficerOfAsync("education", Haicang);
        _health = await _host.OfficerOfAsync("health", Haicang);
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        _clock.Advance(by);
        foreach (var client in new[] { _zhang, _window, _education, _health })
        {
            client.Dispose();
        }

        await SignInAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { _zhang, _window, _education, _health })
        {
            client.Dispose();
        }

        await _host.DisposeAsync();
        await _app.DisposeAsync();
        _exchange.Dispose();
        await _database.DisposeAsync();
    }

    /// <summary>
    /// Zhang applies for a school place by points (积分入学), every dataset fetched by data sharing — or, with
    /// <paramref name="bringOne"/>, one of them brought as a file instead, which the window looks at before accepting.
    /// </summary>
    private async Task<JsonNode> ApplyByPointsAsync(string key, bool bringOne = true)
    {
        var (id, submit) = await _zhang.PrepareForAsync(Haicang, "enrolment", new JsonObject { ["guide"] = "points" });
        if (bringOne)
        {
            var draft = await (await _zhang.GetAsync($"{Api}/applications/{id}")).JsonAsync();
            var dataset = (string)draft["sharing"]![0]!["dataset"]!;
            var withdrawn = await (await _zhang.DeleteAsync($"{Api}/applications/{id}/consents/{Uri.EscapeDataString(dataset)}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            foreach (var owed in withdrawn["owed"]!.AsArray().Where(o => !(bool)o!["mayFollowLater"]!))
            {
                Assert.Equal(HttpStatusCode.Created, (await _zhang.AttachAsync(Haicang, id, (string)owed!["material"]!)).StatusCode);
            }
        }

        var submitted = await _zhang.SubmitAsync(Haicang, id, key, submit).ExpectAsync(HttpStatusCode.Created);
        return await submitted.JsonAsync();
    }

    private static JsonNode CaseOf(JsonNode application, string matter) =>
        application["cases"]!.AsArray().Single(c => (string?)c!["matter"] == matter)!;

    private async Task<(JsonNode Body, string ETag)> ReadAsync(HttpClient client, string url)
    {
        var read = await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK);
        return (await read.JsonAsync(), read.ETag());
    }

    /// <summary>A small PDF: what an electronic result (电子证照) is taken for.</summary>
    private static byte[] Pdf(string text) => System.Text.Encoding.ASCII.GetBytes($"%PDF-1.7\n% {text}\n%%EOF\n");

    /// <summary>The department sends the electronic document of its approved case, then issues it online.</summary>
    private static async Task<HttpResponseMessage> IssueOnlineAsync(HttpClient department, string caseId, string etag, string document, string number)
    {
        using var content = new ByteArrayContent(Pdf(number));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
        using var put = new HttpRequestMessage(HttpMethod.Put, $"{Api}/cases/{caseId}/document") { Content = content };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        var sent = await department.SendAsync(put).ExpectAsync(HttpStatusCode.OK);
        return await department.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{caseId}/issue", new { document, number }, sent.ETag());
    }

    private async Task<string> RowsAsync()
    {
        await using var db = _database.NewContext();
        var applications = await db.Set<OneGo.Server.Features.Applications.Application>().IgnoreQueryFilters().AsNoTracking()
            .Select(a => new { a.Number, a.State, a.Revision, a.Supplement, a.Closing, a.DueOn }).OrderBy(a => a.Number).ToListAsync();
        var cases = await db.Set<OneGo.Server.Features.Applications.ApplicationCase>().IgnoreQueryFilters().AsNoTracking()
            .Select(c => new { c.Matter, c.State, c.Revision, c.Decision, c.Result, c.DueOn }).OrderBy(c => c.Matter).ThenBy(c => c.Revision).ToListAsync();
        return System.Text.Json.JsonSerializer.Serialize(new { applications, cases });
    }

    // The 2026 notice's days off and make-up working days around National Day, counted here independently of the server.
    private static bool Working(DateOnly day)
    {
        var off = (day >= new DateOnly(2026, 9, 25) && day <= new DateOnly(2026, 9, 27)) || (day >= new DateOnly(2026, 10, 1) && day <= new DateOnly(2026, 10, 7));
        return day == new DateOnly(2026, 10, 10) || (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !off);
    }

    private static DateOnly WorkingDaysAfter(DateOnly from, int days)
    {
        var day = from;
        while (days > 0)
        {
            day = day.AddDays(1);
            days -= Working(day) ? 1 : 0;
        }

        return day;
    }

    [Fact]
    public async Task TheWindowAcceptsOnceAfterOneNoticeAndTheDepartmentsDecideInAfterOrder()
    {
        var submitted = await ApplyByPointsAsync("case-work-1");
        var number = (string)submitted["number"]!;
        Assert.Equal("submitted", (string?)submitted["state"]);
        var promised = (int)submitted["promisedDays"]!;
        Assert.Equal(WorkingDaysAfter(new DateOnly(2026, 9, 28), promised).ToString("yyyy-MM-dd"), (string?)submitted["dueOn"]);
        Assert.All(submitted["cases"]!.AsArray(), c => Assert.Null(c!["dueOn"]));

        // The window's list has it; the application as the window reads it carries its ETag, and the read is audited.
        var listed = await (await _window.GetAsync($"{Api}/window/applications").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var line = Assert.Single(listed["items"]!.AsArray(), i => (string?)i!["number"] == number)!;
        Assert.Equal("张**", (string?)line["applicantName"]);
        var (_, etag) = await ReadAsync(_window, $"{Api}/window/applications/{number}");
        await using (var db = _database.NewContext())
        {
            Assert.Contains(await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == Haicang && e.Action == "applicant.read").Select(e => e.Changes).ToListAsync(),
                c => (c ?? "").Contains($"window/applications/{number}", StringComparison.Ordinal));
        }

        // A move names what it read: none is 428, an old one 412, and neither changes anything.
        var before = await RowsAsync();
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _window.PostAsync($"{Api}/applications/{number}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: "\"a0\"")).StatusCode);
        // A department decides no application; the applicant accepts nothing.
        Assert.Equal(HttpStatusCode.Forbidden, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: etag)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _zhang.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: etag)).StatusCode);
        // 一次性告知: every item at once, each a material of the guide with what is wrong.
        var fetched = submitted["guide"]!["fetchedForYou"]!.AsArray().Select(m => (string)m!["code"]!).ToList();
        var (first, second) = (fetched[0], fetched[1]);
        // Issued by a matter of the bundle on the way (the points result), or no material at all: nothing the applicant supplies.
        var unknown = await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/supplement",
            new { items = new object[] { new { material = first, reason = "" }, new { material = "no-such-material", reason = "x" }, new { material = "points-notice", reason = "x" } } }, etag);
        Assert.Equal(["/items/0/reason", "/items/1/material", "/items/2/material"], await unknown.ErrorPlacesAsync());
        Assert.Equal(before, await RowsAsync());

        var noticed = await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/supplement", new
        {
            items = new object[] { new { material = first, reason = "扫描件不清晰，请重新上传" }, new { material = second, reason = "共享的记录与申请表不一致，请上传原件扫描件" } },
            note = "请一次补齐以下两项",
        }, etag).ExpectAsync(HttpStatusCode.OK);
        var notice = (await noticed.JsonAsync())["supplement"]!;
        Assert.Equal("supplementing", (string?)(await noticed.JsonAsync())["state"]);
        Assert.Equal("2026-10-28", (string?)notice["answerBy"]);
        Assert.Equal(2, notice["items"]!.AsArray().Count);
        // One notice per application: a second is 409, while it is open and after it is answered.
        var again = await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/supplement",
            new { items = new[] { new { material = first, reason = "again" } } }, noticed.ETag());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("supplementing", (string?)(await again.JsonAsync())["state"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: noticed.ETag())).StatusCode);

        // The applicant answers once everything listed is sent again: not before, and nothing unlisted.
        await AdvanceAsync(TimeSpan.FromDays(2));
        var early = await _zhang.PostAsync($"{Api}/applications/{number}/supplied", null);
        Assert.Equal(["/items/0", "/items/1"], await early.ErrorPlacesAsync());
        var filesBefore = (await (await _zhang.GetAsync($"{Api}/applications/{number}")).JsonAsync())["materials"]!.AsArray().Select(m => (string)m!["material"]!).ToList();
        Assert.Equal(HttpStatusCode.Conflict, (await _zhang.AttachAsync(Haicang, number, fetched[2])).StatusCode);
        Assert.True((await _zhang.AttachAsync(Haicang, number, first, Applying.Png(2000))).IsSuccessStatusCode);
        Assert.True((await _zhang.AttachAsync(Haicang, number, second, Applying.Png(3000))).IsSuccessStatusCode);
        var supplied = await (await _zhang.PostAsync($"{Api}/applications/{number}/supplied", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(filesBefore.Union([first, second]).Order(StringComparer.Ordinal), supplied["materials"]!.AsArray().Select(m => (string)m!["material"]!));
        Assert.Equal("submitted", (string?)supplied["state"]);
        // The clock stood still from the day after the notice to the day of the answer: two working days, added to the promise.
        Assert.Equal(2, (int)supplied["supplement"]!["pausedDays"]!);
        Assert.Equal(WorkingDaysAfter(new DateOnly(2026, 9, 28), promised + 2).ToString("yyyy-MM-dd"), (string?)supplied["dueOn"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _zhang.PostAsync($"{Api}/applications/{number}/supplied", null)).StatusCode);

        // Accepted on 2026-09-30: each case is due its matter's promised working days later, over the National Day holidays.
        await AdvanceAsync(TimeSpan.FromHours(5));
        var (_, current) = await ReadAsync(_window, $"{Api}/window/applications/{number}");
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/supplement",
            new { items = new[] { new { material = first, reason = "again" } } }, current)).StatusCode);
        var accepted = await (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: current).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("accepted", (string?)accepted["state"]);
        Assert.Equal("2026-10-13", (string?)CaseOf(accepted, "vaccination-check")["dueOn"]);
        Assert.Equal("2026-10-20", (string?)CaseOf(accepted, "points-review")["dueOn"]);
        Assert.Equal("2026-11-03", (string?)CaseOf(accepted, "primary-school-enrolment")["dueOn"]);
        Assert.Equal("waiting", (string?)CaseOf(accepted, "primary-school-enrolment")["state"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: "*")).StatusCode);

        // Each department sees its own cases, the oldest due first; another department's case is not found.
        var educations = await (await _education.GetAsync($"{Api}/cases").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(["points-review", "primary-school-enrolment"], educations["items"]!.AsArray().Select(c => (string)c!["matter"]!));
        Assert.Equal(["vaccination-check"], (await (await _health.GetAsync($"{Api}/cases")).JsonAsync())["items"]!.AsArray().Select(c => (string)c!["matter"]!));
        Assert.Empty((await (await _health.GetAsync($"{Api}/cases?department=education")).JsonAsync())["items"]!.AsArray());
        var vaccination = (string)CaseOf(accepted, "vaccination-check")["id"]!;
        var points = (string)CaseOf(accepted, "points-review")["id"]!;
        var enrolment = (string)CaseOf(accepted, "primary-school-enrolment")["id"]!;
        Assert.Equal(HttpStatusCode.NotFound, (await _education.GetAsync($"{Api}/cases/{vaccination}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide", new { outcome = "approve", legalBasis = "x" }, "*")).StatusCode);
        // The window sees every case, and decides none.
        Assert.Equal(3, (await (await _window.GetAsync($"{Api}/cases")).JsonAsync())["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide", new { outcome = "approve", legalBasis = "x" }, "*")).StatusCode);

        // after: the enrolment waits for the points review to be issued.
        var (_, waitingTag) = await ReadAsync(_education, $"{Api}/cases/{enrolment}");
        var waiting = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{enrolment}/decide", new { outcome = "approve", legalBasis = "《义务教育法》第十二条" }, waitingTag);
        Assert.Equal(HttpStatusCode.Conflict, waiting.StatusCode);
        Assert.Equal("waiting", (string?)(await waiting.JsonAsync())["state"]);

        var (pointsCase, pointsTag) = await ReadAsync(_education, $"{Api}/cases/{points}");
        Assert.Equal(number, (string?)pointsCase["application"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/issue", new { document = "积分审核结果", number = "HC-2026-0001" }, pointsTag)).StatusCode);
        var badDecision = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide", new { outcome = "maybe", legalBasis = " " }, pointsTag);
        Assert.Equal(["/legalBasis", "/outcome"], await badDecision.ErrorPlacesAsync());
        var approved = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide", new { outcome = "approve", legalBasis = "《厦门市积分入学办法》" }, pointsTag)
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("approved", (string?)(await approved.JsonAsync())["case"]!["state"]);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/issue", new { document = "积分审核结果", number = "HC-2026-0001" }, pointsTag)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide", new { outcome = "approve", legalBasis = "x" }, approved.ETag())).StatusCode);
        // The bundle delivers its results online: the electronic document is the result, sent before it is issued — a PDF or OFD, nothing else.
        var noDocument = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/issue", new { document = "积分审核结果", number = "HC-2026-0001" }, approved.ETag());
        Assert.Equal(["/delivery"], await noDocument.ErrorPlacesAsync());
        Assert.Equal(["/delivery"], await (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/issue",
            new { document = "积分审核结果", number = "HC-2026-0001", delivery = "post" }, approved.ETag())).ErrorPlacesAsync());
        using (var picture = new ByteArrayContent(Applying.Png()))
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, $"{Api}/cases/{points}/document") { Content = picture };
            put.Headers.TryAddWithoutValidation("If-Match", approved.ETag());
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _education.SendAsync(put)).StatusCode);
        }

        await IssueOnlineAsync(_education, points, approved.ETag(), "积分审核结果", "HC-2026-0001").ExpectAsync(HttpStatusCode.OK);
        // 统一出件: the applicant downloads no result before every case has ended.
        Assert.Equal(HttpStatusCode.Conflict, (await _zhang.GetAsync($"{Api}/applications/{number}/results/points-review")).StatusCode);

        // Health works in parallel; education's enrolment is ready now.
        var (_, vaccinationTag) = await ReadAsync(_health, $"{Api}/cases/{vaccination}");
        var healthApproved = await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{vaccination}/decide", new { outcome = "approve", legalBasis = "《疫苗管理法》第四十八条" }, vaccinationTag)
            .ExpectAsync(HttpStatusCode.OK);
        await IssueOnlineAsync(_health, vaccination, healthApproved.ETag(), "预防接种查验证明", "JZ-2026-0930").ExpectAsync(HttpStatusCode.OK);
        var (ready, readyTag) = await ReadAsync(_education, $"{Api}/cases/{enrolment}");
        Assert.Equal("ready", (string?)ready["case"]!["state"]);
        Assert.Equal("accepted", (string?)ready["applicationState"]);
        var enrolled = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{enrolment}/decide", new { outcome = "approve", legalBasis = "《义务教育法》第十二条" }, readyTag)
            .ExpectAsync(HttpStatusCode.OK);
        var issued = await (await IssueOnlineAsync(_education, enrolment, enrolled.ETag(), "入学通知书", "HCXX-2026-0088").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("completed", (string?)issued["applicationState"]);
        Assert.Equal(["submitted", "supplement", "supplied", "accepted", "approved", "issued"], issued["history"]!.AsArray().Select(h => (string)h!["what"]!));

        // The applicant sees every result with its number, together, and downloads each electronic document as it was sent.
        var done = await (await _zhang.GetAsync($"{Api}/applications/{number}")).JsonAsync();
        Assert.Equal("completed", (string?)done["state"]);
        Assert.Equal(["HC-2026-0001", "HCXX-2026-0088", "JZ-2026-0930"],
            done["cases"]!.AsArray().Select(c => (string)c!["result"]!["number"]!).Order(StringComparer.Ordinal));
        Assert.All(done["cases"]!.AsArray(), c => Assert.Equal(("issued", "online"), ((string?)c!["state"], (string?)c["result"]!["delivery"])));
        var download = await _zhang.GetAsync($"{Api}/applications/{number}/results/primary-school-enrolment").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(Pdf("HCXX-2026-0088"), await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _zhang.GetAsync($"{Api}/applications/{number}/results/no-such-matter")).StatusCode);
        // Nothing to hand over at the window: every result went online.
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/handover", new { }, "*")).StatusCode);

        // Every move is in the region's audit log.
        await using (var db = _database.NewContext())
        {
            string[] windowMoves = ["application.submit", "application.supplement", "application.supplied", "application.accept", "application.refuse"];
            var moves = await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == Haicang && (windowMoves.Contains(e.Action) || e.Action.StartsWith("case.")))
                .Select(e => e.Action).ToListAsync();
            Assert.Equal(
                ["application.accept", "application.submit", "application.supplement", "application.supplied", "case.decide", "case.decide", "case.decide",
                    "case.document", "case.document", "case.document", "case.issue", "case.issue", "case.issue"],
                moves.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task ADenialClosesWhatWaitsForItAndARefusalEndsEverything()
    {
        // Complete online — everything fetched, nothing uploaded, nothing to follow later — it is accepted at submission.
        var accepted = await ApplyByPointsAsync("case-work-denied", bringOne: false);
        var number = (string)accepted["number"]!;
        Assert.Equal("accepted", (string?)accepted["state"]);
        Assert.NotNull(accepted["acceptedAt"]);
        // Submitted on 2026-09-28: five working days over National Day end on Saturday 10-10, a make-up working day (调休).
        Assert.Equal("2026-10-10", (string?)CaseOf(accepted, "vaccination-check")["dueOn"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: "*")).StatusCode);
        var points = (string)CaseOf(accepted, "points-review")["id"]!;
        var (_, pointsTag) = await ReadAsync(_education, $"{Api}/cases/{points}");
        // A denial says why.
        Assert.Equal(["/reason"], await (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide", new { outcome = "deny", legalBasis = "《厦门市积分入学办法》" }, pointsTag)).ErrorPlacesAsync());
        var denied = await (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{points}/decide",
            new { outcome = "deny", legalBasis = "《厦门市积分入学办法》", reason = "积分未达到录取分数线" }, pointsTag).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("denied", (string?)denied["case"]!["state"]);
        var after = await (await _zhang.GetAsync($"{Api}/applications/{number}")).JsonAsync();
        var closed = CaseOf(after, "primary-school-enrolment");
        Assert.Equal("notApplicable", (string?)closed["state"]);
        Assert.Contains("积分未达到录取分数线", (string?)closed["closedReason"], StringComparison.Ordinal);
        // Health's case stands on its own, and the application ends when it does.
        Assert.Equal("accepted", (string?)after["state"]);
        var vaccination = (string)CaseOf(after, "vaccination-check")["id"]!;
        var (_, tag) = await ReadAsync(_health, $"{Api}/cases/{vaccination}");
        var approved = await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{vaccination}/decide", new { outcome = "approve", legalBasis = "《疫苗管理法》" }, tag).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("completed", (string?)(await (await IssueOnlineAsync(_health, vaccination, approved.ETag(), "预防接种查验证明", "JZ-1")
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync())["applicationState"]);

        // 不予受理: with reason and legal basis, or nothing changes; then the application and every case have ended.
        var second = await ApplyByPointsAsync("case-work-refused");
        var refusedNumber = (string)second["number"]!;
        var (_, secondTag) = await ReadAsync(_window, $"{Api}/window/applications/{refusedNumber}");
        var before = await RowsAsync();
        Assert.Equal(["/legalBasis"], await (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{refusedNumber}/refuse", new { reason = "不属于本区施教区" }, secondTag)).ErrorPlacesAsync());
        Assert.Equal(before, await RowsAsync());
        var refused = await (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{refusedNumber}/refuse",
            new { reason = "不属于本区施教区", legalBasis = "《厦门市义务教育招生工作实施意见》" }, secondTag).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("refused", (string?)refused["state"]);
        Assert.Equal("《厦门市义务教育招生工作实施意见》", (string?)refused["closing"]!["legalBasis"]);
        Assert.All(refused["cases"]!.AsArray(), c => Assert.Equal("refused", (string?)c!["state"]));
        foreach (var move in (string[])["accept", "refuse"])
        {
            Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{refusedNumber}/{move}",
                new { reason = "x", legalBasis = "y" }, "*")).StatusCode);
        }

        var refusedCase = (string)CaseOf(refused, "points-review")["id"]!;
        Assert.Equal(HttpStatusCode.Conflict, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{refusedCase}/decide", new { outcome = "approve", legalBasis = "x" }, "*")).StatusCode);
        // The window's list holds what waits for it, not what ended.
        var waiting = await (await _window.GetAsync($"{Api}/window/applications")).JsonAsync();
        Assert.DoesNotContain(waiting["items"]!.AsArray(), i => (string?)i!["number"] == refusedNumber || (string?)i!["number"] == number);
        Assert.Equal(["state"], await (await _window.GetAsync($"{Api}/window/applications?state=nonsense")).ErrorPlacesAsync());
    }

    /// <summary>
    /// 出生一件事 in Haicang, led by health, the household registered elsewhere, no social security card: the birth
    /// certificate and the vaccination certificate (health) and the household registration (police), accepted.
    /// </summary>
    private async Task<string> NewbornAcceptedAsync(string key)
    {
        var answers = new JsonObject();
        foreach (var question in (await (await _zhang.GetAsync($"{Api}/bundles/newborn")).JsonAsync())["scenarios"]!.AsArray())
        {
            answers[(string)question!["id"]!] = (string)question["options"]![0]!["id"]!;
        }

        (answers["hukou"], answers["card"]) = ("elsewhere", "no");
        var submitted = await _zhang.ApplyForAsync(Haicang, "newborn", key, answers);
        var number = (string)submitted["number"]!;
        if ((string?)submitted["state"] == "submitted")
        {
            var (_, tag) = await ReadAsync(_window, $"{Api}/window/applications/{number}");
            await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: tag).ExpectAsync(HttpStatusCode.OK);
        }

        return number;
    }

    [Fact]
    public async Task TheLeadDepartmentIsToldInItsInboxByMailAndThroughTheRegionsSignedWebhook()
    {
        // Haicang's admin registers the region's messaging: an address on its own network is refused, the secret comes once.
        await using var receiver = await PushReceiver.StartAsync("not given yet");
        using var admin = await _host.AsAsync(Roles.Admin, Haicang);
        Assert.Equal(["/url"], await (await admin.SendJsonAsync(HttpMethod.Put, $"{Api}/webhook", new { url = "http://169.254.169.254/latest/meta-data" })).ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"{Api}/webhook")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _window.SendJsonAsync(HttpMethod.Put, $"{Api}/webhook", new { url = receiver.Url })).StatusCode);
        var registered = await (await admin.SendJsonAsync(HttpMethod.Put, $"{Api}/webhook", new { url = receiver.Url }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        receiver.Secret = (string)registered["secret"]!;
        Assert.Null((await (await admin.GetAsync($"{Api}/webhook")).JsonAsync())["secret"]);

        // Submitted and accepted on Monday 09-28: the vaccination certificate, promised at once, is due today — at risk.
        var number = await NewbornAcceptedAsync("told");
        Assert.Equal(new(0, 0, 1), await RunDeadlinesAsync());

        // The lead department's inbox (health leads 出生一件事): the notice names the case; education's inbox has none of it.
        var inbox = await (await _health.GetAsync($"{Api}/notices").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var notice = Assert.Single(inbox["items"]!.AsArray())!;
        Assert.Equal(("health", "atRisk", 1), ((string?)notice["department"], (string?)notice["kind"], (int)notice["count"]!));
        Assert.Equal($"{number} vaccination-certificate", $"{notice["items"]![0]!["application"]} {notice["items"]![0]!["matter"]}");
        Assert.Empty((await (await _education.GetAsync($"{Api}/notices")).JsonAsync())["items"]!.AsArray());
        Assert.Single((await (await _window.GetAsync($"{Api}/notices")).JsonAsync())["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await _zhang.GetAsync($"{Api}/notices")).StatusCode);

        // Mail to health's officers, through the real SMTP server.
        string healthMail;
        await using (var db = _database.NewContext())
        {
            healthMail = await db.Set<OneGo.Server.Identity.Account>().IgnoreQueryFilters()
                .Where(a => a.UserName == DemoAccounts.DepartmentOfficer("health", Haicang)).Select(a => a.Email!).SingleAsync();
        }

        Assert.Contains(number, await TestSmtp.WaitForAsync(healthMail, "即将超期"), StringComparison.Ordinal);

        // The region's webhook: the notice POSTed once, signed with the secret given at registration.
        await Eventually.HoldsAsync(async () =>
        {
            await _host.Services.GetRequiredService<OneGo.Server.Features.Cases.WebhookRelay>().DeliverDueAsync(CancellationToken.None);
            return receiver.Accepted.Values.ToList();
        }, accepted => accepted.Count == 1, "the notice at the region's webhook");
        Assert.All(receiver.Arrivals, a => Assert.True(a.SignatureValid));
        var posted = System.Text.Json.Nodes.JsonNode.Parse(receiver.Accepted.Values.Single())!;
        Assert.Equal((Haicang, "health", "atRisk"), ((string?)posted["region"], (string?)posted["department"], (string?)posted["kind"]));
        Assert.Equal(0, (int)(await (await admin.GetAsync($"{Api}/webhook")).JsonAsync())["pending"]!);

        // Told once: a second run finds nothing new, and nothing more is sent.
        Assert.Equal(new(0, 0, 0), await RunDeadlinesAsync());
        Assert.Single((await (await _health.GetAsync($"{Api}/notices")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task TheWindowHandsOverThePaperResultsTogetherOnceEveryCaseHasEnded()
    {
        using var police = await _host.OfficerOfAsync("public-security", Haicang);
        var number = await NewbornAcceptedAsync("handover");

        var application = await (await _zhang.GetAsync($"{Api}/applications/{number}")).JsonAsync();
        var (birth, household, vaccination) = ((string)CaseOf(application, "birth-medical-certificate")["id"]!,
            (string)CaseOf(application, "household-registration")["id"]!, (string)CaseOf(application, "vaccination-certificate")["id"]!);

        async Task<HttpResponseMessage> ApproveAndIssueAsync(HttpClient officer, string id, object issue)
        {
            var (_, tag) = await ReadAsync(officer, $"{Api}/cases/{id}");
            var approved = await officer.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/decide", new { outcome = "approve", legalBasis = "《母婴保健法》" }, tag).ExpectAsync(HttpStatusCode.OK);
            return await officer.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/issue", issue, approved.ETag());
        }

        // The birth certificate goes by post, the one way both the bundle and the matter offer; online is not one of them.
        var (_, birthTag) = await ReadAsync(_health, $"{Api}/cases/{birth}");
        var birthApproved = await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{birth}/decide", new { outcome = "approve", legalBasis = "《母婴保健法》第二十三条" }, birthTag)
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["/delivery"], await (await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{birth}/issue",
            new { document = "出生医学证明", number = "Q350000001", delivery = "online" }, birthApproved.ETag())).ErrorPlacesAsync());
        var birthIssued = await (await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{birth}/issue",
            new { document = "出生医学证明", number = "Q350000001" }, birthApproved.ETag()).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("post", (string?)birthIssued["case"]!["result"]!["delivery"]);
        // Nothing is handed over while a case is open.
        var early = await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/handover", new { courier = "中国邮政EMS", trackingNumber = "1" }, "*");
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("accepted", (string?)(await early.JsonAsync())["state"]);

        // The vaccination booklet is picked up at the window, the matter's only way; the household register, with two ways, names one.
        var booklet = await (await ApproveAndIssueAsync(_health, vaccination, new { document = "预防接种证", number = "YF-2026-0001" }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("window", (string?)booklet["case"]!["result"]!["delivery"]);
        var (_, householdTag) = await ReadAsync(police, $"{Api}/cases/{household}");
        var registered = await police.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{household}/decide", new { outcome = "approve", legalBasis = "《户口登记条例》第七条" }, householdTag)
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["/delivery"], await (await police.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{household}/issue",
            new { document = "居民户口簿", number = "HK-350205-0001" }, registered.ETag())).ErrorPlacesAsync());
        var last = await (await police.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{household}/issue",
            new { document = "居民户口簿", number = "HK-350205-0001", delivery = "post" }, registered.ETag()).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("completed", (string?)last["applicationState"]);

        // 统一出件: one handover — the courier and its tracking number for what goes by post, the bundle's service place and hours for the booklet.
        var (_, doneTag) = await ReadAsync(_window, $"{Api}/window/applications/{number}");
        var before = await RowsAsync();
        Assert.Equal(["/courier", "/trackingNumber"], await (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/handover", new { }, doneTag)).ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/handover",
            new { courier = "中国邮政EMS", trackingNumber = "1" }, doneTag)).StatusCode);
        Assert.Equal(before, await RowsAsync());
        var handedOver = await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/handover",
            new { courier = "中国邮政EMS", trackingNumber = "1150123456789" }, doneTag).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/handover",
            new { courier = "顺丰速运", trackingNumber = "2" }, handedOver.ETag())).StatusCode);

        // The applicant sees each result with its number and how it comes.
        var delivered = await (await _zhang.GetAsync($"{Api}/applications/{number}")).JsonAsync();
        var handover = delivered["handover"]!;
        Assert.Equal(("中国邮政EMS", "1150123456789", "厦门市海沧区行政服务中心"), ((string?)handover["courier"], (string?)handover["trackingNumber"], (string?)handover["place"]));
        Assert.Contains("8:30", (string?)handover["hours"], StringComparison.Ordinal);
        Assert.Equal(["HK-350205-0001 post", "Q350000001 post", "YF-2026-0001 window"],
            delivered["cases"]!.AsArray().Select(c => $"{c!["result"]!["number"]} {c["result"]!["delivery"]}").Order(StringComparer.Ordinal));
        await using var db = _database.NewContext();
        Assert.Equal(1, await db.Set<AuditEntry>().IgnoreQueryFilters().CountAsync(e => e.TenantId == Haicang && e.Action == "application.handover"));

        // Zhang applied online and comes once, for the booklet at the window: the region's staff see one trip.
        var newborn = BundleIn(await (await _window.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).JsonAsync(), "newborn");
        Assert.Equal((1, true, 1.0), ((int)newborn["applications"]!, (bool)newborn["tooFew"]!, (double)newborn["measured"]!["trips"]!));
    }

    private async Task<OneGo.Server.Features.Cases.DeadlineJob.Outcome> RunDeadlinesAsync()
    {
        using var scope = _host.Services.CreateScope();
        return await ActivatorUtilities.CreateInstance<OneGo.Server.Features.Cases.DeadlineJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);
    }

    private async Task<Dictionary<string, string>> WatchOfAsync(string number)
    {
        var application = await (await _zhang.GetAsync($"{Api}/applications/{number}")).JsonAsync();
        return application["cases"]!.AsArray().ToDictionary(c => (string)c!["matter"]!, c => (string)c!["watch"]!);
    }

    [Fact]
    public async Task TheDeadlineJobWithdrawsWhatWasNotSuppliedInTimeAndMarksWhatIsAtRiskOrOverdue()
    {
        // Accepted at submission on Monday 2026-09-28: vaccination due 10-10, the points review 10-16, the enrolment 10-30.
        var accepted = (string)(await ApplyByPointsAsync("deadline-accepted", bringOne: false))["number"]!;
        // And one given a notice the same day, to be answered by 10-28.
        var noticed = (string)(await ApplyByPointsAsync("deadline-noticed"))["number"]!;
        var (application, etag) = await ReadAsync(_window, $"{Api}/window/applications/{noticed}");
        var material = (string)application["guide"]!["fetchedForYou"]![0]!["code"]!;
        await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{noticed}/supplement", new { items = new[] { new { material, reason = "请上传原件扫描件" } } }, etag)
            .ExpectAsync(HttpStatusCode.OK);

        // Nothing is due within two working days (09-29, 09-30): nothing to mark.
        Assert.Equal(new(0, 0, 0), await RunDeadlinesAsync());

        // Friday 10-09: the vaccination check, due on the make-up Saturday, is within two working days.
        await AdvanceAsync(new DateTimeOffset(2026, 10, 9, 9, 0, 0, TimeSpan.FromHours(8)) - _clock.GetUtcNow());
        Assert.Equal(new(0, 0, 1), await RunDeadlinesAsync());
        Assert.Equal("atRisk", (await WatchOfAsync(accepted))["vaccination-check"]);
        // Marked once: a second run finds nothing new.
        Assert.Equal(new(0, 0, 0), await RunDeadlinesAsync());

        // Wednesday 10-14: the vaccination check is overdue; the points review, due Friday, is at risk now.
        await AdvanceAsync(TimeSpan.FromDays(5));
        Assert.Equal(new(0, 1, 1), await RunDeadlinesAsync());
        var watch = await WatchOfAsync(accepted);
        Assert.Equal(("overdue", "atRisk", "onTime"), (watch["vaccination-check"], watch["points-review"], watch["primary-school-enrolment"]));
        // An ended case is not marked again: health issues the overdue check; only open cases move on.
        var vaccination = (string)CaseOf(await (await _zhang.GetAsync($"{Api}/applications/{accepted}")).JsonAsync(), "vaccination-check")["id"]!;
        var (_, tag) = await ReadAsync(_health, $"{Api}/cases/{vaccination}");
        var approved = await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{vaccination}/decide", new { outcome = "approve", legalBasis = "《疫苗管理法》" }, tag).ExpectAsync(HttpStatusCode.OK);
        await IssueOnlineAsync(_health, vaccination, approved.ETag(), "预防接种查验证明", "JZ-2").ExpectAsync(HttpStatusCode.OK);

        // Thursday 10-29: the notice of 09-28 was not answered by 10-28: the application is withdrawn with its cases.
        await AdvanceAsync(TimeSpan.FromDays(15));
        var outcome = await RunDeadlinesAsync();
        Assert.Equal(1, outcome.Withdrawn);
        var withdrawn = await (await _zhang.GetAsync($"{Api}/applications/{noticed}")).JsonAsync();
        Assert.Equal("withdrawn", (string?)withdrawn["state"]);
        Assert.Contains("2026-10-28", (string?)withdrawn["closing"]!["reason"], StringComparison.Ordinal);
        Assert.All(withdrawn["cases"]!.AsArray(), c => Assert.Equal(("withdrawn", "onTime"), ((string?)c!["state"], (string?)c["watch"])));
        Assert.Equal(HttpStatusCode.Conflict, (await _zhang.PostAsync($"{Api}/applications/{noticed}/supplied", null)).StatusCode);
        watch = await WatchOfAsync(accepted);
        Assert.Equal(("overdue", "overdue", "atRisk"), (watch["vaccination-check"], watch["points-review"], watch["primary-school-enrolment"]));
        Assert.Equal("issued", (string?)CaseOf(await (await _zhang.GetAsync($"{Api}/applications/{accepted}")).JsonAsync(), "vaccination-check")["state"]);
        await using var db = _database.NewContext();
        var runs = await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == Haicang && e.Action == "case.deadlines").Select(e => e.Changes!).ToListAsync();
        // One entry for each run that changed something in the region: 10-09, 10-14 and 10-29.
        Assert.Equal(3, runs.Count);
        Assert.Contains(runs, r => r.Contains(noticed, StringComparison.Ordinal));
    }
}

public sealed class CaseWorkTestsOnSqlite() : CaseWorkTests(Provider.Sqlite);

public sealed class CaseWorkTestsOnPostgres() : CaseWorkTests(Provider.Postgres);
