using System.Globalization;

namespace OneGo.Catalogue;

/// <summary>
/// Applies overlay changes one at a time to a standard's definition, checking each against the standard's
/// locks and the product's rules. A change that breaks a rule is not applied and is returned as an error.
/// </summary>
internal sealed class OverlayEngine(BundleDefinition standard, IReadOnlyList<string> locks, IReadOnlyDictionary<string, Matter> matters)
{
    private readonly HashSet<string> _setTargets = new(StringComparer.Ordinal);

    public BundleDefinition Definition { get; private set; } = standard;

    public CatalogueError? Apply(int index, OverlayChange change)
    {
        var target = change.Target();
        // The error's pointer is written only when there is an error.
        CatalogueError Error(string rule, string message) => new("/changes/" + index.ToString(CultureInfo.InvariantCulture), rule, message) { Target = target };

        for (var i = 0; i < locks.Count; i++)
        {
            var locked = locks[i];
            if (Pointer.IsAtOrBelow(target, locked) || Pointer.IsAtOrBelow(locked, target))
                return Error(ErrorRule.Locked, $"The standard locks {locked}, so this region cannot change {target}. Ask the standard's publisher, or remove the change.");
        }
        if (change is SetLeadDepartment or SetMatterDepartment or SetAddress or SetHours or SetContact or ShortenPromisedDays or SetGuideText
            && !_setTargets.Add(target))
        {
            return Error(ErrorRule.DuplicateChange, $"An earlier change already sets {target}. Keep one of them.");
        }

        var def = Definition;
        switch (change)
        {
            case SetLeadDepartment c:
                if (string.IsNullOrWhiteSpace(c.Department)) return Error(ErrorRule.Required, "The local lead department is empty.");
                Definition = def with { LeadDepartment = c.Department };
                return null;

            case SetMatterDepartment c:
                if (IndexOfStep(c.Matter) is not (>= 0 and var i)) return UnknownMatter(c.Matter);
                if (string.IsNullOrWhiteSpace(c.Department)) return Error(ErrorRule.Required, $"The local department of '{c.Matter}' is empty.");
                Definition = def with { Matters = Replace(def.Matters, i, def.Matters[i] with { Department = c.Department }) };
                return null;

            case SetAddress c:
                if (string.IsNullOrWhiteSpace(c.Address?.Zh)) return Error(ErrorRule.Required, "The address is empty.");
                Definition = def with { ServiceLocation = (def.ServiceLocation ?? new ServiceLocation()) with { Address = c.Address } };
                return null;

            case SetHours c:
                if (string.IsNullOrWhiteSpace(c.Hours?.Zh)) return Error(ErrorRule.Required, "The opening hours are empty.");
                Definition = def with { ServiceLocation = (def.ServiceLocation ?? new ServiceLocation()) with { Hours = c.Hours } };
                return null;

            case SetContact c:
                if (string.IsNullOrWhiteSpace(c.Contact)) return Error(ErrorRule.Required, "The contact is empty.");
                Definition = def with { ServiceLocation = (def.ServiceLocation ?? new ServiceLocation()) with { Contact = c.Contact } };
                return null;

            case SetGuideText c:
                if (string.IsNullOrWhiteSpace(c.Text?.Zh)) return Error(ErrorRule.Required, "The guide text is empty.");
                Definition = def with { GuideText = c.Text };
                return null;

            case ShortenPromisedDays c:
                return Shorten(c, Error);

            case AddMatter c:
                return AddMatter(c.Matter, Error);

            case AddMaterial c:
                return AddMaterial(c, Error);

            case MarkNotApplicable c:
                return MarkNotApplicable(c.Matter, Error);

            case AddQuestion c:
                return AddQuestion(c.Question, Error);

            case AddOption c:
            {
                var qi = IndexOf(def.Scenarios, q => q.Id == c.Question);
                if (qi < 0) return Error(ErrorRule.UnknownQuestion, $"The standard asks no question '{c.Question}'.");
                if (string.IsNullOrWhiteSpace(c.Option.Id)) return Error(ErrorRule.Required, "The option has no id.");
                if (string.IsNullOrWhiteSpace(c.Option.Label?.Zh)) return Error(ErrorRule.Required, $"The option '{c.Option.Id}' has no label.");
                var question = def.Scenarios[qi];
                if (question.Options.Any(o => o.Id == c.Option.Id)) return Error(ErrorRule.DuplicateId, $"The question '{c.Question}' already offers '{c.Option.Id}'.");
                Definition = def with { Scenarios = Replace(def.Scenarios, qi, question with { Options = [.. question.Options, c.Option] }) };
                return null;
            }

            case AddRule c:
                return AddRule(c.Rule, Error);

            default:
                return Error(ErrorRule.Required, $"Unknown kind of change {change.GetType().Name}.");
        }

        CatalogueError UnknownMatter(string code) =>
            Error(ErrorRule.UnknownMatter, $"The bundle has no matter '{code}' (it may have been removed from the standard).");
    }

