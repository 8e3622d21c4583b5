using System.Buffers;
using System.Runtime.CompilerServices;
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
        var materialUses = new MaterialUse[n][];
        var steps = new EffectiveStep[n];
        for (var i = 0; i < n; i++)
        {
            var step = stepDefs[i];
            if (!matters.TryGetValue(step.Code, out var matter))
            {
                throw new ArgumentException($"Bundle '{definition.Code}' names matter '{step.Code}', which is not given. Validate the definition first.", nameof(matters));
            }
            embedded[i] = Embed(matter, step);
            // A step that adds no material keeps the matter's own list, whose uses are built once per matter.
            materialUses[i] = step.AddedMaterials.Count == 0 ? SharedUses(embedded[i]) : UsesOf(embedded[i]);
            steps[i] = new EffectiveStep { Code = step.Code, After = SortedDistinct(step.After), Optional = step.Optional };
        }

        var graph = MatterGraph.Build(steps);
        var form = MergeForm(embedded);
        var materials = MergeMaterials(embedded, materialUses);
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

    // Both merges run in two passes over the matters: the first gives each code a slot and counts its uses, the
    // second fills arrays of the exact size. No list grows, and each item is looked up once.
    private static MergedField[] MergeForm(Matter[] matters)
    {
        var total = 0;
        foreach (var matter in matters) total += matter.FormFields.Count;
        var slots = Slots();
        var slotOf = ArrayPool<int>.Shared.Rent(total);
        var first = ArrayPool<FormField>.Shared.Rent(total);
        var counts = ArrayPool<int>.Shared.Rent(total);
        var lastMatter = ArrayPool<int>.Shared.Rent(total);
        var k = 0;
        for (var mi = 0; mi < matters.Length; mi++)
        {
            var fields = matters[mi].FormFields;
            for (var j = 0; j < fields.Count; j++)
            {
                var field = fields[j];
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(slots, field.Code, out var exists);
                if (!exists)
                {
                    slot = slots.Count - 1;
                    first[slot] = field;
                    counts[slot] = 1;
                    lastMatter[slot] = mi;
                    slotOf[k++] = slot;
                }
                else if (matters[lastMatter[slot]].Code != matters[mi].Code)
                {
                    // A matter listing a field twice feeds it once.
                    counts[slot]++;
                    lastMatter[slot] = mi;
                    slotOf[k++] = slot;
                }
                else
                {
                    slotOf[k++] = -1;
                }
            }
        }

        var n = slots.Count;
        var feeds = new string[n][];
        for (var i = 0; i < n; i++) feeds[i] = new string[counts[i]];
        Array.Clear(counts, 0, n);
        k = 0;
        foreach (var matter in matters)
        {
            for (var j = 0; j < matter.FormFields.Count; j++)
            {
                var slot = slotOf[k++];
                if (slot >= 0) feeds[slot][counts[slot]++] = matter.Code;
            }
        }

        var codes = new string[n];
        var merged = new MergedField[n];
        for (var i = 0; i < n; i++)
        {
            var field = first[i];
            codes[i] = field.Code;
            merged[i] = new MergedField { Code = field.Code, Label = field.Label, Type = field.Type, Feeds = feeds[i] };
        }
        slots.Clear();
        ArrayPool<int>.Shared.Return(slotOf);
        ArrayPool<FormField>.Shared.Return(first, clearArray: true);
        ArrayPool<int>.Shared.Return(counts);
        ArrayPool<int>.Shared.Return(lastMatter);
        Array.Sort(codes, merged, StringComparer.Ordinal);
        return merged;
    }

    private static MergedMaterial[] MergeMaterials(Matter[] matters, MaterialUse[][] materialUses)
    {
        var present = new HashSet<string>(matters.Length, StringComparer.Ordinal);
        var total = 0;
        foreach (var matter in matters)
        {
            present.Add(matter.Code);
            total += matter.Materials.Count;
        }

        var slots = Slots();
        var slotOf = ArrayPool<int>.Shared.Rent(total);
        var first = ArrayPool<Material>.Shared.Rent(total);
        var counts = ArrayPool<int>.Shared.Rent(total);
        var k = 0;
        foreach (var matter in matters)
        {
            var materials = matter.Materials;
            for (var j = 0; j < materials.Count; j++)
            {
                var material = materials[j];
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(slots, material.Code, out var exists);
                if (!exists)
                {
                    slot = slots.Count - 1;
                    first[slot] = material;
                    counts[slot] = 0;
                }
                counts[slot]++;
                slotOf[k++] = slot;
            }
        }

        var n = slots.Count;
        var uses = new MaterialUse[n][];
        for (var i = 0; i < n; i++) uses[i] = new MaterialUse[counts[i]];
        Array.Clear(counts, 0, n);
        k = 0;
        foreach (var matterUses in materialUses)
        {
            foreach (var use in matterUses)
            {
                var slot = slotOf[k++];
                uses[slot][counts[slot]++] = use;
            }
        }

        var codes = new string[n];
        var merged = new MergedMaterial[n];
        for (var i = 0; i < n; i++)
        {
            var material = first[i];
            var (source, mayFollowLater) = BundleMath.Decide(uses[i], present);
            codes[i] = material.Code;
            merged[i] = new MergedMaterial
            {
                Code = material.Code,
                Name = material.Name,
                Kind = material.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                Uses = uses[i],
            };
        }
        slots.Clear();
        ArrayPool<int>.Shared.Return(slotOf);
        ArrayPool<Material>.Shared.Return(first, clearArray: true);
        ArrayPool<int>.Shared.Return(counts);
        Array.Sort(codes, merged, StringComparer.Ordinal);
        return merged;
    }

    // Each matter's uses of its materials, kept as long as its material list lives: a matter is shared by every
    // bundle that uses it (and by every adopter of a standard), so they are built once. Pure: both are immutable.
    private static readonly ConditionalWeakTable<IReadOnlyList<Material>, MaterialUse[]> Uses = new();

    private static MaterialUse[] SharedUses(Matter matter)
    {
        if (Uses.TryGetValue(matter.Materials, out var uses) && uses.Length == matter.Materials.Count && (uses.Length == 0 || uses[0].Matter == matter.Code))
        {
            return uses;
        }
        uses = UsesOf(matter);
        Uses.AddOrUpdate(matter.Materials, uses);
        return uses;
    }

    private static MaterialUse[] UsesOf(Matter matter)
    {
        var materials = matter.Materials;
        var uses = new MaterialUse[materials.Count];
        for (var j = 0; j < uses.Length; j++)
        {
            var material = materials[j];
            uses[j] = new MaterialUse { Matter = matter.Code, Source = material.Source, MayFollowLater = material.MayFollowLater };
        }
        return uses;
    }

    // A code → slot map reused by the merges of one thread (they never nest), so resolving many bundles does not
    // build a dictionary each time.
    [ThreadStatic] private static Dictionary<string, int>? t_slots;

    private static Dictionary<string, int> Slots()
    {
        var slots = t_slots ??= new Dictionary<string, int>(64, StringComparer.Ordinal);
        slots.Clear();
        return slots;
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
