using System.Text.Json.Serialization;

namespace OneGo.Catalogue;

/// <summary>
/// An adopter's bundle: the standard it adopts at a pinned version and its local changes, in order.
/// This record is the adopter's draft document (<c>{"adopts": {…}, "changes": [{"op": …}]}</c>); errors
/// point at <c>/changes/{index}</c> and name the change's target in <see cref="CatalogueError.Target"/>.
/// </summary>
public sealed record Overlay
{
    public required TemplateRef Adopts { get; init; }
    public IReadOnlyList<OverlayChange> Changes { get; init; } = [];
}

/// <summary>
/// One typed local change. <see cref="Target"/> is its stable pointer into the bundle definition
/// (scheme: <see cref="Pointer"/>): what a lock, a diff or a rebase conflict names.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(SetLeadDepartment), "setLeadDepartment")]
[JsonDerivedType(typeof(SetMatterDepartment), "setMatterDepartment")]
[JsonDerivedType(typeof(SetAddress), "setAddress")]
[JsonDerivedType(typeof(SetHours), "setHours")]
[JsonDerivedType(typeof(SetContact), "setContact")]
[JsonDerivedType(typeof(ShortenPromisedDays), "shortenPromisedDays")]
[JsonDerivedType(typeof(AddMatter), "addMatter")]
[JsonDerivedType(typeof(AddMaterial), "addMaterial")]
[JsonDerivedType(typeof(MarkNotApplicable), "markNotApplicable")]
[JsonDerivedType(typeof(AddQuestion), "addQuestion")]
[JsonDerivedType(typeof(AddOption), "addOption")]
[JsonDerivedType(typeof(AddRule), "addRule")]
[JsonDerivedType(typeof(SetGuideText), "setGuideText")]
public abstract record OverlayChange
{
    public abstract string Target();
}

/// <summary>The local lead department (牵头部门).</summary>
public sealed record SetLeadDepartment : OverlayChange
{
    public required string Department { get; init; }
    public override string Target() => "/leadDepartment";
}

/// <summary>The local department that handles one matter of the bundle.</summary>
public sealed record SetMatterDepartment : OverlayChange
{
    public required string Matter { get; init; }
    public required string Department { get; init; }
    public override string Target() => Pointer.Of("matters", Matter, "department");
}

public sealed record SetAddress : OverlayChange
{
    public required Text Address { get; init; }
    public override string Target() => "/serviceLocation/address";
}

public sealed record SetHours : OverlayChange
{
    public required Text Hours { get; init; }
    public override string Target() => "/serviceLocation/hours";
}

public sealed record SetContact : OverlayChange
{
    public required string Contact { get; init; }
    public override string Target() => "/serviceLocation/contact";
}

/// <summary>A shorter promised time limit for the bundle, or for one matter when <see cref="Matter"/> is given; never longer than the standard's.</summary>
public sealed record ShortenPromisedDays : OverlayChange
{
    public string? Matter { get; init; }
    public required int Days { get; init; }
    public override string Target() => Matter is null ? "/promisedDays" : Pointer.Of("matters", Matter, "promisedDays");
}

/// <summary>A local matter added to the bundle (the adopter's own matter, or one the chain embeds).</summary>
public sealed record AddMatter : OverlayChange
{
    public required MatterStep Matter { get; init; }
    public override string Target() => Pointer.Of("matters", Matter.Code);
}

/// <summary>A local material one matter of the bundle needs here.</summary>
public sealed record AddMaterial : OverlayChange
{
    public required string Matter { get; init; }
    public required Material Material { get; init; }
    public override string Target() => Pointer.Of("matters", Matter, "addedMaterials", Material.Code);
}

/// <summary>An optional matter of the standard that does not apply here; a required one cannot be removed.</summary>
public sealed record MarkNotApplicable : OverlayChange
{
    public required string Matter { get; init; }
    public override string Target() => Pointer.Of("matters", Matter);
}

public sealed record AddQuestion : OverlayChange
{
    public required Question Question { get; init; }
    public override string Target() => Pointer.Of("scenarios", Question.Id);
}

public sealed record AddOption : OverlayChange
{
    public required string Question { get; init; }
    public required Option Option { get; init; }
    public override string Target() => Pointer.Of("scenarios", Question, "options", Option.Id);
}

/// <summary>A local rule; it needs an <see cref="Rule.Id"/> so that its pointer is stable.</summary>
public sealed record AddRule : OverlayChange
{
    public required Rule Rule { get; init; }
    public override string Target() => Pointer.Of("rules", Rule.Id ?? "");
}

public sealed record SetGuideText : OverlayChange
{
    public required Text Text { get; init; }
    public override string Target() => "/guideText";
}
