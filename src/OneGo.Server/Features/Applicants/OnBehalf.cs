using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Features.Applicants;

/// <summary>
/// 综窗代办: an officer of a region's comprehensive window acts for the walk-in applicant in front of them, named by the
/// <c>X-OneGo-Applicant</c> header (the applicant's subject). Tenant resolution then runs the request in that
/// applicant's scope of the one tenancy mechanism, exactly as the applicant's own token would — their applications in
/// this region only — while the records name the officer as the one who acted. Only officers of the region's own
/// window department may, and only for walk-in applicants that window registered; every read they make is audited. On the applicants' routes an officer always names the
/// applicant: without the header they are refused, so no officer request there runs in the region's wider scope.
/// </summary>
internal static class OnBehalf
{
    public const string Header = "X-OneGo-Applicant";

    /// <summary>Whether the caller is staff holding the officer role (not an applicant).</summary>
    public static bool IsOfficer(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindAll(OneGoClaims.Role).Any(r => r.Value == Roles.Officer)
        && user.FindFirstValue(OneGoClaims.Kind) == Capabilities.KindPerson;

    /// <summary>
    /// The applicant an officer's request acts for, or the problem that refuses it: the caller must be an officer of
    /// <paramref name="region"/> bound to its own window department, and the header must name an applicant.
    /// </summary>
    public static async Task<(string? Applicant, IResult? Refusal)> ResolveAsync(HttpContext context, RegionInfo region, string named)
    {
        if (await WindowRefusalAsync(context, region) is { } refusal)
        {
            return (null, refusal);
        }

        var db = context.RequestServices.GetRequiredService<OneGoDbContext>();
        // Only a walk-in applicant this region's window registered: never someone's own account.
        if (!Guid.TryParse(named, out var subject) || !await db.Set<Applicant>().AnyAsync(a => a.AccountId == subject && a.WindowTenantId == region.Id, context.RequestAborted))
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, "No such walk-in applicant",
                $"{Header} names no walk-in applicant of {region.Id}'s window: register the person first (POST /api/t/{region.Id}/walk-ins), then send their subject."));
        }

        return (subject.ToString(), null);
    }

    /// <summary>Null when the caller is an officer of <paramref name="region"/> bound to its own window department; otherwise the 403 that says why not.</summary>
    public static async Task<ProblemHttpResult?> WindowRefusalAsync(HttpContext context, RegionInfo region)
    {
        var user = context.User;
        if (!IsOfficer(user) || user.FindFirstValue(OneGoClaims.Tenant) != region.Id)
        {
            return Refuse(StatusCodes.Status403Forbidden, "Not a window officer here",
                $"Only officers of {region.Id}'s comprehensive window act for an applicant ({Header}).");
        }

        var department = user.FindFirstValue(OneGoClaims.Department);
        var reach = await context.RequestServices.GetRequiredService<RegionDirectory>().DepartmentsInReachAsync(region.Id, context.RequestAborted);
        return department is not null && reach.TryGetValue(department, out var found) && found.RegionId == region.Id && found.Department.Kind == OneGo.Catalogue.DepartmentKind.Window
            ? null
            : Refuse(StatusCodes.Status403Forbidden, "Not a window officer here",
                $"Your department ({department ?? "none"}) is not {region.Id}'s comprehensive window (综窗): only its officers serve walk-in applicants.");
    }

    /// <summary>An officer on an applicants' route without naming the applicant.</summary>
    public static IResult Unnamed(RegionInfo region) => Refuse(StatusCodes.Status400BadRequest, "Name the applicant",
        $"An officer acts on the applicants' routes for one walk-in applicant at a time: send their subject in {Header} (POST /api/t/{region.Id}/walk-ins registers them).");

    /// <summary>Every read an officer makes for an applicant is audited: who, whose, what (<see cref="Audit.StaffReads"/>).</summary>
    public static void AuditReads(HttpContext context, string applicant)
    {
        if (HttpMethods.IsGet(context.Request.Method))
        {
            context.AuditOnAnswer($"applicant/{applicant}", "at the comprehensive window");
        }
    }

    private static ProblemHttpResult Refuse(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>The applicant the request acts for: the applicant's own subject, or the walk-in applicant a window officer names.</summary>
    public static string ApplicantSubject(this HttpContext context) =>
        context.RequestServices.GetRequiredService<OneGo.Tenancy.CurrentTenant>().Scope?.Applicant
        ?? context.User.FindFirstValue(Claims.Subject)
        ?? throw new InvalidOperationException("An applicants' route ran without an applicant.");
}
