using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// Working copies and their review: create a bundle, read and change its draft (If-Match), see it resolved,
/// submit it, and — another person — approve it into a new live version or reject it with a comment; propose
/// withdrawing a live bundle, which is reviewed the same way. Every move goes through <see cref="ReviewLifecycle"/>
/// and is recorded in the audit log in the same transaction.
/// </summary>
internal static class DraftsApi
{
    public static IEndpointRouteBuilder MapDraftsApi(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/t/{tenant}").WithTags("Drafts");
        tenant.MapPost("/bundles", Create).WithName("createBundle")
            .WithSummary("Creates a bundle: its own definition, or an adoption of a standard with local changes.")
            .Accepts<BundleDocument>(MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        tenant.MapGet("/drafts", ListDrafts).WithName("listDrafts").WithSummary("Working copies: draft, submitted, rejected.").Requires(Capability.ReadDrafts);
        tenant.MapGet("/bundles/{code}/draft", GetDraft).WithName("getBundleDraft").WithSummary("The working copy, with its ETag.").Requires(Capability.ReadDrafts);
        tenant.MapPut("/bundles/{code}/draft", PutDraft).WithName("saveBundleDraft")
            .WithSummary("Changes the working copy; needs If-Match.")
            .Accepts<BundleDocument>(MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        tenant.MapGet("/bundles/{code}/draft/effective", GetEffective).WithName("getEffectiveBundleDraft")
            .WithSummary("The working copy resolved through its standard's chain.")
            .Requires(Capability.ReadDrafts);
        tenant.MapPost("/bundles/{code}/draft/submit", Submit).WithName("submitBundleDraft")
            .WithSummary("Hands the working copy named by If-Match to review; it is read-only until approved or rejected. Optional body {comment}.")
            .Accepts<WorkingCopyReview.ReviewNote>(isOptional: true, MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        tenant.MapPost("/bundles/{code}/draft/approve", Approve).WithName("approveBundleDraft")
            .WithSummary("Approves the submitted working copy named by If-Match: a new live version, or the withdrawal. Not by whoever last changed or submitted it.")
            .Accepts<WorkingCopyReview.ReviewNote>(isOptional: true, MediaTypes.Json)
            .WithMetadata(new DeclaredHeader(StatusCodes.Status200OK, "Location", "Where the new version can be read (not for a withdrawal).", Required: false))
            .Requires(Capability.Review);
        tenant.MapPost("/bundles/{code}/draft/reject", Reject).WithName("rejectBundleDraft")
            .WithSummary("Returns the submitted working copy named by If-Match to its editors; body {comment} is required.")
            .Accepts<WorkingCopyReview.ReviewNote>(MediaTypes.Json)
            .Requires(Capability.Review);
        tenant.MapPost("/bundles/{code}/withdrawal", ProposeWithdrawal).WithName("proposeWithdrawal")
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

    private static (byte[] Bytes, string ETag) View(BundleRecord record)
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

    internal static (byte[] Bytes, string ETag) ViewOf(BundleRecord record) => View(record);

    private static Tagged<DraftView> Send(BundleRecord record)
    {
        var (bytes, etag) = View(record);
        return new Tagged<DraftView>(bytes, etag);
    }

    private static InvalidProblem Invalid(IEnumerable<CatalogueError> errors) =>
        ApiProblems.Invalid(errors.Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList());

    private static async Task<Results<CreatedTagged<DraftView>, BodyProblem, InvalidProblem, ConflictProblem>> Create(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (document, problem) = await JsonBody.ReadAsync<BundleDocument>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var code = document!.Code;
        if (string.IsNullOrWhiteSpace(code))
        {
            return Invalid(document.CheckShape().DefaultIfEmpty(new CatalogueError("/definition/code", ErrorRule.Required, "The bundle needs a code.")));
        }

        if (CatalogueCodes.Check(code) is { } badCode)
        {
            return Invalid([new CatalogueError(document.Definition is not null ? "/definition/code" : "/adopts/code", CatalogueCodes.Rule, badCode)]);
        }

        if (await db.Set<BundleRecord>().AnyAsync(b => b.Code == code, cancellationToken))
        {
            return ApiProblems.Conflict("The code is taken",
                $"{context.Tenant().Id} already has a bundle '{code}'. Change its draft instead, or choose another code.");
        }

        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(document, matters, cancellationToken);
        if (!resolution.IsValid)
        {
            return Invalid(resolution.Errors);
        }

        var now = clock.Now();
        var record = new BundleRecord
        {
            Code = code,
            Draft = JsonSerializer.Serialize(document, CatalogueJson.Options),
            DraftState = DraftState.Draft,
            DraftUpdatedAt = now,
            DraftUpdatedBy = context.Actor(),
            CreatedAt = now,
            Revision = 1,
        };
        db.Add(record);
        db.Audit(new AuditEvent(context.Actor(), "bundle.create", $"bundle/{code}", JsonChanges.Between(null, document)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ApiProblems.Conflict("The code is taken", $"A bundle '{code}' was created meanwhile.");
        }

        var (bytes, etag) = View(record);
        return new CreatedTagged<DraftView>(bytes, etag, $"/api/t/{context.Tenant().Id}/bundles/{Uri.EscapeDataString(code)}/draft");
    }

    private static async Task<Results<OkDocument<Page<DraftItem>>, InvalidProblem>> ListDrafts(
        OneGoDbContext db,
        [System.ComponentModel.Description("draft, submitted (the reviewer's inbox) or rejected; all three when absent.")] string? status,
        [System.ComponentModel.Description("bundle or matter; both when absent (bundles first).")] string? kind,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        DraftState? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<DraftState>(status, ignoreCase: true, out var parsed) && parsed != DraftState.Approved && !int.TryParse(status, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors.Add(ApiError.ForParameter("status", "enum", $"status must be one of draft, submitted, rejected; it was '{status}'."));
            }
        }

        if (kind is not (null or Kinds.Bundle or Kinds.Matter))
        {
            errors.Add(ApiError.ForParameter("kind", "enum", $"kind must be bundle or matter; it was '{kind}'."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // One list of both kinds, bundles first, each by code: the cursor remembers "kind/code".
        var (afterKind, afterCode) = paging.After?.Split('/', 2) is [var k, var c] && k is Kinds.Bundle or Kinds.Matter ? (k, c) : (Kinds.Bundle, paging.After ?? "");
        var items = new List<DraftItem>();
        if (kind is null or Kinds.Bundle && afterKind == Kinds.Bundle)
        {
            var query = db.Set<BundleRecord>().AsNoTracking().Where(b => b.DraftState != DraftState.Approved && string.Compare(b.Code, afterCode) > 0);
            if (wanted is not null)
            {
                query = query.Where(b => b.DraftState == wanted);
            }

            items.AddRange(await query.OrderBy(b => b.Code).Take(paging.Limit + 1)
                .Select(b => new DraftItem(Kinds.Bundle, b.Code, b.DraftState, b.Proposal, b.DraftUpdatedAt, b.DraftUpdatedBy, b.SubmittedAt, b.SubmittedBy, b.LiveVersion, b.ReviewComment))
                .ToListAsync(cancellationToken));
        }

        if (kind is null or Kinds.Matter && items.Count <= paging.Limit)
        {
            var after = afterKind == Kinds.Matter ? afterCode : "";
            var query = db.Set<MatterRecord>().AsNoTracking().Where(m => m.DraftState != DraftState.Approved && string.Compare(m.Code, after) > 0);
            if (wanted is not null)
            {
                query = query.Where(m => m.DraftState == wanted);
            }

            items.AddRange(await query.OrderBy(m => m.Code).Take(paging.Limit + 1)
                .Select(m => new DraftItem(Kinds.Matter, m.Code, m.DraftState, ProposalKind.Change, m.DraftUpdatedAt, m.DraftUpdatedBy, m.SubmittedAt, m.SubmittedBy, m.LiveRevision, m.ReviewComment))
                .ToListAsync(cancellationToken));
        }

        return new OkDocument<Page<DraftItem>>(paging.Take(items, i => i.Kind + "/" + i.Code));
    }

    private static async Task<Results<Tagged<DraftView>, NotFoundProblem>> GetDraft(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        return record is null ? UnknownBundle(context, code) : Send(record);
    }

    private static NotFoundProblem UnknownBundle(HttpContext context, string code) =>
        ApiProblems.NotFound("No such bundle", $"{context.Tenant().Id} has no bundle '{code}'.");

    private static async Task<Results<Tagged<DraftView>, NotFoundProblem, EditProblem, BodyProblem, InvalidProblem>> PutDraft(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Edit, cancellationToken);
        if (answer is not null)
        {
            return record is null ? new NotFoundProblem(answer) : new EditProblem(answer);
        }

        var (document, problem) = await JsonBody.ReadAsync<BundleDocument>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (document!.Code != code)
        {
            var at = document.Definition is not null ? "/definition/code" : "/adopts/code";
            return Invalid([new CatalogueError(at, "code-mismatch", $"The document's code '{document.Code}' differs from the bundle's '{code}'; a bundle keeps its code.")]);
        }

        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(document, matters, cancellationToken);
        if (!resolution.IsValid)
        {
            return Invalid(resolution.Errors);
        }

        var before = BundleDocument.Parse(record!.Draft);
        record.Draft = JsonSerializer.Serialize(document, CatalogueJson.Options);
        WorkingCopyReview.Edited(record, decision!, context.Actor(), clock.Now());
        // Saving the draft after a rebase is the editor's answer to the changes it set aside.
        record.Conflicts = null;
        WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, "edit", JsonChanges.Between(before, document));
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new EditProblem(lost) : Send(record);
    }

    private static async Task<Results<Conditional<EffectiveBundle>, NotFoundProblem, InvalidProblem>> GetEffective(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return UnknownBundle(context, code);
        }

        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(BundleDocument.Parse(record.Draft), matters, cancellationToken);
        if (!resolution.IsValid)
        {
            return Invalid(resolution.Errors);
        }

        var bytes = CanonicalJson.Serialize(resolution.Value!);
        return Preconditions.Json<EffectiveBundle>(bytes, CanonicalJson.ETag(bytes));
    }

    /// <summary>The working copy as the review lifecycle sees it.</summary>
    internal static ReviewSubject SubjectOf(BundleRecord record) =>
        WorkingCopyReview.SubjectOf(record, record.LiveVersion is not null, record.Conflicts is not null);

    /// <summary>
    /// Checks a review move against the working copy read by the caller (<see cref="WorkingCopyReview.DecideAsync"/>).
    /// <paramref name="conflict"/> may add a 409 of the move's own, asked after the lifecycle and before If-Match.
    /// Returns the record and the decision, or the answer.
    /// </summary>
    private static async Task<(BundleRecord? Record, ReviewDecision? Decision, ProblemHttpResult? Answer)> BeginMoveAsync(
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

    private static async Task<Results<Tagged<DraftView>, ReviewProblem, BodyProblem, InvalidProblem>> Submit(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
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

    private static async Task<Results<Tagged<DraftView>, ReviewProblem, BodyProblem>> ProposeWithdrawal(
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

    private static async Task<Results<Tagged<DraftView>, ReviewProblem, BodyProblem>> Reject(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
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

    private static async Task<Results<OkDocument<Approval>, ApprovalProblem, BodyProblem>> Approve(
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
