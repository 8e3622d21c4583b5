using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Tenants;

/// <summary>A region in lists: what a client needs to name it and place it in the tree.</summary>
/// <param name="DivisionCodeOutsideStandard">True when the division code is not a GB/T 2260 code: 660000, the national government service platform's code for 新疆生产建设兵团.</param>
public sealed record TenantSummary(string Id, string? DivisionCode, bool DivisionCodeOutsideStandard, string Name, string? NameEn, RegionLevel Level, string? ParentId)
{
    internal static TenantSummary From(RegionInfo r) => new(r.Id, r.DivisionCode, r.DivisionCodeOutsideStandard, r.Name, r.NameEn, r.Level, r.ParentId);
}

/// <summary>One region with its children and its public settings.</summary>
/// <param name="DivisionCodeOutsideStandard">True when the division code is not a GB/T 2260 code: 660000, the national government service platform's code for 新疆生产建设兵团.</param>
public sealed record TenantDetail(
    string Id,
    string? DivisionCode,
    bool DivisionCodeOutsideStandard,
    string Name,
    string? NameEn,
    RegionLevel Level,
    string? ParentId,
    IReadOnlyList<string> Children,
    string? DisplayName,
    string? DisplayNameEn,
    TenantContact Contact,
    TenantPublishing Publishing);

public sealed record TenantContact(string? Phone, string? Email, string? Address, string? Hours);

/// <summary>When the tenant's approved bundles go to the national zone: a Quartz cron in <see cref="TimeZone"/>.</summary>
public sealed record TenantPublishing(string Schedule, string TimeZone);

internal static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Tenants");

        api.MapGet("/tenants", ListTenants)
            .WithName("listTenants")
            .WithSummary("The regions: id, division code, name, level and parent; filter by parent or level.");

        api.MapGet("/tenants/{tenant}", GetTenant)
            .WithName("getTenant")
            .WithSummary("One region, by id or division code, with its children and settings.");

        api.MapGet("/site", GetSite)
            .WithName("getSite")
            .WithSummary("The region this host name serves (Tenancy:Hosts), if any.");

        return app;
    }

    private static async Task<Results<Ok<Page<TenantSummary>>, InvalidProblem>> ListTenants(
        RegionDirectory directory,
        [System.ComponentModel.Description("Only the regions directly below this one (an id or a division code).")] string? parent,
        [System.ComponentModel.Description("Only the regions of this level: national, province, city or district.")] string? level,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        RegionInfo? parentRegion = null;
        if (parent is not null && (parentRegion = await directory.ResolveAsync(parent, cancellationToken)) is null)
        {
            errors.Add(ApiError.ForParameter("parent", "unknown-tenant", $"There is no region with the id or division code '{parent}'."));
        }

        RegionLevel? wantedLevel = null;
        if (level is not null)
        {
            if (Enum.TryParse<RegionLevel>(level, ignoreCase: true, out var parsed) && !int.TryParse(level, out _))
            {
                wantedLevel = parsed;
            }
            else
            {
                errors.Add(ApiError.ForParameter("level", "enum", $"level must be one of national, province, city, district; it was '{level}'."));
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var regions = (await directory.AllAsync(cancellationToken))
            .Where(r => parentRegion is null || r.ParentId == parentRegion.Id)
            .Where(r => wantedLevel is null || r.Level == wantedLevel);
        return TypedResults.Ok(paging.Take(regions.Select(TenantSummary.From), r => r.Id));
    }

    private static async Task<Ok<TenantDetail>> GetTenant(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        // The route's tenant is resolved (404 when unknown) and its scope entered before this runs.
        var region = context.Tenant();
        var settings = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(Detail(region, settings));
    }

    private static async Task<Results<Ok<TenantDetail>, NotFoundProblem>> GetSite(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        if (context.Features.Get<RequestTenant>() is not { } tenant)
        {
            return ApiProblems.NotFound("No region for this host", $"The host name '{context.Request.Host.Host}' is not mapped to a region (Tenancy:Hosts).");
        }

        var settings = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(Detail(tenant.Region, settings));
    }

    private static TenantDetail Detail(RegionInfo region, TenantSettings? settings) => new(
        region.Id, region.DivisionCode, region.DivisionCodeOutsideStandard, region.Name, region.NameEn, region.Level, region.ParentId, region.ChildIds,
        settings?.DisplayName, settings?.DisplayNameEn,
        new TenantContact(settings?.ContactPhone, settings?.ContactEmail, settings?.ContactAddress, settings?.ContactHours),
        new TenantPublishing(settings?.PublishingSchedule ?? TenantSettings.DefaultPublishingSchedule, TenantSettings.TimeZone));
}
