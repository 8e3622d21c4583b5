using Microsoft.Extensions.Options;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Tenants;

/// <summary>The region a request is for, once its <c>{tenant}</c> (id or division code) or host name is resolved.</summary>
public sealed record RequestTenant(RegionInfo Region);

/// <summary>
/// Resolves the route's <c>{tenant}</c> — by id or by division code, answered exactly alike — or else the host
/// name (<c>Tenancy:Hosts</c>), and runs the rest of the request inside that tenant's scope. An unknown tenant is
/// a 404 before anything else looks at the request. This is the one place a request enters a tenant.
/// </summary>
internal static class TenantResolution
{
    public const string RouteParameter = "tenant";

    public static IApplicationBuilder UseTenantResolution(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        RegionInfo? region = null;
        if (context.GetRouteValue(RouteParameter) is string raw)
        {
            region = await directory.ResolveAsync(raw, context.RequestAborted);
            if (region is null)
            {
                await ApiProblems.UnknownTenant(raw).ExecuteAsync(context);
                return;
            }
        }
        else if (context.RequestServices.GetRequiredService<IOptions<TenancySettings>>().Value.Hosts.GetValueOrDefault(context.Request.Host.Host) is { Length: > 0 } hostTenant)
        {
            region = await directory.ResolveAsync(hostTenant, context.RequestAborted);
        }

        var tenants = context.RequestServices.GetRequiredService<CurrentTenant>();
        // A route that needs no capability is public: it reads live content only, and writes nothing.
        var isPublic = context.GetEndpoint()?.Metadata.GetMetadata<OneGo.Server.Identity.RequiredCapability>() is null;
        // An applicant works in an applicant's scope: their own applicant-owned rows only, in the region or, without one, in every region.
        var applicant = isPublic ? null : ApplicantOf(context.User);
        if (region is null)
        {
            using (applicant is null ? null : tenants.EnterApplicant(applicant))
            {
                await next(context);
            }

            return;
        }

        context.Features.Set(new RequestTenant(region));
        // A window officer acting for a walk-in applicant works in that applicant's scope (综窗代办), and on the
        // applicants' routes always names one.
        var actingFor = false;
        if (!isPublic && applicant is null && Applicants.OnBehalf.IsOfficer(context.User))
        {
            var capability = context.GetEndpoint()?.Metadata.GetMetadata<OneGo.Server.Identity.RequiredCapability>()?.Capability;
            var named = context.Request.Headers[Applicants.OnBehalf.Header].ToString();
            // An officer of another region is refused by the capability check as usual.
            var own = context.User.FindFirst(OneGo.Server.Identity.OneGoClaims.Tenant)?.Value == region.Id;
            // Only on the applicants' routes, and only a window's officer: the window's own routes and the cases are the
            // officer's, whoever they serve; an officer of another department is refused by the capability check.
            var atWindow = context.User.FindFirst(OneGo.Server.Identity.OneGoClaims.AtWindow)?.Value == "true";
            if (capability == OneGo.Server.Identity.Capability.Apply && atWindow && (named.Length > 0 || own))
            {
                if (named.Length == 0)
                {
                    await Applicants.OnBehalf.Unnamed(region).ExecuteAsync(context);
                    return;
                }

                var (subject, refusal) = await Applicants.OnBehalf.ResolveAsync(context, region, named);
                if (refusal is not null)
                {
                    await refusal.ExecuteAsync(context);
                    return;
                }

                // Its reads of the applicant's data are audited.
                (applicant, actingFor) = (subject, true);
            }
        }

        // An officer of the region works in their department's scope: its cases alone, read or written. The comprehensive
        // window's officers, who accept every application and deliver every result, see the region's cases.
        var department = !isPublic && applicant is null ? await DepartmentScopeAsync(context, region) : null;
        using (isPublic ? tenants.EnterPublic(region.Id)
            : applicant is not null ? tenants.EnterAsApplicant(region.Id, applicant)
            : department is not null ? tenants.EnterAsDepartment(region.Id, department)
            : tenants.Enter(region.Id))
        {
            if (actingFor)
            {
                Applicants.OnBehalf.AuditReads(context, applicant!);
            }

            await next(context);
        }
    });

    /// <summary>
    /// The department an officer of <paramref name="region"/> is confined to, or null for anyone else and for the
    /// region's own comprehensive window. An officer bound to no department of the region sees no case at all.
    /// </summary>
    private static async Task<string?> DepartmentScopeAsync(HttpContext context, RegionInfo region)
    {
        var user = context.User;
        if (!Applicants.OnBehalf.IsOfficer(user) || user.FindFirst(OneGo.Server.Identity.OneGoClaims.Tenant)?.Value != region.Id)
        {
            return null;
        }

        const string None = "(no department)";
        var department = user.FindFirst(OneGo.Server.Identity.OneGoClaims.Department)?.Value;
        if (string.IsNullOrEmpty(department))
        {
            return None;
        }

        var reach = await context.RequestServices.GetRequiredService<RegionDirectory>().DepartmentsInReachAsync(region.Id, context.RequestAborted);
        return reach.TryGetValue(department, out var found) && found.RegionId == region.Id && found.Department.Kind == OneGo.Catalogue.DepartmentKind.Window
            ? null
            : department;
    }

    /// <summary>The applicant a token speaks for (its immutable subject), or null for staff, integrations and anonymous callers.</summary>
    private static string? ApplicantOf(System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirst(OneGo.Server.Identity.OneGoClaims.Kind)?.Value == OneGo.Server.Identity.Capabilities.KindApplicant
            ? user.FindFirst(OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject)?.Value
            : null;

    /// <summary>The request's region; only routes with <c>{tenant}</c> (or a mapped host) have one.</summary>
    public static RegionInfo Tenant(this HttpContext context) =>
        context.Features.Get<RequestTenant>()?.Region ??
        throw new InvalidOperationException("This route has no {tenant}: tenant resolution did not run for it.");
}
