using System.Security.Claims;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary>What an endpoint needs; who has it is decided in one place, from the token and the region tree.</summary>
public enum Capability
{
    /// <summary>Read the working copies (drafts) of the route's tenant: its editors and reviewers, and admins (people) at or above it.</summary>
    ReadDrafts,

    /// <summary>Change the route's tenant's catalogue: its editors.</summary>
    EditCatalogue,

    /// <summary>Approve or reject the route's tenant's changes: its reviewers.</summary>
    Review,

    /// <summary>Accounts, role grants, settings and publishing of the route's tenant: admins at or above it, people only.</summary>
    Administer,

    /// <summary>Import the <c>tenants/</c> folder: the national admins, people or the import service account — the one thing an admin service account may do.</summary>
    Import,

    /// <summary>Read the route's tenant's audit log: its own auditors (not those of a region above).</summary>
    ReadAudit,

    /// <summary>Verify every audit chain against its checkpoints: the auditors of national.</summary>
    VerifyAudit,

    /// <summary>Read the national service zone's feed: integrations with scope zone.read.</summary>
    ReadZone,

    /// <summary>
    /// Act as an applicant — one's own account and applications: applicants' tokens with scope apply; in the route's
    /// tenant, also its officers, for the walk-in applicant they serve at the comprehensive window (<c>X-OneGo-Applicant</c>).
    /// </summary>
    Apply,

    /// <summary>Serve walk-in applicants and accept applications at the route's tenant's comprehensive window (综窗): its officers bound to its window department (the token's <c>onego_window</c>).</summary>
    ServeAtWindow,

    /// <summary>
    /// Work the route's tenant's cases: its officers, people only. What each sees is its department's cases alone (the
    /// department's scope of the tenancy mechanism); the comprehensive window's officers see every case of the region.
    /// </summary>
    WorkCases,

    /// <summary>The deployment's own operations (push integrations, dead letters): the admins of national, people only — the national operator.</summary>
    OperateNation,

    /// <summary>
    /// Read every figure of the route's tenant's statistics, with its count, below the public minimum too: the people of
    /// its staff (any role of the tenant) and its admins above. Everyone else reads the public figures.
    /// </summary>
    ReadStatistics,

    /// <summary>
    /// Read the route's tenant's rectifications of bad ratings (差评整改): its officers, people only — a department's
    /// officers their own department's (its scope), the window's the region's — and its admins (people) at or above it.
    /// </summary>
    ReadRectifications,
}

/// <summary>Marks an endpoint as needing a capability; an endpoint without it is public and runs in the public scope.</summary>
public sealed record RequiredCapability(Capability Capability);

