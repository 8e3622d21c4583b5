using System.Text.Json;
using OneGo.Catalogue;
using OneGo.Server.Features.Applications;

namespace OneGo.Server.Features.Cases;

/// <summary>An item of the supplement notice: a material of the guide, and what is wrong or missing.</summary>
/// <param name="Material">The material's code in the application's guide.</param>
/// <param name="Reason">What the applicant is to supply, in the officer's words.</param>
public sealed record SupplementItem(string Material, Text Name, string Reason);

/// <summary>补正, 一次性告知: the window's one notice, listing every missing item of every case at once.</summary>
/// <param name="AnswerBy">The last day to supply it; unanswered after that day, the application is withdrawn (视为撤回).</param>
/// <param name="AnsweredAt">When the applicant supplied everything listed; null while the notice is open.</param>
/// <param name="PausedDays">The working days the clock stood still, from the day after the notice to the day of the answer.</param>
/// <param name="AnsweredAtCounter">Answered at the comprehensive window for a walk-in applicant: a trip to the counter.</param>
public sealed record SupplementNotice(
    IReadOnlyList<SupplementItem> Items, string? Note, DateTimeOffset NoticedAt, string NoticedBy, DateOnly AnswerBy,
    DateTimeOffset? AnsweredAt = null, int PausedDays = 0, bool AnsweredAtCounter = false);

/// <summary>Why an application ended without a decision: refused at acceptance (不予受理) or withdrawn (视为撤回).</summary>
public sealed record ApplicationClosing(ApplicationState State, string Reason, string? LegalBasis, string By, DateTimeOffset At);

/// <summary>A department's decision on its case.</summary>
public sealed record CaseDecision(bool Approved, string LegalBasis, string? Reason, string By, DateTimeOffset At);

// Delivery has no description of its own: Kiota gives an enum the description of whichever use it reads first.
/// <summary>The result a case issued: the document or licence, its number, and how it reaches the applicant (online: the electronic document, downloaded; post: by courier; window: picked up at the window; 统一出件 for both).</summary>
public sealed record CaseResult(string Document, string Number, string By, DateTimeOffset At, Delivery Delivery = Delivery.Window);

/// <summary>
/// 告知承诺's post-check (事后核查): the commitments signed in place of this matter's materials, which its department
/// checks after acceptance, by its own due date.
/// </summary>
/// <param name="Materials">The materials the commitments stand for, by code.</param>
/// <param name="WorkingDays">The working days it was given from acceptance (<c>CaseWork:PostCheckWorkingDays</c>).</param>
/// <param name="DueOn">The working day it is due by, once accepted.</param>
/// <param name="Provisional">The count went past the last year of the holiday calendar: counted again when that year is imported.</param>
/// <param name="Finding">What the department found, once recorded.</param>
public sealed record PostCheckTask(IReadOnlyList<string> Materials, int WorkingDays = 0, DateOnly? DueOn = null, bool Provisional = false, PostCheckFinding? Finding = null);

/// <summary>What the department found checking the commitments: true as signed, or not (承诺不实), with what it checked.</summary>
public sealed record PostCheckFinding(bool Truthful, string Note, string By, DateTimeOffset At);

/// <summary>The electronic document of a case's result (电子证照), as the department sent it before issuing.</summary>
/// <param name="Sha256">The SHA-256 of the bytes, hex: the file's identity.</param>
public sealed record ResultFile(string ContentType, long Length, string Sha256, DateTimeOffset UploadedAt, string UploadedBy);

/// <summary>
/// 综窗统一出件: the window hands over every paper result of the application at once, when the last case has ended —
/// by courier with its tracking number, or for pick-up at the window's place and hours.
/// </summary>
public sealed record Handover(string? Courier, string? TrackingNumber, string? Place, string? Hours, string By, DateTimeOffset At);

