using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>POST …/draft/submit: the working copy named by If-Match goes to review, with the live matter revisions it embeds pinned.</summary>
internal static class SubmitDraft
{
    public static async Task<Results<Tagged<DraftView>, ReviewProblem, BodyProblem, InvalidProblem>> HandleAsync(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Submit, cancellationToken);
        if (answer is not null)
        {
            return new ReviewProblem(answer);
        }

        var (comment, problem) = await WorkingCopyReview.ReadNoteAsync(context.Request, required: false, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        record!.PinnedMatters = null;
        if (record.Proposal == ProposalKind.Change)
        {
            // Nobody submits what would not resolve: a matter or a standard may have changed since the draft was saved.
            var matters = await catalogue.LocalMattersAsync(cancellationToken);
            var resolution = await catalogue.ResolveAsync(BundleDocument.Parse(record.Draft), matters, cancellationToken);
            if (!resolution.IsValid)
            {
                return Invalid(resolution.Errors);
            }

            // What the reviewer will read is built from these matter revisions; approval is held to them.
            record.PinnedMatters = JsonSerializer.Serialize(matters.Used(resolution.Value!), CatalogueJson.Options);
        }

        WorkingCopyReview.Submitted(record, decision!, context.Actor(), clock.Now(), comment);
        WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, record.Proposal == ProposalKind.Withdrawal ? "submit-withdrawal" : "submit",
            record.PinnedMatters is null ? null : new { pinnedMatters = BundleCatalogue.PinsOf(record) }, comment);
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new ReviewProblem(lost) : Send(record);
    }
}