    private CatalogueError? Shorten(ShortenPromisedDays c, Func<string, string, CatalogueError> error)
    {
        var def = Definition;
        if (c.Days < 0) return error(ErrorRule.Range, "A promised time limit is a number of working days, 0 or more.");
        if (c.Matter is null)
        {
            var standardDays = def.PromisedDays ?? BundleMath.CriticalPath(def, matters);
            if (c.Days > standardDays)
                return error(ErrorRule.LongerTimeLimit, $"The standard promises {standardDays} working days; a region may promise fewer, not {c.Days}.");
            Definition = def with { PromisedDays = c.Days };
            return null;
        }
        var i = IndexOfStep(c.Matter);
        if (i < 0) return error(ErrorRule.UnknownMatter, $"The bundle has no matter '{c.Matter}' (it may have been removed from the standard).");
        var step = def.Matters[i];
        var current = step.PromisedDays ?? (matters.TryGetValue(step.Code, out var m) ? m.PromisedDays : null);
        if (c.Days > current)
            return error(ErrorRule.LongerTimeLimit, $"The standard promises {current} working days for '{c.Matter}'; a region may promise fewer, not {c.Days}.");
        Definition = def with { Matters = Replace(def.Matters, i, step with { PromisedDays = c.Days }) };
        return null;
    }

    private CatalogueError? AddMatter(MatterStep step, Func<string, string, CatalogueError> error)
    {
        var def = Definition;
        if (string.IsNullOrWhiteSpace(step.Code)) return error(ErrorRule.Required, "The added matter has no code.");
        if (IndexOfStep(step.Code) >= 0) return error(ErrorRule.DuplicateCode, $"The standard already has the matter '{step.Code}'.");
        if (!matters.ContainsKey(step.Code)) return error(ErrorRule.UnknownMatter, $"The region has no matter '{step.Code}'. Define the matter first.");
        foreach (var after in step.After)
        {
            if (after == step.Code) return error(ErrorRule.Cycle, $"The matter '{step.Code}' cannot wait for itself.");
            if (IndexOfStep(after) < 0) return error(ErrorRule.UnknownMatter, $"The added matter waits for '{after}', which is not a matter of this bundle.");
        }
        Definition = def with { Matters = [.. def.Matters, step] };
        return null;
    }

    private CatalogueError? AddMaterial(AddMaterial c, Func<string, string, CatalogueError> error)
    {
        var def = Definition;
        var i = IndexOfStep(c.Matter);
        if (i < 0) return error(ErrorRule.UnknownMatter, $"The bundle has no matter '{c.Matter}' (it may have been removed from the standard).");
        var material = c.Material;
        if (string.IsNullOrWhiteSpace(material.Code)) return error(ErrorRule.Required, "The added material has no code.");
        if (string.IsNullOrWhiteSpace(material.Name?.Zh)) return error(ErrorRule.Required, $"The added material '{material.Code}' has no name.");
        if (material.Source.Kind == SourceKind.DataSharing && (string.IsNullOrWhiteSpace(material.Source.Department) || string.IsNullOrWhiteSpace(material.Source.Dataset)))
            return error(ErrorRule.Required, $"The material '{material.Code}' is obtained by data sharing but does not name its source department and dataset.");
        var step = def.Matters[i];
        var existing = matters.TryGetValue(step.Code, out var m) ? m.Materials : [];
        if (existing.Any(x => x.Code == material.Code) || step.AddedMaterials.Any(x => x.Code == material.Code))
            return error(ErrorRule.DuplicateCode, $"The matter '{c.Matter}' already needs the material '{material.Code}'.");
        Definition = def with { Matters = Replace(def.Matters, i, step with { AddedMaterials = [.. step.AddedMaterials, material] }) };
        return null;
    }

