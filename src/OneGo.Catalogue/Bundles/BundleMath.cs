namespace OneGo.Catalogue;

/// <summary>The matter order as index lists, aligned with the bundle's steps sorted by code.</summary>
internal sealed class MatterGraph
{
    private MatterGraph(int[][] predecessors) => Predecessors = predecessors;

    public int[][] Predecessors { get; }

    public static MatterGraph Build(IReadOnlyList<EffectiveStep> steps)
    {
        // Steps sorted by code (as resolution keeps them) are found by binary search; others through a dictionary.
        var codes = new string[steps.Count];
        var sorted = true;
        for (var i = 0; i < steps.Count; i++)
        {
            codes[i] = steps[i].Code;
            if (i > 0 && string.CompareOrdinal(codes[i - 1], codes[i]) >= 0) sorted = false;
        }
        Dictionary<string, int>? index = null;
        if (!sorted)
        {
            index = new Dictionary<string, int>(steps.Count, StringComparer.Ordinal);
            for (var i = 0; i < codes.Length; i++) index[codes[i]] = i;
        }
        var predecessors = new int[steps.Count][];
        for (var i = 0; i < steps.Count; i++)
        {
            var after = steps[i].After;
            var p = after.Count == 0 ? [] : new int[after.Count];
            for (var j = 0; j < after.Count; j++)
            {
                var k = index is null ? IndexOf(codes, after[j]) : index.GetValueOrDefault(after[j], -1);
                p[j] = k >= 0
                    ? k
                    : throw new ArgumentException($"Matter '{steps[i].Code}' waits for '{after[j]}', which is not in the bundle. Validate the definition first.");
            }
            predecessors[i] = p;
        }
        return new MatterGraph(predecessors); // a cycle throws when the critical path is computed
    }

    /// <summary>The index of <paramref name="code"/> in ordinally sorted <paramref name="codes"/>, or a negative number.</summary>
    private static int IndexOf(string[] codes, string code)
    {
        int lo = 0, hi = codes.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(codes[mid], code);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>
    /// The longest chain of working days: a matter starts when all it waits for are done, so parallel
    /// matters count once and chained ones add up. A matter that does not apply weighs nothing but keeps
    /// the order it stood in (what waited for it still waits for what it waited for).
    /// </summary>
    public int CriticalPath(int[] days)
    {
        var n = days.Length;
        var finish = n <= 256 ? stackalloc int[n] : new int[n];
        var state = n <= 256 ? stackalloc byte[n] : new byte[n];
        finish.Clear();
        state.Clear();
        var longest = 0;
        for (var i = 0; i < n; i++) longest = Math.Max(longest, Visit(Predecessors, days, finish, state, i));
        return longest;

        static int Visit(int[][] predecessors, int[] days, Span<int> finish, Span<byte> state, int i)
        {
            if (state[i] == 2) return finish[i];
            if (state[i] == 1) throw new ArgumentException("The matter order has a cycle. Validate the definition first.");
            state[i] = 1;
            var start = 0;
            foreach (var p in predecessors[i]) start = Math.Max(start, Visit(predecessors, days, finish, state, p));
            state[i] = 2;
            return finish[i] = start + days[i];
        }
    }
}

/// <summary>The product's arithmetic: source precedence, trips and reductions.</summary>
internal static class BundleMath
{
    /// <summary>
    /// The applicant's burden decides: the lightest source among the uses wins (data sharing, commitment,
    /// issued by a matter of the bundle, applicant); on a tie the first use in matter-code order names the
    /// department and dataset. "Issued by a matter" counts only when that matter is present, otherwise the
    /// applicant brings it. 容缺 holds only when every use allows it.
    /// </summary>
    public static (MaterialSource Source, bool MayFollowLater) Decide(IReadOnlyList<MaterialUse> uses, HashSet<string> present) =>
        Decide(uses, new SetPresence(present));

    /// <summary>Whether a matter of the bundle is present (applies), asked only of materials issued by a matter.</summary>
    public interface IPresence
    {
        bool Contains(string matter);
    }

    private readonly struct SetPresence(HashSet<string> present) : IPresence
    {
        public bool Contains(string matter) => present.Contains(matter);
    }

