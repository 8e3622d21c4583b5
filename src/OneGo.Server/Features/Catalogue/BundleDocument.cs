using System.Text.Json;
using OneGo.Catalogue;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// A bundle's working copy as the API and the <c>tenants/</c> files write it: either its own
/// <see cref="Definition"/>, or <see cref="Adopts"/> a standard at a version with local <see cref="Changes"/>.
/// <see cref="Standard"/> marks it as a standard offered to the tenants below, with the fields it locks.
/// </summary>
public sealed record BundleDocument
{
    public BundleDefinition? Definition { get; init; }

    public TemplateRef? Adopts { get; init; }

    public IReadOnlyList<OverlayChange> Changes { get; init; } = [];

    public StandardSettings? Standard { get; init; }

    /// <summary>
    /// A bundle of its own that is the same 一件事 as a standard of a region above, kept as its own because an
    /// overlay would lose what it holds: the standard it corresponds to, so that the zone can line them up.
    /// </summary>
    public StandardName? CorrespondsTo { get; init; }

    /// <summary>Where the content comes from: the policy or article, or <c>illustrative</c>.</summary>
    public string? Provenance { get; init; }

    /// <summary>The batch a region published the bundle in (批次), e.g. <c>2021-10 首批</c>.</summary>
    public string? Batch { get; init; }

    /// <summary>The code the document gives its bundle.</summary>
    public string? Code => Definition?.Code ?? Adopts?.Code;

    public Overlay? Overlay => Adopts is null ? null : new Overlay { Adopts = Adopts, Changes = Changes };

    /// <summary>Every department the document names: its definition's (under <c>/definition</c>) or its changes'.</summary>
    public IEnumerable<DepartmentReferences.Reference> Departments() => Definition is not null
        ? DepartmentReferences.Of(Definition).Select(r => r with { Pointer = "/definition" + r.Pointer })
        : DepartmentReferences.Of(Changes);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, CatalogueJson.Options);

    public static BundleDocument Parse(string json) =>
        JsonSerializer.Deserialize<BundleDocument>(json, CatalogueJson.Options) ?? throw new JsonException("A bundle document is an object.");

    /// <summary>The shape of the document itself: one of definition or adopts. Content is checked by the domain.</summary>
    public IReadOnlyList<CatalogueError> CheckShape()
    {
        if (Definition is null && Adopts is null)
        {
            return [new CatalogueError("", ErrorRule.Required, "A bundle document needs either 'definition' (a bundle of its own) or 'adopts' (a standard it adopts, with its local 'changes').")];
        }

        if (Definition is not null && Adopts is not null)
        {
            return [new CatalogueError("/adopts", "one-of", "A bundle document has either 'definition' or 'adopts', not both: an adopter's changes go in 'changes'.")];
        }

        if (Adopts is not null && CorrespondsTo is not null)
        {
            return [new CatalogueError("/correspondsTo", "one-of", "An adopter names its standard in 'adopts'; 'correspondsTo' is for a bundle of its own that is the same 一件事 as a standard it does not adopt.")];
        }

        if (Definition is not null && Changes.Count > 0)
        {
            return [new CatalogueError("/changes", "one-of", "'changes' are an adopter's local changes to its standard; a bundle of its own edits its 'definition' instead.")];
        }

        return [];
    }
}

/// <summary>A bundle offered as a standard (template) to the tenants below: the fields adopters may not change.</summary>
public sealed record StandardSettings
{
    /// <summary>Pointers into the definition (e.g. <c>/matters/birth-certificate</c>, <c>/promisedDays</c>).</summary>
    public IReadOnlyList<string> Locked { get; init; } = [];
}

/// <summary>A standard named without a version: the region that offers it and its code.</summary>
public sealed record StandardName
{
    public required string Tenant { get; init; }

    public required string Code { get; init; }

    public override string ToString() => $"{Tenant}/{Code}";
}