    private CatalogueError? MarkNotApplicable(string code, Func<string, string, CatalogueError> error)
    {
        var def = Definition;
        var i = IndexOfStep(code);
        if (i < 0) return error(ErrorRule.UnknownMatter, $"The bundle has no matter '{code}' (it may have been removed from the standard).");
        var removed = def.Matters[i];
        if (!removed.Optional)
            return error(ErrorRule.RequiredMatter, $"The standard requires the matter '{code}'; only an optional matter may be marked not applicable.");
        if (def.Matters.Count <= 2)
            return error(ErrorRule.MinMatters, $"Without '{code}' the bundle would have fewer than two matters.");
        var steps = new List<MatterStep>(def.Matters.Count - 1);
        foreach (var step in def.Matters)
        {
            if (step.Code == code) continue;
            // What waited for the removed matter now waits for what it waited for.
            steps.Add(step.After.Contains(code)
                ? step with { After = step.After.Where(a => a != code).Concat(removed.After).Distinct(StringComparer.Ordinal).ToArray() }
                : step);
        }
        var rules = new List<Rule>(def.Rules.Count);
        foreach (var rule in def.Rules)
        {
            if (!rule.Include.Matters.Contains(code) && !rule.Exclude.Matters.Contains(code))
            {
                rules.Add(rule);
                continue;
            }
            var trimmed = rule with
            {
                Include = rule.Include with { Matters = rule.Include.Matters.Where(m => m != code).ToArray() },
                Exclude = rule.Exclude with { Matters = rule.Exclude.Matters.Where(m => m != code).ToArray() },
            };
            if (!trimmed.Include.IsEmpty || !trimmed.Exclude.IsEmpty) rules.Add(trimmed);
        }
        Definition = def with { Matters = steps, Rules = rules };
        return null;
    }

    private CatalogueError? AddQuestion(Question question, Func<string, string, CatalogueError> error)
    {
        var def = Definition;
        if (string.IsNullOrWhiteSpace(question.Id)) return error(ErrorRule.Required, "The added question has no id.");
        if (string.IsNullOrWhiteSpace(question.Text?.Zh)) return error(ErrorRule.Required, $"The question '{question.Id}' has no text.");
        if (def.Scenarios.Any(q => q.Id == question.Id)) return error(ErrorRule.DuplicateId, $"The standard already asks a question '{question.Id}'.");
        if (question.Options.Count < 2) return error(ErrorRule.MinOptions, $"The question '{question.Id}' offers {question.Options.Count} option(s); a question offers at least two.");
        if (question.Options.Select(o => o.Id).Distinct(StringComparer.Ordinal).Count() != question.Options.Count)
            return error(ErrorRule.DuplicateId, $"The question '{question.Id}' offers the same option twice.");
        Definition = def with { Scenarios = [.. def.Scenarios, question] };
        return null;
    }

