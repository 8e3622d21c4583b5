using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>POST …/withdrawal: asks to withdraw the live bundle; reviewed like any change.</summary>
internal static class ProposeWithdrawal
{
    public static async Task<Results<Tagged<DraftView>, ReviewProblem, BodyProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.ProposeWithdrawal, cancellationToken);
        if (answer is not null)
        {
            return new ReviewProblem(answer);
        }

        var (comment, problem) = await WorkingCopyReview.ReadNoteAsync(context.Request, required: true, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // Proposing a withdrawal is a change and a submission at once: four eyes keeps the proposer from approving it.
        var now = clock.Now();
        record!.DraftUpdatedBy = context.Actor();
        record.DraftUpdatedAt = now;
        record.PinnedMatters = null;
        WorkingCopyReview.Submitted(record, decision!, context.Actor(), now, comment);
        WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, "submit-withdrawal", new { liveVersion = record.LiveVersion }, comment);
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new ReviewProblem(lost) : Send(record);
    }
}
