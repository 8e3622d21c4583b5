namespace OneGo.Catalogue;

/// <summary>A standard at one approved version: the tenant that publishes it, the bundle code, the version (1, 2 …).</summary>
public sealed record TemplateRef
{
    public required string Tenant { get; init; }
    public required string Code { get; init; }
    public required int Version { get; init; }

    public override string ToString() => $"{Tenant}/{Code}@v{Version}";
}
