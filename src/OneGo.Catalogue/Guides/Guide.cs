namespace OneGo.Catalogue;

/// <summary>A guide, or why none could be given: errors are data, never exceptions.</summary>
public sealed record GuideResult
{
    public Guide? Guide { get; init; }

    /// <summary>Each with a pointer <c>/answers/{questionId}</c>; empty when <see cref="Guide"/> is set.</summary>
    public required IReadOnlyList<CatalogueError> Errors { get; init; }

    public bool IsValid => Guide is not null;
}

/// <summary>情形化办事指南: the bundle evaluated for one set of answers, explaining itself.</summary>
public sealed record Guide
{
    public required string BundleCode { get; init; }
    public required Text BundleName { get; init; }

    /// <summary>The answers given, in the order the questions are asked.</summary>
    public required IReadOnlyList<GuideAnswer> Answers { get; init; }

    /// <summary>The matters that apply, sorted by code.</summary>
    public required IReadOnlyList<GuideMatter> Matters { get; init; }

    /// <summary>One merged form: the fields of the matters that apply, sorted by code.</summary>
    public required IReadOnlyList<GuideField> Form { get; init; }

    /// <summary>What the applicant brings or uploads.</summary>
    public required IReadOnlyList<GuideMaterial> Bring { get; init; }

    /// <summary>数据共享: fetched for the applicant from the source department.</summary>
    public required IReadOnlyList<GuideMaterial> FetchedForYou { get; init; }

    /// <summary>告知承诺: replaced by the applicant's signed commitment.</summary>
    public required IReadOnlyList<GuideMaterial> ByCommitment { get; init; }

    /// <summary>Issued by another matter of this bundle on the way: nothing to bring.</summary>
    public required IReadOnlyList<GuideMaterial> IssuedInBundle { get; init; }

    /// <summary>容缺受理: brought by the applicant, but the application is accepted without it.</summary>
    public required IReadOnlyList<GuideMaterial> MayFollowLater { get; init; }

    /// <summary>Working days: the bundle's promise, or the critical path of the matters that apply if shorter.</summary>
    public required int PromisedDays { get; init; }

    public required int Trips { get; init; }
    public required IReadOnlyList<Channel> Channels { get; init; }
    public required IReadOnlyList<Delivery> ResultDelivery { get; init; }
    public ServiceLocation? WhereToGo { get; init; }
    public Text? GuideText { get; init; }

    /// <summary>The reductions for the matters of this guide.</summary>
    public required Reductions Reductions { get; init; }
}

public sealed record GuideAnswer
{
    public required string Question { get; init; }
    public required string Option { get; init; }
    public required Text QuestionText { get; init; }
    public required Text OptionLabel { get; init; }
}

public sealed record GuideMatter
{
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public required string Department { get; init; }
    public required int PromisedDays { get; init; }

    /// <summary>The matters of this guide it waits for.</summary>
    public required IReadOnlyList<string> After { get; init; }

    public required Explanation Why { get; init; }
}

public sealed record GuideField
{
    public required string Code { get; init; }
    public required Text Label { get; init; }
    public required FieldType Type { get; init; }

    /// <summary>The matters of this guide the field feeds.</summary>
    public required IReadOnlyList<string> Feeds { get; init; }

    public required Explanation Why { get; init; }
}

public sealed record GuideMaterial
{
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public required MaterialKind Kind { get; init; }

    /// <summary>The source that applies in this guide (names department and dataset for data sharing).</summary>
    public required MaterialSource Source { get; init; }

    public required bool MayFollowLater { get; init; }

    /// <summary>The matters of this guide that need it.</summary>
    public required IReadOnlyList<string> NeededBy { get; init; }

    public required Explanation Why { get; init; }
}

/// <summary>
/// Why an item is in the guide: the answers whose rules included it (empty when no rule names it, so it
/// always applies) and a sentence in Chinese and English.
/// </summary>
public sealed record Explanation
{
    public required IReadOnlyList<Condition> IncludedBy { get; init; }
    public required bool AlwaysApplies { get; init; }
    public required Text Message { get; init; }
}
