namespace OneGo.Catalogue;

/// <summary>
/// A department of a region (部门): the body that implements matters, leads bundles or provides a dataset. Matters,
/// bundles and overlays name it by <see cref="Code"/>, a slug for its function (<c>public-security</c>,
/// <c>market-regulation</c>), which is looked up in the region of the document first and then in the regions above
/// it: the nearest definition wins. So a national matter's <c>public-security</c> (公安机关, the kind of body) is, in
/// a district that lists a <c>public-security</c> of its own, that district's public security bureau.
/// </summary>
public sealed record Department
{
    public required string Code { get; init; }

    /// <summary>The official name (厦门市公安局海沧分局).</summary>
    public required string Name { get; init; }

    public DepartmentKind Kind { get; init; } = DepartmentKind.Department;

    /// <summary>统一社会信用代码 (GB 32100-2015), where the region gives it.</summary>
    public string? CreditCode { get; init; }
}

public enum DepartmentKind
{
    /// <summary>A government department or a public institution.</summary>
    Department = 0,

    /// <summary>The comprehensive window (综合受理窗口, 综窗) that accepts applications for every department.</summary>
    Window = 1,

    /// <summary>A company that implements a matter: power, water, gas, telecom, a bank.</summary>
    Enterprise = 2,
}

/// <summary>Every place a matter, a bundle or an overlay names a department, with the pointer of that place.</summary>
public static class DepartmentReferences
{
    /// <summary>A department code written at <paramref name="Pointer"/> (the pointer scheme of <see cref="Pointer"/>).</summary>
    public readonly record struct Reference(string Pointer, string Code);

    public static IEnumerable<Reference> Of(Matter matter)
    {
        if (!string.IsNullOrWhiteSpace(matter.Department)) yield return new("/department", matter.Department);
        foreach (var reference in OfMaterials(matter.Materials, "/materials")) yield return reference;
    }

    public static IEnumerable<Reference> Of(BundleDefinition bundle)
    {
        if (!string.IsNullOrWhiteSpace(bundle.LeadDepartment)) yield return new("/leadDepartment", bundle.LeadDepartment);
        foreach (var step in bundle.Matters)
        {
            foreach (var reference in OfStep(step, Pointer.Of("matters", step.Code))) yield return reference;
        }
    }

    /// <summary>The departments an overlay's changes name, at <c>/changes/{index}/…</c>.</summary>
    public static IEnumerable<Reference> Of(IReadOnlyList<OverlayChange> changes)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var at = "/changes/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (changes[i])
            {
                case SetLeadDepartment { Department: { Length: > 0 } lead }:
                    yield return new(at + "/department", lead);
                    break;
                case SetMatterDepartment { Department: { Length: > 0 } department }:
                    yield return new(at + "/department", department);
                    break;
                case AddMatter add:
                    foreach (var reference in OfStep(add.Matter, at + "/matter")) yield return reference;
                    break;
                case AddMaterial { Material.Source.Department: { Length: > 0 } source }:
                    yield return new(at + "/material/source/department", source);
                    break;
            }
        }
    }

    /// <summary>
    /// The references that name no department: <paramref name="find"/> looks a code up where the document stands (its
    /// region, then the regions above), <paramref name="where"/> names that region in the message.
    /// </summary>
    public static IEnumerable<CatalogueError> Unknown(IEnumerable<Reference> references, Func<string, bool> find, string where) =>
        references.Where(r => !find(r.Code)).Select(r => new CatalogueError(r.Pointer, ErrorRule.UnknownDepartment,
            $"'{r.Code}' is not the code of a department of {where} or of a region above it: a department is named by its code, as the region lists it under 'departments' in its tenant.yaml (for example 'public-security')."));

    private static IEnumerable<Reference> OfStep(MatterStep step, string at)
    {
        if (!string.IsNullOrWhiteSpace(step.Department)) yield return new(at + "/department", step.Department);
        foreach (var reference in OfMaterials(step.AddedMaterials, at + "/addedMaterials")) yield return reference;
    }

    private static IEnumerable<Reference> OfMaterials(IReadOnlyList<Material> materials, string at)
    {
        foreach (var material in materials)
        {
            if (material.Source.Department is { Length: > 0 } department)
            {
                yield return new(at + "/" + Pointer.Escape(material.Code) + "/source/department", department);
            }
        }
    }
}
