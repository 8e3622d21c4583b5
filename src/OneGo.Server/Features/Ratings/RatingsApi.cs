using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Calendar;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Ratings;

/// <summary>
/// 好差评: the applicant rates an ended application and each ended case once, online with their own token or at the
/// counter on the page the window opens for them (an officer never gives the level); a bad rating opens a rectification
/// for the department answerable, which replies by its due date or appeals (申诉) to the region's admin. Every route
/// runs in the caller's scope of the one tenancy mechanism: the applicant sees their own ratings, a department its own
/// rectifications, the region's staff the region's.
/// </summary>
internal static partial class RatingsApi
{
    /// <summary>A rating as its applicant and the departments read it.</summary>
    /// <param name="Matter">The case's matter; absent for the application as a whole.</param>
    /// <param name="Level">verySatisfied, satisfied, basicallySatisfied, dissatisfied or veryDissatisfied.</param>
    /// <param name="LevelName">The level's national name.</param>
    /// <param name="Comment">The applicant's words: for the applicant and the department that answers for it, never public.</param>
    /// <param name="AtCounter">Given at the counter, on the page the window opened for the applicant.</param>
    /// <param name="Rectification">A bad rating's rectification: its due date, the department's reply once given.</param>
    public sealed record RatingView(
        Guid Id, string Application, string? Matter, string Department, string Level, Text LevelName, string? Comment, bool AtCounter, DateTimeOffset GivenAt,
        RectificationSummary? Rectification);

    /// <summary>A rectification as the applicant reads it: when it is due and what the department replied.</summary>
    /// <param name="State">Where a rating's rectification stands: open, replied, or withdrawn (the region upheld the department's appeal).</param>
    /// <param name="Overdue">Past its due date without a reply.</param>
    /// <param name="Reply">What the department replied, and when.</param>
    /// <param name="RepliedAt">When it replied.</param>
    public sealed record RectificationSummary(RectificationState State, DateOnly DueOn, bool DueProvisional, bool Overdue, string? Reply, DateTimeOffset? RepliedAt);

    /// <summary>A code the window gives an applicant at the counter: the page it opens rates the application once, on the applicant's own choice.</summary>
    /// <param name="Code">The code itself, for a rating device.</param>
    /// <param name="Url">The page to open (a rating device, or the receipt's QR code).</param>
    /// <param name="ExpiresAt">The code opens the page until then.</param>
    public sealed record CounterCode(string Code, string Url, DateTimeOffset ExpiresAt);

    /// <summary>How long a counter's rating code opens its page.</summary>
    public static readonly TimeSpan CounterCodeFor = TimeSpan.FromDays(7);

    private const string CounterPurpose = "OneGo.Ratings.Counter";

    public static IEndpointRouteBuilder MapRatingsApi(this IEndpointRouteBuilder app)
    {
        var idempotency = new RequestHeader("Idempotency-Key",
            "1 to 100 visible ASCII characters chosen by the client: retrying with the same key and body returns the same rating; the same key with another body is 422.",
            Pattern: "^[!-~]{1,100}$");
        app.MapGroup("/api/t/{tenant}/applications").WithTags("Ratings").Requires(Capability.Apply)
            .MapPost("/{id}/ratings", RateAsync).WithName("rateApplication")
            .WithSummary("好差评: the applicant rates the ended application, or one of its ended cases (matter), once, on the five national levels, with a comment if they wish. A bad rating (dissatisfied, veryDissatisfied) opens a rectification for the department answerable, due in 15 working days. An officer never rates: the window opens the counter's page instead.")
            .Accepts<GiveRating.RateRequest>(MediaTypes.Json)
            .WithMetadata(idempotency, new DeclaredHeader(StatusCodes.Status201Created, "Location", "The application the rating belongs to.", With: typeof(RatingView)));
        app.MapGroup("/api/t/{tenant}/applications").WithTags("Ratings").Requires(Capability.ServeAtWindow)
            .MapPost("/{id}/rating-code", CounterCodeAsync).WithName("openCounterRating")
            .WithSummary("The comprehensive window opens the counter's rating page for the applicant in front of it (a rating device, or a code on the receipt): the applicant chooses the level there; the officer never does.");
        app.MapGroup("/api/counter-ratings").WithTags("Ratings")
            .MapPost("/{code}", RateAtCounterAsync).WithName("rateAtCounter")
            .WithSummary("The applicant's rating at the counter, from the page the window opened (the code names the application): the same rules as online, marked as given at the counter.")
            .Accepts<GiveRating.RateRequest>(MediaTypes.Json).WithMetadata(idempotency);
        MapRectifications(app);
        return app;
    }

