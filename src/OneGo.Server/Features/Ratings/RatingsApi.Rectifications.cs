using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Cases;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Ratings;

/// <summary>
/// 差评整改: a bad rating's rectification, for the department answerable — it verifies, contacts the applicant, fixes
/// and replies by the due date (15 working days), or appeals (申诉) a wrongful or abusive rating to the region's admin,
/// who upholds (the rating is kept, out of the figures) or dismisses it with a reason. Each move once, with If-Match,
/// audited; the deadline job marks the unreplied ones past their day overdue.
/// </summary>
internal static partial class RatingsApi
{
    /// <summary>A rectification as the department and the region's admin work it.</summary>
    /// <param name="Id">The rating's id.</param>
    /// <param name="Application">The application's tracking number.</param>
    /// <param name="Matter">The case rated; absent when the application as a whole was rated.</param>
    /// <param name="Department">The department answerable.</param>
    /// <param name="Comment">The applicant's words, for the department to put right: never public.</param>
    /// <param name="State">Where a rating's rectification stands: open, replied, or withdrawn (the region upheld the department's appeal).</param>
    /// <param name="Overdue">The deadline job found it past its due date without a reply.</param>
    /// <param name="Reply">What the department verified, how it contacted the applicant, what it fixed, what it replied.</param>
    /// <param name="AppealState">Where the department's appeal (申诉) stands: open, upheld or dismissed.</param>
    /// <param name="Appeal">The appeal's reason and the region admin's decision.</param>
    /// <param name="Excluded">An appeal was upheld: the rating is kept but out of the figures.</param>
    public sealed record RectificationView(
        Guid Id, string Application, string? Matter, string Department, string DepartmentName, string Level, Text LevelName, string? Comment, bool AtCounter,
        DateTimeOffset GivenAt, RectificationState State, DateOnly DueOn, bool DueProvisional, bool Overdue, RectificationReply? Reply, AppealState? AppealState, Appeal? Appeal,
        bool Excluded);

    /// <summary>The department's reply: every part of putting it right.</summary>
    public sealed record ReplyRequest(string? Verified, string? Contacted, string? Fixed, string? Reply);

    /// <summary>Why the department holds the rating wrongful or abusive.</summary>
    public sealed record AppealRequest(string? Reason);

    /// <summary>The region admin's decision on an appeal.</summary>
    /// <param name="Upheld">true: the rating was wrongful or abusive and leaves the figures; false: it stands.</param>
    public sealed record AppealDecisionRequest(bool? Upheld, string? Reason);

    private static void MapRectifications(IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/t/{tenant}/rectifications").WithTags("Ratings").Requires(Capability.ReadRectifications);
        read.MapGet("", ListRectificationsAsync).WithName("listRectifications")
            .WithSummary("The rectifications opened by bad ratings: an officer's department's own (the window's: the region's), the region's for its admins and those above; the oldest due first. state=, overdue=true and appeal=open narrow them.");
        read.MapGet("/{id}", GetRectificationAsync).WithName("getRectification")
            .WithSummary("One rectification with its rating, reply and appeal; its ETag for the moves.");
        var work = app.MapGroup("/api/t/{tenant}/rectifications").WithTags("Ratings").Requires(Capability.WorkCases);
        work.MapPost("/{id}/reply", ReplyAsync).WithName("replyToRating")
            .WithSummary("The department answerable records that it verified, contacted the applicant and fixed what was wrong, and replies: once; the applicant reads the reply.")
            .Accepts<ReplyRequest>(MediaTypes.Json);
        work.MapPost("/{id}/appeal", AppealAsync).WithName("appealRating")
            .WithSummary("申诉: the department answerable appeals a wrongful or abusive rating to the region's admin, with its reason; once.")
            .Accepts<AppealRequest>(MediaTypes.Json);
        app.MapGroup("/api/t/{tenant}/rectifications").WithTags("Ratings").Requires(Capability.Administer)
            .MapPost("/{id}/appeal/decision", DecideAppealAsync).WithName("decideRatingAppeal")
            .WithSummary("The region's admin upholds the appeal (the rating is kept, but leaves the region's figures and needs no reply) or dismisses it (the rectification goes on), with a reason; audited.")
            .Accepts<AppealDecisionRequest>(MediaTypes.Json);
    }

    internal static string ETagOf(Rating rating) => $"\"r{rating.Revision}\"";

