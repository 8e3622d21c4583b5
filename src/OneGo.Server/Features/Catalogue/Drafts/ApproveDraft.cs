using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>POST …/draft/approve: a reviewer other than its editor and submitter makes the submitted working copy live as a new version, or withdraws the bundle.</summary>
internal static class ApproveDraft
{
    /// <summary>
    /// 409 when a matter the submission pinned has another live revision now: the reviewer read the bundle built
    /// from the pinned ones, so it must be submitted again to be approved with the new ones.
    /// </summary>
    private static async Task<ProblemHttpResult?> PinnedMattersMovedAsync(BundleRecord record, BundleCatalogue catalogue, CancellationToken cancellationToken)
    {
        if (record.Proposal != ProposalKind.Change)
        {
            return null;
        }

        var pinned = BundleCatalogue.PinsOf(record);
        if (pinned is null)
        {
            return WorkingCopyReview.Conflict(record, "Submitted without its matters pinned",
                "This working copy was submitted before submissions pinned the matters they embed; reject it and have it submitted again.");
        }

        var moved = (await catalogue.LocalMattersAsync(cancellationToken)).MovedSince(pinned);
        return moved.Count == 0
            ? null
            : WorkingCopyReview.Conflict(record, "A matter changed since the submission",
                $"{string.Join(", ", moved)} {(moved.Count == 1 ? "has" : "have")} a new live revision since '{record.Code}' was submitted, so what was submitted is not what would go live. Reject it and have it submitted again.",
                new Dictionary<string, object?> { ["matters"] = moved });
    }

    public static async Task<Results<OkDocument<Approval>, ApprovalProblem, BodyProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, LiveBundles live, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Approve, cancellationToken,
            r => PinnedMattersMovedAsync(r, catalogue, cancellationToken));
        if (answer is not null)
        {
            return new ApprovalProblem(answer);
        }

        var (comment, problem) = await WorkingCopyReview.ReadNoteAsync(context.Request, required: false, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (record!.Proposal == ProposalKind.Withdrawal)
        {
            var withdrawn = record.LiveVersion;
            record.LiveVersion = null;
            record.WithdrawnAt = clock.Now();
            WorkingCopyReview.Settled(record);
            WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, "withdraw", new { withdrawnVersion = withdrawn }, comment);
            var lost = await WorkingCopyReview.SaveAsync(db, cancellationToken);
            await live.ForgetAsync(context.Tenant().Id, code, cancellationToken);
            return lost is null ? new OkDocument<Approval>(new Approval(Approval.Withdrawal, code, withdrawn, null, null)) : new ApprovalProblem(lost);
        }

        // The matters are those pinned at submission (checked above), so this is what the reviewer read, byte for byte.
        var document = BundleDocument.Parse(record.Draft);
        var pinned = BundleCatalogue.PinsOf(record)!;
        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(document, matters, cancellationToken);
        if (!resolution.IsValid || matters.MovedSince(pinned).Count > 0)
        {
            // Only a standard or a matter changing between the check and here could cause it: ask again.
            return new ApprovalProblem(Preconditions.Stale(null));
        }

        var previous = record.LiveVersion is { } liveVersion
            ? await db.Set<BundleVersion>().AsNoTracking().Where(v => v.BundleCode == code && v.Version == liveVersion).Select(v => new { v.Document, v.Effective }).SingleAsync(cancellationToken)
            : null;
        var version = catalogue.RecordVersion(record, document, resolution.Value!, matters, Origins.Api, context.Actor());
        WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, "approve", new
        {
            version = version.Version,
            etag = version.ETag,
            pinnedMatters = pinned,
            changes = JsonChanges.Between(previous is null ? null : BundleDocument.Parse(previous.Document), document),
            // What goes live, against what was live: the effective bundle as served, field by field.
            effectiveChanges = JsonChanges.Between(previous is null ? null : JsonNode.Parse(previous.Effective), JsonNode.Parse(version.Effective)),
        }, comment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new ApprovalProblem(Preconditions.Stale(null));
        }

        await live.ForgetAsync(context.Tenant().Id, code, cancellationToken);
        var location = $"/api/t/{context.Tenant().Id}/bundles/{Uri.EscapeDataString(code)}/versions/{version.Version}";
        context.Response.Headers.Location = location;
        return new OkDocument<Approval>(new Approval(Approval.NewVersion, code, version.Version, version.ETag, location));
    }
}