/// <summary>
/// The reform's flow for one application, as rules on its rows: 前台综合受理 (accept once, one supplement notice, or
/// refuse), 后台分类审批 (each department decides and issues its case, in <c>after</c> order), and the consequences —
/// what waits is released when what it waits for is issued and closed as not applicable when that is denied; the
/// application ends when its last case ends. Every rule changes the rows given and nothing else; the callers save.
/// </summary>
internal static class CaseFlow
{
    /// <summary>Who accepted a complete online application: no officer, at submission.</summary>
    public const string AutomaticAcceptance = "automatically";

    public static bool Ended(CaseState state) =>
        state is CaseState.Issued or CaseState.Denied or CaseState.NotApplicable or CaseState.Refused or CaseState.Withdrawn;

    public static bool Ended(ApplicationState state) =>
        state is ApplicationState.Refused or ApplicationState.Withdrawn or ApplicationState.Completed;

    /// <summary>The day of an instant in China Standard Time: what counting in working days starts from.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(TrackingNumbers.ChinaTime).DateTime);

    public static SupplementNotice? SupplementOf(Application application) =>
        application.Supplement is null ? null : JsonSerializer.Deserialize<SupplementNotice>(application.Supplement, CatalogueJson.Options);

    public static ApplicationClosing? ClosingOf(Application application) =>
        application.Closing is null ? null : JsonSerializer.Deserialize<ApplicationClosing>(application.Closing, CatalogueJson.Options);

    public static CaseDecision? DecisionOf(ApplicationCase @case) =>
        @case.Decision is null ? null : JsonSerializer.Deserialize<CaseDecision>(@case.Decision, CatalogueJson.Options);

    public static CaseResult? ResultOf(ApplicationCase @case) =>
        @case.Result is null ? null : JsonSerializer.Deserialize<CaseResult>(@case.Result, CatalogueJson.Options);

    public static PostCheckTask? PostCheckOf(ApplicationCase @case) =>
        @case.PostCheck is null ? null : JsonSerializer.Deserialize<PostCheckTask>(@case.PostCheck, CatalogueJson.Options);

    /// <summary>Whether the department may record the post-check now: accepted, due, and not recorded yet.</summary>
    public static bool MayPostCheck(ApplicationCase @case) => @case.PostCheckDueOn is not null && PostCheckOf(@case) is { Finding: null };

    public static ResultFile? ResultFileOf(ApplicationCase @case) =>
        @case.ResultFile is null ? null : JsonSerializer.Deserialize<ResultFile>(@case.ResultFile, CatalogueJson.Options);

    public static Handover? HandoverOf(Application application) =>
        application.Handover is null ? null : JsonSerializer.Deserialize<Handover>(application.Handover, CatalogueJson.Options);

    /// <summary>How the issued results that are paper reach the applicant: by post, at the window (each once), in that order.</summary>
    public static IReadOnlyList<Delivery> ToHandOver(Application application) =>
        application.Cases.Where(c => c.State == CaseState.Issued).Select(c => ResultOf(c)!.Delivery).Where(d => d != Delivery.Online).Distinct().Order().ToList();

    /// <summary>Whether the window has results to hand over now: the application has ended with paper results, not handed over yet.</summary>
    public static bool AwaitsHandover(Application application) =>
        application.State == ApplicationState.Completed && application.Handover is null && ToHandOver(application).Count > 0;

    /// <summary>The application's due date: its bundle's promised working days from the day of submission, moved on by the days a supplement stopped the clock.</summary>
    public static WorkingDay ApplicationDue(Application application, HolidayCalendar calendar) =>
        calendar.Add(DayOf(application.SubmittedAt!.Value), application.PromisedDays + (SupplementOf(application)?.PausedDays ?? 0));

