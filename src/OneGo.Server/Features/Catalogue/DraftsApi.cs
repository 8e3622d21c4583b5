using System.Text.Json;
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
        tenant.MapPost("/bundles", Create).WithName("CreateBundle")
            .WithSummary("Creates a bundle: its own definition, or an adoption of a standard with local changes.")
            .Accepts<BundleDocument>("application/json")
            .Requires(Capability.EditCatalogue);
        tenant.MapGet("/drafts", ListDrafts).WithName("ListDrafts").WithSummary("Working copies: draft, submitted, rejected.").Requires(Capability.ReadDrafts);
        tenant.MapGet("/bundles/{code}/draft", GetDraft).WithName("GetDraft").WithSummary("The working copy, with its ETag.").Requires(Capability.ReadDrafts);
        tenant.MapPut("/bundles/{code}/draft", PutDraft).WithName("PutDraft")
            .WithSummary("Changes the working copy; needs If-Match.")
            .Accepts<BundleDocument>("application/json")
            .Requires(Capability.EditCatalogue);
        tenant.MapGet("/bundles/{code}/draft/effective", GetEffective).WithName("GetDraftEffective")
            .WithSummary("The working copy resolved through its standard's chain.")
            .Requires(Capability.ReadDrafts);
        tenant.MapPost("/bundles/{code}/draft/submit", Submit).WithName("SubmitDraft")
            .WithSummary("Hands the working copy named by If-Match to review; it is read-only until approved or rejected. Optional body {comment}.")
            .Requires(Capability.EditCatalogue);
        tenant.MapPost("/bundles/{code}/draft/approve", Approve).WithName("ApproveDraft")
            .WithSummary("Approves the submitted working copy named by If-Match: a new live version, or the withdrawal. Not by whoever last changed or submitted it.")
            .Requires(Capability.Review);
        tenant.MapPost("/bundles/{code}/draft/reject", Reject).WithName("RejectDraft")
            .WithSummary("Returns the submitted working copy named by If-Match to its editors; body {comment} is required.")
            .Requires(Capability.Review);
        tenant.MapPost("/bundles/{code}/withdrawal", ProposeWithdrawal).WithName("ProposeWithdrawal")
            .WithSummary("Asks to withdraw the live bundle (If-Match of its working copy, body {comment} required); a reviewer approves or rejects it like any change.")
            .Requires(Capability.EditCatalogue);
        return app;
    }

    /// <summary>A working copy as the API shows it; its ETag is the hash of these bytes.</summary>
    public sealed record DraftView(
        string Code, DraftState State, ProposalKind Proposal, int Revision, BundleDocument Document, int? LiveVersion,
        DateTimeOffset UpdatedAt, string? UpdatedBy, DateTimeOffset? SubmittedAt, string? SubmittedBy, string? Comment,
        IReadOnlyList<RebaseConflict> Conflicts);

    /// <summary>A line of the drafts list: for the reviewer's inbox, what waits, since when, by whom.</summary>
    public sealed record DraftItem(
        string Code, DraftState State, ProposalKind Proposal, DateTimeOffset UpdatedAt, string? UpdatedBy,
        DateTimeOffset? SubmittedAt, string? SubmittedBy, int? LiveVersion, string? Comment);

    public sealed record Approval(string Code, int Version, string ETag, string Location);

    private static (byte[] Bytes, string ETag) View(BundleRecord record)
    {
        var view = new DraftView(record.Code, record.DraftState, record.Proposal, record.Revision, BundleDocument.Parse(record.Draft),
            record.LiveVersion, record.DraftUpdatedAt, record.DraftUpdatedBy, record.SubmittedAt, record.SubmittedBy, record.ReviewComment,
            ConflictsOf(record));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(view, CatalogueJson.Options);
        return (bytes, Preconditions.ETagOf(bytes));
    }

    /// <summary>The changes a rebase set aside on the working copy, until the editor saves the draft again.</summary>
    public static IReadOnlyList<RebaseConflict> ConflictsOf(BundleRecord record) =>
        record.Conflicts is null ? [] : JsonSerializer.Deserialize<List<RebaseConflict>>(record.Conflicts, CatalogueJson.Options) ?? [];

    internal static (byte[] Bytes, string ETag) ViewOf(BundleRecord record) => View(record);

    internal static IResult SendView(HttpContext context, BundleRecord record) => Send(context, record);

    private static IResult Send(HttpContext context, BundleRecord record, int status = StatusCodes.Status200OK)
    {
        var (bytes, etag) = View(record);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Text(System.Text.Encoding.UTF8.GetString(bytes), "application/json", System.Text.Encoding.UTF8, status);
    }

    private static IResult Invalid(IEnumerable<CatalogueError> errors) =>
        ApiProblems.Invalid(errors.Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList());

    private static async Task<IResult> Create(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, CancellationToken cancellationToken)
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

        if (await db.Set<BundleRecord>().AnyAsync(b => b.Code == code, cancellationToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The code is taken",
                detail: $"{context.Tenant().Id} already has a bundle '{code}'. Change its draft instead, or choose another code.");
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
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The code is taken", detail: $"A bundle '{code}' was created meanwhile.");
        }

        context.Response.Headers.Location = $"/api/t/{context.Tenant().Id}/bundles/{Uri.EscapeDataString(code)}/draft";
        return Send(context, record, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListDrafts(OneGoDbContext db, string? status, int? limit, string? cursor, CancellationToken cancellationToken)
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

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var after = paging.After ?? "";
        var query = db.Set<BundleRecord>().AsNoTracking().Where(b => b.DraftState != DraftState.Approved && string.Compare(b.Code, after) > 0);
        if (wanted is not null)
        {
            query = query.Where(b => b.DraftState == wanted);
        }

        var rows = await query.OrderBy(b => b.Code).Take(paging.Limit + 1)
            .Select(b => new DraftItem(b.Code, b.DraftState, b.Proposal, b.DraftUpdatedAt, b.DraftUpdatedBy, b.SubmittedAt, b.SubmittedBy, b.LiveVersion, b.ReviewComment))
            .ToListAsync(cancellationToken);
        return Results.Json(paging.Take(rows, r => r.Code), CatalogueJson.Options);
    }

    private static async Task<IResult> GetDraft(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        return record is null ? UnknownBundle(context, code) : Send(context, record);
    }

    private static IResult UnknownBundle(HttpContext context, string code) =>
        ApiProblems.NotFound("No such bundle", $"{context.Tenant().Id} has no bundle '{code}'.");

    private static async Task<IResult> PutDraft(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Edit, cancellationToken);
        if (answer is not null)
        {
            return answer;
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
        Move(record, decision!);
        // Saving the draft after a rebase is the editor's answer to the changes it set aside.
        record.Conflicts = null;
        record.DraftUpdatedAt = clock.Now();
        record.DraftUpdatedBy = context.Actor();
        record.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "bundle.edit", $"bundle/{code}", JsonChanges.Between(before, document)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Preconditions.Stale(null);
        }

        return Send(context, record);
    }

    private static async Task<IResult> GetEffective(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, string code, CancellationToken cancellationToken)
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
        return Preconditions.Json(context, bytes, CanonicalJson.ETag(bytes));
    }

    /// <summary>The working copy as the review lifecycle sees it.</summary>
    internal static ReviewSubject SubjectOf(BundleRecord record) => new(
        record.DraftState, record.Proposal, record.LiveVersion is not null, record.Conflicts is not null, record.DraftUpdatedBy, record.SubmittedBy);

    /// <summary>A refused move as the API answers it: 409 naming the current state, or 403 for four eyes.</summary>
    internal static IResult? Refused(ReviewDecision decision, BundleRecord record) => decision.Refusal switch
    {
        null => null,
        { Kind: ReviewRefusalKind.FourEyes } four => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: four.Title, detail: four.Detail,
            type: "https://onego.gov.cn/problems/four-eyes"),
        var illegal => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: illegal.Title, detail: illegal.Detail,
            extensions: new Dictionary<string, object?> { ["state"] = ReviewLifecycle.Name(record.DraftState), ["proposal"] = JsonNamingPolicy.CamelCase.ConvertName(record.Proposal.ToString()) }),
    };

    internal static void Move(BundleRecord record, ReviewDecision decision)
    {
        record.DraftState = decision.Next!.Value;
        record.Proposal = decision.Proposal;
    }

    /// <summary>
    /// Checks a review move against the working copy read by the caller: the lifecycle first (409, or 403 for four
    /// eyes after the preconditions), then If-Match (428/412). Returns the record and the decision, or the answer.
    /// </summary>
    private static async Task<(BundleRecord? Record, ReviewDecision? Decision, IResult? Answer)> BeginMoveAsync(
        HttpContext context, OneGoDbContext db, string code, ReviewAction action, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return (null, null, UnknownBundle(context, code));
        }

        var decision = ReviewLifecycle.Decide(SubjectOf(record), action, context.Actor());
        if (decision.Refusal is { Kind: ReviewRefusalKind.IllegalTransition })
        {
            return (record, decision, Refused(decision, record));
        }

        var (ifMatch, missing) = Preconditions.RequireIfMatch(context.Request);
        if (missing is not null)
        {
            return (record, decision, missing);
        }

        if (Preconditions.CheckIfMatch(ifMatch!, View(record).ETag) is { } stale)
        {
            return (record, decision, stale);
        }

        return (record, decision, Refused(decision, record));
    }

    /// <summary>The reviewer's or editor's note on a move, from an optional JSON body <c>{"comment": "…"}</c>.</summary>
    public sealed record ReviewNote(string? Comment);

    private static async Task<(string? Comment, IResult? Problem)> ReadNoteAsync(HttpRequest request, bool required, CancellationToken cancellationToken)
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
            return (null, ApiProblems.Invalid([ApiError.At("/comment", "length", "A comment has at most 2,000 characters.")]));
        }

        return required && string.IsNullOrEmpty(comment)
            ? (null, ApiProblems.Invalid([ApiError.At("/comment", "required", "Say why: the editor reads the comment to know what to change.")]))
            : (string.IsNullOrEmpty(comment) ? null : comment, null);
    }

    private static async Task<IResult> SaveMoveAsync(HttpContext context, OneGoDbContext db, BundleRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Preconditions.Stale(null);
        }

        return Send(context, record);
    }

    private static async Task<IResult> Submit(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Submit, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        var (comment, problem) = await ReadNoteAsync(context.Request, required: false, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (record!.Proposal == ProposalKind.Change)
        {
            // Nobody submits what would not resolve: a matter or a standard may have changed since the draft was saved.
            var resolution = await catalogue.ResolveAsync(BundleDocument.Parse(record.Draft), await catalogue.LocalMattersAsync(cancellationToken), cancellationToken);
            if (!resolution.IsValid)
            {
                return Invalid(resolution.Errors);
            }
        }

        Move(record, decision!);
        record.SubmittedBy = context.Actor();
        record.SubmittedAt = clock.Now();
        record.ReviewComment = comment;
        record.Revision++;
        db.Audit(new AuditEvent(context.Actor(), record.Proposal == ProposalKind.Withdrawal ? "bundle.submit-withdrawal" : "bundle.submit", $"bundle/{code}", null, comment));
        return await SaveMoveAsync(context, db, record, cancellationToken);
    }

    private static async Task<IResult> ProposeWithdrawal(HttpContext context, OneGoDbContext db, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.ProposeWithdrawal, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        var (comment, problem) = await ReadNoteAsync(context.Request, required: true, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        Move(record!, decision!);
        var now = clock.Now();
        record!.DraftUpdatedBy = record.SubmittedBy = context.Actor();
        record.DraftUpdatedAt = now;
        record.SubmittedAt = now;
        record.ReviewComment = comment;
        record.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "bundle.submit-withdrawal", $"bundle/{code}", new { liveVersion = record.LiveVersion }, comment));
        return await SaveMoveAsync(context, db, record, cancellationToken);
    }

    private static async Task<IResult> Reject(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Reject, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        var (comment, problem) = await ReadNoteAsync(context.Request, required: true, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var proposal = record!.Proposal;
        Move(record, decision!);
        record.ReviewComment = comment;
        record.SubmittedBy = null;
        record.SubmittedAt = null;
        record.Revision++;
        db.Audit(new AuditEvent(context.Actor(), proposal == ProposalKind.Withdrawal ? "bundle.reject-withdrawal" : "bundle.reject", $"bundle/{code}", null, comment));
        return await SaveMoveAsync(context, db, record, cancellationToken);
    }

    private static async Task<IResult> Approve(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, LiveBundles live, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (record, decision, answer) = await BeginMoveAsync(context, db, code, ReviewAction.Approve, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        var (comment, problem) = await ReadNoteAsync(context.Request, required: false, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (record!.Proposal == ProposalKind.Withdrawal)
        {
            var withdrawn = record.LiveVersion;
            record.LiveVersion = null;
            record.WithdrawnAt = clock.Now();
            Move(record, decision!);
            record.SubmittedBy = null;
            record.SubmittedAt = null;
            record.ReviewComment = null;
            record.Revision++;
            db.Audit(new AuditEvent(context.Actor(), "bundle.withdraw", $"bundle/{code}", new { withdrawnVersion = withdrawn }, comment));
            var saved = await SaveMoveAsync(context, db, record, cancellationToken);
            live.Forget(context.Tenant().Id, code);
            return saved;
        }

        var document = BundleDocument.Parse(record.Draft);
        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(document, matters, cancellationToken);
        if (!resolution.IsValid)
        {
            // A matter it uses may have changed since the draft was submitted.
            return Invalid(resolution.Errors);
        }

        var previous = record.LiveVersion is { } liveVersion
            ? await db.Set<BundleVersion>().AsNoTracking().Where(v => v.BundleCode == code && v.Version == liveVersion).Select(v => v.Document).SingleAsync(cancellationToken)
            : null;
        var version = catalogue.RecordVersion(record, document, resolution.Value!, matters, Origins.Api, context.Actor());
        db.Audit(new AuditEvent(context.Actor(), "bundle.approve", $"bundle/{code}",
            new { version = version.Version, etag = version.ETag, changes = JsonChanges.Between(previous is null ? null : BundleDocument.Parse(previous), document) }, comment));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Preconditions.Stale(null);
        }

        live.Forget(context.Tenant().Id, code);
        var location = $"/api/t/{context.Tenant().Id}/bundles/{Uri.EscapeDataString(code)}/versions/{version.Version}";
        context.Response.Headers.Location = location;
        return Results.Json(new Approval(code, version.Version, version.ETag, location), CatalogueJson.Options);
    }
}
