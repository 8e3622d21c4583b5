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
        IReadOnlyList<TemplateRef>? lineage = null) =>
        Resolve(definition, matters, lineage, null, keep: false, out _);

    /// <summary>
    /// The resolution of a standard, kept so that its adopters resolve against it (see <see cref="ResolvedBase"/>).
    /// </summary>
    internal static ResolvedBase Keep(BundleDefinition definition, IReadOnlyDictionary<string, Matter> matters, IReadOnlyList<TemplateRef>? lineage)
    {
        Resolve(definition, matters, lineage, null, keep: true, out var kept);
        return kept!;
    }

    /// <summary>
    /// Resolves a definition that differs from <paramref name="based"/>'s in a few matters (an adopter's from its
    /// standard's): the same bytes as <see cref="Resolve(BundleDefinition, IReadOnlyDictionary{string, Matter}, IReadOnlyList{TemplateRef}?)"/>.
    /// </summary>
    internal static EffectiveBundle Resolve(BundleDefinition definition, IReadOnlyDictionary<string, Matter> matters, IReadOnlyList<TemplateRef>? lineage, ResolvedBase based) =>
        Resolve(definition, matters, lineage, based, keep: false, out _);

    private static EffectiveBundle Resolve(
        BundleDefinition definition,
        IReadOnlyDictionary<string, Matter> matters,
        IReadOnlyList<TemplateRef>? lineage,
        ResolvedBase? based,
        bool keep,
        out ResolvedBase? kept)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(matters);

        var stepDefs = SortedByCode(definition.Matters, static s => s.Code);
        var n = stepDefs.Count;
        var raw = keep ? new Matter[n] : null;
        var embedded = new Matter[n];
        var materialLists = new MaterialsShape[n];
        var fieldLists = new FieldsShape[n];
        var steps = new EffectiveStep[n];
        // Each matter's position in the base (-1: none of its code), when there is a base to take from.
        var from = based is { Delta: true } ? new int[n] : null;
        // The matters the base was resolved with, under local ones or none: a code that is not local is the base's matter.
        var local = from is null ? null
            : ReferenceEquals(matters, based!.Matters) ? EmptyMatters
            : matters is LayeredMatters layered && ReferenceEquals(layered.Inherited, based.Matters) ? layered.Local
            : null;
        var repeated = false;
        var taken = 0;
        for (int i = 0, b = 0; i < n; i++)
        {
            var step = stepDefs[i];
            repeated |= i > 0 && Codes.Same(stepDefs[i - 1].Code, step.Code);
            Matter? matter = null;
            if (from is not null)
            {
                // The base's matter of the same code, if any: most of an adopter's steps are the base's own objects.
                var baseSteps = based!.StepDefs;
                if (b >= baseSteps.Length || !ReferenceEquals(baseSteps[b], step))
                {
                    while (b < baseSteps.Length && string.CompareOrdinal(baseSteps[b].Code, step.Code) < 0) b++;
                }
                from[i] = b < baseSteps.Length && Codes.Same(baseSteps[b].Code, step.Code) ? b : -1;
                if (from[i] >= 0)
                {
                    taken++;
                    if (local is not null && !local.ContainsKey(step.Code)) matter = based.Raw[b];
                }
            }
            if (matter is null && !matters.TryGetValue(step.Code, out matter))
            {
                throw new ArgumentException($"Bundle '{definition.Code}' names matter '{step.Code}', which is not given. Validate the definition first.", nameof(matters));
            }
            if (raw is not null) raw[i] = matter;
            if (from is not null && from[i] >= 0 && ReferenceEquals(based!.StepDefs[b], step) && ReferenceEquals(based.Raw[b], matter))
            {
                // The same step over the same matter: what it contributes is the base's.
                (embedded[i], materialLists[i], fieldLists[i], steps[i]) = (based.Effective.Matters[b], based.MaterialLists[b], based.FieldLists[b], based.Effective.Steps[b]);
                b++;
                continue;
            }
            embedded[i] = Embed(matter, step);
            // A step that adds no material keeps the matter's own list, whose uses and ids are built once per matter.
            materialLists[i] = step.AddedMaterials.Count == 0 ? SharedMaterials(embedded[i]) : Extended(SharedMaterials(matter), step.AddedMaterials);
            fieldLists[i] = FieldsOf(embedded[i].FormFields);
            steps[i] = new EffectiveStep { Code = step.Code, After = SortedDistinct(step.After), Optional = step.Optional };
        }

        var graph = MatterGraph.Build(steps);
        // A repeated matter merges with its twin: such a definition merges in full.
        var delta = from is not null && !repeated;
        // Whether the matters present are the base's (a material issued by a matter depends on them).
        var sameMatters = delta && taken == n && n == based!.StepDefs.Length;
        var form = MergeForm(embedded, fieldLists, delta ? based : null, from);
        var materials = MergeMaterials(embedded, materialLists, delta ? based : null, from, sameMatters);
        var all = n <= AllApply.Length ? AllApply : Enumerable.Repeat(true, n).ToArray();
        var channels = SortedDistinct(definition.Channels);
        var delivery = SortedDistinct(definition.ResultDelivery);
        var sources = new SourceKind[materials.Length];
        for (var i = 0; i < sources.Length; i++) sources[i] = materials[i].Source.Kind;
        var reductions = BundleMath.Reductions(embedded, all, graph, definition.PromisedDays, sources, channels, delivery);

        var effective = new EffectiveBundle
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
        kept = null;
        if (keep)
        {
            var issuedIds = new List<int>();
            var fieldIds = new int[form.Length];
            for (var r = 0; r < form.Length; r++) fieldIds[r] = Codes.IdOf(form[r].Code);
            var materialIds = new int[materials.Length];
            for (var r = 0; r < materials.Length; r++)
            {
                materialIds[r] = Codes.IdOf(materials[r].Code);
                foreach (var use in materials[r].Uses)
                {
                    if (use.Source.Kind != SourceKind.IssuedByMatter) continue;
                    issuedIds.Add(materialIds[r]);
                    break;
                }
            }
            kept = new ResolvedBase
            {
                Matters = matters,
                StepDefs = [.. stepDefs],
                Raw = raw!,
                MaterialLists = materialLists,
                FieldLists = fieldLists,
                FieldIds = fieldIds,
                MaterialIds = materialIds,
                IssuedMaterialIds = [.. issuedIds],
                Delta = !repeated,
                Effective = effective,
            };
        }
        return effective;
    }

    // Every matter applies to the bundle itself (a guide decides otherwise): read, never written.
    private static readonly bool[] AllApply = Enumerable.Repeat(true, 256).ToArray();

    private static readonly IReadOnlyDictionary<string, Matter> EmptyMatters = new Dictionary<string, Matter>();

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
    //
    // Against a base (an adopter against its standard), a code is "dirty" when a matter that lists it was added,
    // removed or given other materials (marked in the merge's map with slot -1). Every other code has the same uses,
    // in the same matter order, as in the base, so its merged item is the base's own; only the dirty ones are merged
    // again, from every matter that lists them. Without a base every code is merged.

    private static MergedField[] MergeForm(Matter[] matters, FieldsShape[] shapes, ResolvedBase? based, int[]? from)
    {
        var total = 0;
        foreach (var shape in shapes) total += shape.Ids.Length;
        // The first position of each matter's code: the matters come sorted by code, so a repeated code follows its twin.
        var sameAs = matters.Length <= 256 ? stackalloc int[matters.Length] : new int[matters.Length];
        for (var mi = 0; mi < matters.Length; mi++)
        {
            sameAs[mi] = mi > 0 && matters[mi].Code == matters[mi - 1].Code ? sameAs[mi - 1] : mi;
        }
        var scratch = Scratch.Begin(total);
        if (based is not null) MarkDirty(scratch, from!, shapes, based.FieldLists);
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
                var known = scratch.TryGet(id, out var slot);
                if (!known && based is not null)
                {
                    slotOf[k++] = -1; // as in the base
                }
                else if (!known || slot < 0)
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
                    counts[slot]++;
                    lastMatter[slot] = mi;
                    slotOf[k++] = slot;
                }
                else
                {
                    slotOf[k++] = -1; // a matter listing a field twice feeds it once
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
        var positionOf = n <= 256 ? stackalloc int[n] : new int[n];
        var merged = Place(scratch, idOfSlot, n, based?.Effective.Form, based?.FieldIds, positionOf);
        for (var i = 0; i < n; i++)
        {
            var field = first[i];
            merged[positionOf[i]] = new MergedField { Code = field.Code, Label = field.Label, Type = field.Type, Feeds = feeds[i] };
        }
        Array.Clear(first, 0, n);
        return merged;
    }

    private static MergedMaterial[] MergeMaterials(Matter[] matters, MaterialsShape[] lists, ResolvedBase? based, int[]? from, bool sameMatters)
    {
        var total = 0;
        foreach (var list in lists) total += list.Ids.Length;
        var scratch = Scratch.Begin(total);
        if (based is not null)
        {
            MarkDirty(scratch, from!, lists, based.MaterialLists);
            // Other matters present: what a matter issues may now come from the applicant, or the other way round.
            if (!sameMatters) foreach (var id in based.IssuedMaterialIds) scratch.Set(id, -1);
        }
        var (slotOf, counts, idOfSlot) = (scratch.SlotOf, scratch.Counts, scratch.IdOfSlot);
        var first = scratch.Materials;
        var n = 0;
        var k = 0;
        for (var mi = 0; mi < matters.Length; mi++)
        {
            var materials = lists[mi].Items;
            var ids = lists[mi].Ids;
            for (var j = 0; j < ids.Length; j++)
            {
                var id = ids[j];
                var known = scratch.TryGet(id, out var slot);
                if (!known && based is not null)
                {
                    slotOf[k++] = -1; // as in the base
                    continue;
                }
                if (!known || slot < 0)
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
        var issued = false;
        foreach (var list in lists)
        {
            foreach (var use in list.Uses)
            {
                var slot = slotOf[k++];
                if (slot < 0) continue;
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
        var positionOf = n <= 256 ? stackalloc int[n] : new int[n];
        var merged = Place(scratch, idOfSlot, n, based?.Effective.Materials, based?.MaterialIds, positionOf);
        for (var i = 0; i < n; i++)
        {
            var material = first[i];
            var (source, mayFollowLater) = BundleMath.Decide(uses[i], present!);
            merged[positionOf[i]] = new MergedMaterial
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
    /// Marks with slot -1 every code listed by a matter whose list is not the one its code has in the base (added,
    /// or its materials changed) and by every matter of the base whose list is not taken (removed or changed). A
    /// matter with another department or time limit keeps its lists, so it marks nothing.
    /// </summary>
    private static void MarkDirty(Scratch scratch, int[] from, Shape[] shapes, Shape[] baseShapes)
    {
        var taken = baseShapes.Length <= 256 ? stackalloc bool[baseShapes.Length] : new bool[baseShapes.Length];
        for (var i = 0; i < from.Length; i++)
        {
            var shape = shapes[i];
            var b = from[i];
            if (b >= 0 && ReferenceEquals(shape, baseShapes[b]))
            {
                taken[b] = true;
                continue;
            }
            var ids = shape.Ids;
            var start = 0;
            if (b >= 0 && shape.Prefix is { } prefix && ReferenceEquals(prefix, baseShapes[b]))
            {
                // The base's list with items added after it: only the added codes change.
                taken[b] = true;
                start = prefix.Ids.Length;
            }
            for (var j = start; j < ids.Length; j++) scratch.Set(ids[j], -1);
        }
        for (var b = 0; b < baseShapes.Length; b++)
        {
            if (taken[b]) continue;
            foreach (var id in baseShapes[b].Ids) scratch.Set(id, -1);
        }
    }
    /// <summary>
    /// The array of merged items in code order: the base's items whose codes are not dirty (in the map) placed, and
    /// for each merged slot (0..n-1, with its code id) the position its item goes to.
    /// </summary>
    private static T[] Place<T>(Scratch scratch, int[] idOfSlot, int n, IReadOnlyList<T>? baseItems, int[]? baseIds, Span<int> positionOf)
    {
        baseIds ??= [];
        var keptCount = 0;
        var max = -1;
        for (var r = 0; r < baseIds.Length; r++)
        {
            if (!scratch.TryGet(baseIds[r], out _)) keptCount++;
            max = Math.Max(max, baseIds[r]);
        }
        var ids = n <= 256 ? stackalloc int[n] : new int[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = idOfSlot[i];
            max = Math.Max(max, idOfSlot[i]);
        }
        var ranks = Codes.Ranks(max + 1);
        var order = SlotsByCode(idOfSlot, n, ranks); // the slots by code (written over idOfSlot)
        var placed = new T[keptCount + n];
        int at = 0, f = 0;
        for (var r = 0; r < baseIds.Length; r++)
        {
            if (scratch.TryGet(baseIds[r], out _)) continue;
            var rank = ranks[baseIds[r]];
            while (f < n && ranks[ids[order[f]]] < rank) positionOf[order[f++]] = at++;
            placed[at++] = baseItems![r];
        }
        while (f < n) positionOf[order[f++]] = at++;
        return placed;
    }

    /// <summary>
    /// The slots in the order of their codes (ordinal), through the ranks of their code ids: written over
    /// <paramref name="ids"/> (scratch). Each slot's rank goes with its slot in one number, so the sort is of plain integers.
    /// </summary>
    private static int[] SlotsByCode(int[] ids, int n, int[] ranks)
    {
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

    /// <summary>What a merge reads of a matter's list: the code ids of its items, and the list it extends, if any.</summary>
    internal abstract class Shape(int[] ids, Shape? prefix)
    {
        public readonly int[] Ids = ids;

        /// <summary>The shape whose items this one begins with, unchanged (a matter's own materials before a bundle's added ones).</summary>
        public readonly Shape? Prefix = prefix;
    }

    /// <summary>A matter's material list as a merge reads it: the items, their code ids and the matter's uses of them.</summary>
    internal sealed class MaterialsShape(string matter, Material[] items, int[] ids, MaterialUse[] uses, MaterialsShape? prefix = null) : Shape(ids, prefix)
    {
        public readonly string Matter = matter;
        public readonly Material[] Items = items;
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

    /// <summary>
    /// A matter's materials with a bundle's added ones after them: the matter's own shape, its uses shared, then the
    /// added items (what <see cref="Embed"/> gives the matter, as a merge reads it).
    /// </summary>
    private static MaterialsShape Extended(MaterialsShape own, IReadOnlyList<Material> added)
    {
        var n = own.Items.Length;
        var items = new Material[n + added.Count];
        var ids = new int[items.Length];
        var uses = new MaterialUse[items.Length];
        Array.Copy(own.Items, items, n);
        Array.Copy(own.Ids, ids, n);
        Array.Copy(own.Uses, uses, n);
        for (var j = 0; j < added.Count; j++)
        {
            var material = added[j];
            items[n + j] = material;
            ids[n + j] = Codes.IdOf(material.Code);
            uses[n + j] = new MaterialUse { Matter = own.Matter, Source = material.Source, MayFollowLater = material.MayFollowLater };
        }
        return new MaterialsShape(own.Matter, items, ids, uses, own);
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
    internal sealed class FieldsShape(FormField[] items, int[] ids) : Shape(ids, null)
    {
        public readonly FormField[] Items = items;
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
    internal static bool Same<T>(T[] items, IReadOnlyList<T> list) where T : class
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

    /// <summary>
    /// A standard's resolution kept for its adopters: an adopter shares most of its standard's matters, so what
    /// those contribute — embedded matter, step, merged fields and materials — is taken from here, and only what
    /// the overlay added, removed or changed is resolved again (<see cref="Resolve(BundleDefinition, IReadOnlyDictionary{string, Matter}, IReadOnlyList{TemplateRef}?, ResolvedBase)"/>).
    /// </summary>
    internal sealed class ResolvedBase
    {
        /// <summary>The definition's steps sorted by code, aligned with <see cref="Raw"/>, the lists and <see cref="Effective"/>'s steps and matters.</summary>
        public required MatterStep[] StepDefs { get; init; }

        /// <summary>The matters the base was resolved with.</summary>
        public required IReadOnlyDictionary<string, Matter> Matters { get; init; }

        /// <summary>The matters as looked up, before the steps' adjustments.</summary>
        public required Matter[] Raw { get; init; }

        public required MaterialsShape[] MaterialLists { get; init; }
        public required FieldsShape[] FieldLists { get; init; }

        /// <summary>The code id of each item of <see cref="Effective"/>'s form and materials.</summary>
        public required int[] FieldIds { get; init; }

        public required int[] MaterialIds { get; init; }

        /// <summary>The materials of <see cref="Effective"/> one of whose uses is issued by a matter: their source depends on which matters are present.</summary>
        public required int[] IssuedMaterialIds { get; init; }

        /// <summary>False when a matter repeats: adopters then merge in full.</summary>
        public required bool Delta { get; init; }

        public required EffectiveBundle Effective { get; init; }
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
