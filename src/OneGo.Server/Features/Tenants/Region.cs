using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Tenants;

/// <summary>
/// A region of the tree, which is a tenant. Shared by all tenants: the tree is the tenancy itself and is public.
/// Its id is canonical and stable: a renamed region keeps it.
/// </summary>
public sealed class Region : IAudited
{
    public required string Id { get; init; }

    /// <summary>GB/T 2260 six-digit code; an alias of the id in every route. None for national.</summary>
    public string? DivisionCode { get; set; }

    /// <summary>
    /// The code is not a GB/T 2260 code: 新疆生产建设兵团's <see cref="RegionRules.OutsideStandardCode"/>, which the national
    /// government service platform uses (<see cref="RegionRules.CheckDivisionCode"/>).
    /// </summary>
    public bool DivisionCodeOutsideStandard { get; set; }

    public required string Name { get; set; }

    public string? NameEn { get; set; }

    public RegionLevel Level { get; set; }

    public string? ParentId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A tenant's own settings: display name, contact, publishing schedule.</summary>
public sealed class TenantSettings : ITenantOwned, IAudited
{
    /// <summary>Quartz cron for the publishing runs, in Asia/Shanghai: every night at 02:00.</summary>
    public const string DefaultPublishingSchedule = "0 0 2 * * ?";

    public const string TimeZone = "Asia/Shanghai";

    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public string? DisplayName { get; set; }

    public string? DisplayNameEn { get; set; }

    public string? ContactPhone { get; set; }

    public string? ContactEmail { get; set; }

    public string? ContactAddress { get; set; }

    public string? ContactHours { get; set; }

    public string PublishingSchedule { get; set; } = DefaultPublishingSchedule;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A department of a region (<c>departments:</c> of its <c>tenant.yaml</c>), shared as the region is: matters, bundles
/// and overlays name it by code, looked up in their region first and then in the regions above (see
/// <see cref="OneGo.Catalogue.Department"/>).
/// </summary>
public sealed class RegionDepartment : IAudited
{
    public required string RegionId { get; init; }

    public required string Code { get; init; }

    public required string Name { get; set; }

    public OneGo.Catalogue.DepartmentKind Kind { get; set; }

    /// <summary>统一社会信用代码 (GB 32100-2015), where the region gives it.</summary>
    public string? CreditCode { get; set; }

    public OneGo.Catalogue.Department ToDepartment() => new() { Code = Code, Name = Name, Kind = Kind, CreditCode = CreditCode };
}
