using System.Runtime.CompilerServices;

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

        var index = BundleIndex.Of(bundle);
        var errors = CheckAnswers(bundle, index, answers);
        if (errors.Count > 0) return new GuideResult { Errors = errors };

        var matters = new Selection();
        var materials = new Selection();
        var fields = new Selection();
        foreach (var rule in bundle.Rules)
        {
            var matched = answers.TryGetValue(rule.When.Question, out var option) && option == rule.When.Option;
            matters.Add(rule.When, matched, rule.Include.Matters, rule.Exclude.Matters);
            materials.Add(rule.When, matched, rule.Include.Materials, rule.Exclude.Materials);
            fields.Add(rule.When, matched, rule.Include.FormFields, rule.Exclude.FormFields);
        }

        var (steps, embedded) = (index.Steps, index.Matters);
        var n = embedded.Count;
        var applies = new bool[n];
        var applicable = new HashSet<string>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            applies[i] = matters.Applies(embedded[i].Code);
            if (applies[i]) applicable.Add(embedded[i].Code);
        }
        var explain = new Explainer(index);

        var guideMatters = new List<GuideMatter>(applicable.Count);
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
                After = Applicable(steps[i].After, applicable),
                Why = explain.Why(matters.IncludedBy(m.Code), []),
            });
        }

        var form = new List<GuideField>(bundle.Form.Count);
        foreach (var f in bundle.Form)
        {
            if (!fields.Applies(f.Code)) continue;
            var feeds = Applicable(f.Feeds, applicable);
            if (feeds.Count == 0) continue;
            form.Add(new GuideField { Code = f.Code, Label = f.Label, Type = f.Type, Feeds = feeds, Why = explain.Why(fields.IncludedBy(f.Code), feeds) });
        }

        List<GuideMaterial> bring = [], fetched = [], commitment = [], issued = [], later = [];
        var kinds = new List<SourceKind>(bundle.Materials.Count);
        foreach (var material in bundle.Materials)
        {
            if (!materials.Applies(material.Code)) continue;
            var uses = new List<MaterialUse>(material.Uses.Count);
            foreach (var use in material.Uses) if (applicable.Contains(use.Matter)) uses.Add(use);
            if (uses.Count == 0) continue;
            var (source, mayFollowLater) = BundleMath.Decide(uses, applicable);
            var neededBy = new string[uses.Count];
            for (var i = 0; i < neededBy.Length; i++) neededBy[i] = uses[i].Matter;
            var item = new GuideMaterial
            {
                Code = material.Code,
                Name = material.Name,
                Kind = material.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                NeededBy = neededBy,
                Why = explain.Why(materials.IncludedBy(material.Code), neededBy),
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

    private static IReadOnlyList<string> Applicable(IReadOnlyList<string> codes, HashSet<string> applicable)
    {
        var all = true;
        foreach (var code in codes) all &= applicable.Contains(code);
        if (all) return codes;
        var some = new List<string>(codes.Count);
        foreach (var code in codes) if (applicable.Contains(code)) some.Add(code);
        return some;
    }

    private static List<CatalogueError> CheckAnswers(EffectiveBundle bundle, BundleIndex index, IReadOnlyDictionary<string, string> answers)
    {
        var errors = new List<CatalogueError>();
        foreach (var (questionId, optionId) in answers)
        {
            var pointer = Pointer.Of("answers", questionId);
            if (!index.Questions.TryGetValue(questionId, out var question))
            {
                errors.Add(new CatalogueError(pointer, ErrorRule.UnknownQuestion,
                    $"This bundle asks no question '{questionId}'. Its questions are: {string.Join(", ", bundle.Scenarios.Select(q => q.Id))}."));
            }
            else if (index.Option(questionId, optionId) is null)
            {
                errors.Add(new CatalogueError(pointer, ErrorRule.UnknownOption,
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
        private readonly Dictionary<Condition, (string Zh, string En)> _phrases = [];

        public Explanation Why(IReadOnlyList<Condition> includedBy, IReadOnlyList<string> neededBy)
        {
            Text message;
            if (includedBy.Count == 0 && neededBy.Count == 0)
            {
                message = Always;
            }
            else
            {
                string zh, en;
                if (includedBy.Count == 0)
                {
                    (zh, en) = (Always.Zh, Always.En!);
                }
                else
                {
                    var phrases = includedBy.Select(Phrase).ToArray();
                    zh = "因您的回答" + string.Join("、", phrases.Select(p => p.Zh)) + "而适用。";
                    en = "Applies because you answered " + string.Join(" and ", phrases.Select(p => p.En)) + ".";
                }
                if (neededBy.Count > 0)
                {
                    zh += "用于：" + string.Join("、", neededBy.Select(c => index.Names[c].Zh)) + "。";
                    en += " Needed by: " + string.Join(", ", neededBy.Select(c => index.Names[c].En ?? index.Names[c].Zh)) + ".";
                }
                message = new Text { Zh = zh, En = en };
            }
            return new Explanation { IncludedBy = includedBy, AlwaysApplies = includedBy.Count == 0, Message = message };
        }

        private (string Zh, string En) Phrase(Condition condition)
        {
            if (_phrases.TryGetValue(condition, out var phrase)) return phrase;
            var question = index.Questions[condition.Question];
            var option = index.Option(condition.Question, condition.Option)!;
            phrase = ("「" + question.Text.Zh + "：" + option.Label.Zh + "」",
                "“" + (question.Text.En ?? question.Text.Zh) + "”: “" + (option.Label.En ?? option.Label.Zh) + "”");
            _phrases[condition] = phrase;
            return phrase;
        }
    }

    /// <summary>What the rules say about one kind of item, by code.</summary>
    private sealed class Selection
    {
        private readonly Dictionary<string, Status> _byCode = new(StringComparer.Ordinal);

        public void Add(Condition when, bool matched, IReadOnlyList<string> include, IReadOnlyList<string> exclude)
        {
            foreach (var code in include)
            {
                var s = Get(code);
                s.NamedByInclude = true;
                if (matched && !s.IncludedBy.Contains(when)) s.IncludedBy.Add(when);
            }
            foreach (var code in exclude)
            {
                if (matched) Get(code).Excluded = true;
                else Get(code);
            }
        }

        public bool Applies(string code) =>
            !_byCode.TryGetValue(code, out var s) || (!s.Excluded && (!s.NamedByInclude || s.IncludedBy.Count > 0));

        public IReadOnlyList<Condition> IncludedBy(string code) =>
            _byCode.TryGetValue(code, out var s) ? s.IncludedBy : [];

        private Status Get(string code)
        {
            if (!_byCode.TryGetValue(code, out var s)) _byCode[code] = s = new Status();
            return s;
        }

        private sealed class Status
        {
            public bool NamedByInclude;
            public bool Excluded;
            public readonly List<Condition> IncludedBy = [];
        }
    }
}

/// <summary>
/// Lookups a guide needs, built once per effective bundle and kept as long as the bundle lives: the bundle
/// is immutable, so evaluating many guides of one live bundle does not rebuild them.
/// </summary>
internal sealed class BundleIndex
{
    private static readonly ConditionalWeakTable<EffectiveBundle, BundleIndex> Cache = [];

    private BundleIndex(EffectiveBundle bundle)
    {
        Steps = BundleResolver.SortedByCode(bundle.Steps, static s => s.Code);
        Matters = BundleResolver.SortedByCode(bundle.Matters, static m => m.Code);
        var aligned = Steps.Count == Matters.Count;
        for (var i = 0; aligned && i < Steps.Count; i++) aligned = Steps[i].Code == Matters[i].Code;
        if (!aligned) throw new ArgumentException($"Bundle '{bundle.Code}' does not embed exactly the matters of its steps.", nameof(bundle));
        Graph = MatterGraph.Build(Steps);
        Names = Matters.ToDictionary(m => m.Code, m => m.Name, StringComparer.Ordinal);
        Questions = bundle.Scenarios.GroupBy(q => q.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _options = bundle.Scenarios.SelectMany(q => q.Options.Select(o => (Key: q.Id + "\0" + o.Id, Option: o)))
            .GroupBy(x => x.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Option, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Option> _options;

    public IReadOnlyList<EffectiveStep> Steps { get; }
    public IReadOnlyList<Matter> Matters { get; }
    public MatterGraph Graph { get; }
    public Dictionary<string, Text> Names { get; }
    public Dictionary<string, Question> Questions { get; }

    public Option? Option(string question, string? option) => _options.GetValueOrDefault(question + "\0" + option);

    public static BundleIndex Of(EffectiveBundle bundle) => Cache.GetValue(bundle, static b => new BundleIndex(b));
}
