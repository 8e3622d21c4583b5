using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue.Drafts;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// Working copies and their review: create a bundle, read and change its draft (If-Match), see it resolved,
/// submit it, and — another person — approve it into a new live version or reject it with a comment; propose
/// withdrawing a live bundle, which is reviewed the same way. This is the routing table, the shapes the routes
/// send and what the use cases share; each use case is a file of its own in <c>Drafts/</c>. Every move goes through
/// <see cref="ReviewLifecycle"/> and is recorded in the audit log in the same transaction.
/// </summary>
internal static class DraftsApi
{
    public static IEndpointRouteBuilder MapDraftsApi(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/t/{tenant}").WithTags("Drafts");
        tenant.MapPost("/bundles", CreateBundle.HandleAsync).WithName("createBundle")
            .WithSummary("Creates a bundle: its own definition, or an adoption of a standard with local changes.")
            .Accepts<BundleDocument>(MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        tenant.MapGet("/drafts", ListDrafts.HandleAsync).WithName("listDrafts").WithSummary("Working copies: draft, submitted, rejected.").Requires(Capability.ReadDrafts);
        tenant.MapGet("/bundles/{code}/draft", GetDraft.HandleAsync).WithName("getBundleDraft").WithSummary("The working copy, with its ETag.").Requires(Capability.ReadDrafts);
        tenant.MapPut("/bundles/{code}/draft", SaveDraft.HandleAsync).WithName("saveBundleDraft")
            .WithSummary("Changes the working copy; needs If-Match.")
            .Accepts<BundleDocument>(MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        tenant.MapGet("/bundles/{code}/draft/effective", GetEffectiveDraft.HandleAsync).WithName("getEffectiveBundleDraft")
            .WithSummary("The working copy resolved through its standard's chain.")
            .Requires(Capability.ReadDrafts);
        tenant.MapPost("/bundles/{code}/draft/submit", SubmitDraft.HandleAsync).WithName("submitBundleDraft")
            .WithSummary("Hands the working copy named by If-Match to review; it is read-only until approved or rejected. Optional body {comment}.")
            .Accepts<WorkingCopyReview.ReviewNote>(isOptional: true, MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        tenant.MapPost("/bundles/{code}/draft/approve", ApproveDraft.HandleAsync).WithName("approveBundleDraft")
            .WithSummary("Approves the submitted working copy named by If-Match: a new live version, or the withdrawal. Not by whoever last changed or submitted it.")
            .Accepts<WorkingCopyReview.ReviewNote>(isOptional: true, MediaTypes.Json)
            .WithMetadata(new DeclaredHeader(StatusCodes.Status200OK, "Location", "Where the new version can be read (not for a withdrawal).", Required: false))
            .Requires(Capability.Review);
        tenant.MapPost("/bundles/{code}/draft/reject", RejectDraft.HandleAsync).WithName("rejectBundleDraft")
            .WithSummary("Returns the submitted working copy named by If-Match to its editors; body {comment} is required.")
            .Accepts<WorkingCopyReview.ReviewNote>(MediaTypes.Json)
            .Requires(Capability.Review);
        tenant.MapPost("/bundles/{code}/withdrawal", ProposeWithdrawal.HandleAsync).WithName("proposeWithdrawal")
            .WithSummary("Asks to withdraw the live bundle (If-Match of its working copy, body {comment} required); a reviewer approves or rejects it like any change.")
            .Accepts<WorkingCopyReview.ReviewNote>(MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        return app;
    }

    /// <summary>A working copy as the API shows it; its ETag is the hash of these bytes.</summary>
    public sealed record DraftView(
        string Code, DraftState State, ProposalKind Proposal, int Revision, BundleDocument Document, int? LiveVersion,
        DateTimeOffset UpdatedAt, string? UpdatedBy, DateTimeOffset? SubmittedAt, string? SubmittedBy, string? Comment,
        IReadOnlyList<RebaseConflict> Conflicts, IReadOnlyDictionary<string, PinnedMatter>? PinnedMatters);

    /// <summary>
    /// A line of the drafts list: for the reviewer's inbox, what waits, since when, by whom. <c>kind</c> says whose
    /// working copy it is — a bundle's or a matter's; for a matter, <c>liveVersion</c> is its live revision.
    /// </summary>
    public sealed record DraftItem(
        string Kind, string Code, DraftState State, ProposalKind Proposal, DateTimeOffset UpdatedAt, string? UpdatedBy,
        DateTimeOffset? SubmittedAt, string? SubmittedBy, int? LiveVersion, string? Comment);

    /// <summary>The kinds of working copy the drafts list holds.</summary>
    public static class Kinds
    {
        public const string Bundle = "bundle";
        public const string Matter = "matter";
    }

    /// <summary>What an approval did: made a new version live, or withdrew the bundle. One shape for both, so that a client reads either alike.</summary>
    /// <param name="Outcome"><c>version</c>: a new version is live; <c>withdrawal</c>: the bundle is no longer live.</param>
    /// <param name="Code">The bundle's code.</param>
    /// <param name="Version">The new version's number, live from now on; for a withdrawal, the version that was live until now.</param>
    /// <param name="ETag">The strong ETag of the new version's effective content; none for a withdrawal.</param>
    /// <param name="Location">Where the new version can be read; none for a withdrawal.</param>
    public sealed record Approval(string Outcome, string Code, int? Version, string? ETag, string? Location)
    {
        public const string NewVersion = "version";
        public const string Withdrawal = "withdrawal";
    }

    /// <summary>The working copy as the API sends it, and its ETag.</summary>
    internal static (byte[] Bytes, string ETag) View(BundleRecord record)
    {
        var view = new DraftView(record.Code, record.DraftState, record.Proposal, record.Revision, BundleDocument.Parse(record.Draft),
            record.LiveVersion, record.DraftUpdatedAt, record.DraftUpdatedBy, record.SubmittedAt, record.SubmittedBy, record.ReviewComment,
            ConflictsOf(record), BundleCatalogue.PinsOf(record));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(view, CatalogueJson.Options);
        return (bytes, Preconditions.ETagOf(bytes));
    }

    /// <summary>The changes a rebase set aside on the working copy, until the editor saves the draft again.</summary>
    public static IReadOnlyList<RebaseConflict> ConflictsOf(BundleRecord record) =>
        record.Conflicts is null ? [] : JsonSerializer.Deserialize<List<RebaseConflict>>(record.Conflicts, CatalogueJson.Options) ?? [];

    internal static Tagged<DraftView> Send(BundleRecord record)
    {
        var (bytes, etag) = View(record);
        return new Tagged<DraftView>(bytes, etag);
    }

    internal static InvalidProblem Invalid(IEnumerable<CatalogueError> errors) =>
        ApiProblems.Invalid(errors.Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList());

    internal static NotFoundProblem UnknownBundle(HttpContext context, string code) =>
        ApiProblems.NotFound("No such bundle", $"{context.Tenant().Id} has no bundle '{code}'.");

    /// <summary>The working copy as the review lifecycle sees it.</summary>
    internal static ReviewSubject SubjectOf(BundleRecord record) =>
        WorkingCopyReview.SubjectOf(record, record.LiveVersion is not null, record.Conflicts is not null);

    /// <summary>
    /// Checks a review move against the working copy read by the caller (<see cref="WorkingCopyReview.DecideAsync"/>).
    /// <paramref name="conflict"/> may add a 409 of the move's own, asked after the lifecycle and before If-Match.
    /// Returns the record and the decision, or the answer.
    /// </summary>
    internal static async Task<(BundleRecord? Record, ReviewDecision? Decision, ProblemHttpResult? Answer)> BeginMoveAsync(
        HttpContext context, OneGoDbContext db, string code, ReviewAction action, CancellationToken cancellationToken,
        Func<BundleRecord, Task<ProblemHttpResult?>>? conflict = null)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return (null, null, UnknownBundle(context, code).Problem);
        }

        var (decision, answer) = await WorkingCopyReview.DecideAsync(context, record, SubjectOf(record), action, View(record).ETag,
            namesWhatWasRead: action != ReviewAction.Edit, conflict is null ? null : () => conflict(record));
        return (record, decision, answer);
    }
}
