using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// Working copies: create a bundle, read and change its draft (If-Match), see it resolved, and approve it into
/// a new live version. Until review lands, an editor's explicit approve stands in for the reviewer's.
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
        tenant.MapPost("/bundles/{code}/draft/approve", Approve).WithName("ApproveDraft")
            .WithSummary("Approves the working copy named by If-Match into a new live version.")
            .Requires(Capability.Review);
        return app;
    }

    /// <summary>A working copy as the API shows it; its ETag is the hash of these bytes.</summary>
    public sealed record DraftView(
        string Code, DraftState State, int Revision, BundleDocument Document, int? LiveVersion,
        DateTimeOffset UpdatedAt, string? UpdatedBy, string? Comment, IReadOnlyList<RebaseConflict> Conflicts);

    public sealed record DraftItem(string Code, DraftState State, DateTimeOffset UpdatedAt, string? UpdatedBy, int? LiveVersion, string? Comment);

    public sealed record Approval(string Code, int Version, string ETag, string Location);

    private static (byte[] Bytes, string ETag) View(BundleRecord record)
    {
        var view = new DraftView(record.Code, record.DraftState, record.Revision, BundleDocument.Parse(record.Draft),
            record.LiveVersion, record.DraftUpdatedAt, record.DraftUpdatedBy, record.ReviewComment, ConflictsOf(record));
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
            .Select(b => new DraftItem(b.Code, b.DraftState, b.DraftUpdatedAt, b.DraftUpdatedBy, b.LiveVersion, b.ReviewComment))
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

    private static IResult Conflict(string title, string detail, DraftState state) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict, title: title, detail: detail,
        extensions: new Dictionary<string, object?> { ["state"] = JsonNamingPolicy.CamelCase.ConvertName(state.ToString()) });

    private static async Task<IResult> PutDraft(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return UnknownBundle(context, code);
        }

        if (record.DraftState == DraftState.Submitted)
        {
            return Conflict("The draft is waiting for review", "A submitted draft is read-only until a reviewer approves or rejects it.", record.DraftState);
        }

        var (ifMatch, missing) = Preconditions.RequireIfMatch(context.Request);
        if (missing is not null)
        {
            return missing;
        }

        if (Preconditions.CheckIfMatch(ifMatch!, View(record).ETag) is { } stale)
        {
            return stale;
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

        record.Draft = JsonSerializer.Serialize(document, CatalogueJson.Options);
        record.DraftState = DraftState.Draft;
        // Saving the draft after a rebase is the editor's answer to the changes it set aside.
        record.Conflicts = null;
        record.DraftUpdatedAt = clock.Now();
        record.DraftUpdatedBy = context.Actor();
        record.Revision++;
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

    private static async Task<IResult> Approve(HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, LiveBundles live, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return UnknownBundle(context, code);
        }

        if (record.DraftState == DraftState.Approved)
        {
            return Conflict("Nothing to approve", $"The working copy of '{code}' is already version {record.LiveVersion}, which is live.", record.DraftState);
        }

        if (record.Conflicts is not null)
        {
            return Conflict("Unresolved rebase conflicts", $"A rebase set aside {ConflictsOf(record).Count} change(s) of '{code}'; look at each, save the draft, then approve.", record.DraftState);
        }

        var (ifMatch, missing) = Preconditions.RequireIfMatch(context.Request);
        if (missing is not null)
        {
            return missing;
        }

        if (Preconditions.CheckIfMatch(ifMatch!, View(record).ETag) is { } stale)
        {
            return stale;
        }

        var document = BundleDocument.Parse(record.Draft);
        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var resolution = await catalogue.ResolveAsync(document, matters, cancellationToken);
        if (!resolution.IsValid)
        {
            // A matter it uses may have changed since the draft was saved.
            return Invalid(resolution.Errors);
        }

        var version = catalogue.RecordVersion(record, document, resolution.Value!, matters, Origins.Api, context.Actor());
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
        return Results.Json(new Approval(code, version.Version, version.ETag, location), CatalogueJson.Options);
    }
}
