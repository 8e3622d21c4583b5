using OneGo.Catalogue;

namespace OneGo.Server.Features.Catalogue;

/// <summary>A live bundle in lists: what a citizen or an integration needs to choose it.</summary>
public sealed record BundleSummary
{
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public required Audience Audience { get; init; }
    public required LifeTheme Theme { get; init; }
    public required string LeadDepartment { get; init; }
    public required int PromisedDays { get; init; }
    public required Reductions Reductions { get; init; }
    public required IReadOnlyList<string> Keywords { get; init; }

    /// <summary>The standards it derives from, root first; empty for a bundle of its own.</summary>
    public required IReadOnlyList<TemplateRef> Lineage { get; init; }

    public required bool IsStandard { get; init; }

    /// <summary>For a bundle of its own: the standard above that is the same 一件事 (its lineage is empty).</summary>
    public StandardName? CorrespondsTo { get; init; }

    public string? Provenance { get; init; }

    public string? Batch { get; init; }

    public static BundleSummary Of(EffectiveBundle bundle, BundleDocument document) => new()
    {
        Code = bundle.Code,
        Name = bundle.Name,
        Audience = bundle.Audience,
        Theme = bundle.Theme,
        LeadDepartment = bundle.LeadDepartment,
        PromisedDays = bundle.PromisedDays,
        Reductions = bundle.Reductions,
        Keywords = bundle.Keywords,
        Lineage = bundle.Lineage,
        IsStandard = document.Standard is not null,
        CorrespondsTo = document.CorrespondsTo,
        Provenance = document.Provenance,
        Batch = document.Batch,
    };
}

/// <summary>One item of <c>GET /api/t/{tenant}/bundles</c>: the summary with the live version it comes from.</summary>
public sealed record LiveBundleItem(int Version, string ETag, DateTimeOffset ApprovedAt, BundleSummary Summary);
