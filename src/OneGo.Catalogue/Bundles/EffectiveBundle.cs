namespace OneGo.Catalogue;

/// <summary>
/// A bundle resolved against its matters (and, for an adopter, its template chain): self-contained,
/// with its matters embedded as they were, one merged form, one merged set of materials and its computed
/// reductions. Collections with codes are sorted by code (ordinal), so equal content is equal data and
/// <see cref="CanonicalJson"/> gives equal bytes.
/// </summary>
public sealed record EffectiveBundle
{
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public required Audience Audience { get; init; }
    public required LifeTheme Theme { get; init; }
    public required string LeadDepartment { get; init; }

    /// <summary>The standards this bundle is built on, the root first; empty for a bundle of its own.</summary>
    public required IReadOnlyList<TemplateRef> Lineage { get; init; }

    /// <summary>The matter order (a DAG), sorted by code.</summary>
    public required IReadOnlyList<EffectiveStep> Steps { get; init; }

    /// <summary>The matters, embedded with this bundle's adjustments, sorted by code (canonical JSON also sorts their materials and fields).</summary>
    public required IReadOnlyList<Matter> Matters { get; init; }

    /// <summary>一表申请: the union of the matters' form fields, one per field code.</summary>
    public required IReadOnlyList<MergedField> Form { get; init; }

    /// <summary>一套材料: the union of the matters' materials, one per material code.</summary>
    public required IReadOnlyList<MergedMaterial> Materials { get; init; }

    public required IReadOnlyList<Question> Scenarios { get; init; }
    public required IReadOnlyList<Rule> Rules { get; init; }
    public Text? GuideText { get; init; }
    public required IReadOnlyList<Channel> Channels { get; init; }
    public required IReadOnlyList<Delivery> ResultDelivery { get; init; }
    public ServiceLocation? ServiceLocation { get; init; }

    /// <summary>The bundle's promise when it makes one, otherwise the critical path of its matters.</summary>
    public required int PromisedDays { get; init; }

    public required IReadOnlyList<string> Keywords { get; init; }

    /// <summary>Computed: matters one by one versus the bundle.</summary>
    public required Reductions Reductions { get; init; }
}

/// <summary>A matter of the bundle with the matters it waits for (sorted by code).</summary>
public sealed record EffectiveStep
{
    public required string Code { get; init; }
    public required IReadOnlyList<string> After { get; init; }
    public required bool Optional { get; init; }
}

/// <summary>A field of the merged form and the matters it feeds (sorted by code).</summary>
public sealed record MergedField
{
    public required string Code { get; init; }
    public required Text Label { get; init; }
    public required FieldType Type { get; init; }
    public required IReadOnlyList<string> Feeds { get; init; }
}

/// <summary>
/// A material of the merged set. <see cref="Source"/> is the lightest source among the matters that need
/// it (data sharing, then commitment, then issued by a matter of the bundle, then the applicant);
/// <see cref="MayFollowLater"/> holds only when every matter that needs it allows it. <see cref="Uses"/>
/// keeps each matter's own view, so a guide can decide again for the matters that apply to it.
/// </summary>
public sealed record MergedMaterial
{
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public required MaterialKind Kind { get; init; }
    public required MaterialSource Source { get; init; }
    public required bool MayFollowLater { get; init; }
    public required IReadOnlyList<MaterialUse> Uses { get; init; }
}

/// <summary>One matter's need of a material, as that matter defines it.</summary>
public sealed record MaterialUse
{
    public required string Matter { get; init; }
    public required MaterialSource Source { get; init; }
    public required bool MayFollowLater { get; init; }
}

/// <summary>减环节、减时间、减材料、减跑动: the matters one by one (<see cref="Before"/>) versus the bundle (<see cref="After"/>).</summary>
public sealed record Reductions
{
    public required ReductionFigures Before { get; init; }
    public required ReductionFigures After { get; init; }
}

/// <summary>
/// <para><b>Steps</b> (环节) are the stages of the matters' review procedures (审核程序: 受理, 审查, 决定, 送达 …).
/// One by one the applicant goes through every stage of every matter (a matter listing none counts as one
/// stage). In the bundle, stages with the same name are done once and jointly (一窗受理, 联合审查, 统一送达), so
/// the bundle's steps are the number of distinct stage names.</para>
/// <para><b>Days</b> are promised working days: one by one they add up; in the bundle, matters that run in
/// parallel count once (the longest) and chained ones add up — the critical path of the matter order.</para>
/// <para><b>Materials</b> one by one are every material of every matter, duplicates counted (each department
/// asks for its own copy); in the bundle they are the merged materials the applicant must still bring.</para>
/// <para><b>Trips</b> one by one are the sum of the matters' trips when done alone (到现场次数). In the bundle
/// there are none (一趟不用跑) when every material comes by data sharing, by commitment or from a matter of
/// the bundle, results are delivered online or by post (the bundle's delivery when it names one, otherwise
/// every matter's), and the bundle can be applied for online or on mobile (when it names its channels);
/// otherwise one (最多跑一次).</para>
/// </summary>
public sealed record ReductionFigures
{
    public required int Steps { get; init; }
    public required int Days { get; init; }
    public required int Materials { get; init; }
    public required int Trips { get; init; }
}