    public static (MaterialSource Source, bool MayFollowLater) Decide<TPresence>(IReadOnlyList<MaterialUse> uses, TPresence present)
        where TPresence : IPresence
    {
        MaterialSource? best = null;
        var bestKind = int.MaxValue;
        var mayFollowLater = true;
        for (var i = 0; i < uses.Count; i++)
        {
            var use = uses[i];
            var source = Effective(use, present);
            if ((int)source.Kind < bestKind)
            {
                best = source;
                bestKind = (int)source.Kind;
            }
            mayFollowLater &= use.MayFollowLater;
        }
        return (best ?? MaterialSource.Applicant, mayFollowLater && uses.Count > 0);
    }

    private static MaterialSource Effective<TPresence>(MaterialUse use, TPresence present) where TPresence : IPresence =>
        use.Source.Kind == SourceKind.IssuedByMatter
        && (use.Source.Matter is null || use.Source.Matter == use.Matter || !present.Contains(use.Source.Matter))
            ? MaterialSource.Applicant
            : use.Source;

    /// <summary>The critical path of a definition's matters (promised days, the step's own when it has one).</summary>
    public static int CriticalPath(BundleDefinition definition, IReadOnlyDictionary<string, Matter> matters)
    {
        var steps = definition.Matters
            .Select(s => new EffectiveStep { Code = s.Code, After = s.After, Optional = s.Optional })
            .ToArray();
        var days = definition.Matters
            .Select(s => s.PromisedDays ?? (matters.TryGetValue(s.Code, out var m) ? m.PromisedDays ?? 0 : 0))
            .ToArray();
        return MatterGraph.Build(steps).CriticalPath(days);
    }

    public static int Trips(IReadOnlyList<SourceKind> materials, IReadOnlyList<Matter> matters, bool[] applies,
        IReadOnlyList<Channel> channels, IReadOnlyList<Delivery> delivery)
    {
        for (var i = 0; i < materials.Count; i++)
        {
            if (materials[i] == SourceKind.Applicant) return 1;
        }
        if (channels.Count > 0 && !channels.Contains(Channel.Online) && !channels.Contains(Channel.Mobile)) return 1;
        if (delivery.Count > 0) return NoTripDelivery(delivery) ? 0 : 1;
        for (var i = 0; i < matters.Count; i++)
        {
            if (applies[i] && !NoTripDelivery(matters[i].ResultDelivery)) return 1;
        }
        return 0;
    }

    private static bool NoTripDelivery(IReadOnlyList<Delivery> delivery) =>
        delivery.Contains(Delivery.Online) || delivery.Contains(Delivery.Post);

    /// <summary>See <see cref="ReductionFigures"/> for what each figure means.</summary>
    public static Reductions Reductions(IReadOnlyList<Matter> matters, bool[] applies, MatterGraph graph, int? promise,
        IReadOnlyList<SourceKind> sources, IReadOnlyList<Channel> channels, IReadOnlyList<Delivery> delivery)
    {
        int stepsBefore = 0, daysBefore = 0, materialsBefore = 0, tripsBefore = 0;
        // Few distinct stage names: a list beats hashing them.
        var stages = new List<string>(8);
        var days = new int[matters.Count];
        for (var i = 0; i < matters.Count; i++)
        {
            if (!applies[i]) continue;
            var m = matters[i];
            if (m.ReviewSteps.Count == 0)
            {
                stepsBefore++;
                stages.Add("\0" + m.Code); // an unnamed stage merges with nothing (codes are unique)
            }
            else
            {
                stepsBefore += m.ReviewSteps.Count;
                var reviewSteps = m.ReviewSteps;
                for (var j = 0; j < reviewSteps.Count; j++)
                {
                    var stage = reviewSteps[j].Zh;
                    if (!stages.Contains(stage)) stages.Add(stage);
                }
            }
            days[i] = m.PromisedDays ?? 0;
            daysBefore += days[i];
            materialsBefore += m.Materials.Count;
            tripsBefore += m.TripsAlone;
        }
        var path = graph.CriticalPath(days);
        var daysAfter = promise is { } p ? Math.Min(p, path) : path;
        var toSubmit = 0;
        for (var i = 0; i < sources.Count; i++) if (sources[i] == SourceKind.Applicant) toSubmit++;
        return new Reductions
        {
            Before = new ReductionFigures { Steps = stepsBefore, Days = daysBefore, Materials = materialsBefore, Trips = tripsBefore },
            After = new ReductionFigures
            {
                Steps = stages.Count,
                Days = daysAfter,
                Materials = toSubmit,
                Trips = Trips(sources, matters, applies, channels, delivery),
            },
        };
    }
}
