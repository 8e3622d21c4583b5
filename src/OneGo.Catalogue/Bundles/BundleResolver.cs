using System.Runtime.InteropServices;

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
        var all = new bool[n];
        Array.Fill(all, true);
        var channels = SortedDistinct(definition.Channels);
        var delivery = SortedDistinct(definition.ResultDelivery);
        var sources = new SourceKind[materials.Length];
        for (var i = 0; i < sources.Length; i++) sources[i] = materials[i].Source.Kind;
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

    private static MergedField[] MergeForm(Matter[] matters)
    {
        var byCode = new Dictionary<string, (FormField Field, List<string> Feeds)>(StringComparer.Ordinal);
        foreach (var matter in matters)
        {
            foreach (var field in matter.FormFields)
            {
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byCode, field.Code, out var exists);
                if (!exists) entry = (field, [matter.Code]);
                else if (entry.Feeds[^1] != matter.Code) entry.Feeds.Add(matter.Code);
            }
        }
        var codes = new string[byCode.Count];
        var merged = new MergedField[byCode.Count];
        var i = 0;
        foreach (var (code, (field, feeds)) in byCode)
        {
            codes[i] = code;
            merged[i++] = new MergedField { Code = code, Label = field.Label, Type = field.Type, Feeds = feeds };
        }
        Array.Sort(codes, merged, StringComparer.Ordinal);
        return merged;
    }

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
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byCode, material.Code, out var exists);
                if (!exists) entry = (material, [use]);
                else entry.Uses.Add(use);
            }
        }
        var codes = new string[byCode.Count];
        var merged = new MergedMaterial[byCode.Count];
        var i = 0;
        foreach (var (code, (first, uses)) in byCode)
        {
            var (source, mayFollowLater) = BundleMath.Decide(uses, present);
            codes[i] = code;
            merged[i++] = new MergedMaterial
            {
                Code = code,
                Name = first.Name,
                Kind = first.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                Uses = uses,
            };
        }
        Array.Sort(codes, merged, StringComparer.Ordinal);
        return merged;
    }

    internal static IReadOnlyList<T> SortedByCode<T>(IReadOnlyList<T> items, Func<T, string> code)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (string.CompareOrdinal(code(items[i - 1]), code(items[i])) > 0)
            {
                var copy = items.ToArray();
                Array.Sort(copy, (a, b) => string.CompareOrdinal(code(a), code(b)));
                return copy;
            }
        }
        return items;
    }

    internal static IReadOnlyList<string> SortedDistinct(IReadOnlyList<string> items)
    {
        if (items.Count == 0) return [];
        var ordered = true;
        for (var i = 1; ordered && i < items.Count; i++) ordered = string.CompareOrdinal(items[i - 1], items[i]) < 0;
        if (ordered) return items;
        var copy = items.Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(copy, StringComparer.Ordinal);
        return copy;
    }

    internal static IReadOnlyList<TEnum> SortedDistinct<TEnum>(IReadOnlyList<TEnum> items) where TEnum : struct, Enum
    {
        if (items.Count == 0) return [];
        var ordered = true;
        for (var i = 1; ordered && i < items.Count; i++) ordered = Comparer<TEnum>.Default.Compare(items[i - 1], items[i]) < 0;
        if (ordered) return items;
        var copy = items.Distinct().ToArray();
        Array.Sort(copy);
        return copy;
    }
}
