using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Cases;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Ratings;

/// <summary>
/// 好差评 given: the rules of one rating, whether it comes online from the applicant's own token or at the counter from
/// the page the window opened for them. The application, or the case named, must have ended; the level is one of the
/// five national ones; one rating each; the same Idempotency-Key and body answer the same rating, another body 422.
/// A bad rating opens its rectification, due <see cref="RectificationWorkingDays"/> working days later on the holiday calendar.
/// </summary>
internal static class GiveRating
{
    /// <summary>How long the department has to put a bad rating right: 15 working days (国办发〔2019〕51号).</summary>
    public const int RectificationWorkingDays = 15;

    /// <summary>A rating: the level, one of the five national ones, a comment if the applicant wishes, and the case's matter when it rates one case.</summary>
    /// <param name="Level">verySatisfied (非常满意), satisfied (满意), basicallySatisfied (基本满意), dissatisfied (不满意) or veryDissatisfied (非常不满意); the Chinese name is taken too.</param>
    /// <param name="Comment">What the applicant says, at most 500 characters: read by the department that answers for it, never shown publicly.</param>
    /// <param name="Matter">The matter of the case rated; absent to rate the application as a whole.</param>
    public sealed record RateRequest(string? Level, string? Comment, string? Matter);

    /// <summary>The wire word and the national name of each level.</summary>
    public static readonly IReadOnlyList<(RatingLevel Level, string Word, string Zh, string En)> Levels =
    [
        (RatingLevel.VerySatisfied, "verySatisfied", "非常满意", "Very satisfied"),
        (RatingLevel.Satisfied, "satisfied", "满意", "Satisfied"),
        (RatingLevel.BasicallySatisfied, "basicallySatisfied", "基本满意", "Basically satisfied"),
        (RatingLevel.Dissatisfied, "dissatisfied", "不满意", "Dissatisfied"),
        (RatingLevel.VeryDissatisfied, "veryDissatisfied", "非常不满意", "Very dissatisfied"),
    ];

    public static string WordOf(RatingLevel level) => Levels.Single(l => l.Level == level).Word;

    public static Text NameOf(RatingLevel level)
    {
        var (_, _, zh, en) = Levels.Single(l => l.Level == level);
        return new Text { Zh = zh, En = en };
    }

    public static RatingLevel? Parse(string? level) =>
        Levels.Where(l => l.Word == level || l.Zh == level).Select(l => (RatingLevel?)l.Level).FirstOrDefault();

    /// <summary>What giving a rating came to: the rating (new, or the one the same key gave), or the problem.</summary>
    public sealed record Outcome(Rating? Rating, bool Created, ProblemHttpResult? Problem);

    /// <summary>
    /// Gives <paramref name="request"/> for <paramref name="application"/> in the applicant's scope, saved with its audit
    /// entry; nothing is saved when it is refused.
    /// </summary>
    public static async Task<Outcome> GiveAsync(
        OneGoDbContext db, Calendar.WorkingDayCalendar workingDays, Tenants.RegionDirectory directory, Application application, RateRequest request, string key,
        string hash, bool atCounter, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ratings = db.Set<Rating>();
        if (await ratings.AsNoTracking().SingleOrDefaultAsync(r => r.ApplicationId == application.Id && r.Key == key, cancellationToken) is { } again)
        {
            return again.Hash == hash
                ? new Outcome(again, false, null)
                : new Outcome(null, false, ApiProblems.Validation([ApiError.ForParameter("Idempotency-Key", "idempotency",
                    $"This Idempotency-Key already gave a rating of application {application.Number} with another body: send that body again, or use a new key for another rating.")]));
        }

        var errors = new List<ApiError>();
        var level = Parse(request.Level);
        if (level is null)
        {
            errors.Add(ApiError.At("/level", "enum",
                $"level is one of the five national levels: {string.Join(", ", Levels.Select(l => $"{l.Word} ({l.Zh})"))}; it was '{request.Level}'."));
        }

        errors.CheckLength("/comment", request.Comment, Rating.MaxComment);
        ApplicationCase? @case = null;
        if (request.Matter is { Length: > 0 } matter && (@case = application.Cases.SingleOrDefault(c => c.Matter == matter)) is null)
        {
            errors.Add(ApiError.At("/matter", "unknown-matter",
                $"Name a case of application {application.Number}: {string.Join(", ", application.Cases.Select(c => c.Matter).Order(StringComparer.Ordinal))}; or leave it out to rate the application."));
        }

        if (errors.Count > 0)
        {
            return new Outcome(null, false, ApiProblems.Validation(errors));
        }

        var ended = @case is null ? CaseFlow.Ended(application.State) : CaseFlow.Ended(@case.State);
        if (!ended)
        {
            return new Outcome(null, false, Conflict("Not ended yet",
                @case is null
                    ? $"Application {application.Number} is {EnumWords.Of(application.State)}: it is rated once it has ended (every case issued or denied, or refused, or withdrawn)."
                    : $"Case {@case.Matter} is {EnumWords.Of(@case.State)}: it is rated once it has ended (issued, denied, refused or withdrawn)."));
        }

        var subject = @case?.Matter ?? "";
        if (await ratings.AsNoTracking().AnyAsync(r => r.ApplicationId == application.Id && r.Matter == subject, cancellationToken))
        {
            return new Outcome(null, false, Conflict("Rated already",
                @case is null ? $"Application {application.Number} was rated already: once each." : $"Case {@case.Matter} of {application.Number} was rated already: once each."));
        }

        var lead = application.LeadDepartment ?? application.Cases.Select(c => c.Department).Order(StringComparer.Ordinal).First();
        // The application as a whole was served by the region's comprehensive window (前台综合受理, 统一出件): it answers for it; the lead department is told.
        var reach = await directory.DepartmentsInReachAsync(application.TenantId, cancellationToken);
        var window = reach.Where(d => d.Value.RegionId == application.TenantId && d.Value.Department.Kind == DepartmentKind.Window).Select(d => d.Key).FirstOrDefault();
        var rating = new Rating
        {
            Id = Guid.CreateVersion7(now),
            ApplicantId = application.ApplicantId,
            Department = @case?.Department ?? window ?? lead,
            ApplicationId = application.Id,
            Number = application.Number!,
            Matter = subject,
            BundleCode = application.BundleCode,
            LeadDepartment = lead,
            Level = level!.Value,
            Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment.Trim(),
            AtCounter = atCounter,
            GivenAt = now,
            Key = key,
            Hash = hash,
        };
        if (Rating.IsBad(rating.Level))
        {
            var calendar = await workingDays.CurrentAsync(db, cancellationToken);
            var due = calendar.Add(CaseFlow.DayOf(now), RectificationWorkingDays);
            (rating.Rectification, rating.DueOn, rating.DueProvisional) = (RectificationState.Open, due.Day, due.Provisional);
        }

        db.Add(rating);
        // The comment is the applicant's own words: the audit log says one was given, not what.
        db.Audit(new AuditEvent(actor, "rating.give", $"rating/{rating.Id}", new
        {
            application = rating.Number, matter = subject.Length == 0 ? null : subject, department = rating.Department, level = WordOf(rating.Level),
            comment = rating.Comment is not null, atCounter, rectificationDueOn = rating.DueOn,
        }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request rated the same application or case at the same moment: one rating each.
            db.ChangeTracker.Clear();
            return new Outcome(null, false, Conflict("Rated already", $"Application {application.Number} was rated at the same moment by another request: once each."));
        }

        return new Outcome(rating, true, null);
    }

    private static ProblemHttpResult Conflict(string title, string detail) => ApiProblems.Conflict(title, detail).Problem;
}