    /// <summary>
    /// 受理: the cases' due dates start running, each its matter's promised working days from today, and the post-check
    /// of what was signed in place of a material its <paramref name="postCheckDays"/> working days from today.
    /// </summary>
    public static void Accept(Application application, HolidayCalendar calendar, int postCheckDays, DateTimeOffset now, string by)
    {
        Require(application.State == ApplicationState.Submitted);
        application.State = ApplicationState.Accepted;
        application.AcceptedAt = now;
        application.AcceptedBy = by;
        var today = DayOf(now);
        foreach (var @case in application.Cases)
        {
            var due = calendar.Add(today, @case.PromisedDays);
            (@case.DueOn, @case.DueProvisional) = (due.Day, due.Provisional);
            if (PostCheckOf(@case) is { } check)
            {
                var checkDue = calendar.Add(today, postCheckDays);
                @case.PostCheck = Write(check with { WorkingDays = postCheckDays, DueOn = checkDue.Day, Provisional = checkDue.Provisional });
                @case.PostCheckDueOn = checkDue.Day;
                application.DueDatesProvisional |= checkDue.Provisional;
            }

            @case.Revision++;
        }

        application.DueDatesProvisional |= application.Cases.Any(c => c.DueProvisional);
        Changed(application, now);
    }

    /// <summary>补正: the one notice; the clock stops until the applicant answers.</summary>
    public static void Notice(Application application, IReadOnlyList<SupplementItem> items, string? note, DateTimeOffset now, string by, int periodDays)
    {
        Require(application.State == ApplicationState.Submitted && application.Supplement is null);
        application.State = ApplicationState.Supplementing;
        application.Supplement = Write(new SupplementNotice(items, note, now, by, DayOf(now).AddDays(periodDays)));
        application.AnswerBy = DayOf(now).AddDays(periodDays);
        Changed(application, now);
    }

    /// <summary>
    /// The applicant supplied everything listed: back to the window, the due date moved on by the working days the
    /// clock stood still; answered at the counter (<paramref name="atCounter"/>), it was a trip.
    /// </summary>
    public static void Supplied(Application application, HolidayCalendar calendar, DateTimeOffset now, bool atCounter)
    {
        Require(application.State == ApplicationState.Supplementing);
        var notice = SupplementOf(application)!;
        var paused = calendar.Between(DayOf(notice.NoticedAt), DayOf(now));
        application.Supplement = Write(notice with { AnsweredAt = now, PausedDays = paused, AnsweredAtCounter = atCounter });
        application.Trips += atCounter ? 1 : 0;
        application.AnswerBy = null;
        application.State = ApplicationState.Submitted;
        var due = ApplicationDue(application, calendar);
        application.DueOn = due.Day;
        application.DueDatesProvisional |= due.Provisional;
        Changed(application, now);
    }

    /// <summary>不予受理 (refused at acceptance) or 视为撤回 (the supplement's period ran out): the application and every case end.</summary>
    public static void Close(Application application, ApplicationState state, string reason, string? legalBasis, DateTimeOffset now, string by)
    {
        Require(state switch
        {
            ApplicationState.Refused => application.State is ApplicationState.Submitted or ApplicationState.Supplementing,
            ApplicationState.Withdrawn => application.State == ApplicationState.Supplementing,
            _ => false,
        });
        application.State = state;
        application.AnswerBy = null;
        application.Closing = Write(new ApplicationClosing(state, reason, legalBasis, by, now));
        application.EndedAt = now;
        foreach (var @case in application.Cases)
        {
            @case.State = state == ApplicationState.Refused ? CaseState.Refused : CaseState.Withdrawn;
            @case.ClosedReason = reason;
            @case.EndedAt = now;
            @case.Revision++;
        }

        Changed(application, now);
    }

    /// <summary>Whether a department may decide the case now: its application accepted, and nothing it waits for still open.</summary>
    public static bool MayDecide(Application application, ApplicationCase @case) =>
        application.State == ApplicationState.Accepted && @case.State == CaseState.Ready;

    /// <summary>The department decides: approved (the result is issued next) or denied, which closes what waits for it.</summary>
    public static void Decide(Application application, ApplicationCase @case, bool approved, string legalBasis, string? reason, HolidayCalendar calendar, DateTimeOffset now, string by)
    {
        Require(MayDecide(application, @case));
        @case.Decision = Write(new CaseDecision(approved, legalBasis, reason, by, now));
        @case.State = approved ? CaseState.Approved : CaseState.Denied;
        @case.Revision++;
        if (!approved)
        {
            @case.EndedAt = now;
            CloseWaitingFor(application, @case, now);
        }

        EndIfDone(application, calendar, now);
        Changed(application, now);
    }

