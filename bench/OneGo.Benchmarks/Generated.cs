using System.Globalization;
using OneGo.Catalogue;

namespace OneGo.Benchmarks;

/// <summary>Named, generated inputs: deterministic, valid, sized like real catalogues.</summary>
public static class Generated
{
    private static readonly string[] Stages = ["受理", "审查", "现场核查", "决定", "公示", "送达"];
    private static readonly string[] Departments = ["公安局", "卫健局", "人社局", "医保局", "自然资源与规划局", "市场监管局", "民政局", "教育局"];

    private static string S(int i) => i.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>A matter drawing materials and fields from shared dictionaries, so bundles merge and deduplicate.</summary>
    public static Matter Matter(string code, int seed) => new()
    {
        Code = code,
        Name = Text.Of("事项" + code, "Matter " + code),
        Department = Departments[seed % Departments.Length],
        Kind = (MatterKind)(seed % 9),
        Conditions = [Text.Of("申请条件" + code, "Condition")],
        Channels = [Channel.Online, Channel.Window],
        ReviewSteps = Stages.Take(3 + seed % 3).Select(Text.From).ToArray(),
        StatutoryDays = 20,
        PromisedDays = 1 + seed % 10,
        ResultDelivery = seed % 6 == 0 ? [Delivery.Window] : [Delivery.Online, Delivery.Post],
        Fees = "不收费",
        LegalBasis = [Text.From("《条例》第" + S(seed) + "条")],
        TripsAlone = 1 + seed % 2,
        Materials = Enumerable.Range(0, 6).Select(k =>
        {
            var m = (seed * 7 + k * 5) % 40;
            return new Material
            {
                Code = "mat" + S(m),
                Name = "材料" + S(m),
                Kind = (MaterialKind)(m % 7),
                Source = ((seed + k) % 4) switch
                {
                    0 => MaterialSource.Shared(Departments[m % Departments.Length], "数据集" + S(m)),
                    1 => MaterialSource.Commitment,
                    2 => MaterialSource.Applicant,
                    _ => MaterialSource.Shared(Departments[(m + 1) % Departments.Length], "数据集" + S(m)),
                },
                MayFollowLater = m % 9 == 0,
            };
        }).DistinctBy(m => m.Code).ToArray(),
        FormFields = Enumerable.Range(0, 6).Select(k => (seed * 3 + k * 4) % 25).Distinct()
            .Select(f => new FormField { Code = "f" + S(f), Label = "字段" + S(f), Type = (FieldType)(f % 8) }).ToArray(),
    };

    /// <summary>30 matters in six parallel chains of five; 8 questions of three options; 24 rules.</summary>
    public static (BundleDefinition Definition, Dictionary<string, Matter> Matters) Bundle30()
    {
        var matters = Enumerable.Range(0, 30).Select(i => Matter("m" + S(i), i)).ToDictionary(m => m.Code, StringComparer.Ordinal);
        var questions = Enumerable.Range(0, 8).Select(j => new Question
        {
            Id = "q" + j,
            Text = Text.Of("问题" + j, "Question " + j),
            Required = j < 6,
            Options = Enumerable.Range(0, 3).Select(o => new Option { Id = "o" + o, Label = Text.Of("选项" + o, "Option " + o) }).ToArray(),
        }).ToArray();
        var materialCodes = matters.Values.SelectMany(m => m.Materials).Select(m => m.Code).Distinct().Order(StringComparer.Ordinal).ToArray();
        var fieldCodes = matters.Values.SelectMany(m => m.FormFields).Select(f => f.Code).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rules = Enumerable.Range(0, 8).SelectMany(j => new[]
        {
            new Rule { Id = $"r{j}a", When = new() { Question = "q" + j, Option = "o0" }, Include = new() { Matters = ["m" + S(j * 3), "m" + S(j * 3 + 1)] } },
            new Rule { Id = $"r{j}b", When = new() { Question = "q" + j, Option = "o1" }, Exclude = new() { Materials = [materialCodes[j % materialCodes.Length]] } },
            new Rule { Id = $"r{j}c", When = new() { Question = "q" + j, Option = "o2" }, Include = new() { FormFields = [fieldCodes[j % fieldCodes.Length]], Matters = ["m" + S(j * 3 + 2)] } },
        }).ToArray();
        var definition = new BundleDefinition
        {
            Code = "generated-30",
            Name = Text.Of("生成的一件事", "Generated bundle"),
            Audience = Audience.Enterprise,
            Theme = LifeTheme.Establishment,
            LeadDepartment = "行政审批局",
            Matters = Enumerable.Range(0, 30).Select(i => new MatterStep
            {
                Code = "m" + S(i),
                After = i % 5 == 0 ? [] : ["m" + S(i - 1)],
                Optional = i % 7 == 3,
            }).ToArray(),
            Scenarios = questions,
            Rules = rules,
            GuideText = "一次告知、一表申请、一窗受理。",
            Channels = [Channel.Online, Channel.Mobile, Channel.Window],
            ResultDelivery = [Delivery.Online, Delivery.Post],
            ServiceLocation = new() { Address = "政务服务中心", Hours = "工作日 9:00–17:00", Contact = "12345" },
            Keywords = ["开办", "企业"],
        };
        Check(CatalogueValidator.ValidateBundle(definition, matters), definition.Code);
        return (definition, matters);
    }

    public static Dictionary<string, string> Answers30 => Enumerable.Range(0, 8).ToDictionary(j => "q" + j, j => "o" + (j % 3));

    /// <summary>A district: 300 matters and 200 bundles of 5 to 12 of them.</summary>
    public static (BundleDefinition[] Bundles, Dictionary<string, Matter> Matters) District200()
    {
        var matters = Enumerable.Range(0, 300).Select(i => Matter("d" + S(i), i)).ToDictionary(m => m.Code, StringComparer.Ordinal);
        var bundles = Enumerable.Range(0, 200).Select(b =>
        {
            var size = 5 + b % 8;
            var codes = Enumerable.Range(0, size).Select(k => "d" + S((b * 13 + k * 29) % 300)).Distinct().ToArray();
            var definition = new BundleDefinition
            {
                Code = "bundle" + S(b),
                Name = Text.Of("一件事" + S(b), "Bundle " + S(b)),
                Audience = b % 2 == 0 ? Audience.Personal : Audience.Enterprise,
                Theme = (LifeTheme)(b % 13),
                LeadDepartment = "行政审批局",
                Matters = codes.Select((c, k) => new MatterStep { Code = c, After = k % 3 == 0 ? [] : [codes[k - 1]] }).ToArray(),
                Scenarios = [new() { Id = "q", Text = "情形", Options = [new() { Id = "a", Label = "甲" }, new() { Id = "b", Label = "乙" }] }],
                Rules = [new() { When = new() { Question = "q", Option = "b" }, Include = new() { Matters = [codes[^1]] } }],
                Channels = [Channel.Online],
                ResultDelivery = [Delivery.Post],
            };
            Check(CatalogueValidator.ValidateBundle(definition, matters), definition.Code);
            return definition;
        }).ToArray();
        return (bundles, matters);
    }

    private static void Check(IReadOnlyList<CatalogueError> errors, string what)
    {
        if (errors.Count > 0) throw new InvalidOperationException($"Generated input {what} is invalid: {string.Join("; ", errors)}");
    }
}
