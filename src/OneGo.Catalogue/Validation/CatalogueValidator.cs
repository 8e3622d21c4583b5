namespace OneGo.Catalogue;

/// <summary>A tenant's catalogue as one document: its matters and its bundles (e.g. a <c>tenants/</c> folder read whole).</summary>
public sealed record CatalogueDocument
{
    public IReadOnlyList<Matter> Matters { get; init; } = [];
    public IReadOnlyList<BundleDefinition> Bundles { get; init; } = [];
}

/// <summary>The region that owns a matter, as its national codes are held to it; national has no division code.</summary>
public sealed record MatterRegion(string Name, string? DivisionCode)
{
    public bool IsNational => DivisionCode is null;
}

/// <summary>A national matter as the basic catalogue lists it for claims: its basic code, its code in OneGo, and whether the basic code is illustrative.</summary>
public sealed record BasicCatalogueEntry(string BasicCode, string MatterCode, bool Illustrative);

/// <summary>
/// Checks definitions before they are stored. Returns every error found (never throws on bad content),
/// each with a pointer into the validated document (scheme: <see cref="Pointer"/>), in document order.
/// </summary>
public static class CatalogueValidator
{
    /// <summary>A whole catalogue: pointers <c>/matters/{code}/…</c> and <c>/bundles/{code}/…</c>.</summary>
    public static IReadOnlyList<CatalogueError> ValidateCatalogue(CatalogueDocument catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var errors = new List<CatalogueError>();
        var matters = new Dictionary<string, Matter>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < catalogue.Matters.Count; i++)
        {
            var matter = catalogue.Matters[i];
            var at = Pointer.Of("matters", Pointer.Key(matter.Code, i));
            if (!string.IsNullOrWhiteSpace(matter.Code) && !seen.Add(matter.Code))
            {
                errors.Add(new(at + "/code", ErrorRule.DuplicateCode, $"Two matters have the code '{matter.Code}'. A code names one matter in a region."));
                continue;
            }
            errors.AddRange(ValidateMatter(matter).Select(e => e.Under(at)));
            if (!string.IsNullOrWhiteSpace(matter.Code)) matters[matter.Code] = matter;
        }
        seen.Clear();
        for (var i = 0; i < catalogue.Bundles.Count; i++)
        {
            var bundle = catalogue.Bundles[i];
            var at = Pointer.Of("bundles", Pointer.Key(bundle.Code, i));
            if (!string.IsNullOrWhiteSpace(bundle.Code) && !seen.Add(bundle.Code))
            {
                errors.Add(new(at + "/code", ErrorRule.DuplicateCode, $"Two bundles have the code '{bundle.Code}'. A code names one bundle in a region."));
                continue;
            }
            errors.AddRange(ValidateBundle(bundle, matters).Select(e => e.Under(at)));
        }
        return errors;
    }

    private static void CheckIllustrative(Matter matter, string what, List<CatalogueError> errors)
    {
        var marked = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < matter.Illustrative.Count; i++)
        {
            var field = matter.Illustrative[i];
            var at = "/illustrative/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (field is "statutoryDays" or "acceptance")
                errors.Add(new(at, ErrorRule.IllustrativeField, $"The matter {what} marks '{field}' illustrative, but a statutory time limit or an acceptance is never made up: give it where the matter's legal basis cites the article that states it, else leave it out."));
            else if (!Matter.MayBeIllustrative(field))
                errors.Add(new(at, ErrorRule.IllustrativeField, $"'{field}' is not a field of a matter that can be marked illustrative: promisedDays, tripsAlone or fees."));
            else if (!marked.Add(field))
                errors.Add(new(at, ErrorRule.IllustrativeField, $"The matter {what} marks '{field}' illustrative twice. List it once."));
            else if (field == "fees" && matter.Fees is null)
                errors.Add(new(at, ErrorRule.IllustrativeField, $"The matter {what} marks its fees illustrative but gives none. Give the fees, or remove the mark."));
        }
    }

    /// <summary>
    /// One matter document: pointers relative to it (<c>/department</c>, <c>/materials/{code}/source/dataset</c>,
    /// <c>/implementationCode</c>). Its national codes are checked by shape, and with <paramref name="region"/>, the
    /// region that owns it, held to that region too (<see cref="ValidateCodesInRegion"/>). Whether a claimed basic code
    /// exists is <see cref="ValidateClaim"/>'s question.
    /// </summary>
    public static IReadOnlyList<CatalogueError> ValidateMatter(Matter matter, MatterRegion? region = null)
    {
        ArgumentNullException.ThrowIfNull(matter);
        var errors = new List<CatalogueError>();
        var what = Describe(matter);
        if (string.IsNullOrWhiteSpace(matter.Code))
            errors.Add(new("/code", ErrorRule.Required, "The matter has no code. Give it a code that is unique in the region, for example 'birth-medical-certificate'."));
        CheckNationalCodes(matter, what, errors);
        if (string.IsNullOrWhiteSpace(matter.Name?.Zh))
            errors.Add(new("/name", ErrorRule.Required, $"The matter {what} has no name. Give its Chinese name."));
        if (string.IsNullOrWhiteSpace(matter.Department))
            errors.Add(new("/department", ErrorRule.Required, $"The matter {what} has no department. Name the department that handles it."));
        if (matter.PromisedDays is null)
            errors.Add(new("/promisedDays", ErrorRule.Required, $"The matter {what} has no time limit. Give the promised time limit in working days (0 for on the spot)."));
        else if (matter.PromisedDays < 0)
            errors.Add(new("/promisedDays", ErrorRule.Range, $"The promised time limit of {what} is negative. Give a number of working days, 0 or more."));
        if (matter.StatutoryDays < 0)
            errors.Add(new("/statutoryDays", ErrorRule.Range, $"The statutory time limit of {what} is negative. Give a number of working days, 0 or more."));
        else if (matter.PromisedDays > matter.StatutoryDays)
            errors.Add(new("/promisedDays", ErrorRule.LongerTimeLimit, $"The matter {what} promises {matter.PromisedDays} working days, longer than its statutory {matter.StatutoryDays}. A promise may only be shorter."));
        if (matter.TripsAlone < 0)
            errors.Add(new("/tripsAlone", ErrorRule.Range, $"The trips of {what} are negative. Give how many times an applicant comes in person, 0 or more."));
        if (matter.Materials.Count == 0)
            errors.Add(new("/materials", ErrorRule.MinMaterials, $"The matter {what} lists no material. List at least one, even if it is obtained by data sharing."));

        CheckIllustrative(matter, what, errors);
        CheckMaterials(matter.Materials, "/materials", matter.Code, what, errors, new HashSet<string>(StringComparer.Ordinal));
        var fields = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < matter.FormFields.Count; i++)
        {
            var field = matter.FormFields[i];
            var at = Pointer.Of("formFields", Pointer.Key(field.Code, i));
            if (string.IsNullOrWhiteSpace(field.Code))
                errors.Add(new(at + "/code", ErrorRule.Required, $"A form field of {what} has no code. Use the code from the field dictionary (身份证号, 姓名 …)."));
            else if (!fields.Add(field.Code))
                errors.Add(new(at + "/code", ErrorRule.DuplicateCode, $"The form field '{field.Code}' appears twice in {what}. List it once."));
            if (string.IsNullOrWhiteSpace(field.Label?.Zh))
                errors.Add(new(at + "/label", ErrorRule.Required, $"The form field '{field.Code}' of {what} has no label."));
        }
        if (region is not null)
            errors.AddRange(ValidateCodesInRegion(matter, region));
        return errors;
    }

    // The national codes' shapes, which need no region: each part of an implementation code, and its basic code.
    private static void CheckNationalCodes(Matter matter, string what, List<CatalogueError> errors)
    {
        var basicCode = matter.BasicCode;
        if (basicCode is not null && NationalCodes.CheckBasicCode(basicCode) is { } badBasic)
        {
            errors.Add(new("/basicCode", ErrorRule.BasicCodeFormat, badBasic));
            basicCode = null;
        }
        else if (basicCode is null && matter.ImplementationCode is not null)
        {
            errors.Add(new("/basicCode", ErrorRule.Required,
                $"The matter {what} has an implementation code but no basic code. An implementation code begins with the basic code of the national matter it implements: give that basic code as 'basicCode'."));
        }

        if (matter.ImplementationCode is { } implementation)
        {
            foreach (var problem in NationalCodes.CheckImplementationCode(implementation, basicCode))
                errors.Add(new("/implementationCode", problem.Rule, problem.Message));
        }
    }

    /// <summary>
    /// A matter's national codes held to <paramref name="region"/>, the region that owns it: a national matter has its
    /// basic code, and an implementation code's division code lies in the region. Only what the region decides is
    /// reported; <see cref="ValidateMatter"/> reports the codes' shapes.
    /// </summary>
    public static IReadOnlyList<CatalogueError> ValidateCodesInRegion(Matter matter, MatterRegion region)
    {
        ArgumentNullException.ThrowIfNull(matter);
        ArgumentNullException.ThrowIfNull(region);
        var errors = new List<CatalogueError>();
        if (matter.BasicCode is null && region.IsNational)
        {
            errors.Add(new("/basicCode", ErrorRule.Required,
                $"The national matter {Describe(matter)} has no basic code (事项基本编码). A national matter is an entry of the basic catalogue; give its basic code, and mark it 'illustrativeCodes: true' when no public code is known."));
        }

        if (matter.ImplementationCode is { } code && ImplementationCode.Split(code) is { } parts
            && NationalCodes.CheckDivisionCode(parts.DivisionCode, region.DivisionCode, region.Name) is { Rule: ErrorRule.DivisionCodeRegion } elsewhere)
        {
            errors.Add(new("/implementationCode", elsewhere.Rule, elsewhere.Message));
        }

        return errors;
    }

    /// <summary>
    /// A matter's claim (认领): its basic code must be the basic code of a national matter — <paramref name="claimed"/>, as
    /// the caller found it in the national basic catalogue, or null when none has it — and when that national matter's
    /// code is illustrative, the matter says its own codes are too. Pointers as <see cref="ValidateMatter"/>'s.
    /// </summary>
    public static IReadOnlyList<CatalogueError> ValidateClaim(Matter matter, BasicCatalogueEntry? claimed)
    {
        ArgumentNullException.ThrowIfNull(matter);
        if (matter.BasicCode is null || NationalCodes.CheckBasicCode(matter.BasicCode) is not null)
            return [];
        if (claimed is null)
        {
            return [new("/basicCode", ErrorRule.UnknownBasicCode,
                $"No national matter has the basic code '{matter.BasicCode}'. A region's matter claims (认领) the national matter it implements by that matter's basic code; leave 'basicCode' out when it implements none.")];
        }
        if (claimed.Illustrative && !matter.IllustrativeCodes)
        {
            return [new("/basicCode", ErrorRule.IllustrativeCode,
                $"The basic code '{claimed.BasicCode}' of the national matter '{claimed.MatterCode}' is illustrative, so the codes of {Describe(matter)} are too: add 'illustrativeCodes: true'.")];
        }
        return [];
    }

    private static void CheckMaterials(IReadOnlyList<Material> materials, string listPointer, string matterCode, string what,
        List<CatalogueError> errors, HashSet<string> codes)
    {
        for (var i = 0; i < materials.Count; i++)
        {
            var material = materials[i];
            var at = listPointer + "/" + Pointer.Escape(Pointer.Key(material.Code, i));
            if (string.IsNullOrWhiteSpace(material.Code))
                errors.Add(new(at + "/code", ErrorRule.Required, $"A material of {what} has no code. Use the code from the material dictionary."));
            else if (!codes.Add(material.Code))
                errors.Add(new(at + "/code", ErrorRule.DuplicateCode, $"The material '{material.Code}' appears twice in {what}. List it once."));
            if (string.IsNullOrWhiteSpace(material.Name?.Zh))
                errors.Add(new(at + "/name", ErrorRule.Required, $"The material '{material.Code}' of {what} has no name."));
            var source = material.Source;
            if (source is null) continue;
            if (source.Kind == SourceKind.DataSharing)
            {
                if (string.IsNullOrWhiteSpace(source.Department))
                    errors.Add(new(at + "/source/department", ErrorRule.Required, $"The material '{material.Code}' of {what} is obtained by data sharing but names no source department (数源部门)."));
                if (string.IsNullOrWhiteSpace(source.Dataset))
                    errors.Add(new(at + "/source/dataset", ErrorRule.Required, $"The material '{material.Code}' of {what} is obtained by data sharing but names no dataset."));
            }
            else if (source.Kind == SourceKind.IssuedByMatter)
            {
                if (string.IsNullOrWhiteSpace(source.Matter))
                    errors.Add(new(at + "/source/matter", ErrorRule.Required, $"The material '{material.Code}' of {what} is issued by another matter but does not say which."));
                else if (source.Matter == matterCode)
                    errors.Add(new(at + "/source/matter", ErrorRule.Cycle, $"The material '{material.Code}' of {what} cannot be issued by the same matter that needs it."));
            }
        }
    }

    /// <summary>
    /// One bundle document against the matters it may use: pointers relative to it
    /// (<c>/matters/{code}/after/0</c>, <c>/rules/{id or index}/when/option</c>).
    /// </summary>
    public static IReadOnlyList<CatalogueError> ValidateBundle(BundleDefinition bundle, IReadOnlyDictionary<string, Matter> matters)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(matters);
        var errors = new List<CatalogueError>();
        var what = $"“{bundle.Name?.Zh}” ({bundle.Code})";
        if (string.IsNullOrWhiteSpace(bundle.Code))
            errors.Add(new("/code", ErrorRule.Required, "The bundle has no code. Give it a code that is unique in the region."));
        if (string.IsNullOrWhiteSpace(bundle.Name?.Zh))
            errors.Add(new("/name", ErrorRule.Required, "The bundle has no name. Give its Chinese name."));
        if (bundle.Audience is null)
            errors.Add(new("/audience", ErrorRule.Required, $"The bundle {what} does not say whom it serves. Choose personal or enterprise."));
        if (bundle.Theme is null)
            errors.Add(new("/theme", ErrorRule.Required, $"The bundle {what} has no life-cycle theme (出生, 入学, 设立 …)."));
        if (string.IsNullOrWhiteSpace(bundle.LeadDepartment))
            errors.Add(new("/leadDepartment", ErrorRule.Required, $"The bundle {what} has no lead department (牵头部门)."));
        if (bundle.PromisedDays < 0)
            errors.Add(new("/promisedDays", ErrorRule.Range, $"The promised time limit of {what} is negative. Give a number of working days, 0 or more."));
        if (bundle.Matters.Count < 2)
            errors.Add(new("/matters", ErrorRule.MinMatters, $"The bundle {what} has {bundle.Matters.Count} matter(s). A bundle integrates at least two matters; otherwise publish the matter alone."));

        var stepCodes = CheckSteps(bundle, matters, what, errors);
        CheckOrder(bundle, stepCodes, errors);

        var materialCodes = new HashSet<string>(StringComparer.Ordinal);
        var fieldCodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in bundle.Matters)
        {
            foreach (var m in step.AddedMaterials) materialCodes.Add(m.Code);
            if (step.Code is null || !matters.TryGetValue(step.Code, out var matter)) continue;
            foreach (var m in matter.Materials) materialCodes.Add(m.Code);
            foreach (var f in matter.FormFields) fieldCodes.Add(f.Code);
        }
        var questions = CheckScenarios(bundle, what, errors);
        CheckRules(bundle, questions, stepCodes, materialCodes, fieldCodes, errors);
        return errors;
    }

    private static HashSet<string> CheckSteps(BundleDefinition bundle, IReadOnlyDictionary<string, Matter> matters, string what, List<CatalogueError> errors)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in bundle.Matters) if (!string.IsNullOrWhiteSpace(step.Code)) codes.Add(step.Code);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.Matters.Count; i++)
        {
            var step = bundle.Matters[i];
            var at = Pointer.Of("matters", Pointer.Key(step.Code, i));
            if (string.IsNullOrWhiteSpace(step.Code))
            {
                errors.Add(new(at + "/code", ErrorRule.Required, $"A matter of {what} has no code. Name the matter by its basic code."));
                continue;
            }
            if (!seen.Add(step.Code))
            {
                errors.Add(new(at + "/code", ErrorRule.DuplicateCode, $"The matter '{step.Code}' appears twice in {what}. List it once."));
                continue;
            }
            matters.TryGetValue(step.Code, out var matter);
            if (matter is null)
                errors.Add(new(at, ErrorRule.UnknownMatter, $"The bundle {what} names the matter '{step.Code}', which the region does not have. Define the matter first or correct the code."));
            for (var j = 0; j < step.After.Count; j++)
            {
                var after = step.After[j];
                var afterAt = at + "/after/" + j.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (after == step.Code)
                    errors.Add(new(afterAt, ErrorRule.Cycle, $"The matter '{step.Code}' cannot wait for itself."));
                else if (!codes.Contains(after))
                    errors.Add(new(afterAt, ErrorRule.UnknownMatter, $"The matter '{step.Code}' waits for '{after}', which is not a matter of this bundle."));
            }
            if (step.PromisedDays < 0)
                errors.Add(new(at + "/promisedDays", ErrorRule.Range, $"The promised time limit of '{step.Code}' in {what} is negative."));
            else if (step.PromisedDays > matter?.PromisedDays)
                errors.Add(new(at + "/promisedDays", ErrorRule.LongerTimeLimit, $"'{step.Code}' promises {step.PromisedDays} working days in {what}, longer than the matter's own {matter.PromisedDays}. A bundle may only shorten it."));
            if (step.Department is { } d && string.IsNullOrWhiteSpace(d))
                errors.Add(new(at + "/department", ErrorRule.Required, $"The local department of '{step.Code}' in {what} is empty."));
            var materialCodes = new HashSet<string>(matter?.Materials.Select(m => m.Code) ?? [], StringComparer.Ordinal);
            CheckMaterials(step.AddedMaterials, at + "/addedMaterials", step.Code, $"'{step.Code}' in {what}", errors, materialCodes);
        }
        return codes;
    }

    /// <summary>Reports each circle of matters waiting for one another once, at the first matter on it (by code).</summary>
    private static void CheckOrder(BundleDefinition bundle, HashSet<string> codes, List<CatalogueError> errors)
    {
        var after = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var step in bundle.Matters)
            if (!string.IsNullOrWhiteSpace(step.Code)) after.TryAdd(step.Code, step.After);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in after.Keys.Order(StringComparer.Ordinal)) Visit(code);

        void Visit(string code)
        {
            if (state.TryGetValue(code, out var s) && s == 2) return;
            state[code] = 1;
            path.Add(code);
            foreach (var next in after[code])
            {
                if (next == code || !codes.Contains(next)) continue; // reported as such by CheckSteps
                if (state.TryGetValue(next, out var ns) && ns == 1)
                {
                    var circle = path.Skip(path.IndexOf(next)).ToList();
                    var first = circle.Min(StringComparer.Ordinal)!;
                    if (circle.All(reported.Add))
                    {
                        var start = circle.IndexOf(first);
                        var ordered = circle.Skip(start).Concat(circle.Take(start)).Append(first);
                        errors.Add(new(Pointer.Of("matters", first, "after"), ErrorRule.Cycle,
                            $"The matters {string.Join(" → ", ordered)} wait for each other in a circle, so none of them can start. Remove one of these “after” entries."));
                    }
                }
                else
                {
                    Visit(next);
                }
            }
            path.RemoveAt(path.Count - 1);
            state[code] = 2;
        }
    }

    private static Dictionary<string, Question> CheckScenarios(BundleDefinition bundle, string what, List<CatalogueError> errors)
    {
        var questions = new Dictionary<string, Question>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.Scenarios.Count; i++)
        {
            var q = bundle.Scenarios[i];
            var at = Pointer.Of("scenarios", Pointer.Key(q.Id, i));
            if (string.IsNullOrWhiteSpace(q.Id))
            {
                errors.Add(new(at + "/id", ErrorRule.Required, $"A question of {what} has no id."));
                continue;
            }
            if (!questions.TryAdd(q.Id, q))
            {
                errors.Add(new(at + "/id", ErrorRule.DuplicateId, $"Two questions of {what} have the id '{q.Id}'."));
                continue;
            }
            if (string.IsNullOrWhiteSpace(q.Text?.Zh))
                errors.Add(new(at + "/text", ErrorRule.Required, $"The question '{q.Id}' of {what} has no text."));
            if (q.Options.Count < 2)
                errors.Add(new(at + "/options", ErrorRule.MinOptions, $"The question '{q.Id}' of {what} offers {q.Options.Count} option(s). A question offers at least two."));
            var options = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < q.Options.Count; j++)
            {
                var o = q.Options[j];
                var oat = at + "/options/" + Pointer.Escape(Pointer.Key(o.Id, j));
                if (string.IsNullOrWhiteSpace(o.Id))
                    errors.Add(new(oat + "/id", ErrorRule.Required, $"An option of the question '{q.Id}' has no id."));
                else if (!options.Add(o.Id))
                    errors.Add(new(oat + "/id", ErrorRule.DuplicateId, $"The question '{q.Id}' has two options with the id '{o.Id}'."));
                if (string.IsNullOrWhiteSpace(o.Label?.Zh))
                    errors.Add(new(oat + "/label", ErrorRule.Required, $"The option '{o.Id}' of the question '{q.Id}' has no label."));
            }
        }
        return questions;
    }

    private static void CheckRules(BundleDefinition bundle, Dictionary<string, Question> questions, HashSet<string> matters,
        HashSet<string> materials, HashSet<string> fields, List<CatalogueError> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.Rules.Count; i++)
        {
            var rule = bundle.Rules[i];
            var at = Pointer.Of("rules", Pointer.Key(rule.Id, i));
            if (rule.Id is not null && !ids.Add(rule.Id))
                errors.Add(new(at + "/id", ErrorRule.DuplicateId, $"Two rules have the id '{rule.Id}'."));
            if (!questions.TryGetValue(rule.When.Question ?? "", out var question))
                errors.Add(new(at + "/when/question", ErrorRule.UnknownQuestion, $"The rule refers to the question '{rule.When.Question}', which the bundle does not ask. Its questions are: {string.Join(", ", questions.Keys)}."));
            else if (!question.Options.Any(o => o.Id == rule.When.Option))
                errors.Add(new(at + "/when/option", ErrorRule.UnknownOption, $"The rule refers to the option '{rule.When.Option}', which the question '{question.Id}' does not offer. Its options are: {string.Join(", ", question.Options.Select(o => o.Id))}."));
            if (rule.Include.IsEmpty && rule.Exclude.IsEmpty)
                errors.Add(new(at, ErrorRule.EmptyRule, "The rule neither includes nor excludes anything. Name the matters, materials or form fields it selects, or remove it."));
            CheckItems(rule.Include, at + "/include", matters, materials, fields, errors);
            CheckItems(rule.Exclude, at + "/exclude", matters, materials, fields, errors);
        }
    }

    private static void CheckItems(RuleItems items, string at, HashSet<string> matters, HashSet<string> materials, HashSet<string> fields, List<CatalogueError> errors)
    {
        Check(items.Matters, "matters", matters, ErrorRule.UnknownMatter, "matter of this bundle");
        Check(items.Materials, "materials", materials, ErrorRule.UnknownMaterial, "material of this bundle's matters");
        Check(items.FormFields, "formFields", fields, ErrorRule.UnknownFormField, "form field of this bundle's matters");

        void Check(IReadOnlyList<string> codes, string list, HashSet<string> known, string rule, string noun)
        {
            for (var j = 0; j < codes.Count; j++)
            {
                if (!known.Contains(codes[j]))
                    errors.Add(new($"{at}/{list}/{j.ToString(System.Globalization.CultureInfo.InvariantCulture)}", rule, $"The rule names '{codes[j]}', which is not a {noun}."));
            }
        }
    }

    private static string Describe(Matter matter) => $"“{matter.Name?.Zh}” ({matter.Code})";
}
