using OneGo.Catalogue;

namespace OneGo.Catalogue.Tests.Validation;

/// <summary>
/// Working days on the national holiday calendar, from the State Council's notices for 2025 (国办发明电〔2024〕12号) and
/// 2026 (国务院办公厅, 2025-11-04), written out here by hand: holidays are not working days, 调休 weekend days are, and a
/// count into a year the calendar does not hold is on weekdays and provisional.
/// </summary>
public sealed class HolidayCalendarTests
{
    private static DateOnly D(string day) => DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);

    private static Holiday H(string name, string from, string to, params string[] work) =>
        new() { Name = name, From = D(from), To = D(to), Work = work.Select(D).ToList() };

    private static CalendarYear Year(int year, params Holiday[] holidays) =>
        new() { Year = year, Source = new CalendarSource { Issuer = "国务院办公厅", Title = "通知", Published = new DateOnly(year - 1, 11, 1) }, Holidays = holidays };

    public static readonly CalendarYear Y2025 = Year(2025,
        H("元旦", "2025-01-01", "2025-01-01"), H("春节", "2025-01-28", "2025-02-04", "2025-01-26", "2025-02-08"), H("清明节", "2025-04-04", "2025-04-06"),
        H("劳动节", "2025-05-01", "2025-05-05", "2025-04-27"), H("端午节", "2025-05-31", "2025-06-02"),
        H("国庆节、中秋节", "2025-10-01", "2025-10-08", "2025-09-28", "2025-10-11"));

    public static readonly CalendarYear Y2026 = Year(2026,
        H("元旦", "2026-01-01", "2026-01-03", "2026-01-04"), H("春节", "2026-02-15", "2026-02-23", "2026-02-14", "2026-02-28"), H("清明节", "2026-04-04", "2026-04-06"),
        H("劳动节", "2026-05-01", "2026-05-05", "2026-05-09"), H("端午节", "2026-06-19", "2026-06-21"), H("中秋节", "2026-09-25", "2026-09-27"),
        H("国庆节", "2026-10-01", "2026-10-07", "2026-09-20", "2026-10-10"));

    private static readonly HolidayCalendar Calendar = new([Y2025, Y2026]);

    [Fact]
    public void ACaseAcceptedOnTheEveOfNationalDayWithFiveWorkingDaysIsDueOnTheThirteenth()
    {
        // 10-01 to 10-07 off; 10-08 and 10-09 count; Saturday 10-10 is worked; Sunday 10-11 is not; 10-12 and 10-13 count.
        Assert.Equal(new WorkingDay(D("2026-10-13"), false), Calendar.Add(D("2026-09-30"), 5));
    }

    [Theory]
    [InlineData("2025-01-01", false)]
    [InlineData("2025-01-26", true)]
    [InlineData("2025-01-28", false)]
    [InlineData("2025-02-04", false)]
    [InlineData("2025-02-05", true)]
    [InlineData("2025-02-08", true)]
    [InlineData("2025-04-27", true)]
    [InlineData("2025-05-05", false)]
    [InlineData("2025-06-02", false)]
    [InlineData("2025-09-28", true)]
    [InlineData("2025-10-08", false)]
    [InlineData("2025-10-11", true)]
    [InlineData("2025-10-12", false)]
    [InlineData("2026-01-02", false)]
    [InlineData("2026-01-04", true)]
    [InlineData("2026-02-14", true)]
    [InlineData("2026-02-23", false)]
    [InlineData("2026-02-28", true)]
    [InlineData("2026-05-09", true)]
    [InlineData("2026-06-19", false)]
    [InlineData("2026-09-20", true)]
    [InlineData("2026-09-25", false)]
    [InlineData("2026-10-07", false)]
    [InlineData("2026-10-10", true)]
    [InlineData("2026-12-05", false)]
    [InlineData("2026-12-07", true)]
    public void EachDayIsAWorkingDayOrNotAsTheNoticeSays(string day, bool working) => Assert.Equal(working, Calendar.IsWorkingDay(D(day)));

    [Fact]
    public void TheWorkingDaysSomethingTookAreCountedLikeItsDueDate()
    {
        // Accepted on 09-30 and ended on 10-13: the five working days it was promised, the National Day week not among them.
        Assert.Equal(5, Calendar.Between(D("2026-09-30"), D("2026-10-13")));
        Assert.Equal(0, Calendar.Between(D("2026-10-01"), D("2026-10-07")));
        Assert.Equal(0, Calendar.Between(D("2026-10-09"), D("2026-10-09")));
        // Saturday 10-10 is worked (调休), Sunday 10-11 is not.
        Assert.Equal(1, Calendar.Between(D("2026-10-09"), D("2026-10-11")));
    }

    [Fact]
    public void CountingStartsOnTheWorkingDayAfterTheEventAndSkipsTheSpringFestival()
    {
        // Friday 2026-02-13: Saturday 02-14 is worked (1), then 02-15 to 02-23 are off, 02-24 is the second.
        Assert.Equal(new WorkingDay(D("2026-02-24"), false), Calendar.Add(D("2026-02-13"), 2));
        // An event on a holiday counts from the first working day after it.
        Assert.Equal(new WorkingDay(D("2025-10-09"), false), Calendar.Add(D("2025-10-03"), 1));
        Assert.Equal(new WorkingDay(D("2025-06-03"), false), Calendar.Add(D("2025-05-30"), 1));
        // No days: the day itself.
        Assert.Equal(new WorkingDay(D("2026-10-03"), false), Calendar.Add(D("2026-10-03"), 0));
    }

    [Fact]
    public void ACountIntoAYearTheCalendarDoesNotHoldIsOnWeekdaysAndProvisional()
    {
        // 12-29, 12-30, 12-31 count; 2027 has no notice yet: Friday 01-01 counts as a weekday, then Monday 01-04.
        Assert.Equal(new WorkingDay(D("2027-01-04"), true), Calendar.Add(D("2026-12-28"), 5));
        Assert.False(Calendar.Add(D("2026-12-28"), 3).Provisional);
        // Once 2027 is held, the same count is not provisional.
        var with2027 = new HolidayCalendar([Y2025, Y2026, Year(2027, H("元旦", "2027-01-01", "2027-01-01"))]);
        Assert.Equal(new WorkingDay(D("2027-01-05"), false), with2027.Add(D("2026-12-28"), 5));
        Assert.True(new HolidayCalendar([]).Add(D("2026-10-01"), 1).Provisional);
    }

    [Fact]
    public void AYearTranscribedWrongIsRefusedAtTheFieldItIsAbout()
    {
        var wrong = Year(2027,
            H("元旦", "2027-01-03", "2027-01-01"),
            H("春节", "2027-02-05", "2027-02-11", "2027-02-10"),
            H("清明节", "2027-02-11", "2027-02-12"),
            H("劳动节", "2027-05-01", "2027-05-31"),
            H("国庆节", "2026-12-31", "2027-01-01", "2026-12-27"));
        Assert.Equal(
            ["/holidays/0/to", "/holidays/1/work/0", "/holidays/2/from", "/holidays/3/to", "/holidays/4", "/holidays/4/work/0"],
            HolidayCalendar.Check(wrong).Select(p => p.Pointer));
        Assert.Empty(HolidayCalendar.Check(Y2025));
        Assert.Empty(HolidayCalendar.Check(Y2026));
    }
}
