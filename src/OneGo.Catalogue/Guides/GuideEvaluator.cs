using System.Text;

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

        var errors = CheckAnswers(bundle, answers);
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

        var (steps, embedded) = Aligned(bundle);
        var n = embedded.Count;
        var applies = new bool[n];
        var applicable = new HashSet<string>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            applies[i] = matters.Applies(embedded[i].Code);
            if (applies[i]) applicable.Add(embedded[i].Code);
        }
        var names = new Dictionary<string, Text>(n, StringComparer.Ordinal);
        foreach (var m in embedded) names[m.Code] = m.Name;

        var guideMatters = new List<GuideMatter>();
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
                After = steps[i].After.Where(applicable.Contains).ToArray(),
                Why = Explain(bundle, matters.IncludedBy(m.Code), [], names),
            });
        }

        var form = new List<GuideField>();
        foreach (var f in bundle.Form)
        {
            if (!fields.Applies(f.Code)) continue;
            var feeds = f.Feeds.Where(applicable.Contains).ToArray();
            if (feeds.Length == 0) continue;
            form.Add(new GuideField
            {
                Code = f.Code,
                Label = f.Label,
                Type = f.Type,
                Feeds = feeds,
                Why = Explain(bundle, fields.IncludedBy(f.Code), feeds, names),
            });
        }

        List<GuideMaterial> bring = [], fetched = [], commitment = [], issued = [], later = [];
        var kinds = new List<SourceKind>();
        foreach (var material in bundle.Materials)
        {
            if (!materials.Applies(material.Code)) continue;
            var uses = material.Uses.Where(u => applicable.Contains(u.Matter)).ToArray();
            if (uses.Length == 0) continue;
            var (source, mayFollowLater) = BundleMath.Decide(uses, applicable.Contains);
            var item = new GuideMaterial
            {
                Code = material.Code,
                Name = material.Name,
                Kind = material.Kind,
                Source = source,
                MayFollowLater = mayFollowLater,
                NeededBy = uses.Select(u => u.Matter).ToArray(),
                Why = Explain(bundle, materials.IncludedBy(material.Code), uses.Select(u => u.Matter).ToArray(), names),
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

        var graph = MatterGraph.Build(steps);
        // The bundle's effective promise is already bounded by the critical path of all its matters.
        var reductions = BundleMath.Reductions(embedded, applies, graph, bundle.PromisedDays, kinds,
            bundle.Channels, bundle.ResultDelivery);

        return new GuideResult
        {
            Errors = [],
            Guide = new Guide
            {
                BundleCode = bundle.Code,
                BundleName = bundle.Name,
                Answers = bundle.Scenarios
                    .Where(q => answers.ContainsKey(q.Id))
                    .Select(q => new GuideAnswer
                    {
                        Question = q.Id,
                        Option = answers[q.Id],
                        QuestionText = q.Text,
                        OptionLabel = q.Options.First(o => o.Id == answers[q.Id]).Label,
                    })
                    .ToArray(),
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

    /// <summary>Steps and matters in the same (code) order, as the resolver makes them; re-sorted if a bundle read back from elsewhere is not.</summary>
    private static (IReadOnlyList<EffectiveStep> Steps, IReadOnlyList<Matter> Matters) Aligned(EffectiveBundle bundle)
    {
        var steps = BundleResolver.SortedByCode(bundle.Steps, static s => s.Code);
        var matters = BundleResolver.SortedByCode(bundle.Matters, static m => m.Code);
        var aligned = steps.Count == matters.Count;
        for (var i = 0; aligned && i < steps.Count; i++) aligned = steps[i].Code == matters[i].Code;
        if (!aligned)
        {
            throw new ArgumentException($"Bundle '{bundle.Code}' does not embed exactly the matters of its steps.", nameof(bundle));
        }
        return (steps, matters);
    }

    private static List<CatalogueError> CheckAnswers(EffectiveBundle bundle, IReadOnlyDictionary<string, string> answers)
    {
        var errors = new List<CatalogueError>();
        foreach (var (questionId, optionId) in answers.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var pointer = Pointer.Of("answers", questionId);
            var question = bundle.Scenarios.FirstOrDefault(q => q.Id == questionId);
            if (question is null)
            {
                errors.Add(new CatalogueError(pointer, ErrorRule.UnknownQuestion,
                    $"This bundle asks no question '{questionId}'. Its questions are: {string.Join(", ", bundle.Scenarios.Select(q => q.Id))}."));
            }
            else if (!question.Options.Any(o => o.Id == optionId))
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

    private static Explanation Explain(EffectiveBundle bundle, IReadOnlyList<Condition> includedBy, IReadOnlyList<string> neededBy, Dictionary<string, Text> names)
    {
        StringBuilder zh = new(), en = new();
        if (includedBy.Count == 0)
        {
            zh.Append("始终适用。");
            en.Append("Always applies.");
        }
        else
        {
            zh.Append("因您的回答");
            en.Append("Applies because you answered ");
            for (var i = 0; i < includedBy.Count; i++)
            {
                var question = bundle.Scenarios.First(q => q.Id == includedBy[i].Question);
                var option = question.Options.First(o => o.Id == includedBy[i].Option);
                zh.Append(i == 0 ? "" : "、").Append('「').Append(question.Text.Zh).Append("：").Append(option.Label.Zh).Append('」');
                en.Append(i == 0 ? "" : " and ").Append('“').Append(question.Text.En ?? question.Text.Zh).Append("”: “")
                    .Append(option.Label.En ?? option.Label.Zh).Append('”');
            }
            zh.Append("而适用。");
            en.Append('.');
        }
        if (neededBy.Count > 0)
        {
            zh.Append("用于：").AppendJoin("、", neededBy.Select(c => names[c].Zh)).Append('。');
            en.Append(" Needed by: ").AppendJoin(", ", neededBy.Select(c => names[c].En ?? names[c].Zh)).Append('.');
        }
        return new Explanation
        {
            IncludedBy = includedBy,
            AlwaysApplies = includedBy.Count == 0,
            Message = new Text { Zh = zh.ToString(), En = en.ToString() },
        };
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
