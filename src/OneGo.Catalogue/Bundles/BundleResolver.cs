namespace OneGo.Catalogue;

/// <summary>Resolves a bundle definition against the matters it uses into an <see cref="EffectiveBundle"/>.</summary>
public static class BundleResolver
{
    /// <summary>
    /// Embeds the matters, merges form and materials and computes the reductions. Pure and deterministic.
    /// The definition must be valid (<see cref="CatalogueValidator.ValidateBundle"/>): an unknown matter or a
    /// cycle throws <see cref="ArgumentException"/>.
    /// </summary>
    public static EffectiveBundle Resolve(
        BundleDefinition definition,
        IReadOnlyDictionary<string, Matter> matters,
        IReadOnlyList<TemplateRef>? lineage = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(matters);

        var stepDefs = SortedByCode(definition.Matters, static s => s.Code);
        var n = stepDefs.Count;
        var embedded = new Matter[n];
        var steps = new EffectiveStep[n];
        for (var i = 0; i < n; i++)
        {
            var step = stepDefs[i];
            if (!matters.TryGetValue(step.Code, out var matter))
            {
                throw new ArgumentException($"Bundle '{definition.Code}' names matter '{step.Code}', which is not given. Validate the definition first.", nameof(matters));
            }
            embedded[i] = Embed(matter, step);
            steps[i] = new EffectiveStep { Code = step.Code, After = SortedDistinct(step.After), Optional = step.Optional };
        }

        var graph = MatterGraph.Build(steps);
        var form = MergeForm(embedded);
        var materials = MergeMaterials(embedded);
        // Every matter applies to the bundle itself (a guide decides otherwise).
        var all = new bool[n];
        Array.Fill(all, true);
        var channels = SortedDistinct(definition.Channels);
        var delivery = SortedDistinct(definition.ResultDelivery);
        var sources = materials.Select(m => m.Source.Kind).ToArray();
        var reductions = BundleMath.Reductions(embedded, all, graph, definition.PromisedDays, sources, channels, delivery);

        return new EffectiveBundle
        {
            Code = definition.Code,
            Name = definition.Name,
            Audience = definition.Audience ?? throw new ArgumentException($"Bundle '{definition.Code}' has no audience. Validate the definition first.", nameof(definition)),
            Theme = definition.Theme ?? throw new ArgumentException($"Bundle '{definition.Code}' has no theme. Validate the definition first.", nameof(definition)),
            LeadDepartment = definition.LeadDepartment ?? "",
            Lineage = lineage ?? [],
            Steps = steps,
            Matters = embedded,
            Form = form,
            Materials = materials,
            Scenarios = definition.Scenarios,
            Rules = definition.Rules,
            GuideText = definition.GuideText,
            Channels = channels,
            ResultDelivery = delivery,
            ServiceLocation = definition.ServiceLocation,
            PromisedDays = reductions.After.Days,
            Keywords = SortedDistinct(definition.Keywords),
            Reductions = reductions,
        };
    }

    /// <summary>The matter as this bundle uses it: the step's local adjustments applied (the matter itself is shared, never changed).</summary>
    private static Matter Embed(Matter matter, MatterStep step)
    {
        if (step.Department is null && step.PromisedDays is null && step.AddedMaterials.Count == 0)
        {
            return matter;
        }
        return matter with
        {
            Department = step.Department ?? matter.Department,
            PromisedDays = step.PromisedDays ?? matter.PromisedDays,
            Materials = step.AddedMaterials.Count == 0 ? matter.Materials : [.. matter.Materials, .. step.AddedMaterials],
        };
    }

    /// <summary>
    /// One field per code, as the first matter (in code order) defines it, fed by every matter that asks for it:
    /// a matter listing a field twice, or a matter repeated, feeds it once.
    /// </summary>
    private static MergedField[] MergeForm(Matter[] matters)
    {
        var byCode = new Dictionary<string, (FormField Field, List<string> Feeds)>(StringComparer.Ordinal);
        foreach (var matter in matters)
        {
            foreach (var field in matter.FormFields)
            {
                if (byCode.TryGetValue(field.Code, out var entry))
                {
                    if (entry.Feeds[^1] != matter.Code) entry.Feeds.Add(matter.Code);
                }
                else
                {
                    byCode.Add(field.Code, (field, [matter.Code]));
                }
            }
        }
        var merged = byCode.Values
            .Select(e => new MergedField { Code = e.Field.Code, Label = e.Field.Label, Type = e.Field.Type, Feeds = e.Feeds })
            .ToArray();
        Array.Sort(merged, static (a, b) => string.CompareOrdinal(a.Code, b.Code));
        return merged;
    }

    /// <summary>
    /// One material per code, named as the first matter (in code order) names it, with one use per listing; its
    /// source is decided over all its uses (<see cref="BundleMath.Decide(IReadOnlyList{MaterialUse}, HashSet{string})"/>).
    /// </summary>
    private static MergedMaterial[] MergeMaterials(Matter[] matters)
    {
        var present = new HashSet<string>(matters.Length, StringComparer.Ordinal);
        foreach (var matter in matters) present.Add(matter.Code);

        var byCode = new Dictionary<string, (Material First, List<MaterialUse> Uses)>(StringComparer.Ordinal);
        foreach (var matter in matters)
        {
            foreach (var material in matter.Materials)
            {
                var use = new MaterialUse { Matter = matter.Code, Source = material.Source, MayFollowLater = material.MayFollowLater };
                if (byCode.TryGetValue(material.Code, out var entry)) entry.Uses.Add(use);
                else byCode.Add(material.Code, (material, [use]));
            }
        }
        var merged = new MergedMaterial[byCode.Count];
        var i = 0;
        foreach (var (first, uses) in byCode.Values)
        {
            var (source, mayFollowLater) = BundleMath.Decide(uses, present);
            merged[i++] = new MergedMaterial
            {
                Code = first.Code,
                Name = first.Name,
                Kind = first.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                Uses = uses,
            };
        }
        Array.Sort(merged, static (a, b) => string.CompareOrdinal(a.Code, b.Code));
        return merged;
    }

    /// <summary>The items in ordinal order of their codes; equal codes keep their order.</summary>
    internal static IReadOnlyList<T> SortedByCode<T>(IReadOnlyList<T> items, Func<T, string> code) =>
        items.OrderBy(code, StringComparer.Ordinal).ToArray();

    internal static IReadOnlyList<string> SortedDistinct(IReadOnlyList<string> items) =>
        items.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    internal static IReadOnlyList<TEnum> SortedDistinct<TEnum>(IReadOnlyList<TEnum> items) where TEnum : struct, Enum =>
        items.Distinct().Order().ToArray();
}
