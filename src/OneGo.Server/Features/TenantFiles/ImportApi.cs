using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// Imports the server's <c>tenants/</c> folder (<c>TenantFiles:Folder</c>) as <c>tenants import</c> does: the
/// reviewed-in-the-repository path, all or nothing. The national admins may call it, and so may the national admin
/// service account — the one thing an admin service account may do (a deployment pipeline importing what was merged).
/// </summary>
internal static class ImportApi
{
    public sealed record ImportAnswer(int Applied, int Unchanged, IReadOnlyList<string> Files);

    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/imports", ImportAsync).WithTags("Tenants").WithName("importTenantFiles")
            .WithSummary("Imports the server's tenants/ folder; a file with an error is 422 with its path, line and column, and nothing is kept.")
            .Requires(Capability.Import);
        return app;
    }

    private static async Task<Results<Ok<ImportAnswer>, ConflictProblem, InvalidProblem>> ImportAsync(HttpContext context, TenantImport import, IOptions<TenantFilesSettings> settings, IHostEnvironment environment, ILogger<TenantImport> logger, CancellationToken cancellationToken)
    {
        if (settings.Value.FolderIn(environment) is not { } folder)
        {
            return ApiProblems.Conflict("No tenants/ folder", "This server has no tenants/ folder to import: set TenantFiles:Folder.");
        }

        logger.LogInformation("{Actor} imports {Folder}", context.Actor(), folder);
        var result = await import.ImportAsync(folder, cancellationToken);
        if (!result.Succeeded)
        {
            return ApiProblems.Invalid(result.Problems.Select(p => new ApiError(null, null, "file", p.ToString())).ToList(),
                $"The tenants/ folder was not imported: {result.Problems.Count} problem(s); nothing changed.");
        }

        return TypedResults.Ok(new ImportAnswer(result.Applied!.Changes.Count, result.Applied.UnchangedFiles, result.Applied.Changes.Select(c => c.Path).ToList()));
    }
}
