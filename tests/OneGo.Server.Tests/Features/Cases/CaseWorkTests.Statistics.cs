using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Cases;

/// <summary>
/// 办理实效: what applicants of Haicang's enrolment really spent — working days, trips, materials brought and fetched —
/// counted here from the applications as their applicant reads them and the holiday calendar, against the figures the
/// statistics route, the bundle's page and the zone's monthly publication show; the public sees a figure only once it
/// rests on ten completed applications.
/// </summary>
public abstract partial class CaseWorkTests
{
    private static int WorkingDaysBetween(DateOnly from, DateOnly through)
    {
        var count = 0;
        for (var day = from.AddDays(1); day <= through; day = day.AddDays(1))
        {
            count += Working(day) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Education denies the points review (closing the enrolment that waits for it) and health its check: the application has ended.</summary>
    private async Task EndByDenialAsync(JsonNode application)
    {
        foreach (var (officer, matter) in new[] { (_education, "points-review"), (_health, "vaccination-check") })
        {
            var id = (string)CaseOf(application, matter)["id"]!;
            var (_, tag) = await ReadAsync(officer, $"{Api}/cases/{id}");
            await officer.SendJsonAsync(HttpMethod.Post, $"{Api}/cases/{id}/decide",
                new { outcome = "deny", legalBasis = "《义务教育法》第十二条", reason = "积分未达到录取分数线" }, tag).ExpectAsync(HttpStatusCode.OK);
        }
    }

    private static JsonNode BundleIn(JsonNode statistics, string code) =>
        statistics["bundles"]!.AsArray().Single(b => (string?)b!["code"] == code)!;

    [Fact]
    public async Task WhatApplicantsReallySpentIsShownBesideTheDeclaredFiguresOnceTenApplicationsHaveEndedAndEachMonthIsPublishedOnce()
    {
        // Ten applications submitted on Monday 09-28: eight with every dataset fetched (accepted at once), two with one brought as a file (accepted by the window).
        var applications = new List<JsonNode>();
        for (var i = 0; i < 10; i++)
        {
            var submitted = await ApplyByPointsAsync($"measured-{i}", bringOne: i < 2);
            if ((string?)submitted["state"] == "submitted")
            {
                var number = (string)submitted["number"]!;
                var (_, tag) = await ReadAsync(_window, $"{Api}/window/applications/{number}");
                await _window.SendJsonAsync(HttpMethod.Post, $"{Api}/applications/{number}/accept", ifMatch: tag).ExpectAsync(HttpStatusCode.OK);
            }

            applications.Add(submitted);
        }

        // Five end on Thursday 10-08 after the National Day week, four on Friday 10-09; one is left open for now.
        await AdvanceAsync(new DateTimeOffset(2026, 10, 8, 10, 0, 0, TimeSpan.FromHours(8)) - _clock.GetUtcNow());
        foreach (var application in applications.Take(5))
        {
            await EndByDenialAsync(application);
        }

        await AdvanceAsync(TimeSpan.FromDays(1));
        foreach (var application in applications.Skip(5).Take(4))
        {
            await EndByDenialAsync(application);
        }

        // Nine: the region's staff see the count and the figures, marked below the public minimum; the public, and the staff of another region, see neither.
        var staff = await (await _window.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.False((bool)staff["public"]!);
        var nine = BundleIn(staff, "enrolment");
        Assert.Equal((9, true), ((int)nine["applications"]!, (bool)nine["tooFew"]!));
        Assert.NotNull(nine["measured"]);
        using var anonymous = _host.CreateClient();
        using var siming = await _host.AsAsync(Roles.Editor, "fujian.xiamen.siming");
        foreach (var outsider in new[] { anonymous, siming, _zhang })
        {
            var shown = await (await outsider.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.True((bool)shown["public"]!);
            var enrolment = BundleIn(shown, "enrolment");
            Assert.True((bool)enrolment["tooFew"]!);
            Assert.Null(enrolment["applications"]);
            Assert.Null(enrolment["measured"]);
            Assert.Null(shown["region"]!["measured"]);
        }

        var page = await (await anonymous.GetAsync("/regions/fujian.xiamen.haicang/bundles/enrolment?lang=en").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.Contains("id=\"measured\" class=\"too-few\"", page, StringComparison.Ordinal);

        // The tenth ends on Friday too: now the public is shown the averages, as counted here from what each applicant reads.
        await EndByDenialAsync(applications[9]);
        var submittedOn = new DateOnly(2026, 9, 28);
        var days = 5 * WorkingDaysBetween(submittedOn, new DateOnly(2026, 10, 8)) + 5 * WorkingDaysBetween(submittedOn, new DateOnly(2026, 10, 9));
        int brought = 0, fetched = 0;
        foreach (var application in applications)
        {
            var read = await (await _zhang.GetAsync($"{Api}/applications/{application["number"]}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Equal("completed", (string?)read["state"]);
            brought += read["materials"]!.AsArray().Select(m => (string)m!["material"]!).Distinct().Count();
            // A dataset counts as it stood at submission: fetched under the consent in force (not one fetched and then withdrawn).
            fetched += read["sharing"]!.AsArray().Where(d => (string?)d!["state"] == "fetched")
                .SelectMany(d => d!["materials"]!.AsArray().Select(m => (string)m!)).Distinct().Count();
        }

        Assert.True(brought > 0 && fetched > 0);
        var expected = new[] { days / 10.0, 0, Math.Round(brought / 10.0, 1), Math.Round(fetched / 10.0, 1) };
        double[] Figures(JsonNode measured) => [(double)measured["days"]!, (double)measured["trips"]!, (double)measured["materialsBrought"]!, (double)measured["materialsFetched"]!];
        var shownNow = await (await anonymous.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var ten = BundleIn(shownNow, "enrolment");
        Assert.Equal((10, false), ((int)ten["applications"]!, (bool)ten["tooFew"]!));
        Assert.Equal(expected, Figures(ten["measured"]!));
        Assert.Equal(expected, Figures(shownNow["region"]!["measured"]!));
        // Beside what the bundle declares in one go.
        var declared = (await (await anonymous.GetAsync($"{Api}/bundles/enrolment").ExpectAsync(HttpStatusCode.OK)).JsonAsync())["reductions"]!;
        Assert.True(JsonNode.DeepEquals(declared, ten["declared"]));
        page = await (await anonymous.GetAsync("/regions/fujian.xiamen.haicang/bundles/enrolment?lang=en").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.Contains("<table id=\"measured\" data-applications=\"10\">", page, StringComparison.Ordinal);
        Assert.Contains($"data-measure=\"days\" data-declared=\"{(int)declared["after"]!["days"]!}\" data-measured=\"{expected[0]:0.#}\"", page, StringComparison.Ordinal);

        // 好差评: Zhang rates the ten applications, the levels as counted here; the public sees the figures once ten are rated, and never a comment.
        string[] levels = ["verySatisfied", "verySatisfied", "verySatisfied", "verySatisfied", "satisfied", "satisfied", "basicallySatisfied", "dissatisfied", "dissatisfied", "veryDissatisfied"];
        for (var i = 0; i < levels.Length; i++)
        {
            if (i == 9)
            {
                var nineRated = BundleIn(await (await anonymous.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).JsonAsync(), "enrolment")["ratings"]!;
                Assert.Equal((true, null), ((bool)nineRated["tooFew"]!, (int?)nineRated["ratings"]));
                Assert.Equal(9, (int)BundleIn(await (await _window.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).JsonAsync(), "enrolment")["ratings"]!["ratings"]!);
            }

            await RateAsync(_zhang, (string)applications[i]["number"]!, new { level = levels[i], comment = $"评价第{i}件" }, $"rate-{i}").ExpectAsync(HttpStatusCode.Created);
        }

        double ShareOf(params string[] of) => Math.Round(100.0 * levels.Count(of.Contains) / levels.Length, 1);
        var rated = await (await anonymous.GetAsync($"{Api}/statistics").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("评价第", rated, StringComparison.Ordinal);
        var ratings = BundleIn(JsonNode.Parse(rated)!, "enrolment")["ratings"]!;
        Assert.Equal((10, false, 3, 0, 0), ((int)ratings["ratings"]!, (bool)ratings["tooFew"]!, (int)ratings["rectificationsOpen"]!, (int)ratings["rectifiedOnTime"]!, (int)ratings["rectifiedLate"]!));
        Assert.Equal(ShareOf("verySatisfied", "satisfied", "basicallySatisfied"), (double)ratings["satisfaction"]!);
        Assert.All(levels.Distinct(), level => Assert.Equal(ShareOf(level), (double)ratings["shares"]![level]!));
        // The window served every application as a whole: its figures are the same ten.
        var window = Assert.Single(JsonNode.Parse(rated)!["departments"]!.AsArray())!;
        Assert.Equal(("window", 10), ((string?)window["code"], (int)window["ratings"]!["ratings"]!));
        page = await (await anonymous.GetAsync("/regions/fujian.xiamen.haicang/bundles/enrolment?lang=en").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.Contains($"<table id=\"ratings\" data-ratings=\"10\" data-satisfaction=\"{ShareOf("verySatisfied", "satisfied", "basicallySatisfied"):0.#}\">", page, StringComparison.Ordinal);
        Assert.DoesNotContain("评价第", page, StringComparison.Ordinal);

        // A month narrows it: none ended in September; a month that is not one is refused at its parameter.
        var september = await (await _window.GetAsync($"{Api}/statistics?month=2026-09").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(0, (int)september["region"]!["applications"]!);
        Assert.Equal(["month"], await (await anonymous.GetAsync($"{Api}/statistics?month=2026-13")).ErrorPlacesAsync());

        // At 00:00 on 1 November (China Standard Time) October is published to the zone, every region once; a second run publishes nothing.
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 1, 0, 0, 30, TimeSpan.FromHours(8)));
        async Task<(string Month, int Published)> PublishAsync()
        {
            using var scope = _host.Services.CreateScope();
            return await ActivatorUtilities.CreateInstance<OneGo.Server.Features.Statistics.StatisticsJob>(scope.ServiceProvider).RunAsync(CancellationToken.None);
        }

        var (month, published) = await PublishAsync();
        Assert.Equal("2026-10", month);
        Assert.True(published > 1);
        Assert.Equal(("2026-10", 0), await PublishAsync());
        var zone = await (await anonymous.GetAsync("/api/zone/statistics?region=fujian.xiamen.haicang&month=2026-10").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var haicang = Assert.Single(zone["items"]!.AsArray())!;
        Assert.Equal(("fujian.xiamen.haicang", "2026-10"), ((string?)haicang["tenant"], (string?)haicang["month"]));
        var publishedEnrolment = BundleIn(haicang["statistics"]!, "enrolment");
        Assert.Equal(expected, Figures(publishedEnrolment["measured"]!));
        Assert.Equal(ShareOf("verySatisfied", "satisfied", "basicallySatisfied"), (double)publishedEnrolment["ratings"]!["satisfaction"]!);
        // What rests on fewer than ten is not published either: the newborn bundle, with none.
        Assert.True((bool)BundleIn(haicang["statistics"]!, "newborn")["tooFew"]!);
        Assert.Null(BundleIn(haicang["statistics"]!, "newborn")["measured"]);
        await using var db = _database.NewContext();
        Assert.Equal(1, await db.Set<AuditEntry>().IgnoreQueryFilters().CountAsync(e => e.TenantId == Haicang && e.Action == "statistics.publish"));
    }
}
