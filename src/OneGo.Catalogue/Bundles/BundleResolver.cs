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
        var materialLists = new MaterialsShape[n];
        var steps = new EffectiveStep[n];
        for (var i = 0; i < n; i++)
        {
            var step = stepDefs[i];
            if (!matters.TryGetValue(step.Code, out var matter))
            {
                throw new ArgumentException($"Bundle '{definition.Code}' names matter '{step.Code}', which is not given. Validate the definition first.", nameof(matters));
            }
            embedded[i] = Embed(matter, step);
            // A step that adds no material keeps the matter's own list, whose uses and ids are built once per matter.
            materialLists[i] = step.AddedMaterials.Count == 0 ? SharedMaterials(embedded[i]) : MaterialsOf(embedded[i]);
            steps[i] = new EffectiveStep { Code = step.Code, After = SortedDistinct(step.After), Optional = step.Optional };
        }

        var graph = MatterGraph.Build(steps);
        var form = MergeForm(embedded);
        var materials = MergeMaterials(embedded, materialLists);
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
    // second fills arrays of the exact size. Codes are looked up by their ids (kept per matter's list), so no
    // string is hashed, and the merged items are sorted by the ids' ranks, so no string is compared.
    private static MergedField[] MergeForm(Matter[] matters)
    {
        var total = 0;
        var shapes = new FieldsShape[matters.Length];
        for (var mi = 0; mi < matters.Length; mi++)
        {
            shapes[mi] = FieldsOf(matters[mi].FormFields);
            total += shapes[mi].Ids.Length;
        }
        // The first position of each matter's code: the matters come sorted by code, so a repeated code follows its twin.
        var sameAs = matters.Length <= 256 ? stackalloc int[matters.Length] : new int[matters.Length];
        for (var mi = 0; mi < matters.Length; mi++)
        {
            sameAs[mi] = mi > 0 && matters[mi].Code == matters[mi - 1].Code ? sameAs[mi - 1] : mi;
        }
        var scratch = Scratch.Begin(total);
        var (slotOf, counts, lastMatter, idOfSlot) = (scratch.SlotOf, scratch.Counts, scratch.LastMatter, scratch.IdOfSlot);
        var first = scratch.Fields;
        var n = 0;
        var k = 0;
        for (var mi = 0; mi < matters.Length; mi++)
        {
            var fields = shapes[mi].Items;
            var ids = shapes[mi].Ids;
            for (var j = 0; j < ids.Length; j++)
            {
                var id = ids[j];
                if (!scratch.TryGet(id, out var slot))
                {
                    slot = n++;
                    scratch.Set(id, slot);
                    first[slot] = fields[j];
                    counts[slot] = 1;
                    lastMatter[slot] = mi;
                    idOfSlot[slot] = id;
                    slotOf[k++] = slot;
                }
                else if (sameAs[lastMatter[slot]] != sameAs[mi])
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

        var feeds = new string[n][];
        for (var i = 0; i < n; i++) feeds[i] = new string[counts[i]];
        Array.Clear(counts, 0, n);
        k = 0;
        for (var mi = 0; mi < matters.Length; mi++)
        {
            var code = matters[mi].Code;
            var count = shapes[mi].Ids.Length;
            for (var j = 0; j < count; j++)
            {
                var slot = slotOf[k++];
                if (slot >= 0) feeds[slot][counts[slot]++] = code;
            }
        }

        var order = SlotsByCode(idOfSlot, n);
        var merged = new MergedField[n];
        for (var r = 0; r < n; r++)
        {
            var i = order[r];
            var field = first[i];
            merged[r] = new MergedField { Code = field.Code, Label = field.Label, Type = field.Type, Feeds = feeds[i] };
        }
        Array.Clear(first, 0, n);
        return merged;
    }

    private static MergedMaterial[] MergeMaterials(Matter[] matters, MaterialsShape[] lists)
    {
        var total = 0;
        foreach (var list in lists) total += list.Ids.Length;

        var scratch = Scratch.Begin(total);
        var (slotOf, counts, idOfSlot) = (scratch.SlotOf, scratch.Counts, scratch.IdOfSlot);
        var first = scratch.Materials;
        var n = 0;
        var k = 0;
        var issued = false;
        for (var mi = 0; mi < matters.Length; mi++)
        {
            var materials = lists[mi].Items;
            var ids = lists[mi].Ids;
            for (var j = 0; j < ids.Length; j++)
            {
                var id = ids[j];
                if (!scratch.TryGet(id, out var slot))
                {
                    slot = n++;
                    scratch.Set(id, slot);
                    first[slot] = materials[j];
                    counts[slot] = 0;
                    idOfSlot[slot] = id;
                }
                counts[slot]++;
                slotOf[k++] = slot;
            }
        }

        var uses = new MaterialUse[n][];
        for (var i = 0; i < n; i++) uses[i] = new MaterialUse[counts[i]];
        Array.Clear(counts, 0, n);
        k = 0;
        foreach (var list in lists)
        {
            foreach (var use in list.Uses)
            {
                var slot = slotOf[k++];
                uses[slot][counts[slot]++] = use;
                issued |= use.Source.Kind == SourceKind.IssuedByMatter;
            }
        }

        // Which matters are present matters only to materials issued by one of them.
        HashSet<string>? present = null;
        if (issued)
        {
            present = new HashSet<string>(matters.Length, StringComparer.Ordinal);
            foreach (var matter in matters) present.Add(matter.Code);
        }
        var order = SlotsByCode(idOfSlot, n);
        var merged = new MergedMaterial[n];
        for (var r = 0; r < n; r++)
        {
            var i = order[r];
            var material = first[i];
            var (source, mayFollowLater) = BundleMath.Decide(uses[i], present!);
            merged[r] = new MergedMaterial
            {
                Code = material.Code,
                Name = material.Name,
                Kind = material.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                Uses = uses[i],
            };
        }
        Array.Clear(first, 0, n);
        return merged;
    }

    /// <summary>
    /// The slots in the order of their codes (ordinal), through the ranks of their code ids: written over
    /// <paramref name="ids"/> (scratch). Each slot's rank goes with its slot in one number, so the sort is of plain integers.
    /// </summary>
    private static int[] SlotsByCode(int[] ids, int n)
    {
        var max = -1;
        for (var i = 0; i < n; i++) max = Math.Max(max, ids[i]);
        var ranks = Codes.Ranks(max + 1);
        var keys = n <= 512 ? stackalloc long[n] : new long[n];
        var sorted = true;
        for (var i = 0; i < n; i++)
        {
            keys[i] = (long)ranks[ids[i]] << 32 | (uint)i;
            if (i > 0 && keys[i - 1] > keys[i]) sorted = false;
        }
        if (!sorted) keys.Sort();
        for (var r = 0; r < n; r++) ids[r] = (int)keys[r];
        return ids;
    }

    /// <summary>
    /// A code id → slot map and the work arrays of a merge, reused by the merges of one thread (they never nest):
    /// an entry of the map counts only when its stamp is the current merge's, so starting a merge clears nothing.
    /// </summary>
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? t_scratch;
        private int[] _slots = new int[256];
        private int[] _stamps = new int[256];
        private int _stamp;

        public int[] SlotOf = new int[256], Counts = new int[256], LastMatter = new int[256], IdOfSlot = new int[256];
        public FormField[] Fields = new FormField[256];
        public Material[] Materials = new Material[256];

        public static Scratch Begin(int items)
        {
            var scratch = t_scratch ??= new Scratch();
            if (scratch.SlotOf.Length < items)
            {
                var size = Math.Max(items, scratch.SlotOf.Length * 2);
                scratch.SlotOf = new int[size];
                scratch.Counts = new int[size];
                scratch.LastMatter = new int[size];
                scratch.IdOfSlot = new int[size];
                scratch.Fields = new FormField[size];
                scratch.Materials = new Material[size];
            }
            var count = Codes.Count;
            if (scratch._slots.Length < count)
            {
                var size = Math.Max(count, scratch._slots.Length * 2);
                Array.Resize(ref scratch._slots, size);
                Array.Resize(ref scratch._stamps, size);
            }
            if (++scratch._stamp == int.MaxValue)
            {
                Array.Clear(scratch._stamps);
                scratch._stamp = 1;
            }
            return scratch;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryGet(int id, out int slot)
        {
            if (_stamps[id] == _stamp)
            {
                slot = _slots[id];
                return true;
            }
            slot = 0;
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(int id, int slot)
        {
            _stamps[id] = _stamp;
            _slots[id] = slot;
        }
    }

    /// <summary>A matter's material list as a merge reads it: the items, their code ids and the matter's uses of them.</summary>
    private sealed class MaterialsShape(string matter, Material[] items, int[] ids, MaterialUse[] uses)
    {
        public readonly string Matter = matter;
        public readonly Material[] Items = items;
        public readonly int[] Ids = ids;
        public readonly MaterialUse[] Uses = uses;
    }

    // Each matter's material list as a merge reads it, kept as long as the list lives: a matter is shared by every
    // bundle that uses it (and by every adopter of a standard), so it is built once. Pure: the items are immutable,
    // and a list changed in place (other items) or used by another matter is not mistaken for what it was.
    private static readonly ConditionalWeakTable<IReadOnlyList<Material>, MaterialsShape> Shapes = new();

    private static MaterialsShape SharedMaterials(Matter matter)
    {
        var materials = matter.Materials;
        if (Shapes.TryGetValue(materials, out var shape) && Same(shape.Items, materials) && string.Equals(shape.Matter, matter.Code, StringComparison.Ordinal))
        {
            return shape;
        }
        shape = MaterialsOf(matter);
        Shapes.AddOrUpdate(materials, shape);
        return shape;
    }

    private static MaterialsShape MaterialsOf(Matter matter)
    {
        var items = matter.Materials.ToArray();
        var ids = new int[items.Length];
        var uses = new MaterialUse[items.Length];
        for (var j = 0; j < items.Length; j++)
        {
            var material = items[j];
            ids[j] = Codes.IdOf(material.Code);
            uses[j] = new MaterialUse { Matter = matter.Code, Source = material.Source, MayFollowLater = material.MayFollowLater };
        }
        return new MaterialsShape(matter.Code, items, ids, uses);
    }

    /// <summary>A matter's form field list as a merge reads it: the items and their code ids.</summary>
    private sealed class FieldsShape(FormField[] items, int[] ids)
    {
        public readonly FormField[] Items = items;
        public readonly int[] Ids = ids;
    }

    // Each form field list as a merge reads it, kept as long as the list lives (as the material lists are).
    private static readonly ConditionalWeakTable<IReadOnlyList<FormField>, FieldsShape> FieldShapes = new();

    private static FieldsShape FieldsOf(IReadOnlyList<FormField> fields)
    {
        if (FieldShapes.TryGetValue(fields, out var shape) && Same(shape.Items, fields)) return shape;
        var items = fields.ToArray();
        var ids = new int[items.Length];
        for (var j = 0; j < items.Length; j++) ids[j] = Codes.IdOf(items[j].Code);
        shape = new FieldsShape(items, ids);
        FieldShapes.AddOrUpdate(fields, shape);
        return shape;
    }

    /// <summary>The same item objects in the same order.</summary>
    private static bool Same<T>(T[] items, IReadOnlyList<T> list) where T : class
    {
        if (list is T[] array)
        {
            if (items.Length != array.Length) return false;
            for (var i = 0; i < items.Length; i++)
            {
                if (!ReferenceEquals(items[i], array[i])) return false;
            }
            return true;
        }
        if (items.Length != list.Count) return false;
        for (var i = 0; i < items.Length; i++)
        {
            if (!ReferenceEquals(items[i], list[i])) return false;
        }
        return true;
    }

    internal static IReadOnlyList<T> SortedByCode<T>(IReadOnlyList<T> items, Func<T, string> code)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (string.CompareOrdinal(code(items[i - 1]), code(items[i])) > 0)
            {
                var copy = items.ToArray();
                if (copy.Length > 64)
                {
                    Array.Sort(copy, (a, b) => string.CompareOrdinal(code(a), code(b)));
                    return copy;
                }
                // Mostly sorted (an adopter's matter added at the end): an insertion sort moves only what is out of place.
                for (var j = i; j < copy.Length; j++)
                {
                    var item = copy[j];
                    var key = code(item);
                    var k = j - 1;
                    while (k >= 0 && string.CompareOrdinal(code(copy[k]), key) > 0)
                    {
                        copy[k + 1] = copy[k];
                        k--;
                    }
                    copy[k + 1] = item;
                }
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
        if (items.Count > 16)
        {
            var sorted = items.Distinct(StringComparer.Ordinal).ToArray();
            Array.Sort(sorted, StringComparer.Ordinal);
            return sorted;
        }
        // A few (keywords): an insertion sort that drops repeats, with no comparer or delegate to build.
        var copy = new string[items.Count];
        var count = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var k = count - 1;
            int c = 1;
            while (k >= 0 && (c = string.CompareOrdinal(copy[k], item)) > 0) k--;
            if (k >= 0 && c == 0) continue;
            Array.Copy(copy, k + 1, copy, k + 2, count - k - 1);
            copy[k + 1] = item;
            count++;
        }
        if (count < copy.Length) Array.Resize(ref copy, count);
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