/// <summary>
/// The one authorization mechanism: endpoints declare the capability they need; the route's tenant, the token's
/// tenant and role, and the tenant tree decide. API routes answer 401 without a valid token and 403 without the
/// right, never a redirect.
/// </summary>
public static class Capabilities
{
    public static bool Allows(ClaimsPrincipal user, Capability capability, string? routeTenant)
    {
        var tenant = user.FindFirstValue(OneGoClaims.Tenant);
        var roles = user.FindAll(OneGoClaims.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        // A service account's admin role imports and does nothing else; every other admin power needs a person.
        var person = user.FindFirstValue(OneGoClaims.Kind) == KindPerson;
        bool Own() => tenant is not null && tenant == routeTenant;
        bool AtOrAbove() => tenant is not null && routeTenant is not null && (tenant == routeTenant || RegionRules.IsBelow(routeTenant, tenant));
        bool National() => tenant == RegionRules.NationalId;
        bool AtWindow() => roles.Contains(Roles.Officer) && person && Own() && user.FindFirstValue(OneGoClaims.AtWindow) == "true";

        return capability switch
        {
            Capability.ReadDrafts => ((roles.Contains(Roles.Editor) || roles.Contains(Roles.Reviewer)) && Own()) || (roles.Contains(Roles.Admin) && person && AtOrAbove()),
            Capability.EditCatalogue => roles.Contains(Roles.Editor) && Own(),
            Capability.Review => roles.Contains(Roles.Reviewer) && Own(),
            Capability.Administer => roles.Contains(Roles.Admin) && person && AtOrAbove(),
            Capability.Import => roles.Contains(Roles.Admin) && National(),
            Capability.ReadAudit => roles.Contains(Roles.Auditor) && Own(),
            Capability.VerifyAudit => roles.Contains(Roles.Auditor) && National(),
            Capability.OperateNation => roles.Contains(Roles.Admin) && person && National(),
            Capability.ReadZone => user.HasScope(OneGoClaims.ZoneReadScope),
            Capability.Apply => (user.HasScope(OneGoClaims.ApplyScope) && user.FindFirstValue(OneGoClaims.Kind) == KindApplicant) || AtWindow(),
            Capability.ServeAtWindow => AtWindow(),
            Capability.WorkCases => roles.Contains(Roles.Officer) && person && Own(),
            Capability.ReadStatistics => person && ((roles.Count > 0 && Own()) || (roles.Contains(Roles.Admin) && AtOrAbove())),
            Capability.ReadRectifications => person && ((roles.Contains(Roles.Officer) && Own()) || (roles.Contains(Roles.Admin) && AtOrAbove())),
            _ => false,
        };
    }

    public const string KindPerson = "person";
    public const string KindService = "service";
    public const string KindApplicant = "applicant";

    private static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.FindAll(Claims.Private.Scope).Any(c => c.Value == scope) ||
        user.FindAll("scope").Any(c => c.Value.Split(' ').Contains(scope));

    /// <summary>The endpoint needs <paramref name="capability"/> in its route's tenant.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, Capability capability) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredCapability(capability)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.User.Identity?.IsAuthenticated != true)
            {
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in required",
                    detail: "This route needs a bearer token from /connect/token (or a signed-in person's access token).",
                    type: "https://onego.gov.cn/problems/unauthorized");
            }

            var routeTenant = http.Features.Get<RequestTenant>()?.Region.Id;
            if (!Allows(http.User, capability, routeTenant))
            {
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                    detail: $"The {string.Join(" and ", http.User.FindAll(OneGoClaims.Role).Select(c => c.Value).DefaultIfEmpty("caller"))} of {http.User.FindFirstValue(OneGoClaims.Tenant) ?? "no tenant"} may not {Describe(capability)}{(routeTenant is null ? "" : " in " + routeTenant)}.",
                    type: "https://onego.gov.cn/problems/forbidden");
            }

            return await next(context);
        });

    private static string Describe(Capability capability) => capability switch
    {
        Capability.ReadDrafts => "read the drafts",
        Capability.EditCatalogue => "change the catalogue",
        Capability.Review => "approve or reject changes",
        Capability.Administer => "administer accounts and settings (an admin service account may only import)",
        Capability.Import => "import the tenants/ folder",
        Capability.ReadAudit => "read the audit log",
        Capability.VerifyAudit => "verify the audit chains",
        Capability.ReadZone => "read the national service zone",
        Capability.Apply => "act as an applicant (an applicant's token with scope apply, or the region's window officer for a walk-in applicant)",
        Capability.ServeAtWindow => "serve walk-in applicants at the region's comprehensive window (its officers)",
        Capability.WorkCases => "work the region's cases (its officers)",
        Capability.ReadStatistics => "read every figure of the region's statistics (its staff)",
        Capability.ReadRectifications => "read the rectifications of bad ratings (its officers and admins)",
        Capability.OperateNation => "operate the deployment (the national operator's work)",
        _ => capability.ToString(),
    };

    /// <summary>Who did it, for the records and four eyes: the account's user name (unique across kinds), or an integration's client id.</summary>
    public static string Actor(this HttpContext context) =>
        context.User.FindFirstValue(OneGoClaims.UserName) ?? context.User.FindFirstValue(Claims.Subject) ?? "anonymous";
}
