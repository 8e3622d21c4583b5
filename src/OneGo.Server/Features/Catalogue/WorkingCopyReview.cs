using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// The review moves as the API makes them, for a bundle's working copy and a matter's alike: the decision of
/// <see cref="ReviewLifecycle"/>, the status precedence of the contract (409 state → 428/412 If-Match → 403 four
/// eyes), the comment, what each move writes on the working copy, its audit entry and the save.
/// </summary>
internal static class WorkingCopyReview
{
    /// <summary>The working copy as the review lifecycle sees it.</summary>
    public static ReviewSubject SubjectOf(IWorkingCopy copy, bool isLive, bool hasConflicts = false) =>
        new(copy.DraftState, copy.Proposal, isLive, hasConflicts, copy.DraftUpdatedBy, copy.SubmittedBy);

    /// <summary>A refused move as the API answers it: 409 naming the current state, or 403 for four eyes.</summary>
    public static ProblemHttpResult? Refused(ReviewDecision decision, IWorkingCopy copy) => decision.Refusal switch
    {
        null => null,
        { Kind: ReviewRefusalKind.FourEyes } four => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: four.Title, detail: four.Detail,
            type: "https://onego.gov.cn/problems/four-eyes"),
        var illegal => Conflict(copy, illegal.Title, illegal.Detail),
    };

    /// <summary>A 409 for the working copy's state, naming it (and what it proposes) as every review refusal does.</summary>
    public static ProblemHttpResult Conflict(IWorkingCopy copy, string title, string detail, IDictionary<string, object?>? more = null)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["state"] = ReviewLifecycle.Name(copy.DraftState),
            ["proposal"] = JsonNamingPolicy.CamelCase.ConvertName(copy.Proposal.ToString()),
        };
        foreach (var (key, value) in more ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail, extensions: extensions);
    }

    /// <summary>
    /// Decides <paramref name="action"/> on the working copy read by the caller, whose current ETag is
    /// <paramref name="currentETag"/>. In the contract's order: an illegal move (409), then <paramref name="conflict"/>
    /// (another 409 of the caller's), then If-Match (428, or 412 when stale), then four eyes (403). A move other
    /// than an edit must name the ETag it read: <c>If-Match: *</c> is 428 there. Returns the decision, or the answer.
    /// </summary>
    public static async Task<(ReviewDecision Decision, ProblemHttpResult? Answer)> DecideAsync(
        HttpContext context, IWorkingCopy copy, ReviewSubject subject, ReviewAction action, string currentETag, bool namesWhatWasRead,
        Func<Task<ProblemHttpResult?>>? conflict = null)
    {
        var decision = ReviewLifecycle.Decide(subject, action, context.Actor());
        if (decision.Refusal is { Kind: ReviewRefusalKind.IllegalTransition })
        {
            return (decision, Refused(decision, copy));
        }

        if (conflict is not null && await conflict() is { } own)
        {
            return (decision, own);
        }

        return (decision, Precondition(context.Request, currentETag, namesWhatWasRead) ?? Refused(decision, copy));
    }

    /// <summary>428 without If-Match (or with <c>*</c> where the move must name what was read), 412 when it is stale.</summary>
    public static ProblemHttpResult? Precondition(HttpRequest request, string currentETag, bool namesWhatWasRead)
    {
        var (ifMatch, missing) = Preconditions.RequireIfMatch(request);
        if (missing is not null)
        {
            return missing;
        }

        if (namesWhatWasRead && ifMatch!.Split(',').Any(v => v.Trim() == "*"))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status428PreconditionRequired,
                title: "If-Match must name an ETag",
                detail: "A review move must name the ETag of the working copy that was read, so that nobody submits, approves or rejects content they did not see; If-Match: * names none.",
                type: "https://onego.gov.cn/problems/if-match-required");
        }

        return Preconditions.CheckIfMatch(ifMatch!, currentETag);
    }

    /// <summary>The reviewer's or editor's note on a move, from an optional JSON body <c>{"comment": "…"}</c>.</summary>
    public sealed record ReviewNote(string? Comment);

    public static async Task<(string? Comment, BodyProblem? Problem)> ReadNoteAsync(HttpRequest request, bool required, CancellationToken cancellationToken)
    {
        string? comment = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (note, problem) = await JsonBody.ReadAsync<ReviewNote>(request, cancellationToken);
            if (problem is not null)
            {
                return (null, problem);
            }

            comment = note!.Comment?.Trim();
        }

        if (comment is { Length: > 2000 })
        {
            return (null, new BodyProblem(ApiProblems.Validation([ApiError.At("/comment", "length", "A comment has at most 2,000 characters.")])));
        }

        return required && string.IsNullOrEmpty(comment)
            ? (null, new BodyProblem(ApiProblems.Validation([ApiError.At("/comment", "required", "Say why: the editor reads the comment to know what to change.")])))
            : (string.IsNullOrEmpty(comment) ? null : comment, null);
    }

    public static void Move(IWorkingCopy copy, ReviewDecision decision)
    {
        copy.DraftState = decision.Next!.Value;
        copy.Proposal = decision.Proposal;
    }

    /// <summary>An editor saved the working copy.</summary>
    public static void Edited(IWorkingCopy copy, ReviewDecision decision, string actor, DateTimeOffset now)
    {
        Move(copy, decision);
        copy.DraftUpdatedAt = now;
        copy.DraftUpdatedBy = actor;
        copy.Revision++;
    }

    /// <summary>An editor handed the working copy to review; four eyes keeps them from approving it.</summary>
    public static void Submitted(IWorkingCopy copy, ReviewDecision decision, string actor, DateTimeOffset now, string? comment)
    {
        Move(copy, decision);
        copy.SubmittedBy = actor;
        copy.SubmittedAt = now;
        copy.ReviewComment = comment;
        copy.Revision++;
    }

    /// <summary>A reviewer returned the working copy with a comment.</summary>
    public static void Rejected(IWorkingCopy copy, ReviewDecision decision, string comment)
    {
        Move(copy, decision);
        copy.ReviewComment = comment;
        copy.SubmittedBy = null;
        copy.SubmittedAt = null;
        copy.Revision++;
    }

    /// <summary>Nothing waits any more: the working copy is what is live (after an approval or an import).</summary>
    public static void Settled(IWorkingCopy copy)
    {
        copy.DraftState = DraftState.Approved;
        copy.Proposal = ProposalKind.Change;
        copy.SubmittedBy = null;
        copy.SubmittedAt = null;
        copy.ReviewComment = null;
        copy.Revision++;
    }

    /// <summary>The move's audit entry, written in the same save: <c>{kind}.{move}</c> on <c>{kind}/{code}</c>.</summary>
    public static void Audit(OneGoDbContext db, HttpContext context, string kind, IWorkingCopy copy, string move, object? changes = null, string? comment = null) =>
        db.Audit(new AuditEvent(context.Actor(), $"{kind}.{move}", $"{kind}/{copy.Code}", changes, comment));

    /// <summary>Saves the move; a write that lost the race to another is 412 and leaves nothing.</summary>
    public static async Task<ProblemHttpResult?> SaveAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Preconditions.Stale(null);
        }
    }
}
