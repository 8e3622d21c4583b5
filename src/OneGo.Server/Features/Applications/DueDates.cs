using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// Due dates counted into a year the holiday calendar did not hold yet (on weekdays, marked provisional) are counted
/// again when the calendar changes: region by region, the applications marked so, each material from its own day of
/// submission and number of working days. Audited in each region's log by application number.
/// </summary>
internal static class DueDates
{
    public static async Task<int> RecountProvisionalAsync(
        OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, HolidayCalendar calendar, string actor, CancellationToken cancellationToken)
    {
        var recounted = 0;
        foreach (var region in await directory.AllAsync(cancellationToken))
        {
            using (tenants.Enter(region.Id))
            {
                var marked = await db.Set<Application>().Include(a => a.Cases).Where(a => a.DueDatesProvisional).ToListAsync(cancellationToken);
                // 差评整改: an open rectification counted into a year the calendar did not hold, from the day of its rating.
                var rectifications = await db.Set<Ratings.Rating>()
                    .Where(r => r.DueProvisional && r.Rectification == Ratings.RectificationState.Open).ToListAsync(cancellationToken);
                foreach (var rating in rectifications)
                {
                    var due = calendar.Add(Cases.CaseFlow.DayOf(rating.GivenAt), Ratings.GiveRating.RectificationWorkingDays);
                    (rating.DueOn, rating.DueProvisional) = (due.Day, due.Provisional);
                    rating.Revision++;
                }

                if (rectifications.Count > 0)
                {
                    db.Audit(new AuditEvent(actor, "rating.due-dates", $"tenant/{region.Id}", new
                    {
                        rectifications = rectifications.Select(r => $"{r.Number}/{r.Matter}").Order(StringComparer.Ordinal),
                        calendar = calendar.Years.Order(),
                    }));
                }

                if (marked.Count == 0)
                {
                    if (rectifications.Count > 0)
                    {
                        await db.SaveChangesAsync(cancellationToken);
                        db.ChangeTracker.Clear();
                    }

                    continue;
                }

                foreach (var application in marked)
                {
                    var submitted = DateOnly.FromDateTime(application.SubmittedAt!.Value.ToOffset(TrackingNumbers.ChinaTime).DateTime);
                    var following = ApplicationsApi.FollowingLaterOf(application)
                        .Select(f =>
                        {
                            if (!f.Provisional)
                            {
                                return f;
                            }

                            var due = calendar.Add(submitted, f.WorkingDays);
                            return f with { DueOn = due.Day, Provisional = due.Provisional };
                        }).ToList();
                    application.FollowLater = following.Count == 0 ? null : JsonSerializer.Serialize(following, CatalogueJson.Options);
                    // The application's own due date from submission, and its cases' from acceptance.
                    var due = Cases.CaseFlow.ApplicationDue(application, calendar);
                    application.DueOn = due.Day;
                    var provisional = due.Provisional;
                    foreach (var @case in application.Cases.Where(c => c.DueOn is not null && application.AcceptedAt is not null))
                    {
                        var caseDue = calendar.Add(Cases.CaseFlow.DayOf(application.AcceptedAt!.Value), @case.PromisedDays);
                        (@case.DueOn, @case.DueProvisional) = (caseDue.Day, caseDue.Provisional);
                        provisional |= caseDue.Provisional;
                        // 告知承诺: an open post-check counted into a year the calendar did not hold is counted again too.
                        if (@case.PostCheckDueOn is not null && Cases.CaseFlow.PostCheckOf(@case) is { Provisional: true } check)
                        {
                            var checkDue = calendar.Add(Cases.CaseFlow.DayOf(application.AcceptedAt!.Value), check.WorkingDays);
                            @case.PostCheck = JsonSerializer.Serialize(check with { DueOn = checkDue.Day, Provisional = checkDue.Provisional }, CatalogueJson.Options);
                            @case.PostCheckDueOn = checkDue.Day;
                            provisional |= checkDue.Provisional;
                        }
                    }

                    application.DueDatesProvisional = provisional || following.Any(f => f.Provisional);
                }

                db.Audit(new AuditEvent(actor, "application.due-dates", $"tenant/{region.Id}", new
                {
                    applications = marked.Select(a => a.Number).Order(StringComparer.Ordinal),
                    calendar = calendar.Years.Order(),
                }));
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
                recounted += marked.Count;
            }
        }

        return recounted;
    }
}
