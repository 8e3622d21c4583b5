using System.Globalization;

namespace OneGo.Catalogue;

/// <summary>
/// Applies overlay changes one at a time to a standard's definition, checking each against the standard's
/// locks and the product's rules. A change that breaks a rule is not applied and is returned as an error.
/// </summary>
internal sealed class OverlayEngine(BundleDefinition standard, IReadOnlyList<string> locks, IReadOnlyDictionary<string, Matter> matters)
{
    // An overlay sets few values: a list beats hashing their targets.
    private readonly List<string> _setTargets = new(8);
    private BundleDefinition _definition = standard;

    // The steps, once a change touches them: changed in place and copied into the definition only when it is read.
    private List<MatterStep>? _steps;
    private bool _stepsChanged;

    public BundleDefinition Definition
    {
        get
        {
            if (_stepsChanged)
            {
                _definition = _definition with { Matters = _steps!.ToArray() };
                _stepsChanged = false;
            }
            return _definition;
        }
    }

    private IReadOnlyList<MatterStep> Steps => _steps ?? _definition.Matters;

    private List<MatterStep> ChangeSteps()
    {
        _steps ??= [.. _definition.Matters];
        _stepsChanged = true;
        return _steps;
    }

    /// <summary>Where a change's error points; its pointer is written only when there is an error.</summary>
    private readonly struct ErrorAt(int index, string target)
    {
        public CatalogueError Of(string rule, string message) =>
            new("/changes/" + index.ToString(CultureInfo.InvariantCulture), rule, message) { Target = target };
    }

    public CatalogueError? Apply(int index, OverlayChange change)
    {
        var target = change.Target();
        var error = new ErrorAt(index, target);

        for (var i = 0; i < locks.Count; i++)
        {
            var locked = locks[i];
            if (Pointer.IsAtOrBelow(target, locked) || Pointer.IsAtOrBelow(locked, target))
                return error.Of(ErrorRule.Locked, $"The standard locks {locked}, so this region cannot change {target}. Ask the standard's publisher, or remove the change.");
        }
        if (change is SetLeadDepartment or SetMatterDepartment or SetAddress or SetHours or SetContact or ShortenPromisedDays or SetGuideText)
        {
            if (!_setTargets.Contains(target)) _setTargets.Add(target);
            else return error.Of(ErrorRule.DuplicateChange, $"An earlier change already sets {target}. Keep one of them.");
        }

        var def = _definition;
        switch (change)
        {
            case SetLeadDepartment c:
                if (string.IsNullOrWhiteSpace(c.Department)) return error.Of(ErrorRule.Required, "The local lead department is empty.");
                _definition = def with { LeadDepartment = c.Department };
                return null;

            case SetMatterDepartment c:
                if (IndexOfStep(c.Matter) is not (>= 0 and var i)) return error.Of(ErrorRule.UnknownMatter, $"The bundle has no matter '{c.Matter}' (it may have been removed from the standard).");
                if (string.IsNullOrWhiteSpace(c.Department)) return error.Of(ErrorRule.Required, $"The local department of '{c.Matter}' is empty.");
                ChangeSteps()[i] = Steps[i] with { Department = c.Department };
                return null;

            case SetAddress c:
                if (string.IsNullOrWhiteSpace(c.Address?.Zh)) return error.Of(ErrorRule.Required, "The address is empty.");
                _definition = def with { ServiceLocation = (def.ServiceLocation ?? new ServiceLocation()) with { Address = c.Address } };
                return null;

            case SetHours c:
                if (string.IsNullOrWhiteSpace(c.Hours?.Zh)) return error.Of(ErrorRule.Required, "The opening hours are empty.");
                _definition = def with { ServiceLocation = (def.ServiceLocation ?? new ServiceLocation()) with { Hours = c.Hours } };
                return null;

            case SetContact c:
                if (string.IsNullOrWhiteSpace(c.Contact)) return error.Of(ErrorRule.Required, "The contact is empty.");
                _definition = def with { ServiceLocation = (def.ServiceLocation ?? new ServiceLocation()) with { Contact = c.Contact } };
                return null;

            case SetGuideText c:
                if (string.IsNullOrWhiteSpace(c.Text?.Zh)) return error.Of(ErrorRule.Required, "The guide text is empty.");
                _definition = def with { GuideText = c.Text };
                return null;

            case ShortenPromisedDays c:
                return Shorten(c, error);

            case AddMatter c:
                return AddMatter(c.Matter, error);

            case AddMaterial c:
                return AddMaterial(c, error);

            case MarkNotApplicable c:
                return MarkNotApplicable(c.Matter, error);

            case AddQuestion c:
                return AddQuestion(c.Question, error);

            case AddOption c:
            {
                var qi = IndexOf(def.Scenarios, q => q.Id == c.Question);
                if (qi < 0) return error.Of(ErrorRule.UnknownQuestion, $"The standard asks no question '{c.Question}'.");
                if (string.IsNullOrWhiteSpace(c.Option.Id)) return error.Of(ErrorRule.Required, "The option has no id.");
                if (string.IsNullOrWhiteSpace(c.Option.Label?.Zh)) return error.Of(ErrorRule.Required, $"The option '{c.Option.Id}' has no label.");
                var question = def.Scenarios[qi];
                if (question.Options.Any(o => o.Id == c.Option.Id)) return error.Of(ErrorRule.DuplicateId, $"The question '{c.Question}' already offers '{c.Option.Id}'.");
                _definition = def with { Scenarios = Replace(def.Scenarios, qi, question with { Options = [.. question.Options, c.Option] }) };
                return null;
            }

            case AddRule c:
                return AddRule(c.Rule, error);

            default:
                return error.Of(ErrorRule.Required, $"Unknown kind of change {change.GetType().Name}.");
        }
    }

