using System.Net;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Cases;

/// <summary>
/// 告知承诺's post-check (事后核查): the proof of employment Zhang signs for instead of bringing it is checked by education,
/// whose points review needed it, by its own due date — 20 working days from acceptance on the holiday calendar; the
/// deadline job marks it overdue once and tells education; education records what it found, once.
/// </summary>
public abstract partial class CaseWorkTests
{
    [Fact]
    public async Task WhatWasSignedInPlaceOfAMaterialIsCheckedByItsDepartmentByItsOwnDueDate()
    {
        // Every dataset fetched: accepted at submission on Monday 09-28.
        var submitted = await ApplyByPointsAsync("post-check", bringOne: false);
        Assert.Equal("accepted", (string?)submitted["state"]);
        var review = CaseOf(submitted, "points-review");
        var check = review["postCheck"]!;
        Assert.Contains("employment-proof", check["materials"]!.AsArray().Select(m => (string?)m));
        var due = WorkingDaysAfter(new DateOnly(2026, 9, 28), 20);
        Assert.Equal((due.ToString("yyyy-MM-dd"), 20), ((string?)check["dueOn"], (int)check["workingDays"]!));
        // Nothing was signed for health's check: it has none.
        var vaccination = (string)CaseOf(submitted, "vaccination-check")["id"]!;
        Assert.Null(CaseOf(submitted, "vaccination-check")["postCheck"]);

        // Education lists it among its open post-checks; health finds no such case of its own, the window decides nothing.
        var id = (string)review["id"]!;
        var open = await (await _education.GetAsync($"{Api}/cases?postCheck=open").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(due.ToString("yyyy-MM-dd"), (string?)Assert.Single(open["items"]!.AsArray())!["postCheckDueOn"]);
        Assert.Equal(["postCheck"], await (await _education.GetAsync($"{Api}/cases?postCheck=closed")).ErrorPlacesAsync());
        var (_, tag) = await ReadAsync(_education, $"{Api}/cases/{id}");
        var finding = new { truthful = false, note = "社保参保记录显示申请人未在承诺的单位就业" };
        var before = await RowsAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/post-check", finding, tag)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/post-check", finding, tag)).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await _education.PostAsync($"{Api}/cases/{id}/post-check", null)).StatusCode);
        Assert.Equal(["/note", "/truthful"], (await (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/post-check", new { }, tag)).ErrorPlacesAsync()).Order());
        var (_, healthTag) = await ReadAsync(_health, $"{Api}/cases/{vaccination}");
        Assert.Equal(HttpStatusCode.Conflict, (await _health.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{vaccination}/post-check", finding, healthTag)).StatusCode);
        Assert.Equal(before, await RowsAsync());

        // The day after it was due, the deadline job marks it overdue once and tells education, the department that checks.
        await AdvanceAsync(new DateTimeOffset(due.AddDays(1).ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(8)) - _clock.GetUtcNow());
        Assert.Equal(1, (await RunDeadlinesAsync()).PostChecksOverdue);
        Assert.Equal(0, (await RunDeadlinesAsync()).PostChecksOverdue);
        var inbox = await (await _education.GetAsync($"{Api}/notices").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var notice = Assert.Single(inbox["items"]!.AsArray(), n => (string?)n!["kind"] == "postCheckOverdue")!;
        Assert.Equal((string?)submitted["number"], (string?)Assert.Single(notice["items"]!.AsArray())!["application"]);
        (_, tag) = await ReadAsync(_education, $"{Api}/cases/{id}");
        var shown = await (await _education.GetAsync($"{Api}/cases/{id}")).JsonAsync();
        Assert.True((bool)shown["case"]!["postCheckOverdue"]!);

        // Education records that the commitment was untrue; once.
        var recorded = await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/post-check", finding, tag).ExpectAsync(HttpStatusCode.OK);
        var done = (await recorded.JsonAsync())["case"]!;
        Assert.False((bool)done["postCheck"]!["finding"]!["truthful"]!);
        Assert.False((bool)done["postCheckOverdue"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await _education.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/post-check", finding, recorded.ETag())).StatusCode);
        Assert.Empty((await (await _education.GetAsync($"{Api}/cases?postCheck=open")).JsonAsync())["items"]!.AsArray());
        await using var db = _database.NewContext();
        Assert.Equal(1, await db.Set<AuditEntry>().IgnoreQueryFilters().CountAsync(e => e.TenantId == Haicang && e.Action == "case.post-check"));
    }
}
