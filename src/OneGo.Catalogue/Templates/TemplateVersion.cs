namespace OneGo.Catalogue;

/// <summary>
/// One immutable approved version of a standard (a bundle marked as a template). A standard of its own
/// carries its <see cref="Definition"/>; a standard built on another (a province's on the national one)
/// carries its <see cref="Overlay"/> on the parent version instead. <see cref="Matters"/> embeds the
/// matters it uses as they were when approved, so the version is self-contained.
/// </summary>
public sealed record TemplateVersion
{
    public required TemplateRef Ref { get; init; }
    public BundleDefinition? Definition { get; init; }
    public Overlay? Overlay { get; init; }

    /// <summary>Pointers into the definition (scheme: <see cref="Pointer"/>) that adopters may not change: the field and everything below it. Locks are inherited down the chain.</summary>
    public IReadOnlyList<string> Locked { get; init; } = [];

    public IReadOnlyList<Matter> Matters { get; init; } = [];
}

/// <summary>
/// A standard resolved through its chain: the definition adopters start from, every lock up the chain,
/// the lineage (root first) and the matters embedded along it (the nearest level wins).
/// </summary>
public sealed record ResolvedStandard
{
    public required TemplateRef Ref { get; init; }
    public required BundleDefinition Definition { get; init; }
    public required IReadOnlyList<string> Locked { get; init; }
    public required IReadOnlyList<TemplateRef> Lineage { get; init; }
    public required IReadOnlyDictionary<string, Matter> Matters { get; init; }
}

/// <summary>A resolution, or why there is none: errors are data.</summary>
public sealed record Resolution<T> where T : class
{
    public T? Value { get; init; }
    public required IReadOnlyList<CatalogueError> Errors { get; init; }
    public bool IsValid => Value is not null;
}