    private CatalogueError? Shorten(ShortenPromisedDays c, ErrorAt error)
    {
        var def = _definition;
        if (c.Days < 0) return error.Of(ErrorRule.Range, "A promised time limit is a number of working days, 0 or more.");
        if (c.Matter is null)
        {
            var standardDays = def.PromisedDays ?? BundleMath.CriticalPath(Definition, matters);
            if (c.Days > standardDays)
                return error.Of(ErrorRule.LongerTimeLimit, $"The standard promises {standardDays} working days; a region may promise fewer, not {c.Days}.");
            _definition = def with { PromisedDays = c.Days };
            return null;
        }
        var i = IndexOfStep(c.Matter);
        if (i < 0) return error.Of(ErrorRule.UnknownMatter, $"The bundle has no matter '{c.Matter}' (it may have been removed from the standard).");
        var step = Steps[i];
        var current = step.PromisedDays ?? (matters.TryGetValue(step.Code, out var m) ? m.PromisedDays : null);
        if (c.Days > current)
            return error.Of(ErrorRule.LongerTimeLimit, $"The standard promises {current} working days for '{c.Matter}'; a region may promise fewer, not {c.Days}.");
        ChangeSteps()[i] = step with { PromisedDays = c.Days };
        return null;
    }

    private CatalogueError? AddMatter(MatterStep step, ErrorAt error)
    {
        var def = _definition;
        if (string.IsNullOrWhiteSpace(step.Code)) return error.Of(ErrorRule.Required, "The added matter has no code.");
        if (IndexOfStep(step.Code) >= 0) return error.Of(ErrorRule.DuplicateCode, $"The standard already has the matter '{step.Code}'.");
        if (!matters.ContainsKey(step.Code)) return error.Of(ErrorRule.UnknownMatter, $"The region has no matter '{step.Code}'. Define the matter first.");
        foreach (var after in step.After)
        {
            if (after == step.Code) return error.Of(ErrorRule.Cycle, $"The matter '{step.Code}' cannot wait for itself.");
            if (IndexOfStep(after) < 0) return error.Of(ErrorRule.UnknownMatter, $"The added matter waits for '{after}', which is not a matter of this bundle.");
        }
        ChangeSteps().Add(step);
        return null;
    }

    private CatalogueError? AddMaterial(AddMaterial c, ErrorAt error)
    {
        var def = _definition;
        var i = IndexOfStep(c.Matter);
        if (i < 0) return error.Of(ErrorRule.UnknownMatter, $"The bundle has no matter '{c.Matter}' (it may have been removed from the standard).");
        var material = c.Material;
        if (string.IsNullOrWhiteSpace(material.Code)) return error.Of(ErrorRule.Required, "The added material has no code.");
        if (string.IsNullOrWhiteSpace(material.Name?.Zh)) return error.Of(ErrorRule.Required, $"The added material '{material.Code}' has no name.");
        if (material.Source.Kind == SourceKind.DataSharing && (string.IsNullOrWhiteSpace(material.Source.Department) || string.IsNullOrWhiteSpace(material.Source.Dataset)))
            return error.Of(ErrorRule.Required, $"The material '{material.Code}' is obtained by data sharing but does not name its source department and dataset.");
        var step = Steps[i];
        var existing = matters.TryGetValue(step.Code, out var m) ? m.Materials : [];
        if (HasMaterial(existing, material.Code) || HasMaterial(step.AddedMaterials, material.Code))
            return error.Of(ErrorRule.DuplicateCode, $"The matter '{c.Matter}' already needs the material '{material.Code}'.");
        ChangeSteps()[i] = step with { AddedMaterials = [.. step.AddedMaterials, material] };
        return null;
    }

