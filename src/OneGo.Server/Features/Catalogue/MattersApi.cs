using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// A tenant's matters (事项): the live revisions, and each matter's working copy reviewed like a bundle's — an
/// editor changes and submits it, another person approves it into the next live revision or rejects it. Only the
/// live revision reaches bundles; the moves go through <see cref="WorkingCopyReview"/>, as the bundles' do.
/// </summary>
internal static class MattersApi
{
    public static IEndpointRouteBuilder MapMattersApi(this IEndpointRouteBuilder app)
    {
        var matters = app.MapGroup("/api/t/{tenant}/matters").WithTags("Matters");
        matters.MapGet("", ListMatters).WithName("listMatters").WithSummary("The tenant's live matters, by basic code.").Requires(Capability.ReadDrafts);
        matters.MapGet("/{code}", GetMatter).WithName("getMatter").WithSummary("One matter's live revision, with its ETag.").Requires(Capability.ReadDrafts);
        matters.MapPut("/{code}", Moved).WithName("putMatterRetired").Requires(Capability.EditCatalogue)
            .WithSummary("Retired: a matter changes through its working copy (PUT …/matters/{code}/draft), never in place")
            .DeclaresProblem(StatusCodes.Status405MethodNotAllowed, "Always: a matter changes through its working copy; Allow names GET.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Deprecated = true;
                return Task.CompletedTask;
            });
        matters.MapGet("/{code}/draft", GetDraft).WithName("getMatterDraft").WithSummary("The matter's working copy, with its ETag.").Requires(Capability.ReadDrafts);
        matters.MapPut("/{code}/draft", PutDraft).WithName("saveMatterDraft").Requires(Capability.EditCatalogue)
            .WithSummary("Creates the matter's working copy (201) or, with If-Match, changes it; a submitted one is read-only (409).")
            .Accepts<Matter>(MediaTypes.Json);
        matters.MapPost("/{code}/draft/submit", Submit).WithName("submitMatterDraft")
            .WithSummary("Hands the working copy named by If-Match to review. Optional body {comment}.")
            .Accepts<WorkingCopyReview.ReviewNote>(isOptional: true, MediaTypes.Json)
            .Requires(Capability.EditCatalogue);
        matters.MapPost("/{code}/draft/approve", Approve).WithName("approveMatterDraft")
            .WithSummary("Approves the submitted working copy named by If-Match: the matter's next live revision. Not by whoever last changed or submitted it.")
            .Accepts<WorkingCopyReview.ReviewNote>(isOptional: true, MediaTypes.Json)
            .Requires(Capability.Review);
        matters.MapPost("/{code}/draft/reject", Reject).WithName("rejectMatterDraft")
            .WithSummary("Returns the submitted working copy named by If-Match to its editors; body {comment} is required.")
            .Accepts<WorkingCopyReview.ReviewNote>(MediaTypes.Json)
            .Requires(Capability.Review);
        return app;
    }

    /// <summary>A live matter in the list.</summary>
    /// <param name="Code">Its code, unique within the region.</param>
    /// <param name="Department">The code of the department that handles it (see GET /api/t/{tenant}/departments).</param>
    /// <param name="DepartmentName">That department's name, as the region or the nearest region above lists it.</param>
    /// <param name="ETag">The strong ETag of its live revision.</param>
    /// <param name="Revision">The live revision's number.</param>
    /// <param name="UpdatedAt">When the live revision was approved (or imported).</param>
    /// <param name="Origin">Where it came from: api or file.</param>
    public sealed record MatterItem(string Code, Text Name, string? Department, string? DepartmentName, string ETag, int Revision, DateTimeOffset UpdatedAt, string Origin);

    /// <summary>A matter's working copy as the API shows it; its ETag is the hash of these bytes.</summary>
    public sealed record MatterDraftView(
        string Code, DraftState State, int Revision, Matter Document, int? LiveRevision,
        DateTimeOffset UpdatedAt, string? UpdatedBy, DateTimeOffset? SubmittedAt, string? SubmittedBy, string? Comment);

    private static (byte[] Bytes, string ETag) View(MatterRecord record)
    {
        var view = new MatterDraftView(record.Code, record.DraftState, record.Revision, Parse(record.Draft), record.LiveRevision,
            record.DraftUpdatedAt, record.DraftUpdatedBy, record.SubmittedAt, record.SubmittedBy, record.ReviewComment);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(view, CatalogueJson.Options);
        return (bytes, Preconditions.ETagOf(bytes));
    }

    private static Matter Parse(string json) => JsonSerializer.Deserialize<Matter>(json, CatalogueJson.Options)!;

    private static Tagged<MatterDraftView> Send(MatterRecord record)
    {
        var (bytes, etag) = View(record);
        return new Tagged<MatterDraftView>(bytes, etag);
    }

    private static NotFoundProblem UnknownMatter(HttpContext context, string code) =>
        ApiProblems.NotFound("Unknown matter", $"{context.Tenant().Id} has no matter with the code '{code}'.");

    private static async Task<Results<Ok<Page<MatterItem>>, InvalidProblem>> ListMatters(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var after = paging.After ?? "";
        var rows = await db.Set<MatterRecord>().AsNoTracking()
            .Where(m => m.LiveRevision != null && string.Compare(m.Code, after) > 0)
            .OrderBy(m => m.Code)
            .Take(paging.Limit + 1)
            .ToListAsync(cancellationToken);
        var departments = await directory.DepartmentNamesAsync(context.Tenant().Id, cancellationToken);
        var items = rows.Select(r =>
        {
            var matter = Parse(r.Document!);
            return new MatterItem(r.Code, matter.Name, matter.Department, matter.Department is null ? null : departments.Of(matter.Department), r.ETag!, r.LiveRevision!.Value, r.UpdatedAt, r.Origin!);
        });
        return TypedResults.Ok(paging.Take(items, i => i.Code));
    }

    private static async Task<Results<Conditional<Matter>, NotFoundProblem>> GetMatter(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var row = await db.Set<MatterRecord>().AsNoTracking().SingleOrDefaultAsync(m => m.Code == code && m.LiveRevision != null, cancellationToken);
        return row is null
            ? UnknownMatter(context, code)
            : Preconditions.Json<Matter>(System.Text.Encoding.UTF8.GetBytes(row.Document!), row.ETag!);
    }

    // Matters were once changed in place; a client still doing so is told where the working copy is now.
    private static ProblemHttpResult Moved(HttpContext context, string code)
    {
        context.Response.Headers.Allow = "GET";
        return TypedResults.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "Matters are changed through their working copy",
            detail: $"A matter's change is reviewed before it goes live: PUT /api/t/{context.Tenant().Id}/matters/{Uri.EscapeDataString(code)}/draft, then submit it for review.",
            type: "https://onego.gov.cn/problems/use-the-draft");
    }

    private static async Task<Results<Tagged<MatterDraftView>, NotFoundProblem>> GetDraft(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<MatterRecord>().AsNoTracking().SingleOrDefaultAsync(m => m.Code == code, cancellationToken);
        return record is null ? UnknownMatter(context, code) : Send(record);
    }

    private static async Task<Results<Tagged<MatterDraftView>, CreatedTagged<MatterDraftView>, EditProblem, BodyProblem, InvalidProblem, ConflictProblem>> PutDraft(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<MatterRecord>().SingleOrDefaultAsync(m => m.Code == code, cancellationToken);
        ReviewDecision? decision = null;
        if (record is not null)
        {
            ProblemHttpResult? answer;
            (decision, answer) = await WorkingCopyReview.DecideAsync(context, record, SubjectOf(record), ReviewAction.Edit, View(record).ETag, namesWhatWasRead: false);
            if (answer is not null)
            {
                return new EditProblem(answer);
            }
        }

        var (matter, problem) = await JsonBody.ReadAsync<Matter>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = (await NationalCatalogue.ValidateAsync(db, tenants, context.Tenant(), matter!, cancellationToken))
            .Concat(await directory.UnknownDepartmentsAsync(context.Tenant(), DepartmentReferences.Of(matter!), cancellationToken))
            .Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList();
        if (matter!.Code != code)
        {
            errors.Insert(0, ApiError.At("/code", "code-mismatch", $"The document's code '{matter.Code}' differs from the address's '{code}'; a matter keeps its basic code."));
        }

        if (record is null && CatalogueCodes.Check(code) is { } badCode)
        {
            errors.Insert(0, ApiError.At("/code", CatalogueCodes.Rule, badCode));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var now = clock.Now();
        var created = record is null;
        var before = record is null ? null : Parse(record.Draft);
        if (record is null)
        {
            record = db.Set<MatterRecord>().Add(new MatterRecord { Code = code, Draft = "", DraftState = DraftState.Draft }).Entity;
            decision = new ReviewDecision(DraftState.Draft, ProposalKind.Change, null);
        }

        record.Draft = JsonSerializer.Serialize(matter, CatalogueJson.Options);
        WorkingCopyReview.Edited(record, decision!, context.Actor(), now);
        WorkingCopyReview.Audit(db, context, DraftsApi.Kinds.Matter, record, created ? "create" : "edit", JsonChanges.Between(before, matter));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new EditProblem(Preconditions.Stale(null));
        }
        catch (DbUpdateException) when (created)
        {
            return ApiProblems.Conflict("Created meanwhile",
                $"A matter '{code}' was created meanwhile; read its working copy and change it with its ETag.");
        }

        if (created)
        {
            var (bytes, etag) = View(record);
            return new CreatedTagged<MatterDraftView>(bytes, etag, $"/api/t/{context.Tenant().Id}/matters/{Uri.EscapeDataString(code)}/draft");
        }

        return Send(record);
    }

    private static ReviewSubject SubjectOf(MatterRecord record) => WorkingCopyReview.SubjectOf(record, record.LiveRevision is not null);

    /// <summary>The working copy and the decision on the move with the comment it came with, or why the move is refused.</summary>
    private sealed record Move(MatterRecord Record, ReviewDecision Decision, string? Comment);

    private static async Task<(Move? Move, ProblemHttpResult? Refused, BodyProblem? Unreadable)> BeginMoveAsync(
        HttpContext context, OneGoDbContext db, string code, ReviewAction action, bool commentRequired, CancellationToken cancellationToken)
    {
        var record = await db.Set<MatterRecord>().SingleOrDefaultAsync(m => m.Code == code, cancellationToken);
        if (record is null)
        {
            return (null, UnknownMatter(context, code).Problem, null);
        }

        var (decision, answer) = await WorkingCopyReview.DecideAsync(context, record, SubjectOf(record), action, View(record).ETag, namesWhatWasRead: true);
        if (answer is not null)
        {
            return (null, answer, null);
        }

        var (comment, problem) = await WorkingCopyReview.ReadNoteAsync(context.Request, commentRequired, cancellationToken);
        return problem is null ? (new Move(record, decision, comment), null, null) : (null, null, problem);
    }

    private static async Task<Results<Tagged<MatterDraftView>, ReviewProblem, BodyProblem>> Submit(HttpContext context, OneGoDbContext db, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (move, refused, unreadable) = await BeginMoveAsync(context, db, code, ReviewAction.Submit, commentRequired: false, cancellationToken);
        if (move is not (var record, var decision, var comment))
        {
            return refused is not null ? new ReviewProblem(refused) : unreadable!;
        }

        WorkingCopyReview.Submitted(record, decision, context.Actor(), clock.Now(), comment);
        WorkingCopyReview.Audit(db, context, DraftsApi.Kinds.Matter, record, "submit", comment: comment);
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new ReviewProblem(lost) : Send(record);
    }

    private static async Task<Results<Tagged<MatterDraftView>, ReviewProblem, BodyProblem>> Reject(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var (move, refused, unreadable) = await BeginMoveAsync(context, db, code, ReviewAction.Reject, commentRequired: true, cancellationToken);
        if (move is not (var record, var decision, var comment))
        {
            return refused is not null ? new ReviewProblem(refused) : unreadable!;
        }

        WorkingCopyReview.Rejected(record, decision, comment!);
        WorkingCopyReview.Audit(db, context, DraftsApi.Kinds.Matter, record, "reject", comment: comment);
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new ReviewProblem(lost) : Send(record);
    }

    private static async Task<Results<Tagged<MatterDraftView>, ApprovalProblem, BodyProblem>> Approve(HttpContext context, OneGoDbContext db, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (move, refused, unreadable) = await BeginMoveAsync(context, db, code, ReviewAction.Approve, commentRequired: false, cancellationToken);
        if (move is not (var record, _, var comment))
        {
            return refused is not null ? new ApprovalProblem(refused) : unreadable!;
        }

        var before = record.Document is null ? null : Parse(record.Document);
        var after = Parse(record.Draft);
        MakeLive(record, after, Origins.Api, context.Actor(), clock.Now());
        WorkingCopyReview.Settled(record);
        WorkingCopyReview.Audit(db, context, DraftsApi.Kinds.Matter, record, "approve",
            new { revision = record.LiveRevision, etag = record.ETag, changes = JsonChanges.Between(before, after) }, comment);
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new ApprovalProblem(lost) : Send(record);
    }

    /// <summary>
    /// Makes <paramref name="matter"/> the matter's next live revision, and its working copy too; the caller settles
    /// the working copy and audits. Approval and the <c>tenants/</c> import both come through here.
    /// </summary>
    public static void MakeLive(MatterRecord record, Matter matter, string origin, string actor, DateTimeOffset now)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(matter, CatalogueJson.Options);
        record.Document = System.Text.Encoding.UTF8.GetString(bytes);
        record.BasicCode = matter.BasicCode;
        record.ImplementationCode = matter.ImplementationCode;
        record.ETag = Preconditions.ETagOf(bytes);
        record.LiveRevision = (record.LiveRevision ?? 0) + 1;
        record.Origin = origin;
        record.UpdatedBy = actor;
        record.UpdatedAt = now;
        record.Draft = record.Document;
    }
}