    internal static RatingView ViewOf(Rating rating)
    {
        var reply = Rating.ReplyOf(rating);
        return new RatingView(rating.Id, rating.Number, rating.Matter.Length == 0 ? null : rating.Matter, rating.Department, GiveRating.WordOf(rating.Level),
            GiveRating.NameOf(rating.Level), rating.Comment, rating.AtCounter, rating.GivenAt,
            rating.Rectification is { } state ? new RectificationSummary(state, rating.DueOn!.Value, rating.DueProvisional, rating.Overdue, reply?.Reply, reply?.At) : null);
    }

    /// <summary>The ratings of an application the scope sees, the application's first, then the cases' by matter.</summary>
    internal static async Task<List<RatingView>> OfApplicationAsync(OneGoDbContext db, Guid application, CancellationToken cancellationToken) =>
        (await db.Set<Rating>().AsNoTracking().Where(r => r.ApplicationId == application).ToListAsync(cancellationToken))
            .OrderBy(r => r.Matter, StringComparer.Ordinal).Select(ViewOf).ToList();

    private static async Task<Results<Created<RatingView>, Ok<RatingView>, RatingProblem, BodyProblem, InvalidProblem>> RateAsync(
        HttpContext context, OneGoDbContext db, WorkingDayCalendar workingDays, RegionDirectory directory, TimeProvider clock, string id,
        CancellationToken cancellationToken)
    {
        if (OnBehalf.IsOfficer(context.User))
        {
            return new RatingProblem(TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The applicant rates",
                detail: "An officer never gives or enters a rating: open the counter's rating page for the applicant (POST …/rating-code), where they choose the level themselves.",
                type: "https://onego.gov.cn/problems/forbidden"));
        }

        var application = await ApplicationsApi.FindAsync(db, id, cancellationToken);
        if (application is null or { State: ApplicationState.Draft })
        {
            return new RatingProblem(ApplicationsApi.UnknownApplication(context, id).Problem);
        }

