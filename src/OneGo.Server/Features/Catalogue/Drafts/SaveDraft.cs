using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Catalogue.DraftsApi;

namespace OneGo.Server.Features.Catalogue.Drafts;

/// <summary>PUT /api/t/{tenant}/bundles/{code}/draft: an editor changes the working copy (If-Match); it must resolve.</summary>
internal static class SaveDraft
{
    public static async Task<Results<Tagged<DraftView>, NotFoundProblem, EditProblem, BodyProblem, InvalidProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, Tenants.RegionDirectory directory, TimeProvider clock, string code, CancellationToken cancellationToken)
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
        var departments = await directory.UnknownDepartmentsAsync(OneGo.Server.Features.Tenants.TenantResolution.Tenant(context), document.Departments(), cancellationToken);
        if (!resolution.IsValid || departments.Count > 0)
        {
            return Invalid([.. resolution.Errors, .. departments]);
        }

        var before = BundleDocument.Parse(record!.Draft);
        record.Draft = JsonSerializer.Serialize(document, CatalogueJson.Options);
        WorkingCopyReview.Edited(record, decision!, context.Actor(), clock.Now());
        // Saving the draft after a rebase is the editor's answer to the changes it set aside.
        record.Conflicts = null;
        WorkingCopyReview.Audit(db, context, Kinds.Bundle, record, "edit", JsonChanges.Between(before, document));
        return await WorkingCopyReview.SaveAsync(db, cancellationToken) is { } lost ? new EditProblem(lost) : Send(record);
    }
}
