using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Catalogue;

/// <summary>A tenant's matters (事项): list, read, create or change (PUT by basic code).</summary>
internal static class MattersApi
{
    public static IEndpointRouteBuilder MapMattersApi(this IEndpointRouteBuilder app)
    {
        var matters = app.MapGroup("/api/t/{tenant}/matters").WithTags("Matters");
        matters.MapGet("", ListMatters).WithName("ListMatters").WithSummary("The tenant's matters, by basic code.").Requires(Capability.ReadDrafts);
        matters.MapGet("/{code}", GetMatter).WithName("GetMatter").WithSummary("One matter document, with its ETag.").Requires(Capability.ReadDrafts);
        matters.MapPut("/{code}", PutMatter).WithName("PutMatter").Requires(Capability.EditCatalogue)
            .WithSummary("Creates the matter (201) or, with If-Match, changes it.")
            .Accepts<Matter>("application/json");
        return app;
    }

    public sealed record MatterItem(string Code, Text Name, string? Department, string ETag, DateTimeOffset UpdatedAt, string Origin);

    private static async Task<IResult> ListMatters(OneGoDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var after = paging.After ?? "";
        var rows = await db.Set<MatterRecord>().AsNoTracking()
            .Where(m => string.Compare(m.Code, after) > 0)
            .OrderBy(m => m.Code)
            .Take(paging.Limit + 1)
            .ToListAsync(cancellationToken);
        var items = rows.Select(r =>
        {
            var matter = JsonSerializer.Deserialize<Matter>(r.Document, CatalogueJson.Options)!;
            return new MatterItem(r.Code, matter.Name, matter.Department, r.ETag, r.UpdatedAt, r.Origin);
        });
        return Results.Ok(paging.Take(items, i => i.Code));
    }

    private static async Task<IResult> GetMatter(HttpContext context, OneGoDbContext db, string code, CancellationToken cancellationToken)
    {
        var row = await db.Set<MatterRecord>().AsNoTracking().SingleOrDefaultAsync(m => m.Code == code, cancellationToken);
        return row is null
            ? ApiProblems.NotFound("Unknown matter", $"{context.Tenant().Id} has no matter with the code '{code}'.")
            : Preconditions.Json(context, System.Text.Encoding.UTF8.GetBytes(row.Document), row.ETag);
    }

    private static async Task<IResult> PutMatter(HttpContext context, OneGoDbContext db, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var row = await db.Set<MatterRecord>().SingleOrDefaultAsync(m => m.Code == code, cancellationToken);
        string? ifMatch = null;
        if (row is not null)
        {
            (ifMatch, var missing) = Preconditions.RequireIfMatch(context.Request);
            if (missing is not null)
            {
                return missing;
            }

            if (Preconditions.CheckIfMatch(ifMatch!, row.ETag) is { } stale)
            {
                return stale;
            }
        }

        var (matter, problem) = await JsonBody.ReadAsync<Matter>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = CatalogueValidator.ValidateMatter(matter!).Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList();
        if (matter!.Code != code)
        {
            errors.Insert(0, ApiError.At("/code", "code-mismatch", $"The document's code '{matter.Code}' differs from the address's '{code}'; a matter keeps its basic code."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var document = JsonSerializer.SerializeToUtf8Bytes(matter, CatalogueJson.Options);
        var etag = Preconditions.ETagOf(document);
        var created = row is null;
        var before = row is null ? null : JsonSerializer.Deserialize<Matter>(row.Document, CatalogueJson.Options);
        row ??= db.Set<MatterRecord>().Add(new MatterRecord { Code = code, Document = "", ETag = "", Origin = Origins.Api }).Entity;
        row.Document = System.Text.Encoding.UTF8.GetString(document);
        row.ETag = etag;
        row.Origin = Origins.Api;
        row.Revision++;
        row.UpdatedAt = clock.Now();
        row.UpdatedBy = context.Actor();
        db.Audit(new AuditEvent(context.Actor(), created ? "matter.create" : "matter.change", $"matter/{code}", JsonChanges.Between(before, matter)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Preconditions.Stale(null);
        }
        catch (DbUpdateException) when (created)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Created meanwhile",
                detail: $"A matter '{code}' was created meanwhile; read it and change it with its ETag.");
        }

        context.Response.Headers.ETag = etag;
        if (created)
        {
            context.Response.Headers.Location = $"/api/t/{context.Tenant().Id}/matters/{Uri.EscapeDataString(code)}";
        }

        return Results.Text(row.Document, "application/json", System.Text.Encoding.UTF8, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }
}
