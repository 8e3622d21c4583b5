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

    // National matter codes (NationalCodes): each rule names the part of the code that fails.

    /// <summary>A basic code (事项基本编码) that is not capital letters and digits in hyphen-joined groups.</summary>
    public const string BasicCodeFormat = "basic-code-format";
    /// <summary>A region's matter claims a basic code that no national matter has.</summary>
    public const string UnknownBasicCode = "unknown-basic-code";
    /// <summary>Two national matters with one basic code.</summary>
    public const string DuplicateBasicCode = "duplicate-basic-code";
    /// <summary>A national matter would change a basic code that regions' matters claim.</summary>
    public const string ClaimedBasicCode = "claimed-basic-code";
    /// <summary>A matter claims a national matter whose basic code is illustrative without saying its own codes are.</summary>
    public const string IllustrativeCode = "illustrative-code";
    /// <summary>A field marked illustrative that cannot be, or that the matter does not give.</summary>
    public const string IllustrativeField = "illustrative-field";
    /// <summary>An implementation code (实施编码) that is not five hyphen-joined parts.</summary>
    public const string ImplementationCodeFormat = "implementation-code-format";
    /// <summary>Two matters of a region with one implementation code.</summary>
    public const string DuplicateImplementationCode = "duplicate-implementation-code";
    /// <summary>The implementation code's basic code part is not the matter's basic code.</summary>
    public const string ImplementationBasicCode = "implementation-code-basic-code";
    /// <summary>The implementation code's division code part is not 12 digits.</summary>
    public const string DivisionCodeFormat = "division-code-format";
    /// <summary>The implementation code's division code lies outside the region that owns the matter.</summary>
    public const string DivisionCodeRegion = "division-code-region";
    /// <summary>The implementation code's unit part is not 3 digits.</summary>
    public const string UnitFormat = "unit-format";
    /// <summary>The implementing body's 统一社会信用代码 is not 18 characters of its alphabet with digits in the 3rd to 8th.</summary>
    public const string CreditCodeFormat = "credit-code-format";
    /// <summary>The 统一社会信用代码's 18th character is not the check character of GB 32100-2015.</summary>
    public const string CreditCodeCheck = "credit-code-check";
    /// <summary>The implementation code's handling item (业务办理项) is not a digit, a hyphen and two digits.</summary>
    public const string HandlingItemFormat = "handling-item-format";
    /// <summary>A department code that names no department of the region or of a region above it.</summary>
    public const string UnknownDepartment = "unknown-department";
}