    private CatalogueError? AddRule(Rule rule, Func<string, string, CatalogueError> error)
    {
        var def = Definition;
        if (string.IsNullOrWhiteSpace(rule.Id)) return error(ErrorRule.Required, "A local rule needs an id, so that later versions can still name it.");
        if (def.Rules.Any(r => r.Id == rule.Id)) return error(ErrorRule.DuplicateId, $"The standard already has a rule '{rule.Id}'.");
        var question = def.Scenarios.FirstOrDefault(q => q.Id == rule.When.Question);
        if (question is null) return error(ErrorRule.UnknownQuestion, $"The rule refers to the question '{rule.When.Question}', which the bundle does not ask.");
        if (!question.Options.Any(o => o.Id == rule.When.Option))
            return error(ErrorRule.UnknownOption, $"The rule refers to the option '{rule.When.Option}', which the question '{question.Id}' does not offer.");
        if (rule.Include.IsEmpty && rule.Exclude.IsEmpty) return error(ErrorRule.EmptyRule, "The rule neither includes nor excludes anything.");
        // A rule names few codes: look each up where it would be instead of collecting every code of the bundle.
        foreach (var items in (ReadOnlySpan<RuleItems>)[rule.Include, rule.Exclude])
        {
            foreach (var c in items.Matters)
            {
                if (IndexOfStep(c) >= 0) continue;
                if (c is null) break; // as before: a null code ends the check of its list
                return error(ErrorRule.UnknownMatter, $"The rule names '{c}', which is not a matter of this bundle.");
            }
            foreach (var c in items.Materials)
            {
                if (IsMaterialOfBundle(c)) continue;
                if (c is null) break;
                return error(ErrorRule.UnknownMaterial, $"The rule names '{c}', which is not a material of this bundle's matters.");
            }
            foreach (var c in items.FormFields)
            {
                if (IsFieldOfBundle(c)) continue;
                if (c is null) break;
                return error(ErrorRule.UnknownFormField, $"The rule names '{c}', which is not a form field of this bundle's matters.");
            }
        }
        Definition = def with { Rules = [.. def.Rules, rule] };
        return null;
    }

    private int IndexOfStep(string code)
    {
        var steps = Definition.Matters;
        for (var i = 0; i < steps.Count; i++) if (steps[i].Code == code) return i;
        return -1;
    }

    private bool IsMaterialOfBundle(string code)
    {
        foreach (var step in Definition.Matters)
        {
            foreach (var m in step.AddedMaterials) if (m.Code == code) return true;
            if (!matters.TryGetValue(step.Code, out var matter)) continue;
            foreach (var m in matter.Materials) if (m.Code == code) return true;
        }
        return false;
    }

    private bool IsFieldOfBundle(string code)
    {
        foreach (var step in Definition.Matters)
        {
            if (!matters.TryGetValue(step.Code, out var matter)) continue;
            foreach (var f in matter.FormFields) if (f.Code == code) return true;
        }
        return false;
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Count; i++) if (match(items[i])) return i;
        return -1;
    }

    private static T[] Replace<T>(IReadOnlyList<T> items, int index, T item)
    {
        var copy = items.ToArray();
        copy[index] = item;
        return copy;
    }
}

/// <summary>A standard's embedded matters under an adopter's own: the nearest level wins.</summary>
internal sealed class LayeredMatters(IReadOnlyDictionary<string, Matter> local, IReadOnlyDictionary<string, Matter> inherited) : IReadOnlyDictionary<string, Matter>
{
    public Matter this[string key] => TryGetValue(key, out var m) ? m : throw new KeyNotFoundException(key);
    public IEnumerable<string> Keys => local.Keys.Union(inherited.Keys, StringComparer.Ordinal);
    public IEnumerable<Matter> Values => Keys.Select(k => this[k]);
    public int Count => Keys.Count();
    public bool ContainsKey(string key) => local.ContainsKey(key) || inherited.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Matter value) =>
        local.TryGetValue(key, out value) || inherited.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, Matter>> GetEnumerator() => Keys.Select(k => KeyValuePair.Create(k, this[k])).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public static IReadOnlyDictionary<string, Matter> Over(IReadOnlyList<Matter> local, IReadOnlyDictionary<string, Matter> inherited) =>
        local.Count == 0 ? inherited : new LayeredMatters(local.ToDictionary(m => m.Code, StringComparer.Ordinal), inherited);

    public static IReadOnlyDictionary<string, Matter> Over(IReadOnlyDictionary<string, Matter> local, IReadOnlyDictionary<string, Matter> inherited) =>
        local.Count == 0 ? inherited : new LayeredMatters(local, inherited);
}
