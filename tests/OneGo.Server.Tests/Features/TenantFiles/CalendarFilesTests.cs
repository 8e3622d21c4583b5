using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// The national holiday calendar in <c>tenants/calendar/</c>: the repository's years are the State Council's notices
/// (written out again here, by hand, from the notices); OneGo counts working days on them; a year transcribed wrong is
/// refused at its line and column and changes nothing; and importing the next year counts again the due dates that
/// went past the calendar's last year (provisional until then), on a clock set to Christmas Eve 2026.
/// </summary>
public abstract class CalendarFilesTests(Provider provider) : IAsyncLifetime
{
    private const string Gulou = "jiangsu.nanjing.gulou";

    // 10:00 on 2026-12-24, China Standard Time: ten working days on reach into 2027.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 24, 10, 0, 0, TimeSpan.FromHours(8)));
    private readonly TempFolder _tenants = RepositoryTenants.Copy();
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _host = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database, settings: new Dictionary<string, string?> { ["Scheduling:Enabled"] = "false" });
        _host = _app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private static readonly Dictionary<int, (string[] Off, string[] Work)> Notices = new()
    {
        // 国办发明电〔2024〕12号
        [2025] = (
            ["2025-01-01", "2025-01-28..2025-02-04", "2025-04-04..2025-04-06", "2025-05-01..2025-05-05", "2025-05-31..2025-06-02", "2025-10-01..2025-10-08"],
            ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]),
        // 国务院办公厅, 2025-11-04
        [2026] = (
            ["2026-01-01..2026-01-03", "2026-02-15..2026-02-23", "2026-04-04..2026-04-06", "2026-05-01..2026-05-05", "2026-06-19..2026-06-21", "2026-09-25..2026-09-27", "2026-10-01..2026-10-07"],
            ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]),
    };

    private static IEnumerable<string> Days(string range)
    {
        var parts = range.Split("..");
        var (from, to) = (DateOnly.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture));
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            yield return day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public async Task TheCalendarIsTheNoticesAndWorkingDaysAreCountedOnIt()
    {
        using var anyone = _host.CreateClient();
        var calendar = await (await anyone.GetAsync("/api/calendar")).JsonAsync();
        var years = calendar["years"]!.AsArray();
        Assert.Equal([2025, 2026], years.Select(y => (int)y!["year"]!));
        foreach (var year in years)
        {
            var (off, work) = Notices[(int)year!["year"]!];
            var holidays = year["holidays"]!.AsArray();
            Assert.Equal(off.SelectMany(Days), holidays.SelectMany(h => Days($"{h!["from"]}..{h["to"]}")));
            Assert.Equal(work, holidays.SelectMany(h => h!["work"]!.AsArray().Select(d => (string)d!)).Order(StringComparer.Ordinal));
            Assert.Equal("国务院办公厅", (string?)year["source"]!["issuer"]);
        }

        Assert.Equal("国办发明电〔2024〕12号", (string?)years[0]!["source"]!["reference"]);

        async Task<(string?, bool)> CountAsync(string from, int days)
        {
            var due = await (await anyone.GetAsync($"/api/calendar/working-days?from={from}&days={days}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            return ((string?)due["day"], (bool)due["provisional"]!);
        }

        // Accepted on the eve of National Day with five working days: due at the end of 10-13 (Saturday 10-10 is worked).
        Assert.Equal(("2026-10-13", false), await CountAsync("2026-09-30", 5));
        // Friday 2025-09-26: Sunday 09-28 is worked.
        Assert.Equal(("2025-09-29", false), await CountAsync("2025-09-26", 2));
        // Into 2027, which no notice covers yet: weekdays, provisional.
        Assert.Equal(("2027-01-04", true), await CountAsync("2026-12-28", 5));
        var wrong = await anyone.GetAsync("/api/calendar/working-days?from=2026-13-01&days=-1");
        Assert.Equal(["days", "from"], (await wrong.ErrorPlacesAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AYearTranscribedWrongIsRefusedAtItsLineAndColumnAndChangesNothing()
    {
        File.WriteAllText(_tenants.File("calendar/2027.yaml"), """
            year: 2027
            source: { issuer: 国务院办公厅, title: 国务院办公厅关于2027年部分节假日安排的通知, published: 2026-11-05 }
            holidays:
              - { name: 元旦, from: 2027-01-01, to: 2027-01-01 }
              - { name: 春节, from: 2027-02-06, to: 2027-02-12, work: [2027-02-10] }
              - { name: 清明节, from: 2027-04-05, to: 2027-04-31 }
            """);
        Directory.CreateDirectory(_tenants.File("fujian/calendar"));
        File.WriteAllText(_tenants.File("fujian/calendar/2027.yaml"), "year: 2027\n");
        var before = await RowSnapshot.TakeAsync(_database);
        await using var scope = _host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<TenantImport>().ImportAsync(_tenants.Path, CancellationToken.None);
        Assert.False(result.Succeeded);
        var problems = result.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(problems, p => p.StartsWith("tenants/calendar/2027.yaml:5:", StringComparison.Ordinal) && p.Contains("2027-02-10 is a Wednesday", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("tenants/calendar/2027.yaml:6:", StringComparison.Ordinal) && p.Contains("'2027-04-31', which is not a date", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("tenants/fujian/calendar/2027.yaml:1:1:", StringComparison.Ordinal) && p.Contains("national", StringComparison.Ordinal));
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
    }

    [Fact]
    public async Task ImportingTheNextYearCountsAgainTheDueDatesThatWentPastTheCalendar()
    {
        using var zhang = await _host.ApplicantAsync();
        var (answers, guide) = await zhang.FollowLaterAsync(Gulou, "school-enrolment");
        var id = await zhang.DraftAsync(Gulou, new JsonObject { ["bundle"] = "school-enrolment", ["answers"] = answers.DeepClone(), ["values"] = Applying.ValuesFor(guide["form"]!) });
        var commitments = new { commitments = guide["byCommitment"]!.AsArray().Select(m => (string)m!["code"]!).ToArray() };
        var submitted = await (await zhang.SubmitAsync(Gulou, id, "christmas-eve", commitments).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        // 12-25, 12-28 to 12-31, then 2027 on weekdays: 01-01, 01-04 to 01-07.
        Assert.All(submitted["owed"]!.AsArray(), o => Assert.Equal(("2027-01-07", true), ((string?)o!["dueOn"], (bool)o["dueProvisional"]!)));

        // A bad rating of the same day (written here as the rating route would): its rectification's 15 working days reach 2027-01-14 on weekdays.
        var tenants = new OneGo.Tenancy.CurrentTenant();
        await using (var writer = _database.NewContext(tenants))
        using (tenants.Enter(Gulou))
        {
            var application = await writer.Set<OneGo.Server.Features.Applications.Application>().SingleAsync(a => a.Id == Guid.Parse(id));
            var rating = new OneGo.Server.Features.Ratings.Rating
            {
                Id = Guid.NewGuid(), ApplicantId = application.ApplicantId, Department = "education", ApplicationId = application.Id, Number = application.Number!, Matter = "",
                BundleCode = application.BundleCode, LeadDepartment = "education", Level = OneGo.Server.Features.Ratings.RatingLevel.Dissatisfied, GivenAt = _clock.GetUtcNow().ToUniversalTime(),
                Key = "christmas-eve", Hash = "-", Rectification = OneGo.Server.Features.Ratings.RectificationState.Open, DueOn = new DateOnly(2027, 1, 14), DueProvisional = true,
            };
            writer.Add(rating);
            writer.Audit(new AuditEvent("test", "rating.give", $"rating/{rating.Id}", new { }));
            await writer.SaveChangesAsync();
        }

        // The notice for 2027 arrives: New Year's Day is off, and the due date moves to 01-08, no longer provisional.
        File.WriteAllText(_tenants.File("calendar/2027.yaml"), """
            year: 2027
            source: { issuer: 国务院办公厅, title: 国务院办公厅关于2027年部分节假日安排的通知（测试用）, published: 2026-11-05 }
            holidays:
              - { name: 元旦, from: 2027-01-01, to: 2027-01-01 }
            """);
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<TenantImport>().ImportAsync(_tenants.Path, CancellationToken.None);
            Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        }

        var after = await (await zhang.GetAsync($"/api/t/{Gulou}/applications/{id}")).JsonAsync();
        Assert.All(after["owed"]!.AsArray(), o => Assert.Equal(("2027-01-08", false), ((string?)o!["dueOn"], (bool)o["dueProvisional"]!)));
        await using var db = _database.NewContext();
        // The rectification, counted again from the day of its rating: 2027-01-15, New Year's Day off.
        var rectification = await db.Set<OneGo.Server.Features.Ratings.Rating>().IgnoreQueryFilters().SingleAsync(r => r.Key == "christmas-eve");
        Assert.Equal((new DateOnly(2027, 1, 15), false), (rectification.DueOn, rectification.DueProvisional));
        Assert.Single(await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == Gulou && e.Action == "rating.due-dates").ToListAsync());
        var recount = await db.Set<AuditEntry>().IgnoreQueryFilters().SingleAsync(e => e.TenantId == Gulou && e.Action == "application.due-dates");
        Assert.Contains((string)submitted["number"]!, recount.Changes ?? "", StringComparison.Ordinal);
        Assert.Single(await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.TenantId == RegionRules.NationalId && e.Action == "import.calendar" && e.Subject == "calendar/2027").ToListAsync());
    }
}

public sealed class CalendarFilesTestsOnSqlite() : CalendarFilesTests(Provider.Sqlite);

public sealed class CalendarFilesTestsOnPostgres() : CalendarFilesTests(Provider.Postgres);
