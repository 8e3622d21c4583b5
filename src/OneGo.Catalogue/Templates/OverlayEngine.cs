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

    // The working copy: each part the changes touch is held here, changed in place, and the definition is built
    // once, when it is read (a record copied per change would copy the whole definition thirteen times).
    private BundleDefinition _definition = standard;
    private bool _changed;
    private string? _lead = standard.LeadDepartment;
    private ServiceLocation? _location = standard.ServiceLocation;
    private Text? _guideText = standard.GuideText;
    private int? _promisedDays = standard.PromisedDays;
    private List<MatterStep>? _steps;
    private List<Question>? _scenarios;
    private List<Rule>? _rules;

    public BundleDefinition Definition
    {
        get
        {
            if (_changed)
            {
                _definition = _definition with
                {
                    LeadDepartment = _lead,
                    ServiceLocation = _location,
                    GuideText = _guideText,
                    PromisedDays = _promisedDays,
                    Matters = _steps is null ? _definition.Matters : _steps.ToArray(),
                    Scenarios = _scenarios is null ? _definition.Scenarios : _scenarios.ToArray(),
                    Rules = _rules is null ? _definition.Rules : _rules.ToArray(),
                };
                (_steps, _scenarios, _rules, _changed) = (null, null, null, false);
            }
            return _definition;
        }
    }

    private IReadOnlyList<MatterStep> Steps => _steps ?? _definition.Matters;
    private IReadOnlyList<Question> Scenarios => _scenarios ?? _definition.Scenarios;
    private IReadOnlyList<Rule> Rules => _rules ?? _definition.Rules;

    private List<MatterStep> ChangeSteps() => Change(ref _steps, _definition.Matters);
    private List<Question> ChangeScenarios() => Change(ref _scenarios, _definition.Scenarios);
    private List<Rule> ChangeRules() => Change(ref _rules, _definition.Rules);

    /// <summary>The working list of a part, copied from the definition the first time a change touches it (with room for the few items an overlay adds).</summary>
    private List<T> Change<T>(ref List<T>? working, IReadOnlyList<T> current)
    {
        if (working is null)
        {
            working = new List<T>(current.Count + 4);
            working.AddRange(current);
        }
        _changed = true;
        return working;
    }

    /// <summary>Where a change's error points; its pointer is written only when there is an error.</summary>
    private readonly struct ErrorAt(int index, string target)
    {
        public CatalogueError Of(string rule, string message) =>
            new("/changes/" + index.ToString(CultureInfo.InvariantCulture), rule, message) { Target = target };
    }

    public CatalogueError? Apply(int index, OverlayChange change)
    {
        // A document read from JSON can hold null where a change belongs ("changes": [null]).
        if (change is null)
        {
            return new("/changes/" + index.ToString(CultureInfo.InvariantCulture), "required", "A change is an object naming its op and what it changes; this one is null.");
        }

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

        switch (change)
        {
            case SetLeadDepartment c:
                if (string.IsNullOrWhiteSpace(c.Department)) return error.Of(ErrorRule.Required, "The local lead department is empty.");
                (_lead, _changed) = (c.Department, true);
                return null;

            case SetMatterDepartment c:
                if (IndexOfStep(c.Matter) is not (>= 0 and var i)) return error.Of(ErrorRule.UnknownMatter, $"The bundle has no matter '{c.Matter}' (it may have been removed from the standard).");
                if (string.IsNullOrWhiteSpace(c.Department)) return error.Of(ErrorRule.Required, $"The local department of '{c.Matter}' is empty.");
                ChangeSteps()[i] = Steps[i] with { Department = c.Department };
                return null;

            case SetAddress c:
                if (string.IsNullOrWhiteSpace(c.Address?.Zh)) return error.Of(ErrorRule.Required, "The address is empty.");
                (_location, _changed) = ((_location ?? new ServiceLocation()) with { Address = c.Address }, true);
                return null;

            case SetHours c:
                if (string.IsNullOrWhiteSpace(c.Hours?.Zh)) return error.Of(ErrorRule.Required, "The opening hours are empty.");
                (_location, _changed) = ((_location ?? new ServiceLocation()) with { Hours = c.Hours }, true);
                return null;

            case SetContact c:
                if (string.IsNullOrWhiteSpace(c.Contact)) return error.Of(ErrorRule.Required, "The contact is empty.");
                (_location, _changed) = ((_location ?? new ServiceLocation()) with { Contact = c.Contact }, true);
                return null;

            case SetGuideText c:
                if (string.IsNullOrWhiteSpace(c.Text?.Zh)) return error.Of(ErrorRule.Required, "The guide text is empty.");
                (_guideText, _changed) = (c.Text, true);
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
                var qi = IndexOfQuestion(c.Question);
                if (qi < 0) return error.Of(ErrorRule.UnknownQuestion, $"The standard asks no question '{c.Question}'.");
                if (string.IsNullOrWhiteSpace(c.Option.Id)) return error.Of(ErrorRule.Required, "The option has no id.");
                if (string.IsNullOrWhiteSpace(c.Option.Label?.Zh)) return error.Of(ErrorRule.Required, $"The option '{c.Option.Id}' has no label.");
                var question = Scenarios[qi];
                if (HasOption(question, c.Option.Id)) return error.Of(ErrorRule.DuplicateId, $"The question '{c.Question}' already offers '{c.Option.Id}'.");
                ChangeScenarios()[qi] = question with { Options = [.. question.Options, c.Option] };
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
        if (c.Days < 0) return error.Of(ErrorRule.Range, "A promised time limit is a number of working days, 0 or more.");
        if (c.Matter is null)
        {
            var standardDays = _promisedDays ?? BundleMath.CriticalPath(Definition, matters);
            if (c.Days > standardDays)
                return error.Of(ErrorRule.LongerTimeLimit, $"The standard promises {standardDays} working days; a region may promise fewer, not {c.Days}.");
            (_promisedDays, _changed) = (c.Days, true);
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
        if (string.IsNullOrWhiteSpace(step.Code)) return error.Of(ErrorRule.Required, "The added matter has no code.");
        if (IndexOfStep(step.Code) >= 0) return error.Of(ErrorRule.DuplicateCode, $"The standard already has the matter '{step.Code}'.");
        if (!matters.ContainsKey(step.Code)) return error.Of(ErrorRule.UnknownMatter, $"The region has no matter '{step.Code}'. Define the matter first.");
        var after = step.After;
        for (var j = 0; j < after.Count; j++)
        {
            if (after[j] == step.Code) return error.Of(ErrorRule.Cycle, $"The matter '{step.Code}' cannot wait for itself.");
            if (IndexOfStep(after[j]) < 0) return error.Of(ErrorRule.UnknownMatter, $"The added matter waits for '{after[j]}', which is not a matter of this bundle.");
        }
        ChangeSteps().Add(step);
        return null;
    }

    private CatalogueError? AddMaterial(AddMaterial c, ErrorAt error)
    {
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
        var i = IndexOfStep(code);
        if (i < 0) return error.Of(ErrorRule.UnknownMatter, $"The bundle has no matter '{code}' (it may have been removed from the standard).");
        var current = Steps;
        var removed = current[i];
        if (!removed.Optional)
            return error.Of(ErrorRule.RequiredMatter, $"The standard requires the matter '{code}'; only an optional matter may be marked not applicable.");
        if (current.Count <= 2)
            return error.Of(ErrorRule.MinMatters, $"Without '{code}' the bundle would have fewer than two matters.");
        var steps = ChangeSteps();
        steps.RemoveAt(i);
        for (var j = 0; j < steps.Count; j++)
        {
            var step = steps[j];
            // What waited for the removed matter now waits for what it waited for.
            if (Contains(step.After, code)) steps[j] = step with { After = Rewire(step.After, code, removed.After) };
        }
        // Rules that name the matter forget it; one left with nothing to include or exclude goes. The rules are
        // copied only when one names it.
        var rules = Rules;
        List<Rule>? kept = null;
        var to = 0;
        for (var j = 0; j < rules.Count; j++)
        {
            var rule = rules[j];
            if (Contains(rule.Include.Matters, code) || Contains(rule.Exclude.Matters, code))
            {
                kept ??= ChangeRules();
                rule = rule with
                {
                    Include = rule.Include with { Matters = rule.Include.Matters.Where(m => m != code).ToArray() },
                    Exclude = rule.Exclude with { Matters = rule.Exclude.Matters.Where(m => m != code).ToArray() },
                };
                if (rule.Include.IsEmpty && rule.Exclude.IsEmpty) continue;
            }
            kept?[to] = rule;
            to++;
        }
        if (kept is null) return null;
        kept.RemoveRange(to, kept.Count - to);
        return null;
    }

    /// <summary>The matters a step waits for without <paramref name="code"/> and with what it waited for, each once, in order.</summary>
    private static string[] Rewire(IReadOnlyList<string> after, string code, IReadOnlyList<string> inherited)
    {
        var rewired = new List<string>(after.Count + inherited.Count);
        for (var i = 0; i < after.Count; i++)
        {
            if (after[i] != code && !Contains(rewired, after[i])) rewired.Add(after[i]);
        }
        for (var i = 0; i < inherited.Count; i++)
        {
            if (!Contains(rewired, inherited[i])) rewired.Add(inherited[i]);
        }
        return rewired.ToArray();
    }

    private CatalogueError? AddQuestion(Question question, ErrorAt error)
    {
        if (string.IsNullOrWhiteSpace(question.Id)) return error.Of(ErrorRule.Required, "The added question has no id.");
        if (string.IsNullOrWhiteSpace(question.Text?.Zh)) return error.Of(ErrorRule.Required, $"The question '{question.Id}' has no text.");
        if (IndexOfQuestion(question.Id) >= 0) return error.Of(ErrorRule.DuplicateId, $"The standard already asks a question '{question.Id}'.");
        var options = question.Options;
        if (options.Count < 2) return error.Of(ErrorRule.MinOptions, $"The question '{question.Id}' offers {options.Count} option(s); a question offers at least two.");
        for (var j = 1; j < options.Count; j++)
        {
            for (var k = 0; k < j; k++)
            {
                if (options[k].Id == options[j].Id) return error.Of(ErrorRule.DuplicateId, $"The question '{question.Id}' offers the same option twice.");
            }
        }
        ChangeScenarios().Add(question);
        return null;
    }

    private CatalogueError? AddRule(Rule rule, ErrorAt error)
    {
        if (string.IsNullOrWhiteSpace(rule.Id)) return error.Of(ErrorRule.Required, "A local rule needs an id, so that later versions can still name it.");
        var rules = Rules;
        for (var j = 0; j < rules.Count; j++)
        {
            if (rules[j].Id == rule.Id) return error.Of(ErrorRule.DuplicateId, $"The standard already has a rule '{rule.Id}'.");
        }
        var qi = IndexOfQuestion(rule.When.Question);
        if (qi < 0) return error.Of(ErrorRule.UnknownQuestion, $"The rule refers to the question '{rule.When.Question}', which the bundle does not ask.");
        var question = Scenarios[qi];
        if (!HasOption(question, rule.When.Option))
            return error.Of(ErrorRule.UnknownOption, $"The rule refers to the option '{rule.When.Option}', which the question '{question.Id}' does not offer.");
        if (rule.Include.IsEmpty && rule.Exclude.IsEmpty) return error.Of(ErrorRule.EmptyRule, "The rule neither includes nor excludes anything.");
        // A rule names few codes: look each up where it would be instead of collecting every code of the bundle.
        foreach (var items in (ReadOnlySpan<RuleItems>)[rule.Include, rule.Exclude])
        {
            var codes = items.Matters;
            for (var j = 0; j < codes.Count; j++)
            {
                var c = codes[j];
                if (IndexOfStep(c) >= 0) continue;
                if (c is null) break; // as before: a null code ends the check of its list
                return error.Of(ErrorRule.UnknownMatter, $"The rule names '{c}', which is not a matter of this bundle.");
            }
            codes = items.Materials;
            for (var j = 0; j < codes.Count; j++)
            {
                var c = codes[j];
                if (IsMaterialOfBundle(c)) continue;
                if (c is null) break;
                return error.Of(ErrorRule.UnknownMaterial, $"The rule names '{c}', which is not a material of this bundle's matters.");
            }
            codes = items.FormFields;
            for (var j = 0; j < codes.Count; j++)
            {
                var c = codes[j];
                if (IsFieldOfBundle(c)) continue;
                if (c is null) break;
                return error.Of(ErrorRule.UnknownFormField, $"The rule names '{c}', which is not a form field of this bundle's matters.");
            }
        }
        ChangeRules().Add(rule);
        return null;
    }

    private int IndexOfStep(string code)
    {
        var steps = Steps;
        for (var i = 0; i < steps.Count; i++) if (steps[i].Code == code) return i;
        return -1;
    }

    private int IndexOfQuestion(string id)
    {
        var scenarios = Scenarios;
        for (var i = 0; i < scenarios.Count; i++) if (scenarios[i].Id == id) return i;
        return -1;
    }

    private static bool HasOption(Question question, string id)
    {
        var options = question.Options;
        for (var i = 0; i < options.Count; i++) if (options[i].Id == id) return true;
        return false;
    }

    private static bool Contains(IReadOnlyList<string> codes, string code)
    {
        for (var i = 0; i < codes.Count; i++) if (codes[i] == code) return true;
        return false;
    }


    private bool IsMaterialOfBundle(string code)
    {
        var steps = Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (HasMaterial(step.AddedMaterials, code)) return true;
            if (matters.TryGetValue(step.Code, out var matter) && HasMaterial(matter.Materials, code)) return true;
        }
        return false;
    }

    private bool IsFieldOfBundle(string code)
    {
        var steps = Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            if (!matters.TryGetValue(steps[i].Code, out var matter)) continue;
            var fields = matter.FormFields;
            for (var j = 0; j < fields.Count; j++) if (fields[j].Code == code) return true;
        }
        return false;
    }

    private static bool HasMaterial(IReadOnlyList<Material> materials, string code)
    {
        for (var i = 0; i < materials.Count; i++) if (materials[i].Code == code) return true;
        return false;
    }
}

/// <summary>A standard's embedded matters under an adopter's own: the nearest level wins.</summary>
internal sealed class LayeredMatters(IReadOnlyDictionary<string, Matter> local, IReadOnlyDictionary<string, Matter> inherited) : IReadOnlyDictionary<string, Matter>
{
    public IReadOnlyDictionary<string, Matter> Local => local;
    public IReadOnlyDictionary<string, Matter> Inherited => inherited;

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
