namespace OneGo.Catalogue;

/// <summary>Evaluates a bundle for one set of scenario answers.</summary>
public static class GuideEvaluator
{
    /// <summary>
    /// The personalised guide, deterministic for the same bundle and answers. An item no rule names always
    /// applies; an item named by include rules applies only when one of them matches; where an include and
    /// an exclude both match, the exclude wins. Unknown question or option ids and missing required answers
    /// are returned as errors with the pointer <c>/answers/{questionId}</c>.
    /// </summary>
    public static GuideResult Evaluate(EffectiveBundle bundle, IReadOnlyDictionary<string, string> answers)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(answers);

        var index = new BundleIndex(bundle);
        var errors = CheckAnswers(bundle, index, answers);
        if (errors.Count > 0) return new GuideResult { Errors = errors };

        var matters = new Selection(index.MatterRules);
        var materials = new Selection(index.MaterialRules);
        var fields = new Selection(index.FieldRules);
        var rules = bundle.Rules;
        for (var r = 0; r < rules.Count; r++)
        {
            var when = rules[r].When;
            if (!answers.TryGetValue(when.Question, out var option) || option != when.Option) continue;
            matters.Match(r, when);
            materials.Match(r, when);
            fields.Match(r, when);
        }

        var (steps, embedded) = (index.Steps, index.Matters);
        var n = embedded.Count;
        var applies = new bool[n];
        var applicableCount = 0;
        for (var i = 0; i < n; i++)
        {
            applies[i] = matters.Applies(index.MatterRules.SlotOfItem[i]);
            if (applies[i]) applicableCount++;
        }
        var presence = new Presence(index, applies);
        var explain = new Explainer(index);

        var guideMatters = new List<GuideMatter>(applicableCount);
        for (var i = 0; i < n; i++)
        {
            if (!applies[i]) continue;
            var m = embedded[i];
            guideMatters.Add(new GuideMatter
            {
                Code = m.Code,
                Name = m.Name,
                Department = m.Department ?? "",
                PromisedDays = m.PromisedDays ?? 0,
                After = Applicable(steps[i].After, index.Graph.Predecessors[i], applies),
                Why = explain.Why(matters.IncludedBy(index.MatterRules.SlotOfItem[i]), [], null),
            });
        }

        var form = new List<GuideField>(bundle.Form.Count);
        for (var fi = 0; fi < bundle.Form.Count; fi++)
        {
            var f = bundle.Form[fi];
            var slot = index.FieldRules.SlotOfItem[fi];
            if (!fields.Applies(slot)) continue;
            var feedIndices = index.FeedIndices[fi];
            var feeds = Applicable(f.Feeds, feedIndices, applies);
            if (feeds.Count == 0) continue;
            form.Add(new GuideField
            {
                Code = f.Code, Label = f.Label, Type = f.Type, Feeds = feeds,
                Why = explain.Why(fields.IncludedBy(slot), feeds, ReferenceEquals(feeds, f.Feeds) ? index.FieldSuffix(fi) : null),
            });
        }

        List<GuideMaterial> bring = [], fetched = [], commitment = [], issued = [], later = [];
        var kinds = new List<SourceKind>(bundle.Materials.Count);
        for (var mi = 0; mi < bundle.Materials.Count; mi++)
        {
            var material = bundle.Materials[mi];
            var slot = index.MaterialRules.SlotOfItem[mi];
            if (!materials.Applies(slot)) continue;
            var allUses = material.Uses;
            var useIndices = index.UseIndices[mi];
            var applying = 0;
            for (var i = 0; i < useIndices.Length; i++) if (useIndices[i] >= 0 && applies[useIndices[i]]) applying++;
            if (applying == 0) continue;
            IReadOnlyList<MaterialUse> uses;
            string[] neededBy;
            NeededBySentence? suffix = null;
            if (applying == allUses.Count)
            {
                uses = allUses;
                neededBy = index.NeededBy[mi];
                suffix = index.MaterialSuffix(mi);
            }
            else
            {
                var some = new MaterialUse[applying];
                neededBy = new string[applying];
                for (int i = 0, j = 0; i < allUses.Count; i++)
                {
                    if (useIndices[i] < 0 || !applies[useIndices[i]]) continue;
                    some[j] = allUses[i];
                    neededBy[j++] = allUses[i].Matter;
                }
                uses = some;
            }
            var (source, mayFollowLater) = BundleMath.Decide(uses, presence);
            var item = new GuideMaterial
            {
                Code = material.Code,
                Name = material.Name,
                Kind = material.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                NeededBy = neededBy,
                Why = explain.Why(materials.IncludedBy(slot), neededBy, suffix),
            };
            kinds.Add(source.Kind);
            (source.Kind switch
            {
                SourceKind.DataSharing => fetched,
                SourceKind.Commitment => commitment,
                SourceKind.IssuedByMatter => issued,
                _ when mayFollowLater => later,
                _ => bring,
            }).Add(item);
        }

