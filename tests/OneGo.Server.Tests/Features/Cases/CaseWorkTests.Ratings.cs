using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Cases;

/// <summary>
/// 好差评: Zhang rates his ended enrolment application and its cases once each, on the five national levels only, online
/// or at the counter on the page the window opens for him — never by an officer's hand. Each bad rating opens a
/// rectification for the department answerable, due 15 working days later on the holiday calendar: the window replies
/// in time and Zhang reads the reply; education appeals an abusive rating and Haicang's admin upholds it (kept, out of
/// the figures); health's appeal is dismissed and its rectification goes overdue, marked once by the deadline job.
/// </summary>
public abstract partial class CaseWorkTests
{
    private Task<HttpResponseMessage> RateAsync(HttpClient client, string number, object body, string key, string? actingFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/applications/{number}/ratings") { Content = JsonContent.Create(body) };
        if (key.Length > 0)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (actingFor is not null)
        {
            request.Headers.Add("X-OneGo-Applicant", actingFor);
        }

        return client.SendAsync(request);
    }

    private async Task<string> RatingRowsAsync()
    {
        await using var db = _database.NewContext();
        var rows = await db.Set<OneGo.Server.Features.Ratings.Rating>().IgnoreQueryFilters().AsNoTracking()
            .Select(r => new { r.Number, r.Matter, r.Level, r.Rectification, r.Revision, r.Reply, r.Appeal, r.AppealState, r.Excluded, r.Overdue })
            .OrderBy(r => r.Matter).ToListAsync();
        return System.Text.Json.JsonSerializer.Serialize(rows);
    }

    private static JsonNode RatingOf(JsonNode application, string? matter) =>
        application["ratings"]!.AsArray().Single(r => (string?)r!["matter"] == matter)!;