        return await GiveAsync(context, db, workingDays, directory, clock, application, atCounter: false, cancellationToken);
    }

    private static async Task<Results<Created<RatingView>, Ok<RatingView>, RatingProblem, BodyProblem, InvalidProblem>> GiveAsync(
        HttpContext context, OneGoDbContext db, WorkingDayCalendar workingDays, RegionDirectory directory, TimeProvider clock, Application application,
        bool atCounter, CancellationToken cancellationToken)
    {
        var key = IdempotencyKey.Of(context.Request);
        if (!IdempotencyKey.IsValid(key))
        {
            return new RatingProblem(IdempotencyKey.Needed("A rating", "the same rating"));
        }

        var body = await IdempotencyKey.BufferBodyAsync(context.Request, cancellationToken);
        var (request, problem) = await JsonBody.ReadAsync<GiveRating.RateRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var actor = atCounter ? $"applicant/{application.ApplicantId}" : context.Actor();
        var outcome = await GiveRating.GiveAsync(db, workingDays, directory, application, request, key, IdempotencyKey.Hash(body), atCounter, actor, clock.Now(), cancellationToken);
        if (outcome.Problem is { } refused)
        {
            return refused.StatusCode == StatusCodes.Status422UnprocessableEntity ? new InvalidProblem(refused) : new RatingProblem(refused);
        }

        var view = ViewOf(outcome.Rating!);
        return outcome.Created
            ? TypedResults.Created($"/api/t/{application.TenantId}/applications/{application.Number}", view)
            : TypedResults.Ok(view);
    }

    // ---- At the counter ----

    private sealed record CounterClaim(string Tenant, Guid Application, string Applicant, DateTimeOffset Expires);

    private static async Task<Results<Ok<CounterCode>, CaseMoveProblem>> CounterCodeAsync(
        HttpContext context, OneGoDbContext db, IDataProtectionProvider protection, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        if (await OnBehalf.WindowRefusalAsync(context, context.Tenant()) is { } refusal)
        {
            return new CaseMoveProblem(refusal);
        }

        var application = await ApplicationsApi.FindAsync(db, id, cancellationToken);
        if (application is null or { State: ApplicationState.Draft })
        {
            return new CaseMoveProblem(ApiProblems.NotFound("No such application", $"{context.Tenant().Id} has no submitted application '{id}'.").Problem);
        }

        if (!Cases.CaseFlow.Ended(application.State) && !application.Cases.Any(c => Cases.CaseFlow.Ended(c.State)))
        {
            return new CaseMoveProblem(ApiProblems.Conflict("Nothing to rate yet",
                $"Application {application.Number} is {EnumWords.Of(application.State)} and none of its cases has ended: it is rated once it, or a case, has ended.").Problem);
        }

        var expires = clock.Now() + CounterCodeFor;
        var code = protection.CreateProtector(CounterPurpose)
            .Protect(JsonSerializer.Serialize(new CounterClaim(application.TenantId, application.Id, application.ApplicantId, expires)));
        return TypedResults.Ok(new CounterCode(code, $"/rate/{Uri.EscapeDataString(code)}", expires));
    }

    /// <summary>The application a counter code names, if the code is genuine and in time.</summary>
    internal static (string Tenant, Guid Application, string Applicant)? ReadCounterCode(IDataProtectionProvider protection, TimeProvider clock, string code)
    {
        try
        {
            var claim = JsonSerializer.Deserialize<CounterClaim>(protection.CreateProtector(CounterPurpose).Unprotect(code));
            return claim is null || claim.Expires < clock.Now() ? null : (claim.Tenant, claim.Application, claim.Applicant);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<Results<Created<RatingView>, Ok<RatingView>, RatingProblem, BodyProblem, InvalidProblem>> RateAtCounterAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, IDataProtectionProvider protection, WorkingDayCalendar workingDays, RegionDirectory directory,
        TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        if (ReadCounterCode(protection, clock, code) is not { } claim)
        {
            return new RatingProblem(ApiProblems.NotFound("No such rating code",
                "The code is not one the window gave, or its time is over: ask the window to open the rating page again.").Problem);
        }

        // The code stands for the applicant it was given to: their scope, deliberately, and nothing wider.
        using var scope = tenants.EnterAsApplicant(claim.Tenant, claim.Applicant);
        var application = await ApplicationsApi.FindAsync(db, claim.Application.ToString(), cancellationToken);
        if (application is null)
        {
            return new RatingProblem(ApiProblems.NotFound("No such application", "The application this code names is gone.").Problem);
        }

        return await GiveAsync(context, db, workingDays, directory, clock, application, atCounter: true, cancellationToken);
    }
}

/// <summary>
/// A rating refused, in the contract's order: 403 an officer rates (the applicant does, on the counter's page), 404 no
/// such application of the applicant's (or no such counter code), 409 not ended yet or rated already, 400 no Idempotency-Key.
/// </summary>
public sealed class RatingProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status403Forbidden, typeof(Problem), "An officer never gives a rating: the window opens the counter's page, where the applicant chooses."),
        (StatusCodes.Status404NotFound, typeof(Problem), "No such submitted application of the applicant's here, or no such counter code (or its time is over)."),
        (StatusCodes.Status409Conflict, typeof(Problem), "The application or case has not ended yet, or it was rated already: once each."),
        (StatusCodes.Status400BadRequest, typeof(Problem), "Send an Idempotency-Key (1 to 100 visible ASCII characters): the same key returns the same rating."),
    ];

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}