        // The bundle's effective promise is already bounded by the critical path of all its matters.
        var reductions = BundleMath.Reductions(embedded, applies, index.Graph, bundle.PromisedDays, kinds,
            bundle.Channels, bundle.ResultDelivery);

        var given = new List<GuideAnswer>(answers.Count);
        foreach (var q in bundle.Scenarios)
        {
            if (!answers.TryGetValue(q.Id, out var optionId)) continue;
            given.Add(new GuideAnswer { Question = q.Id, Option = optionId, QuestionText = q.Text, OptionLabel = index.Option(q.Id, optionId)!.Label });
        }

        return new GuideResult
        {
            Errors = [],
            Guide = new Guide
            {
                BundleCode = bundle.Code,
                BundleName = bundle.Name,
                Answers = given,
                Matters = guideMatters,
                Form = form,
                Bring = bring,
                FetchedForYou = fetched,
                ByCommitment = commitment,
                IssuedInBundle = issued,
                MayFollowLater = later,
                PromisedDays = reductions.After.Days,
                Trips = reductions.After.Trips,
                Channels = bundle.Channels,
                ResultDelivery = bundle.ResultDelivery,
                WhereToGo = bundle.ServiceLocation,
                GuideText = bundle.GuideText,
                Reductions = reductions,
            },
        };
    }

    /// <summary>The codes whose matters apply; <paramref name="indices"/> are the codes' matter indices (-1: not a matter of the bundle).</summary>
    private static IReadOnlyList<string> Applicable(IReadOnlyList<string> codes, int[] indices, bool[] applies)
    {
        var all = true;
        foreach (var i in indices) all &= i >= 0 && applies[i];
        if (all) return codes;
        var some = new List<string>(codes.Count);
        for (var j = 0; j < indices.Length; j++) if (indices[j] >= 0 && applies[indices[j]]) some.Add(codes[j]);
        return some;
    }

    /// <summary>The matters that apply in this guide, by code.</summary>
    private readonly struct Presence(BundleIndex index, bool[] applies) : BundleMath.IPresence
    {
        public bool Contains(string matter) => index.MatterIndex.TryGetValue(matter, out var i) && applies[i];
    }

    private static List<CatalogueError> CheckAnswers(EffectiveBundle bundle, BundleIndex index, IReadOnlyDictionary<string, string> answers)
    {
        var errors = new List<CatalogueError>();
        foreach (var (questionId, optionId) in answers)
        {
            if (!index.Questions.TryGetValue(questionId, out var question))
            {
                errors.Add(new CatalogueError(Pointer.Of("answers", questionId), ErrorRule.UnknownQuestion,
                    $"This bundle asks no question '{questionId}'. Its questions are: {string.Join(", ", bundle.Scenarios.Select(q => q.Id))}."));
            }
            else if (index.Option(questionId, optionId) is null)
            {
                errors.Add(new CatalogueError(Pointer.Of("answers", questionId), ErrorRule.UnknownOption,
                    $"'{optionId}' is not an answer to the question “{question.Text.Zh}”. Choose one of: {string.Join(", ", question.Options.Select(o => o.Id))}."));
            }
        }
        foreach (var question in bundle.Scenarios)
        {
            if (question.Required && !answers.ContainsKey(question.Id))
            {
                errors.Add(new CatalogueError(Pointer.Of("answers", question.Id), ErrorRule.Required,
                    $"The question “{question.Text.Zh}” must be answered. Choose one of: {string.Join(", ", question.Options.Select(o => o.Id))}."));
            }
        }
        errors.Sort(static (a, b) => string.CompareOrdinal(a.Pointer, b.Pointer));
        return errors;
    }

    /// <summary>Builds the sentences of explanations, reusing the phrase of each answer within one guide.</summary>
    private sealed class Explainer(BundleIndex index)
    {
        private static readonly Text Always = new() { Zh = "始终适用。", En = "Always applies." };
        private readonly System.Text.StringBuilder _builder = new(256);

        /// <param name="suffix">The sentence naming <paramref name="neededBy"/> when the bundle's index has it (all the item's matters apply).</param>
        public Explanation Why(IReadOnlyList<Condition> includedBy, IReadOnlyList<string> neededBy, NeededBySentence? suffix)
        {
            Text message;
            if (includedBy.Count == 0 && neededBy.Count == 0)
            {
                message = Always;
            }
            else if (includedBy.Count == 0 && suffix is not null)
            {
                message = suffix.AfterAlways;
            }
            else
            {
                var (zhPrefix, enPrefix) = includedBy.Count == 0 ? (Always.Zh, Always.En!) : Prefix(includedBy);
                if (neededBy.Count == 0)
                {
                    message = new Text { Zh = zhPrefix, En = enPrefix };
                }
                else if (suffix is not null)
                {
                    message = new Text { Zh = string.Concat(zhPrefix, suffix.Zh), En = string.Concat(enPrefix, suffix.En) };
                }
                else
                {
                    // Some of the item's matters apply: each sentence written once into the reused builder.
                    var zh = _builder.Clear().Append(zhPrefix).Append("用于：");
                    for (var i = 0; i < neededBy.Count; i++) zh.Append(i == 0 ? "" : "、").Append(index.Names[neededBy[i]].Zh);
                    var zhText = zh.Append('。').ToString();
                    var en = _builder.Clear().Append(enPrefix).Append(" Needed by: ");
                    for (var i = 0; i < neededBy.Count; i++)
                    {
                        var name = index.Names[neededBy[i]];
                        en.Append(i == 0 ? "" : ", ").Append(name.En ?? name.Zh);
                    }
                    message = new Text { Zh = zhText, En = en.Append('.').ToString() };
                }
            }
            return new Explanation { IncludedBy = includedBy, AlwaysApplies = includedBy.Count == 0, Message = message };
        }

        // "因您的回答…而适用。" / "Applies because you answered …." for the answers that included an item.
        private (string Zh, string En) Prefix(IReadOnlyList<Condition> includedBy)
        {
            if (includedBy.Count == 1) return index.Prefix(includedBy[0]);
            var zh = _builder.Clear().Append("因您的回答");
            for (var i = 0; i < includedBy.Count; i++) zh.Append(i == 0 ? "" : "、").Append(index.Phrase(includedBy[i]).Zh);
            var zhText = zh.Append("而适用。").ToString();
            var en = _builder.Clear().Append("Applies because you answered ");
            for (var i = 0; i < includedBy.Count; i++) en.Append(i == 0 ? "" : " and ").Append(index.Phrase(includedBy[i]).En);
            return (zhText, en.Append('.').ToString());
        }
    }

    /// <summary>What the matching rules say about one kind of item, by the slots of <see cref="RuleTargets"/>.</summary>
    private readonly struct Selection(RuleTargets targets)
    {
        private readonly bool[] _excluded = targets.Count == 0 ? [] : new bool[targets.Count];
        private readonly List<Condition>?[] _includedBy = targets.Count == 0 ? [] : new List<Condition>?[targets.Count];

        public void Match(int rule, Condition when)
        {
            foreach (var slot in targets.Include[rule])
            {
                var list = _includedBy[slot] ??= new List<Condition>(2);
                if (!list.Contains(when)) list.Add(when);
            }
            foreach (var slot in targets.Exclude[rule]) _excluded[slot] = true;
        }

        /// <summary>An item no rule names always applies; one named by includes needs one of them to match; a matching exclude wins.</summary>
        public bool Applies(int slot) =>
            slot < 0 || (!_excluded[slot] && (!targets.NamedByInclude[slot] || _includedBy[slot] is { Count: > 0 }));

        public IReadOnlyList<Condition> IncludedBy(int slot) => slot >= 0 && _includedBy[slot] is { } list ? list : [];
    }
}