    [Fact]
    public async Task AnEndedApplicationAndEachCaseAreRatedOnceOnTheFiveLevelsAndEveryBadRatingIsPutRightOrAppealed()
    {
        var submitted = await ApplyByPointsAsync("rated", bringOne: false);
        var number = (string)submitted["number"]!;

        // Before it ends, neither the application nor a case is rated; nothing is kept.
        Assert.Equal(HttpStatusCode.Conflict, (await RateAsync(_zhang, number, new { level = "satisfied" }, "early-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await RateAsync(_zhang, number, new { level = "satisfied", matter = "points-review" }, "early-2")).StatusCode);
        await EndByDenialAsync(submitted);
        Assert.Equal("[]", await RatingRowsAsync());

        // The five national levels and nothing else; a comment of at most 500 characters; a case of this application; a key.
        Assert.Equal(["/level"], await (await RateAsync(_zhang, number, new { level = "excellent" }, "bad-1")).ErrorPlacesAsync());
        Assert.Equal(["/level"], await (await RateAsync(_zhang, number, new { level = "5" }, "bad-2")).ErrorPlacesAsync());
        Assert.Equal(["/comment", "/level"], (await (await RateAsync(_zhang, number, new { comment = new string('差', 501) }, "bad-3")).ErrorPlacesAsync()).Order());
        Assert.Equal(["/matter"], await (await RateAsync(_zhang, number, new { level = "satisfied", matter = "no-such-matter" }, "bad-4")).ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await RateAsync(_zhang, number, new { level = "satisfied" }, "")).StatusCode);
        // An officer never gives the level: not a department's, not the window's acting for a walk-in.
        var walkIn = (string)(await (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/walk-ins", new { name = "张晓明", idNumber = "350205198806121231" })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync())["subject"]!;
        Assert.Equal(HttpStatusCode.Forbidden, (await RateAsync(_window, number, new { level = "verySatisfied" }, "officer-1", walkIn)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await RateAsync(_education, number, new { level = "verySatisfied" }, "officer-2")).StatusCode);
        Assert.Equal("[]", await RatingRowsAsync());

        // Zhang rates the application 不满意, with a comment: the comprehensive window that served him answers for it, 15 working days from today over the National Day week.
        var due = WorkingDaysAfter(new DateOnly(2026, 9, 28), 15);
        Assert.True(due > new DateOnly(2026, 10, 7));
        var body = new { level = "dissatisfied", comment = "窗口让我来回跑了两趟" };
        var rated = await RateAsync(_zhang, number, body, "whole").ExpectAsync(HttpStatusCode.Created);
        var rating = await rated.JsonAsync();
        Assert.Equal(("dissatisfied", "不满意", "window", false), ((string?)rating["level"], (string?)rating["levelName"]!["zh"], (string?)rating["department"], (bool)rating["atCounter"]!));
        Assert.Equal((due.ToString("yyyy-MM-dd"), "open"), ((string?)rating["rectification"]!["dueOn"], (string?)rating["rectification"]!["state"]));
        // A retry with the same key and body answers the same rating; the same key with another body is 422; a second rating 409.
        var retried = await (await RateAsync(_zhang, number, body, "whole").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal((string?)rating["id"], (string?)retried["id"]);
        Assert.Equal(["Idempotency-Key"], await (await RateAsync(_zhang, number, new { level = "satisfied" }, "whole")).ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await RateAsync(_zhang, number, new { level = "satisfied" }, "whole-again")).StatusCode);

        // Each case once too: the points review 非常不满意 by its national name, online.
        var review = await (await RateAsync(_zhang, number, new { level = "非常不满意", comment = "打分不公", matter = "points-review" }, "review")
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        Assert.Equal(("veryDissatisfied", "education"), ((string?)review["level"], (string?)review["department"]));
        Assert.Equal(HttpStatusCode.Conflict, (await RateAsync(_zhang, number, new { level = "satisfied", matter = "points-review" }, "review-again")).StatusCode);

        // At the counter: the window opens the rating page for Zhang; he chooses there, and the rating is marked as given at the counter.
        var code = await (await _window.PostAsync($"{Api}/applications/{number}/rating-code", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.StartsWith("/rate/", (string?)code["url"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await _education.PostAsync($"{Api}/applications/{number}/rating-code", null)).StatusCode);
        using var device = _host.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await device.SendAsync(Keyed(HttpMethod.Post, "/api/counter-ratings/forged", new { level = "satisfied" }, "counter"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await device.GetAsync("/rate/forged")).StatusCode);
        // The page offers what is left to rate — the two cases not rated yet, each ended — and takes Zhang's own choice.
        static IEnumerable<string> Offered(string html) => System.Text.RegularExpressions.Regex.Matches(html, "<option value=\"([^\"]*)\"").Select(m => m.Groups[1].Value);
        var page = await (await device.GetAsync((string)code["url"]!).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.Equal(["primary-school-enrolment", "vaccination-check"], Offered(page));
        var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]*)\"").Groups[1].Value);
        var answered = await (await device.PostAsync((string)code["url"]!, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["key"] = "counter-page", ["matter"] = "vaccination-check", ["level"] = "dissatisfied", ["comment"] = "排队等了两个小时",
        })).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.Contains("id=\"counter-message\" class=\"notice\"", answered, StringComparison.Ordinal);
        Assert.Equal(["primary-school-enrolment"], Offered(answered));
        var counter = RatingOf(await (await _zhang.GetAsync($"{Api}/applications/{number}").ExpectAsync(HttpStatusCode.OK)).JsonAsync(), "vaccination-check");
        Assert.Equal(("health", true, "dissatisfied"), ((string?)counter["department"], (bool)counter["atCounter"]!, (string?)counter["level"]));
        // A rating device sends the same through the API: once each, so nothing is left for the code.
        Assert.Equal(HttpStatusCode.Conflict, (await device.SendAsync(Keyed(HttpMethod.Post, $"/api/counter-ratings/{Uri.EscapeDataString((string)code["code"]!)}",
            new { level = "satisfied", matter = "vaccination-check" }, "device"))).StatusCode);

        // Each department lists its own rectifications, with the comment to put right and the due date; another's is not found.
        var mine = await (await _education.GetAsync($"{Api}/rectifications").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var reviewLine = Assert.Single(mine["items"]!.AsArray())!;
        Assert.Equal(("points-review", "打分不公", due.ToString("yyyy-MM-dd")), ((string?)reviewLine["matter"], (string?)reviewLine["comment"], (string?)reviewLine["dueOn"]));
        var whole = (string)rating["id"]!;
        Assert.Equal(HttpStatusCode.NotFound, (await _health.GetAsync($"{Api}/rectifications/{whole}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _zhang.GetAsync($"{Api}/rectifications")).StatusCode);

        // The window replies for the application: every part, with If-Match, once; education may not reply for it.
        var (_, tag) = await ReadAsync(_window, $"{Api}/rectifications/{whole}");
        var reply = new { verified = "核实属实：首次提交时未告知需现场核验", contacted = "2026-09-29 电话回访申请人", @fixed = "一次性告知清单已补充现场核验事项", reply = "已整改，感谢您的监督" };
        var before = await RatingRowsAsync();
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _window.PostAsync($"{Api}/rectifications/{whole}/reply", JsonContent.Create(reply))).StatusCode);
        Assert.Equal(["/contacted", "/fixed", "/reply", "/verified"], (await (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{whole}/reply", new { }, tag)).ErrorPlacesAsync()).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{whole}/reply", reply, tag)).StatusCode);
        Assert.Equal(before, await RatingRowsAsync());
        var replied = await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{whole}/reply", reply, tag).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("replied", (string?)(await replied.JsonAsync())["state"]);
        Assert.Equal(HttpStatusCode.Conflict, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{whole}/reply", reply, replied.ETag())).StatusCode);
        // Zhang reads the reply with his application.
        var read = await (await _zhang.GetAsync($"{Api}/applications/{number}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("已整改，感谢您的监督", (string?)RatingOf(read, null)["rectification"]!["reply"]);
        Assert.Equal(3, read["ratings"]!.AsArray().Count);

        // 申诉: education appeals the points review's rating, Haicang's admin upholds it; health appeals, and the admin dismisses it.
        var admin = await _host.AsAsync(Roles.Admin, Haicang);
        var reviewId = (string)review["id"]!;
        (_, tag) = await ReadAsync(_education, $"{Api}/rectifications/{reviewId}");
        var appealed = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{reviewId}/appeal", new { reason = "积分按公开细则计算，申请人评价与办理无关" }, tag).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Conflict, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{reviewId}/appeal", new { reason = "again" }, appealed.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{reviewId}/appeal/decision", new { upheld = true, reason = "x" }, appealed.ETag())).StatusCode);
        var open = await (await admin.GetAsync($"{Api}/rectifications?appeal=open").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(reviewId, (string?)Assert.Single(open["items"]!.AsArray())!["id"]);
        Assert.Equal(["/reason", "/upheld"], (await (await admin.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{reviewId}/appeal/decision", new { }, appealed.ETag())).ErrorPlacesAsync()).Order());
        var upheld = await (await admin.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{reviewId}/appeal/decision",
            new { upheld = true, reason = "评价针对积分政策本身，非办理服务" }, appealed.ETag()).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("upheld", "withdrawn", true), ((string?)upheld["appealState"], (string?)upheld["state"], (bool)upheld["excluded"]!));

        var healthId = (string)counter["id"]!;
        (_, tag) = await ReadAsync(_health, $"{Api}/rectifications/{healthId}");
        var healthAppeal = await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{healthId}/appeal", new { reason = "查验按规定进行" }, tag).ExpectAsync(HttpStatusCode.OK);
        var dismissed = await (await admin.SendJsonAsync(HttpMethod.Post, $"{Api}/rectifications/{healthId}/appeal/decision",
            new { upheld = false, reason = "申请人反映的等候时间属实" }, healthAppeal.ETag()).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("dismissed", "open", false), ((string?)dismissed["appealState"], (string?)dismissed["state"], (bool)dismissed["excluded"]!));

        // The day after it was due, the deadline job marks health's unreplied rectification overdue, once, and tells health and the lead department.
        await AdvanceAsync(new DateTimeOffset(due.AddDays(1).ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)) - _clock.GetUtcNow());
        admin.Dispose();
        using var adminLater = admin = await _host.AsAsync(Roles.Admin, Haicang);
        Assert.Equal(1, (await RunDeadlinesAsync()).RectificationsOverdue);
        Assert.Equal(0, (await RunDeadlinesAsync()).RectificationsOverdue);
        var inbox = await (await _health.GetAsync($"{Api}/notices").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var notice = Assert.Single(inbox["items"]!.AsArray(), n => (string?)n!["kind"] == "rectificationOverdue")!;
        Assert.Equal(number, (string?)Assert.Single(notice["items"]!.AsArray())!["application"]);
        // The window reads every department's notices: health's, and the lead department's (海沧区行政审批管理局).
        var all = await (await _window.GetAsync($"{Api}/notices").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(["administrative-approval", "health"], all["items"]!.AsArray().Where(n => (string?)n!["kind"] == "rectificationOverdue").Select(n => (string)n!["department"]!).Order());

        Assert.DoesNotContain((await (await _education.GetAsync($"{Api}/notices")).JsonAsync())["items"]!.AsArray(), n => (string?)n!["kind"] == "rectificationOverdue");
        var overdue = await (await admin.GetAsync($"{Api}/rectifications?overdue=true").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(healthId, (string?)Assert.Single(overdue["items"]!.AsArray())!["id"]);

        // The figures count the window's on time and health's late; the upheld one is out of them, but kept, with its decision, in the audit log.
        var figures = (await (await admin.GetAsync($"{Api}/statistics?month=2026-09").ExpectAsync(HttpStatusCode.OK)).JsonAsync())["region"]!["ratings"]!;
        Assert.Equal((2, 1, 1, 0), ((int)figures["ratings"]!, (int)figures["rectifiedOnTime"]!, (int)figures["rectifiedLate"]!, (int)figures["rectificationsOpen"]!));
        Assert.Equal((0.0, 100.0, 0.0), ((double)figures["satisfaction"]!, (double)figures["shares"]!["dissatisfied"]!, (double)figures["shares"]!["veryDissatisfied"]!));
        await using var db = _database.NewContext();
        Assert.Equal(3, await db.Set<OneGo.Server.Features.Ratings.Rating>().IgnoreQueryFilters().CountAsync(r => r.Number == number));
        var actions = await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == Haicang && e.Action.StartsWith("rating.")).Select(e => e.Action).ToListAsync();
        Assert.Equal(["rating.appeal", "rating.appeal", "rating.appeal.dismiss", "rating.appeal.uphold", "rating.give", "rating.give", "rating.give", "rating.reply"], actions.Order());
        // The comment is the applicant's words: not written to the audit log.
        Assert.DoesNotContain(await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.Action == "rating.give").Select(e => e.Changes).ToListAsync(), c => (c ?? "").Contains("窗口让我", StringComparison.Ordinal));
    }

    private static HttpRequestMessage Keyed(HttpMethod method, string url, object body, string key)
    {
        var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
