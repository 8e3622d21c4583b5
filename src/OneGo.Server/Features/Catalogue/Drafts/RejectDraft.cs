using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>POST …/draft/reject: a reviewer returns the submitted working copy with a comment.</summary>
internal static class RejectDraft
{
    public static async Task<Results<Tagged<DraftView>, ReviewProblem, BodyProblem>> HandleAsync(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Reject, cancellationToken);
        if (answer is not null)
        {
            return new ReviewProblem(answer);
        }

        var (comment, problem) = await WorkingCopyReview.ReadNoteAsync(context.Request, required: true, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var proposal = record!.Proposal;
        WorkingCopyReview.Rejected(record, decision!, comment!);
        record.PinnedMatters = null;
        WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, proposal == ProposalKind.Withdrawal ? "reject-withdrawal" : "reject", comment: comment);
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new ReviewProblem(lost) : Send(record);
    }
}