/// <summary>"用于：A、B。" / " Needed by: A, B.": the matters that need an item, as its explanation ends.</summary>
internal sealed class NeededBySentence(string zh, string en)
{
    private static readonly Text Always = new() { Zh = "始终适用。", En = "Always applies." };
    private Text? _afterAlways;

    public string Zh { get; } = zh;
    public string En { get; } = en;

    /// <summary>The whole explanation of an item no rule names: one text, shared by the guides of the bundle.</summary>
    public Text AfterAlways => _afterAlways ??= new Text { Zh = string.Concat(Always.Zh, Zh), En = string.Concat(Always.En, En) };
}

/// <summary>
/// The items of one kind (matters, materials or form fields) that a bundle's rules name, each given a slot: per
/// rule the slots it includes and excludes, per item of the bundle its slot (-1 when no rule names it).
/// </summary>
internal sealed class RuleTargets
{
    public RuleTargets(IReadOnlyList<Rule> rules, Func<RuleItems, IReadOnlyList<string>> items, IReadOnlyList<string> codes)
    {
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var namedByInclude = new List<bool>();
        int[] SlotsOf(IReadOnlyList<string> named, bool include)
        {
            if (named.Count == 0) return [];
            var result = new int[named.Count];
            for (var i = 0; i < named.Count; i++)
            {
                if (!slots.TryGetValue(named[i], out var slot))
                {
                    slots[named[i]] = slot = slots.Count;
                    namedByInclude.Add(false);
                }
                if (include) namedByInclude[slot] = true;
                result[i] = slot;
            }
            return result;
        }
        Include = new int[rules.Count][];
        Exclude = new int[rules.Count][];
        for (var r = 0; r < rules.Count; r++)
        {
            Include[r] = SlotsOf(items(rules[r].Include), include: true);
            Exclude[r] = SlotsOf(items(rules[r].Exclude), include: false);
        }
        Count = slots.Count;
        NamedByInclude = [.. namedByInclude];
        SlotOfItem = new int[codes.Count];
        for (var i = 0; i < codes.Count; i++) SlotOfItem[i] = slots.GetValueOrDefault(codes[i], -1);
    }

