using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Templates;

/// <summary>
/// The template layer over HTTP: the standards a tenant offers and who adopted them (public, since only live
/// content is shown), what an adopter changes against its standard and how far behind it is, and rebasing a
/// working copy onto a newer version of its standard.
/// </summary>
internal static class TemplatesApi
{
    public static IEndpointRouteBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/t/{tenant}").WithTags("Templates");
        tenant.MapGet("/templates", ListTemplates).WithName("listTemplates")
            .WithSummary("The standards this tenant offers to the tenants below, with their versions.");
        tenant.MapGet("/templates/{code}/adoptions", ListAdoptions).WithName("listAdoptions")
            .WithSummary("Who below adopted the standard (live), at which version, how far behind, how many local changes.");
        tenant.MapGet("/adoption-matrix", GetAdoptionMatrix.HandleAsync).WithName("getAdoptionMatrix")
            .WithSummary("In one call: the standards this tenant and the regions above it offer (its own first), each with the live adoptions of the tenants below it.");
        tenant.MapGet("/live-standing", ListLiveStanding.HandleAsync).WithName("listLiveStanding")
            .WithSummary("In one call: each live bundle's standard and how far behind it is; for those who may read drafts, its matters changed since approval.")
            .WithMetadata(new OptionalSignIn(Capability.ReadDrafts));
        tenant.MapGet("/bundles/{code}/diff", LiveDiff).WithName("getLiveBundleDiff")
            .WithSummary("What the live bundle changes against its standard; how far behind it is; matters changed since approval.")
            .WithMetadata(new OptionalSignIn(Capability.ReadDrafts));

