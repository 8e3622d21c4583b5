namespace OneGo.Catalogue;

/// <summary>
/// Something wrong in a submitted document: where (<see cref="Pointer"/>, see <see cref="Pointer"/>'s
/// scheme), which rule (<see cref="ErrorRule"/>), and a sentence a non-programmer can act on.
/// </summary>
public sealed record CatalogueError(string Pointer, string Rule, string Message)
{
    /// <summary>For an overlay change: the place in the bundle the change acts on (its stable pointer).</summary>
    public string? Target { get; init; }

    /// <summary>The same error placed inside a larger document, e.g. <c>/bundles/enrolment</c>.</summary>
    public CatalogueError Under(string prefix) => this with { Pointer = prefix + Pointer };
}

/// <summary>The names of the rules an error can break; stable, for clients to switch on.</summary>
public static class ErrorRule
{
    /// <summary>A value that must be given is missing or empty (also: a required guide answer).</summary>
    public const string Required = "required";
    /// <summary>A number is out of its range (negative days or trips).</summary>
    public const string Range = "range";
    public const string DuplicateCode = "duplicate-code";
    public const string DuplicateId = "duplicate-id";
    public const string UnknownMatter = "unknown-matter";
    public const string UnknownMaterial = "unknown-material";
    public const string UnknownFormField = "unknown-form-field";
    public const string UnknownQuestion = "unknown-question";
    public const string UnknownOption = "unknown-option";
    /// <summary>Matters wait for each other in a circle.</summary>
    public const string Cycle = "cycle";
    /// <summary>A bundle integrates at least two matters.</summary>
    public const string MinMatters = "min-matters";
    /// <summary>A matter needs at least one material.</summary>
    public const string MinMaterials = "min-materials";
    /// <summary>A question offers at least two options.</summary>
    public const string MinOptions = "min-options";
    /// <summary>A rule that neither includes nor excludes anything.</summary>
    public const string EmptyRule = "empty-rule";
    /// <summary>A promised time limit longer than the statutory one, or than the standard's.</summary>
    public const string LongerTimeLimit = "longer-time-limit";
    /// <summary>An overlay change touches a field the standard locks.</summary>
    public const string Locked = "locked";
    /// <summary>An overlay marks a required matter of the standard not applicable.</summary>
    public const string RequiredMatter = "required-matter";
    /// <summary>Two overlay changes set the same field.</summary>
    public const string DuplicateChange = "duplicate-change";
    /// <summary>A template chain whose links do not follow each other.</summary>
    public const string BrokenChain = "broken-chain";
    /// <summary>Rebase: the standard changed the same field between the two versions.</summary>
    public const string ChangedUpstream = "changed-upstream";
}
