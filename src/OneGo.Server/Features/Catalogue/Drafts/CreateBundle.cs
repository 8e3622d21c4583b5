using System.Text.Json;
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

/// <summary>POST /api/t/{tenant}/bundles: a new bundle, its own definition or an adoption of a standard with local changes, as a working copy in draft.</summary>
internal static class CreateBundle
{
    public static async Task<Results<CreatedTagged<DraftView>, BodyProblem, InvalidProblem, ConflictProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, Tenants.RegionDirectory directory, TimeProvider clock, CancellationToken cancellationToken)
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
        var departments = await directory.UnknownDepartmentsAsync(context.Tenant(), document.Departments(), cancellationToken);
        if (!resolution.IsValid || departments.Count > 0)
        {
            return Invalid([.. resolution.Errors, .. departments]);
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
}
