using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Calendar;

/// <summary>A year of the national holiday calendar as last imported from <c>tenants/calendar/{year}.yaml</c>: national data, read by every region.</summary>
public sealed class CalendarYearRecord : IAudited
{
    public int Year { get; set; }

    /// <summary>The year as its file gives it (<see cref="CalendarYear"/>, as JSON).</summary>
    public required string Document { get; set; }

    public DateTimeOffset ImportedAt { get; set; }

    public CalendarYear Read() => JsonSerializer.Deserialize<CalendarYear>(Document, CatalogueJson.Options)!;

    public static string Write(CalendarYear year) => JsonSerializer.Serialize(year, CatalogueJson.Options);
}

/// <summary>
/// The holiday calendar every due date is counted on (<see cref="HolidayCalendar"/>), read from the database and kept
/// for a few minutes: a year imported on another node counts here within <see cref="KeptFor"/>, on this node at once.
/// </summary>
public sealed class WorkingDayCalendar(TimeProvider clock)
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(5);

    private volatile Held? _held;

    private sealed record Held(HolidayCalendar Calendar, DateTimeOffset ReadAt);

    public async Task<HolidayCalendar> CurrentAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        if (_held is { } held && clock.GetUtcNow() - held.ReadAt < KeptFor)
        {
            return held.Calendar;
        }

        var years = await YearsAsync(db, cancellationToken);
        var calendar = new HolidayCalendar(years);
        _held = new Held(calendar, clock.GetUtcNow());
        return calendar;
    }

    /// <summary>The years held, in order.</summary>
    public static async Task<List<CalendarYear>> YearsAsync(OneGoDbContext db, CancellationToken cancellationToken) =>
        (await db.Set<CalendarYearRecord>().AsNoTracking().OrderBy(y => y.Year).ToListAsync(cancellationToken)).Select(y => y.Read()).ToList();

    /// <summary>Forgets what was read: an import of this node changed the calendar.</summary>
    public void Invalidate() => _held = null;
}
