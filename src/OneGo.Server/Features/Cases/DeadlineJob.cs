using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Calendar;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Scheduling;
using OneGo.Tenancy;
using Quartz;

namespace OneGo.Server.Features.Cases;

/// <summary>
/// Watches the deadlines, region by region, each in its own scope, on the server's clock and the holiday calendar:
/// applications whose supplement notice was not answered by its last day are withdrawn (视为撤回) with every case; open
/// cases are marked overdue past their due date, and at risk within <c>CaseWork:AtRiskWorkingDays</c> working days of it
/// — set-based, one UPDATE per mark and region, so that a million open cases are marked without being read. A Quartz
/// job on the cluster like publishing: one node runs it at a time, and a run that stops half way is done by the next.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class DeadlineJob(
    OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, WorkingDayCalendar workingDays, DeadlineTelling telling, IOptions<CaseWorkSettings> settings,
    TimeProvider clock, ILogger<DeadlineJob> logger) : IJob
{
    public const string Name = "watch-deadlines";
    public const string ScheduleSetting = "CaseWork:DeadlineSchedule";

    /// <summary>Every hour at five past (Asia/Shanghai).</summary>
    public const string DefaultSchedule = "0 5 * * * ?";

    /// <summary>Who the audit log names for what the job does.</summary>
    public const string Actor = "system:deadlines";

    public static JobKey Key { get; } = Jobs.RecurringKey(Name);

    /// <summary>What one run changed.</summary>
    public sealed record Outcome(int Withdrawn, int Overdue, int AtRisk, int PostChecksOverdue = 0, int RectificationsOverdue = 0);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var started = clock.GetTimestamp();
        var outcome = await RunAsync(cancellationToken);
        logger.LogInformation("Deadlines: {Withdrawn} application(s) withdrawn, {Overdue} case(s) newly overdue, {AtRisk} newly at risk, {PostChecks} post-check(s) and {Rectifications} rectification(s) overdue, in {Elapsed} ms",
            outcome.Withdrawn, outcome.Overdue, outcome.AtRisk, outcome.PostChecksOverdue, outcome.RectificationsOverdue, Math.Round(clock.GetElapsedTime(started).TotalMilliseconds));
    }

    public async Task<Outcome> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var today = CaseFlow.DayOf(now);
        var calendar = await workingDays.CurrentAsync(db, cancellationToken);
        // At risk: due today or within the next working days.
        var riskDays = settings.Value.AtRiskWorkingDays;
        var atRiskUntil = riskDays == 0 ? today : calendar.Add(today, riskDays).Day;
        CaseState[] open = [CaseState.Waiting, CaseState.Ready, CaseState.Approved];
        var total = new Outcome(0, 0, 0, 0, 0);
        foreach (var region in await directory.AllAsync(cancellationToken))
        {
            using (tenants.Enter(region.Id))
            {
                // The withdrawals, the marks and their audit entry are one transaction: a run that stops half way leaves none of them.
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var expired = await db.Set<Application>().Include(a => a.Cases)
                    .Where(a => a.State == ApplicationState.Supplementing && a.AnswerBy < today).ToListAsync(cancellationToken);
                foreach (var application in expired)
                {
                    CaseFlow.Close(application, ApplicationState.Withdrawn,
                        $"补正通知未在{application.AnswerBy:yyyy-MM-dd}前答复，视为撤回 (the supplement notice was not answered by {application.AnswerBy:yyyy-MM-dd}: withdrawn)",
                        null, now, Actor);
                }

                var newlyOverdue = db.Set<ApplicationCase>().Where(c => open.Contains(c.State) && c.DueOn < today && c.Watch != CaseWatch.Overdue);
                var newlyAtRisk = db.Set<ApplicationCase>().Where(c => open.Contains(c.State) && c.DueOn >= today && c.DueOn <= atRiskUntil && c.Watch == CaseWatch.OnTime);
                // 告知承诺: a post-check runs on its own due date, whatever the case's state, until its finding is recorded.
                var postChecksOverdue = db.Set<ApplicationCase>().Where(c => c.PostCheckDueOn < today && !c.PostCheckOverdue);
                // 差评整改: a rectification not replied to by its due date.
                var rectificationsOverdue = db.Set<Ratings.Rating>().Where(r => r.Rectification == Ratings.RectificationState.Open && r.DueOn < today && !r.Overdue);
                // What the lead departments are told is counted, grouped by department, before the marks change it.
                var notices = telling.Withdrawn(expired, today);
                notices.AddRange(await telling.CasesAsync(newlyOverdue, NoticeKind.Overdue, today, cancellationToken));
                notices.AddRange(await telling.CasesAsync(newlyAtRisk, NoticeKind.AtRisk, today, cancellationToken));
                notices.AddRange(await telling.CasesAsync(postChecksOverdue, NoticeKind.PostCheckOverdue, today, cancellationToken));
                notices.AddRange(await telling.RectificationsAsync(rectificationsOverdue, today, cancellationToken));
                var overdue = await newlyOverdue
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Watch, CaseWatch.Overdue).SetProperty(c => c.Revision, c => c.Revision + 1), cancellationToken);
                var atRisk = await newlyAtRisk
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Watch, CaseWatch.AtRisk).SetProperty(c => c.Revision, c => c.Revision + 1), cancellationToken);
                var postChecks = await postChecksOverdue
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.PostCheckOverdue, true).SetProperty(c => c.Revision, c => c.Revision + 1), cancellationToken);
                var rectifications = await rectificationsOverdue
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Overdue, true).SetProperty(r => r.Revision, r => r.Revision + 1), cancellationToken);
                if (expired.Count + overdue + atRisk + postChecks + rectifications == 0)
                {
                    continue;
                }

                db.Audit(new AuditEvent(Actor, "case.deadlines", $"tenant/{region.Id}", new
                {
                    day = today,
                    withdrawn = expired.Select(a => a.Number).Order(StringComparer.Ordinal),
                    overdue,
                    atRisk,
                    postChecksOverdue = postChecks,
                    rectificationsOverdue = rectifications,
                    told = notices.Select(n => $"{n.Department}:{n.Kind}:{n.Count}"),
                }));
                await telling.TellAsync(region.Id, notices, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
                total = new Outcome(total.Withdrawn + expired.Count, total.Overdue + overdue, total.AtRisk + atRisk, total.PostChecksOverdue + postChecks,
                    total.RectificationsOverdue + rectifications);
            }
        }

        return total;
    }
}