    internal static RectificationView RectificationOf(Rating rating, DepartmentNames names) => new(
        rating.Id, rating.Number, rating.Matter.Length == 0 ? null : rating.Matter, rating.Department, names.Of(rating.Department),
        GiveRating.WordOf(rating.Level), GiveRating.NameOf(rating.Level), rating.Comment, rating.AtCounter, rating.GivenAt, rating.Rectification!.Value,
        rating.DueOn!.Value, rating.DueProvisional, rating.Overdue, Rating.ReplyOf(rating), rating.AppealState, Rating.AppealOf(rating), rating.Excluded);

    private static async Task<Results<Ok<Page<RectificationView>>, InvalidProblem>> ListRectificationsAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory,
        [Description("open, replied or withdrawn.")] string? state,
        [Description("true: only those the deadline job marked past their due date without a reply.")] bool? overdue,
        [Description("open: only those whose appeal waits for the region admin's decision.")] string? appeal,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        RectificationState? wanted = null;
        if (state is not null)
        {
            wanted = EnumWords.Parse<RectificationState>(state);
            if (wanted is null)
            {
                errors.Add(ApiError.ForParameter("state", "enum", $"state is open, replied or withdrawn; it was '{state}'."));
            }
        }

        if (appeal is not (null or "open"))
        {
            errors.Add(ApiError.ForParameter("appeal", "enum", $"appeal is open, or absent for every rectification; it was '{appeal}'."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // The scope decides whose: a department's officers read their own, the window and the region's staff the region's.
        var query = db.Set<Rating>().AsNoTracking().Where(r => r.Rectification != null);
        if (wanted is { } s)
        {
            query = query.Where(r => r.Rectification == s);
        }

        if (overdue == true)
        {
            query = query.Where(r => r.Overdue);
        }

        if (appeal == "open")
        {
            query = query.Where(r => r.AppealState == AppealState.Open);
        }

        var rows = await query.ToListAsync(cancellationToken);
        var names = await directory.DepartmentNamesAsync(context.Tenant().Id, cancellationToken);
        var ordered = rows.Select(r => (rating: r, key: $"{r.DueOn:yyyyMMdd}{r.Id:N}")).OrderBy(r => r.key, StringComparer.Ordinal);
        var page = paging.Take(ordered, r => r.key);
        return TypedResults.Ok(new Page<RectificationView>(page.Items.Select(i => RectificationOf(i.rating, names)).ToList(), page.Next));
    }

    private static async Task<Results<Ok<RectificationView>, NotFoundProblem>> GetRectificationAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, string id, CancellationToken cancellationToken)
    {
        var rating = await RectificationAsync(db, id, cancellationToken);
        if (rating is null)
        {
            return NoSuchRectification(context, id);
        }

        context.Response.Headers.ETag = ETagOf(rating);
        return TypedResults.Ok(RectificationOf(rating, await directory.DepartmentNamesAsync(context.Tenant().Id, cancellationToken)));
    }

    private static async Task<Rating?> RectificationAsync(OneGoDbContext db, string id, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var key) ? await db.Set<Rating>().SingleOrDefaultAsync(r => r.Id == key && r.Rectification != null, cancellationToken) : null;

    private static NotFoundProblem NoSuchRectification(HttpContext context, string id) =>
        ApiProblems.NotFound("No such rectification", $"{context.Tenant().Id} has no rectification '{id}' you may see.");

    private static async Task<Results<Ok<RectificationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> ReplyAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (rating, refused) = await MoveAsync(context, db, id, departmentOnly: true, r => r.Rectification == RectificationState.Open,
            r => $"The rectification of {r.Number} is {EnumWords.Of(r.Rectification!.Value)}: there is nothing to reply to.", cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<ReplyRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = CasesApi.Required(
            ("/verified", request.Verified, 1000, "Say what checking the complaint found (核实)."),
            ("/contacted", request.Contacted, 1000, "Say how and when the applicant was contacted (回访)."),
            ("/fixed", request.Fixed, 1000, "Say what was changed so that it does not happen again (整改)."),
            ("/reply", request.Reply, 1000, "Write the reply the applicant reads (答复)."));
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var now = clock.Now();
        var reply = new RectificationReply(request.Verified!.Trim(), request.Contacted!.Trim(), request.Fixed!.Trim(), request.Reply!.Trim(), context.Actor(), now);
        rating!.Reply = JsonSerializer.Serialize(reply, Rating.Json);
        rating.RepliedAt = now;
        rating.RepliedOnTime = CaseFlow.DayOf(now) <= rating.DueOn;
        rating.Rectification = RectificationState.Replied;
        rating.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "rating.reply", $"rating/{rating.Id}", new
        {
            application = rating.Number, department = rating.Department, dueOn = rating.DueOn, onTime = rating.RepliedOnTime,
        }));
        return await SavedAsync(context, db, directory, rating, cancellationToken);
    }

    private static async Task<Results<Ok<RectificationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> AppealAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (rating, refused) = await MoveAsync(context, db, id, departmentOnly: true, r => r.AppealState is null && r.Rectification != RectificationState.Withdrawn,
            r => $"The rating of {r.Number} was appealed already: once.", cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<AppealRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = CasesApi.Required(("/reason", request.Reason, 1000, "Say why the rating is wrongful or abusive, and what shows it: the region's admin decides on it."));
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        rating!.Appeal = JsonSerializer.Serialize(new Appeal(request.Reason!.Trim(), context.Actor(), clock.Now()), Rating.Json);
        rating.AppealState = AppealState.Open;
        rating.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "rating.appeal", $"rating/{rating.Id}", new { application = rating.Number, department = rating.Department, reason = request.Reason.Trim() }));
        return await SavedAsync(context, db, directory, rating, cancellationToken);
    }

    private static async Task<Results<Ok<RectificationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> DecideAppealAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (rating, refused) = await MoveAsync(context, db, id, departmentOnly: false, r => r.AppealState == AppealState.Open,
            r => r.AppealState is null ? $"The rating of {r.Number} has no appeal to decide." : $"The appeal against the rating of {r.Number} was decided already.",
            cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<AppealDecisionRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = CasesApi.Required(("/reason", request.Reason, 1000, "Say why: the department and the audit log keep the reason."));
        if (request.Upheld is null)
        {
            errors.Add(ApiError.At("/upheld", "required", "upheld is true when the rating was wrongful or abusive (it leaves the figures), false when it stands."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var appeal = Rating.AppealOf(rating!)!;
        var upheld = request.Upheld!.Value;
        rating!.Appeal = JsonSerializer.Serialize(appeal with { Decision = request.Reason!.Trim(), DecidedBy = context.Actor(), DecidedAt = clock.Now() }, Rating.Json);
        rating.AppealState = upheld ? AppealState.Upheld : AppealState.Dismissed;
        if (upheld)
        {
            // Kept, with its decision in the audit log, but counted in no figure; nothing is left to put right.
            rating.Excluded = true;
            if (rating.Rectification == RectificationState.Open)
            {
                rating.Rectification = RectificationState.Withdrawn;
            }
        }

        rating.Revision++;
        db.Audit(new AuditEvent(context.Actor(), upheld ? "rating.appeal.uphold" : "rating.appeal.dismiss", $"rating/{rating.Id}", new
        {
            application = rating.Number, department = rating.Department, level = GiveRating.WordOf(rating.Level), reason = request.Reason.Trim(),
        }));
        return await SavedAsync(context, db, directory, rating, cancellationToken);
    }

    // The checks in the contract's order: 403 not the department answerable, 404, 409 the state, 428, 412.
    private static async Task<(Rating? Rating, CaseMoveProblem? Refused)> MoveAsync(
        HttpContext context, OneGoDbContext db, string id, bool departmentOnly, Func<Rating, bool> applies, Func<Rating, string> whyNot,
        CancellationToken cancellationToken)
    {
        var rating = await RectificationAsync(db, id, cancellationToken);
        if (rating is null)
        {
            return (null, new CaseMoveProblem(NoSuchRectification(context, id).Problem));
        }

        // A department's officers see their own alone; the window's see the region's, but put right only what is their own department's.
        if (departmentOnly && context.User.FindFirst(OneGoClaims.Department)?.Value != rating.Department)
        {
            return (null, new CaseMoveProblem(TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your department's",
                detail: $"The rating of {rating.Number} is {rating.Department}'s to put right.", type: "https://onego.gov.cn/problems/forbidden")));
        }

        if (!applies(rating))
        {
            return (null, CasesApi.StateConflict(EnumWords.Of(rating.Rectification!.Value), whyNot(rating)));
        }

        return CasesApi.Precondition(context, ETagOf(rating)) is { } precondition ? (null, precondition) : (rating, null);
    }

    private static async Task<Results<Ok<RectificationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> SavedAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, Rating rating, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new CaseMoveProblem(Preconditions.Stale(null));
        }

        context.Response.Headers.ETag = ETagOf(rating);
        return TypedResults.Ok(RectificationOf(rating, await directory.DepartmentNamesAsync(context.Tenant().Id, cancellationToken)));
    }

}