    /// <summary>The department issues its result: what waited for this case alone is released.</summary>
    public static void Issue(Application application, ApplicationCase @case, string document, string number, Delivery delivery, HolidayCalendar calendar, DateTimeOffset now, string by)
    {
        Require(application.State == ApplicationState.Accepted && @case.State == CaseState.Approved && (delivery != Delivery.Online || @case.ResultFile is not null));
        @case.Result = Write(new CaseResult(document, number, by, now, delivery));
        @case.State = CaseState.Issued;
        @case.EndedAt = now;
        @case.Revision++;
        var issued = application.Cases.Where(c => c.State == CaseState.Issued).Select(c => c.Matter).ToHashSet(StringComparer.Ordinal);
        foreach (var waiting in application.Cases.Where(c => c.State == CaseState.Waiting && ApplicationsApi.SplitAfter(c.After).All(issued.Contains)))
        {
            waiting.State = CaseState.Ready;
            waiting.Revision++;
        }

        EndIfDone(application, calendar, now);
        Changed(application, now);
    }

    /// <summary>事后核查: the department records what it found checking the commitments; the task is done, whatever the case's state.</summary>
    public static void RecordPostCheck(ApplicationCase @case, PostCheckFinding finding)
    {
        Require(MayPostCheck(@case));
        @case.PostCheck = Write(PostCheckOf(@case)! with { Finding = finding });
        @case.PostCheckDueOn = null;
        @case.Revision++;
    }

    /// <summary>The department sends the electronic document of its approved case's result, before issuing it.</summary>
    public static void AttachResult(ApplicationCase @case, ResultFile file)
    {
        Require(@case.State == CaseState.Approved);
        @case.ResultFile = Write(file);
        @case.Revision++;
    }

    /// <summary>统一出件: the window hands over the application's paper results, all at once.</summary>
    public static void HandOver(Application application, Handover handover)
    {
        Require(AwaitsHandover(application));
        application.Handover = Write(handover);
        Changed(application, handover.At);
    }

    // A denied case: every case that waits for it, directly or through another, is closed as not applicable.
    private static void CloseWaitingFor(Application application, ApplicationCase denied, DateTimeOffset now)
    {
        var closed = new HashSet<string>(StringComparer.Ordinal) { denied.Matter };
        bool more;
        do
        {
            more = false;
            foreach (var waiting in application.Cases.Where(c => c.State == CaseState.Waiting && ApplicationsApi.SplitAfter(c.After).Any(closed.Contains)))
            {
                waiting.State = CaseState.NotApplicable;
                waiting.ClosedReason = $"{denied.Matter} was denied: {DecisionOf(denied)!.Reason}";
                waiting.EndedAt = now;
                waiting.Revision++;
                closed.Add(waiting.Matter);
                more = true;
            }
        }
        while (more);
    }

    // The last case ended: the application is completed, and what it really took is measured (see MeasuredReductions).
    private static void EndIfDone(Application application, HolidayCalendar calendar, DateTimeOffset now)
    {
        if (application.Cases.All(c => Ended(c.State)))
        {
            application.State = ApplicationState.Completed;
            application.EndedAt = now;
            application.TookDays = Math.Max(0, calendar.Between(DayOf(application.SubmittedAt!.Value), DayOf(now)) - (SupplementOf(application)?.PausedDays ?? 0));
            application.Trips += ToHandOver(application).Contains(Delivery.Window) ? 1 : 0;
            application.MaterialsBrought = application.Files.Select(f => f.Material).Distinct(StringComparer.Ordinal).Count();
        }
    }

    private static void Changed(Application application, DateTimeOffset now)
    {
        application.UpdatedAt = now;
        application.Revision++;
    }

    private static string Write<T>(T value) => JsonSerializer.Serialize(value, CatalogueJson.Options);

    // The routes check the state first and answer 409; a move from any other state here is a bug.
    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("A case-work move was applied from a state it does not apply to.");
        }
    }
}
