namespace OneGo.Catalogue.Tests.Fixtures;

/// <summary>Small, valid building blocks; each test changes only what it is about.</summary>
internal static class Make
{
    public static Matter Matter(string code, int days = 5, int trips = 1, IReadOnlyList<Material>? materials = null,
        IReadOnlyList<FormField>? fields = null, IReadOnlyList<string>? steps = null, IReadOnlyList<Delivery>? delivery = null) => new()
    {
        Code = code,
        Name = Text.Of("事项" + code, "Matter " + code),
        Department = "部门" + code,
        Kind = MatterKind.PublicService,
        PromisedDays = days,
        StatutoryDays = 20,
        TripsAlone = trips,
        ReviewSteps = (steps ?? ["受理", "审查", "决定"]).Select(Text.From).ToArray(),
        ResultDelivery = delivery ?? [Delivery.Online],
        Materials = materials ?? [Shared("id-card")],
        FormFields = fields ?? [Field("name", "姓名")],
    };

    public static Material Shared(string code, string department = "公安局", string dataset = "人口信息") =>
        new() { Code = code, Name = "材料" + code, Source = MaterialSource.Shared(department, dataset) };

    public static Material Brought(string code, bool mayFollowLater = false) =>
        new() { Code = code, Name = "材料" + code, Source = MaterialSource.Applicant, MayFollowLater = mayFollowLater };

    public static Material Committed(string code) =>
        new() { Code = code, Name = "材料" + code, Source = MaterialSource.Commitment };

    public static Material Issued(string code, string byMatter) =>
        new() { Code = code, Name = "材料" + code, Source = MaterialSource.IssuedBy(byMatter) };

    public static FormField Field(string code, string label) => new() { Code = code, Label = label };

    public static MatterStep Step(string code, params string[] after) => new() { Code = code, After = after };

    public static BundleDefinition Bundle(params MatterStep[] steps) => new()
    {
        Code = "b",
        Name = Text.Of("一件事", "A bundle"),
        Audience = Audience.Personal,
        Theme = LifeTheme.Birth,
        LeadDepartment = "行政审批局",
        Matters = steps,
        Channels = [Channel.Online],
        ResultDelivery = [Delivery.Online],
    };

    public static Dictionary<string, Matter> Index(params Matter[] matters) => matters.ToDictionary(m => m.Code, StringComparer.Ordinal);

    public static Question Question(string id, bool required, params string[] options) => new()
    {
        Id = id,
        Text = Text.Of("问题" + id, "Question " + id),
        Required = required,
        Options = options.Select(o => new Option { Id = o, Label = Text.Of("选项" + o, "Option " + o) }).ToArray(),
    };

    public static Rule Rule(string question, string option, RuleItems? include = null, RuleItems? exclude = null) => new()
    {
        When = new Condition { Question = question, Option = option },
        Include = include ?? RuleItems.None,
        Exclude = exclude ?? RuleItems.None,
    };

    public static RuleItems Matters(params string[] codes) => new() { Matters = codes };
    public static RuleItems Materials(params string[] codes) => new() { Materials = codes };
    public static RuleItems Fields(params string[] codes) => new() { FormFields = codes };

    public static EffectiveBundle Resolve(BundleDefinition bundle, params Matter[] matters)
    {
        var index = Index(matters);
        var errors = CatalogueValidator.ValidateBundle(bundle, index);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return BundleResolver.Resolve(bundle, index);
    }
}