        var drafts = tenant.MapGroup("/bundles/{code}/draft");
        drafts.MapGet("/diff", DraftDiff).WithName("getBundleDraftDiff")
            .WithSummary("What the working copy changes against its standard (against=template) or against its live version (against=live).")
            .Requires(Capability.ReadDrafts);
        drafts.MapPost("/rebase", Rebase).WithName("rebaseBundleDraft")
            .WithSummary("Re-applies the overlay on a newer standard version; changes that no longer apply are set aside as conflicts.")
            .Accepts<RebaseRequest>(MediaTypes.Json)
            .WithMetadata(new DeclaredHeader(StatusCodes.Status200OK, "ETag", "The strong ETag of the rebased working copy: name it in If-Match to move it on."))
            .Requires(Capability.EditCatalogue);
        return app;
    }

    public sealed record TemplateVersionItem(int Version, string ETag, DateTimeOffset ApprovedAt);

    public sealed record TemplateItem(string Code, Text Name, int LatestVersion, IReadOnlyList<string> Locked, TemplateRef? BuiltOn, IReadOnlyList<TemplateVersionItem> Versions);

    public sealed record AdoptionItem(string Tenant, string Code, int LiveVersion, int AdoptedVersion, int Behind, int LocalChanges, DateTimeOffset ApprovedAt);

    public sealed record Adoptions(TemplateRef Standard, IReadOnlyList<AdoptionItem> Items);

    /// <summary>The standards a tenant may adopt or offers, with who below it adopted each.</summary>
    /// <param name="Tenant">The tenant asked about: the adoptions are those of the tenants below it.</param>
    /// <param name="Standards">Its own standards first, then its parent's, up to the national ones; by code within each.</param>
    public sealed record AdoptionMatrix(string Tenant, IReadOnlyList<MatrixStandard> Standards);

    /// <summary>One standard of the matrix.</summary>
    /// <param name="Standard">Who offers it, its code, and its latest version.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Versions">Its approved versions, oldest first.</param>
    /// <param name="Adoptions">The live adoptions of the tenants below the one asked about, by tenant.</param>
    public sealed record MatrixStandard(TemplateRef Standard, Text Name, IReadOnlyList<int> Versions, IReadOnlyList<AdoptionItem> Adoptions);

    /// <summary>Where a live bundle stands.</summary>
    /// <param name="Code">The bundle's code.</param>
    /// <param name="Name">Its name.</param>
    /// <param name="Version">Its live version.</param>
    /// <param name="Adopts">The standard its live version adopts, at the version it is pinned to; null for a bundle of its own.</param>
    /// <param name="LatestStandardVersion">The standard's latest approved version; null for a bundle of its own.</param>
    /// <param name="Behind">How many versions of its standard it is behind (0 for a bundle of its own).</param>
    /// <param name="MattersChangedSinceApproval">This tenant's matters with a newer live revision than the version embeds; only for those who may read the drafts.</param>
    public sealed record LiveStanding(string Code, Text Name, int Version, TemplateRef? Adopts, int? LatestStandardVersion, int Behind, IReadOnlyList<string>? MattersChangedSinceApproval);

    /// <summary>An adopter against its standard: where it stands and what it changes.</summary>
    public sealed record StandardStatus(TemplateRef Adopts, int LatestVersion, int Behind, IReadOnlyList<OverlayChange> Changes, IReadOnlyList<FieldDifference> Differences, IReadOnlyList<FieldDifference> StandardChangedSince);

    /// <summary>
    /// What a live bundle changes against its standard. <c>mattersChangedSinceApproval</c> — this tenant's matters
    /// with a newer live revision than the version embeds — is there only for callers who may read the drafts.
    /// </summary>
    public sealed record BundleDiffView(string Code, int? Version, StandardStatus? Standard, IReadOnlyList<string>? MattersChangedSinceApproval);

    public sealed record RebaseRequest(int? Version);

    /// <summary>A rebase's outcome.</summary>
    /// <param name="Draft">The rebased working copy, as its own route shows it.</param>
    /// <param name="Conflicts">The local changes that no longer apply, set aside with their reasons.</param>
    /// <param name="Upstream">What changed in the standard between the two versions.</param>
    public sealed record RebaseView([property: SchemaOf(typeof(DraftsApi.DraftView))] JsonNode Draft, IReadOnlyList<RebaseConflict> Conflicts, IReadOnlyList<FieldDifference> Upstream);

    private static async Task<Results<OkDocument<Page<TemplateItem>>, InvalidProblem>> ListTemplates(HttpContext context, OneGoDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var after = paging.After ?? "";
        var standards = await db.Set<BundleRecord>().AsNoTracking()
            .Where(b => b.IsStandard && b.LiveVersion != null && string.Compare(b.Code, after) > 0)
            .OrderBy(b => b.Code).Take(paging.Limit + 1)
            .Select(b => new { b.Code, b.LiveVersion })
            .ToListAsync(cancellationToken);
        var codes = standards.Select(s => s.Code).ToList();
        var versions = (await db.Set<BundleVersion>().AsNoTracking().Where(v => codes.Contains(v.BundleCode))
            .Select(v => new { v.BundleCode, v.Version, v.ETag, v.ApprovedAt, v.Document, v.Summary }).ToListAsync(cancellationToken))
            .ToLookup(v => v.BundleCode);
        var items = standards.Select(s =>
        {
            var all = versions[s.Code].OrderBy(v => v.Version).ToList();
            var latest = all.Single(v => v.Version == s.LiveVersion);
            var document = BundleDocument.Parse(latest.Document);
            var summary = JsonSerializer.Deserialize<BundleSummary>(latest.Summary, CatalogueJson.Options)!;
            return new TemplateItem(s.Code, summary.Name, s.LiveVersion!.Value, document.Standard?.Locked ?? [], document.Adopts,
                all.Select(v => new TemplateVersionItem(v.Version, v.ETag, v.ApprovedAt)).ToList());
        });
        return new OkDocument<Page<TemplateItem>>(paging.Take(items, i => i.Code));
    }

    private static async Task<Results<OkDocument<Adoptions>, NotFoundProblem>> ListAdoptions(HttpContext context, OneGoDbContext db, CurrentTenant tenants, string code, CancellationToken cancellationToken)
    {
        var owner = context.Tenant().Id;
        var latest = await db.Set<BundleRecord>().AsNoTracking().Where(b => b.Code == code && b.IsStandard).Select(b => b.LiveVersion).SingleOrDefaultAsync(cancellationToken);
        if (latest is null)
        {
            return ApiProblems.NotFound("No such standard", $"{owner} offers no standard '{code}'.");
        }

        List<AdoptionItem> items;
        // The matrix reads the live rows of the tenants below, in the public scope: live content only.
        using (tenants.EnterPublic(owner, readsBelow: true))
        {
            items = await db.Set<BundleRecord>().AsNoTracking()
                .Where(b => b.TenantId != owner && b.AdoptsTenant == owner && b.AdoptsCode == code && b.LiveVersion != null)
                .Join(db.Set<BundleVersion>(), b => new { b.TenantId, b.Code, Version = b.LiveVersion!.Value }, v => new { v.TenantId, Code = v.BundleCode, v.Version },
                    (b, v) => new AdoptionItem(b.TenantId, b.Code, b.LiveVersion!.Value, b.AdoptsVersion!.Value, latest.Value - b.AdoptsVersion!.Value, b.LocalChanges ?? 0, v.ApprovedAt))
                .ToListAsync(cancellationToken);
        }

        return new OkDocument<Adoptions>(new Adoptions(new TemplateRef { Tenant = owner, Code = code, Version = latest.Value }, items.OrderBy(i => i.Tenant, StringComparer.Ordinal).ToList()));
    }

    private static async Task<Results<OkDocument<BundleDiffView>, NotFoundProblem>> LiveDiff(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, CurrentTenant tenants, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code && b.LiveVersion != null, cancellationToken);
        if (record is null)
        {
            return ApiProblems.NotFound("No such live bundle", $"{context.Tenant().Id} has no live bundle '{code}'.");
        }

        var version = await db.Set<BundleVersion>().AsNoTracking().SingleAsync(v => v.BundleCode == code && v.Version == record.LiveVersion, cancellationToken);
        var document = BundleDocument.Parse(version.Document);
        var embedded = (JsonSerializer.Deserialize<List<Matter>>(version.Matters, CatalogueJson.Options) ?? []).ToDictionary(m => m.Code, StringComparer.Ordinal);
        var status = await StatusAsync(catalogue, context.Tenant().Id, document, embedded, cancellationToken);

        // Which matters have a newer live revision than the one this version embeds is the tenant's own business:
        // matters are not public, so only those who may read its drafts are told.
        List<string>? changed = null;
        if (Capabilities.Allows(context.User, Capability.ReadDrafts, context.Tenant().Id))
        {
            var approvedETags = JsonSerializer.Deserialize<Dictionary<string, string>>(version.MatterETags) ?? [];
            LocalMatters current;
            using (tenants.Enter(context.Tenant().Id))
            {
                current = await catalogue.LocalMattersAsync(cancellationToken);
            }

            changed = approvedETags.Where(m => current.ETagOf(m.Key) != m.Value).Select(m => m.Key).Order(StringComparer.Ordinal).ToList();
        }

        return new OkDocument<BundleDiffView>(new BundleDiffView(code, version.Version, status, changed));
    }

    /// <summary>Where an adopter stands against its standard: null for a bundle of its own.</summary>
    private static async Task<StandardStatus?> StatusAsync(BundleCatalogue catalogue, string tenant, BundleDocument document, IReadOnlyDictionary<string, Matter> matters, CancellationToken cancellationToken)
    {
        if (document.Adopts is not { } adopts)
        {
            return null;
        }

        var standard = await catalogue.LoadStandardAsync(adopts, tenant, cancellationToken);
        if (!standard.IsValid)
        {
            return null;
        }

        var applied = TemplateResolver.ApplyOverlay(standard.Value!, document.Overlay!, matters);
        var differences = applied.IsValid ? BundleDiff.Compare(standard.Value!.Definition, applied.Value!) : [];
        var latest = await catalogue.LatestStandardVersionAsync(adopts.Tenant, adopts.Code, cancellationToken) ?? adopts.Version;
        IReadOnlyList<FieldDifference> upstream = [];
        if (latest > adopts.Version && (await catalogue.LoadStandardAsync(adopts with { Version = latest }, tenant, cancellationToken)).Value is { } newest)
        {
            upstream = BundleDiff.Compare(standard.Value!.Definition, newest.Definition);
        }

        return new StandardStatus(adopts, latest, latest - adopts.Version, document.Changes, differences, upstream);
    }

    private static async Task<Results<OkDocument<BundleDiffView>, OkDocument<IReadOnlyList<FieldDifference>>, InvalidProblem, NotFoundProblem, ConflictProblem>> DraftDiff(
        HttpContext context,
        OneGoDbContext db,
        BundleCatalogue catalogue,
        string code,
        [System.ComponentModel.Description("template (the default): what the working copy changes against its standard, as a BundleDiffView; live: the field-by-field differences from its live version.")] string? against,
        CancellationToken cancellationToken)
    {
        if (against is not (null or "template" or "live"))
        {
            return ApiProblems.Invalid([ApiError.ForParameter("against", "enum", $"against must be template or live; it was '{against}'.")]);
        }

        var record = await db.Set<BundleRecord>().AsNoTracking().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return ApiProblems.NotFound("No such bundle", $"{context.Tenant().Id} has no bundle '{code}'.");
        }

        var document = BundleDocument.Parse(record.Draft);
        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        if (against is null or "template")
        {
            if (document.Adopts is null)
            {
                return ApiProblems.Conflict("Not an adoption", $"'{code}' is a bundle of its own: it has no standard to compare with. Use against=live.");
            }

            var status = await StatusAsync(catalogue, context.Tenant().Id, document, matters.Documents, cancellationToken);
            return new OkDocument<BundleDiffView>(new BundleDiffView(code, record.LiveVersion, status, []));
        }

        if (record.LiveVersion is null)
        {
            return ApiProblems.Conflict("Nothing live yet", $"'{code}' has no approved version to compare with.");
        }

        var version = await db.Set<BundleVersion>().AsNoTracking().SingleAsync(v => v.BundleCode == code && v.Version == record.LiveVersion, cancellationToken);
        var draft = await catalogue.ResolveAsync(document, matters, cancellationToken);
        if (!draft.IsValid)
        {
            return ApiProblems.Invalid(draft.Errors.Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList());
        }

        return new OkDocument<IReadOnlyList<FieldDifference>>(BundleDiff.Compare(await catalogue.EffectiveOfAsync(version, cancellationToken), draft.Value!));
    }

    private static async Task<Results<OkDocument<RebaseView>, NotFoundProblem, EditProblem, BodyProblem, InvalidProblem>> Rebase(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == code, cancellationToken);
        if (record is null)
        {
            return ApiProblems.NotFound("No such bundle", $"{context.Tenant().Id} has no bundle '{code}'.");
        }

        var document = BundleDocument.Parse(record.Draft);
        // A rebase is an edit that must name the working copy it read (If-Match: * is refused).
        var (decision, answer) = await WorkingCopyReview.DecideAsync(context, record, DraftsApi.SubjectOf(record), ReviewAction.Edit, DraftsApi.View(record).ETag,
            namesWhatWasRead: true, conflict: () => Task.FromResult(document.Adopts is null
                ? WorkingCopyReview.Conflict(record, "Not an adoption", $"'{code}' adopts no standard; there is nothing to rebase onto.")
                : null));
        if (answer is not null)
        {
            return new EditProblem(answer);
        }

        var adopts = document.Adopts!;
        var (request, problem) = await JsonBody.ReadAsync<RebaseRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var tenant = context.Tenant().Id;
        var from = await catalogue.LoadStandardAsync(adopts, tenant, cancellationToken);
        var to = request!.Version is int target && target > 0
            ? await catalogue.LoadStandardAsync(adopts with { Version = target }, tenant, cancellationToken)
            : null;
        if (to is null || !to.IsValid || !from.IsValid)
        {
            return ApiProblems.Invalid([ApiError.At("/version", "unknown-standard",
                $"{adopts.Tenant} has no approved version {request.Version} of its standard '{adopts.Code}' to rebase onto.")]);
        }

        var matters = await catalogue.LocalMattersAsync(cancellationToken);
        var result = OverlayRebase.Rebase(from.Value!, to.Value!, document.Overlay!, matters.Documents);
        var rebased = document with { Adopts = result.Overlay.Adopts, Changes = result.Overlay.Changes };
        record.Draft = JsonSerializer.Serialize(rebased, CatalogueJson.Options);
        WorkingCopyReview.Edited(record, decision, context.Actor(), clock.Now());
        record.Conflicts = result.Conflicts.Count == 0 ? null : JsonSerializer.Serialize(result.Conflicts, CatalogueJson.Options);
        WorkingCopyReview.Audit(db, context, DraftsApi.Kinds.Bundle, record, "rebase",
            new { from = adopts.Version, to = request.Version, conflicts = result.Conflicts, changes = JsonChanges.Between(document, rebased) });
        if (await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost)
        {
            return new EditProblem(lost);
        }

        var (bytes, etag) = DraftsApi.View(record);
        context.Response.Headers.ETag = etag;
        return new OkDocument<RebaseView>(new RebaseView(JsonNode.Parse(bytes)!, result.Conflicts, result.Upstream));
    }
}
