using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Catalogue;

namespace OneGo.Server.Features.Tenants;

/// <summary>A department a region's matters, bundles and overlays can name by its code.</summary>
/// <param name="Code">The code documents name it by (<c>public-security</c>).</param>
/// <param name="Name">Its official name.</param>
/// <param name="Kind">department, window (the comprehensive window, 综窗) or enterprise.</param>
/// <param name="CreditCode">Its 统一社会信用代码 (GB 32100-2015), where the region gives it.</param>
/// <param name="Region">The region that lists it: the region asked about, or the nearest region above that lists the code.</param>
public sealed record DepartmentView(string Code, string Name, DepartmentKind Kind, string? CreditCode, string Region);

internal static class DepartmentsApi
{
    public static IEndpointRouteBuilder MapDepartmentsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/t/{tenant}/departments").WithTags("Tenants")
            .MapGet("", ListDepartments).WithName("listDepartments")
            .WithSummary("The departments the region's documents can name, by code: its own and, for a code it does not list, the nearest region above's.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DepartmentView>>> ListDepartments(HttpContext context, RegionDirectory directory, CancellationToken cancellationToken)
    {
        var reach = await directory.DepartmentsInReachAsync(context.Tenant().Id, cancellationToken);
        IReadOnlyList<DepartmentView> views = reach.Values
            .OrderBy(d => d.Department.Kind != DepartmentKind.Window).ThenBy(d => d.Department.Code, StringComparer.Ordinal)
            .Select(d => new DepartmentView(d.Department.Code, d.Department.Name, d.Department.Kind, d.Department.CreditCode, d.RegionId))
            .ToList();
        return TypedResults.Ok(views);
    }
}