    private CatalogueError? MarkNotApplicable(string code, ErrorAt error)
    {
        var def = _definition;
        var i = IndexOfStep(code);
        if (i < 0) return error.Of(ErrorRule.UnknownMatter, $"The bundle has no matter '{code}' (it may have been removed from the standard).");
        var removed = Steps[i];
        if (!removed.Optional)
            return error.Of(ErrorRule.RequiredMatter, $"The standard requires the matter '{code}'; only an optional matter may be marked not applicable.");
        if (Steps.Count <= 2)
            return error.Of(ErrorRule.MinMatters, $"Without '{code}' the bundle would have fewer than two matters.");
        var steps = new List<MatterStep>(Steps.Count - 1);
        foreach (var step in Steps)
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
        (_steps, _stepsChanged) = (steps, true);
        _definition = def with { Rules = rules };
        return null;
    }

    private CatalogueError? AddQuestion(Question question, ErrorAt error)
    {
        var def = _definition;
        if (string.IsNullOrWhiteSpace(question.Id)) return error.Of(ErrorRule.Required, "The added question has no id.");
        if (string.IsNullOrWhiteSpace(question.Text?.Zh)) return error.Of(ErrorRule.Required, $"The question '{question.Id}' has no text.");
        if (def.Scenarios.Any(q => q.Id == question.Id)) return error.Of(ErrorRule.DuplicateId, $"The standard already asks a question '{question.Id}'.");
        if (question.Options.Count < 2) return error.Of(ErrorRule.MinOptions, $"The question '{question.Id}' offers {question.Options.Count} option(s); a question offers at least two.");
        if (question.Options.Select(o => o.Id).Distinct(StringComparer.Ordinal).Count() != question.Options.Count)
            return error.Of(ErrorRule.DuplicateId, $"The question '{question.Id}' offers the same option twice.");
        _definition = def with { Scenarios = [.. def.Scenarios, question] };
        return null;
    }

    private CatalogueError? AddRule(Rule rule, ErrorAt error)
    {
        var def = _definition;
        if (string.IsNullOrWhiteSpace(rule.Id)) return error.Of(ErrorRule.Required, "A local rule needs an id, so that later versions can still name it.");
        if (def.Rules.Any(r => r.Id == rule.Id)) return error.Of(ErrorRule.DuplicateId, $"The standard already has a rule '{rule.Id}'.");
        var question = def.Scenarios.FirstOrDefault(q => q.Id == rule.When.Question);
        if (question is null) return error.Of(ErrorRule.UnknownQuestion, $"The rule refers to the question '{rule.When.Question}', which the bundle does not ask.");
        if (!question.Options.Any(o => o.Id == rule.When.Option))
            return error.Of(ErrorRule.UnknownOption, $"The rule refers to the option '{rule.When.Option}', which the question '{question.Id}' does not offer.");
        if (rule.Include.IsEmpty && rule.Exclude.IsEmpty) return error.Of(ErrorRule.EmptyRule, "The rule neither includes nor excludes anything.");
        // A rule names few codes: look each up where it would be instead of collecting every code of the bundle.
        foreach (var items in (ReadOnlySpan<RuleItems>)[rule.Include, rule.Exclude])
        {
            foreach (var c in items.Matters)
            {
                if (IndexOfStep(c) >= 0) continue;
                if (c is null) break; // as before: a null code ends the check of its list
                return error.Of(ErrorRule.UnknownMatter, $"The rule names '{c}', which is not a matter of this bundle.");
            }
            foreach (var c in items.Materials)
            {
                if (IsMaterialOfBundle(c)) continue;
                if (c is null) break;
                return error.Of(ErrorRule.UnknownMaterial, $"The rule names '{c}', which is not a material of this bundle's matters.");
            }
            foreach (var c in items.FormFields)
            {
                if (IsFieldOfBundle(c)) continue;
                if (c is null) break;
                return error.Of(ErrorRule.UnknownFormField, $"The rule names '{c}', which is not a form field of this bundle's matters.");
            }
        }
        _definition = def with { Rules = [.. def.Rules, rule] };
        return null;
    }

    private int IndexOfStep(string code)
    {
        var steps = Steps;
        for (var i = 0; i < steps.Count; i++) if (steps[i].Code == code) return i;
        return -1;
    }

    private bool IsMaterialOfBundle(string code)
    {
        foreach (var step in Steps)
        {
            foreach (var m in step.AddedMaterials) if (m.Code == code) return true;
            if (!matters.TryGetValue(step.Code, out var matter)) continue;
            foreach (var m in matter.Materials) if (m.Code == code) return true;
        }
        return false;
    }

    private bool IsFieldOfBundle(string code)
    {
        foreach (var step in Steps)
        {
            if (!matters.TryGetValue(step.Code, out var matter)) continue;
            foreach (var f in matter.FormFields) if (f.Code == code) return true;
        }
        return false;
    }

    private static bool HasMaterial(IReadOnlyList<Material> materials, string code)
    {
        for (var i = 0; i < materials.Count; i++) if (materials[i].Code == code) return true;
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