    public int Count { get; }
    public int[][] Include { get; }
    public int[][] Exclude { get; }
    public bool[] NamedByInclude { get; }
    public int[] SlotOfItem { get; }
}

/// <summary>The lookups one guide needs into its bundle: matters by code, what the rules name, the sentences of explanations.</summary>
internal sealed class BundleIndex
{
    public BundleIndex(EffectiveBundle bundle)
    {
        Steps = BundleResolver.SortedByCode(bundle.Steps, static s => s.Code);
        Matters = BundleResolver.SortedByCode(bundle.Matters, static m => m.Code);
        var aligned = Steps.Count == Matters.Count;
        for (var i = 0; aligned && i < Steps.Count; i++) aligned = Steps[i].Code == Matters[i].Code;
        if (!aligned) throw new ArgumentException($"Bundle '{bundle.Code}' does not embed exactly the matters of its steps.", nameof(bundle));
        Graph = MatterGraph.Build(Steps);
        Names = Matters.ToDictionary(m => m.Code, m => m.Name, StringComparer.Ordinal);
        Questions = bundle.Scenarios.GroupBy(q => q.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _options = new Dictionary<(string, string), Option>();
        foreach (var q in bundle.Scenarios)
        {
            foreach (var o in q.Options) _options.TryAdd((q.Id, o.Id), o);
        }
        MatterRules = new RuleTargets(bundle.Rules, static r => r.Matters, Matters.Select(m => m.Code).ToArray());
        MaterialRules = new RuleTargets(bundle.Rules, static r => r.Materials, bundle.Materials.Select(m => m.Code).ToArray());
        FieldRules = new RuleTargets(bundle.Rules, static r => r.FormFields, bundle.Form.Select(f => f.Code).ToArray());
        NeededBy = bundle.Materials.Select(m => m.Uses.Select(u => u.Matter).ToArray()).ToArray();
        MatterIndex = new Dictionary<string, int>(Matters.Count, StringComparer.Ordinal);
        for (var i = 0; i < Matters.Count; i++) MatterIndex.TryAdd(Matters[i].Code, i);
        int[] IndicesOf(IEnumerable<string> codes) => codes.Select(c => MatterIndex.GetValueOrDefault(c, -1)).ToArray();
        FeedIndices = bundle.Form.Select(f => IndicesOf(f.Feeds)).ToArray();
        UseIndices = bundle.Materials.Select(m => IndicesOf(m.Uses.Select(u => u.Matter))).ToArray();
        foreach (var rule in bundle.Rules)
        {
            // A rule on a question or option the bundle does not ask never matches a valid answer.
            if (!Questions.ContainsKey(rule.When.Question) || Option(rule.When.Question, rule.When.Option) is null || _phrases.ContainsKey(rule.When)) continue;
            _phrases[rule.When] = PhraseOf(rule.When);
            _prefixes[rule.When] = PrefixOf(rule.When);
        }
        _fieldSuffixes = new NeededBySentence?[bundle.Form.Count];
        _materialSuffixes = new NeededBySentence?[bundle.Materials.Count];
        _form = bundle.Form;
    }

    private readonly IReadOnlyList<MergedField> _form;
    private readonly NeededBySentence?[] _fieldSuffixes;
    private readonly NeededBySentence?[] _materialSuffixes;

    /// <summary>Matter code → index in <see cref="Matters"/>.</summary>
    public Dictionary<string, int> MatterIndex { get; }

    /// <summary>Per field of the form, the indices of the matters it feeds (-1 for a code that is no matter of the bundle).</summary>
    public int[][] FeedIndices { get; }

    /// <summary>Per material of the bundle, the indices of the matters of its uses (-1 for a code that is no matter of the bundle).</summary>
    public int[][] UseIndices { get; }

    /// <summary>The sentence naming all the matters a form field feeds; built once per guide.</summary>
    public NeededBySentence FieldSuffix(int field) =>
        _fieldSuffixes[field] ??= Suffix(_form[field].Feeds, new System.Text.StringBuilder(64));

    /// <summary>The sentence naming all the matters that need a material; built once per guide.</summary>
    public NeededBySentence MaterialSuffix(int material) =>
        _materialSuffixes[material] ??= Suffix(NeededBy[material], new System.Text.StringBuilder(64));

    /// <summary>"用于：A、B。" and " Needed by: A, B." for matters of this bundle.</summary>
    public NeededBySentence Suffix(IReadOnlyList<string> neededBy, System.Text.StringBuilder builder)
    {
        var zh = builder.Clear().Append("用于：");
        for (var i = 0; i < neededBy.Count; i++) zh.Append(i == 0 ? "" : "、").Append(Names[neededBy[i]].Zh);
        var zhText = zh.Append('。').ToString();
        var en = builder.Clear().Append(" Needed by: ");
        for (var i = 0; i < neededBy.Count; i++)
        {
            var name = Names[neededBy[i]];
            en.Append(i == 0 ? "" : ", ").Append(name.En ?? name.Zh);
        }
        return new NeededBySentence(zhText, en.Append('.').ToString());
    }

    private readonly Dictionary<(string, string), Option> _options;

    // Per condition of the bundle's rules, its phrase and the explanation's opening when it alone included an
    // item: the same in every guide of the bundle, so written once here.
    private readonly Dictionary<Condition, (string Zh, string En)> _phrases = [];
    private readonly Dictionary<Condition, (string Zh, string En)> _prefixes = [];

    /// <summary>「question：option」 / “question”: “option” for an answer the bundle's rules test.</summary>
    public (string Zh, string En) Phrase(Condition condition) =>
        _phrases.TryGetValue(condition, out var phrase) ? phrase : PhraseOf(condition);

    /// <summary>"因您的回答「…」而适用。" / "Applies because you answered “…”: “…”." for one answer.</summary>
    public (string Zh, string En) Prefix(Condition condition) =>
        _prefixes.TryGetValue(condition, out var prefix) ? prefix : PrefixOf(condition);

    private (string Zh, string En) PhraseOf(Condition condition)
    {
        var question = Questions[condition.Question];
        var option = Option(condition.Question, condition.Option)!;
        return ("「" + question.Text.Zh + "：" + option.Label.Zh + "」",
            "“" + (question.Text.En ?? question.Text.Zh) + "”: “" + (option.Label.En ?? option.Label.Zh) + "”");
    }

    private (string Zh, string En) PrefixOf(Condition condition)
    {
        var (zh, en) = Phrase(condition);
        return ("因您的回答" + zh + "而适用。", "Applies because you answered " + en + ".");
    }

    public IReadOnlyList<EffectiveStep> Steps { get; }
    public IReadOnlyList<Matter> Matters { get; }
    public MatterGraph Graph { get; }
    public Dictionary<string, Text> Names { get; }
    public Dictionary<string, Question> Questions { get; }

    /// <summary>Which matters, materials and form fields the rules name; items aligned with <see cref="Matters"/>, the bundle's materials and its form.</summary>
    public RuleTargets MatterRules { get; }
    public RuleTargets MaterialRules { get; }
    public RuleTargets FieldRules { get; }

    /// <summary>Per material of the bundle, the matters that use it: a guide where all of them apply shares it.</summary>
    public string[][] NeededBy { get; }

    public Option? Option(string question, string? option) => _options.GetValueOrDefault((question, option ?? ""));
}
