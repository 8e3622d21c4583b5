namespace OneGo.Catalogue;

/// <summary>
/// A bundle (一件事) as its author writes it: the document of <c>POST /bundles</c>, of a draft and of a
/// <c>tenants/</c> file. It names its matters by code; <see cref="BundleResolver"/> embeds them.
/// Members that validation insists on but a document may omit are nullable, so that a missing one is
/// reported with its pointer.
/// </summary>
public sealed record BundleDefinition
{
    /// <summary>Unique within a tenant; an adopter keeps its standard's code.</summary>
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public Audience? Audience { get; init; }
    public LifeTheme? Theme { get; init; }

    /// <summary>牵头部门.</summary>
    public string? LeadDepartment { get; init; }

    /// <summary>The matters and the order in which departments work on them.</summary>
    public IReadOnlyList<MatterStep> Matters { get; init; } = [];

    /// <summary>Scenario questions, in the order the guide asks them.</summary>
    public IReadOnlyList<Question> Scenarios { get; init; } = [];

    /// <summary>Rules, in authored order (the order never changes their outcome).</summary>
    public IReadOnlyList<Rule> Rules { get; init; } = [];

    public Text? GuideText { get; init; }
    public IReadOnlyList<Channel> Channels { get; init; } = [];
    public IReadOnlyList<Delivery> ResultDelivery { get; init; } = [];
    public ServiceLocation? ServiceLocation { get; init; }

    /// <summary>The bundle's promised time limit in working days, when it promises one.</summary>
    public int? PromisedDays { get; init; }

    public IReadOnlyList<string> Keywords { get; init; } = [];
}

/// <summary>
/// One matter of a bundle. With no <see cref="After"/> it starts at once, in parallel with the others;
/// otherwise it starts when every matter it names is done. The other members adjust the matter in this
/// bundle only (an adopter's local department, a shorter promise, a local material).
/// </summary>
public sealed record MatterStep
{
    public required string Code { get; init; }
    public IReadOnlyList<string> After { get; init; } = [];

    /// <summary>An optional matter may be marked not applicable by an adopter; a required one may not.</summary>
    public bool Optional { get; init; }

    /// <summary>Replaces the matter's department in this bundle.</summary>
    public string? Department { get; init; }

    /// <summary>Replaces the matter's promised days in this bundle (never longer).</summary>
    public int? PromisedDays { get; init; }

    /// <summary>Local materials this bundle adds to the matter.</summary>
    public IReadOnlyList<Material> AddedMaterials { get; init; } = [];
}

/// <summary>A scenario question (情形) with its options.</summary>
public sealed record Question
{
    public required string Id { get; init; }
    public required Text Text { get; init; }

    /// <summary>A required question must be answered before a guide is given.</summary>
    public bool Required { get; init; } = true;

    public IReadOnlyList<Option> Options { get; init; } = [];
}

public sealed record Option
{
    public required string Id { get; init; }
    public required Text Label { get; init; }
}

/// <summary>
/// When the answer to <see cref="When"/>'s question is its option, the rule includes and excludes items.
/// An item no rule names always applies; an item named by include rules applies only when one of them
/// matches; a matching exclude wins over a matching include.
/// </summary>
public sealed record Rule
{
    /// <summary>Optional; when given it names the rule in pointers (<c>/rules/{id}</c>) instead of its index.</summary>
    public string? Id { get; init; }
    public required Condition When { get; init; }
    public RuleItems Include { get; init; } = RuleItems.None;
    public RuleItems Exclude { get; init; } = RuleItems.None;
}

public sealed record Condition
{
    public required string Question { get; init; }
    public required string Option { get; init; }
}

/// <summary>Codes of matters, materials and form fields a rule names.</summary>
public sealed record RuleItems
{
    public static RuleItems None => new();
    public IReadOnlyList<string> Matters { get; init; } = [];
    public IReadOnlyList<string> Materials { get; init; } = [];
    public IReadOnlyList<string> FormFields { get; init; } = [];

    internal bool IsEmpty => Matters.Count == 0 && Materials.Count == 0 && FormFields.Count == 0;
}

/// <summary>Where to go: address, opening hours, contact.</summary>
public sealed record ServiceLocation
{
    public Text? Address { get; init; }
    public Text? Hours { get; init; }
    public string? Contact { get; init; }
}

public enum Audience { Personal, Enterprise }

/// <summary>Life-cycle themes: personal ones first, then the enterprise ones.</summary>
public enum LifeTheme
{
    Birth,
    Schooling,
    Employment,
    Housing,
    Marriage,
    Childbearing,
    Medical,
    Retirement,
    Funeral,
    VeteranRetirement,
    Establishment,
    Operation,
    Exit,
    Other,
}
