using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Calendar;

/// <summary>
/// The national holiday calendar every due date is counted on, public: the years held with the notices they transcribe,
/// and a count of working days as OneGo counts them (from the working day after the day given; provisional past the
/// last year held).
/// </summary>
internal static class CalendarApi
{
    /// <summary>The calendar: each year held, in order.</summary>
    public sealed record CalendarView(IReadOnlyList<CalendarYear> Years);

    /// <summary>A count of working days.</summary>
    /// <param name="Day">The working day the count ends on.</param>
    /// <param name="Provisional">The count went past the last year the calendar holds: weekdays there, until that year's notice is imported.</param>
    public sealed record WorkingDayView(DateOnly From, int Days, DateOnly Day, bool Provisional);

    /// <summary>The most working days one count may span: a statutory time limit is far shorter.</summary>
    public const int MaxDays = 1000;

    public static IEndpointRouteBuilder MapCalendarApi(this IEndpointRouteBuilder app)
    {
        var calendar = app.MapGroup("/api/calendar").WithTags("Calendar");
        calendar.MapGet("", GetAsync).WithName("getHolidayCalendar")
            .WithSummary("The national holiday calendar (statutory holidays and 调休 make-up working days), one year per State Council notice, with its source.");
        calendar.MapGet("/working-days", CountAsync).WithName("countWorkingDays")
            .WithSummary("The working day `days` working days after `from`, counted from the next working day on the holiday calendar; provisional past its last year.");
        return app;
    }

    private static async Task<Ok<CalendarView>> GetAsync(OneGoDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new CalendarView(await WorkingDayCalendar.YearsAsync(db, cancellationToken)));

    private static async Task<Results<Ok<WorkingDayView>, InvalidProblem>> CountAsync(
        OneGoDbContext db, WorkingDayCalendar calendar,
        [System.ComponentModel.Description("The day of the event (an acceptance, a submission), yyyy-MM-dd.")] string? from,
        [System.ComponentModel.Description("How many working days, 0 to 1000.")] string? days,
        CancellationToken cancellationToken)
    {
        var errors = new List<ApiError>();
        if (!DateOnly.TryParseExact(from ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            errors.Add(ApiError.ForParameter("from", "date", $"from must be a day written yyyy-MM-dd, as 2026-09-30; it was '{from}'."));
        }

        if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxDays)
        {
            errors.Add(ApiError.ForParameter("days", "range", $"days must be a whole number from 0 to {MaxDays}; it was '{days}'."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var due = (await calendar.CurrentAsync(db, cancellationToken)).Add(start, count);
        return TypedResults.Ok(new WorkingDayView(start, count, due.Day, due.Provisional));
    }
}
