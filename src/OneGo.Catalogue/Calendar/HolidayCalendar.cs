namespace OneGo.Catalogue;

/// <summary>
/// One year of the national holiday calendar as the State Council's notice gives it (国务院办公厅关于部分节假日安排的通知):
/// each holiday's days off and the weekend days worked in exchange (调休), with where it comes from.
/// </summary>
public sealed record CalendarYear
{
    public required int Year { get; init; }

    /// <summary>The notice it transcribes: its issuer, its reference number where it has one, the day it was published.</summary>
    public required CalendarSource Source { get; init; }

    public required IReadOnlyList<Holiday> Holidays { get; init; }
}

public sealed record CalendarSource
{
    public required string Issuer { get; init; }

    /// <summary>发文字号, as 国办发明电〔2024〕12号; null when the notice has none known here.</summary>
    public string? Reference { get; init; }

    public required DateOnly Published { get; init; }

    public required Text Title { get; init; }
}

/// <summary>A statutory holiday: the days off from <see cref="From"/> to <see cref="To"/>, and the weekend days worked for it.</summary>
public sealed record Holiday
{
    public required Text Name { get; init; }

    public required DateOnly From { get; init; }

    public required DateOnly To { get; init; }

    /// <summary>调休: the Saturdays and Sundays that are working days because of this holiday.</summary>
    public IReadOnlyList<DateOnly> Work { get; init; } = [];
}

/// <summary>A day a count of working days ends on; provisional when the count went past the last year the calendar holds.</summary>
public readonly record struct WorkingDay(DateOnly Day, bool Provisional);

/// <summary>
/// Working days (工作日) on the national holiday calendar: a day is a working day when it is a weekday that no holiday
/// takes off, or a weekend day a holiday makes a working day (调休). Counting starts on the working day after the event.
/// A year the calendar does not hold yet is counted on weekdays, and what is counted into it is provisional.
/// </summary>
public sealed class HolidayCalendar
{
    private readonly HashSet<DateOnly> _off = [];
    private readonly HashSet<DateOnly> _work = [];
    private readonly HashSet<int> _years = [];

    public HolidayCalendar(IEnumerable<CalendarYear> years)
    {
        foreach (var year in years)
        {
            _years.Add(year.Year);
            foreach (var holiday in year.Holidays)
            {
                for (var day = holiday.From; day <= holiday.To; day = day.AddDays(1))
                {
                    _off.Add(day);
                }

                _work.UnionWith(holiday.Work);
            }
        }
    }

    public IReadOnlyCollection<int> Years => _years;

    public bool Holds(int year) => _years.Contains(year);

    public bool IsWorkingDay(DateOnly day) =>
        _work.Contains(day) || (!_off.Contains(day) && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

    /// <summary>
    /// The working days after <paramref name="from"/> up to and including <paramref name="through"/>: how many working
    /// days something took that began on the one day and ended on the other (0 when it ended the day it began).
    /// </summary>
    public int Between(DateOnly from, DateOnly through)
    {
        var count = 0;
        for (var day = from.AddDays(1); day <= through; day = day.AddDays(1))
        {
            count += IsWorkingDay(day) ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// The working day <paramref name="days"/> working days after <paramref name="from"/> (an acceptance, a submission):
    /// the count starts on the next working day. Provisional when a day counted lies in a year the calendar does not hold.
    /// </summary>
    public WorkingDay Add(DateOnly from, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var day = from;
        var provisional = days > 0 && !Holds(from.Year);
        for (var left = days; left > 0;)
        {
            day = day.AddDays(1);
            provisional |= !Holds(day.Year);
            if (IsWorkingDay(day))
            {
                left--;
            }
        }

        return new WorkingDay(day, provisional);
    }

    /// <summary>What is wrong with a year as transcribed, each with the pointer of the field it is about (empty when nothing is).</summary>
    public static IEnumerable<(string Pointer, string Message)> Check(CalendarYear year)
    {
        var taken = new Dictionary<DateOnly, string>();
        for (var i = 0; i < year.Holidays.Count; i++)
        {
            var holiday = year.Holidays[i];
            var at = $"/holidays/{i}";
            if (holiday.To < holiday.From)
            {
                yield return (at + "/to", $"the holiday {holiday.Name.Zh} ends on {holiday.To:yyyy-MM-dd}, before it starts on {holiday.From:yyyy-MM-dd}.");
                continue;
            }

            if (holiday.From.Year != year.Year || holiday.To.Year != year.Year)
            {
                yield return (at, $"the holiday {holiday.Name.Zh} ({holiday.From:yyyy-MM-dd} to {holiday.To:yyyy-MM-dd}) is not in {year.Year}: the file of {year.Year} holds that year's days only.");
            }

            if (holiday.To.DayNumber - holiday.From.DayNumber >= 14)
            {
                yield return (at + "/to", $"the holiday {holiday.Name.Zh} lasts {holiday.To.DayNumber - holiday.From.DayNumber + 1} days; no statutory holiday is longer than two weeks — check the dates.");
            }

            for (var day = holiday.From; day <= holiday.To; day = day.AddDays(1))
            {
                if (taken.TryGetValue(day, out var other))
                {
                    yield return (at + "/from", $"{day:yyyy-MM-dd} is already a day off of {other}: holidays do not overlap.");
                    break;
                }

                taken[day] = holiday.Name.Zh;
            }

            for (var w = 0; w < holiday.Work.Count; w++)
            {
                var work = holiday.Work[w];
                if (work.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                {
                    yield return ($"{at}/work/{w}", $"{work:yyyy-MM-dd} is a {work.DayOfWeek}: a make-up working day (调休) is a Saturday or a Sunday.");
                }
                else if (work.Year != year.Year)
                {
                    yield return ($"{at}/work/{w}", $"{work:yyyy-MM-dd} is not in {year.Year}: the file of {year.Year} holds that year's days only.");
                }
            }
        }
    }
}
