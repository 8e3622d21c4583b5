namespace OneGo.Catalogue.Tests.Fixtures;

/// <summary>
/// 新生儿出生一件事 through a three-level chain: a national standard, Jiangsu's standard on it, Nanjing's on
/// Jiangsu's, and Gulou district adopting Nanjing's with a local overlay.
/// </summary>
internal static class Newborn
{
    public static readonly TemplateRef NationalV1 = new() { Tenant = "national", Code = "newborn", Version = 1 };
    public static readonly TemplateRef JiangsuV1 = new() { Tenant = "jiangsu", Code = "newborn", Version = 1 };
    public static readonly TemplateRef NanjingV1 = new() { Tenant = "jiangsu.nanjing", Code = "newborn", Version = 1 };

    public static Matter BirthCertificate => M("birth-certificate", "出生医学证明", "卫生健康部门", 5, [Shared("birth-record", "卫生健康部门", "出生医学信息")]);
    public static Matter Vaccination => M("vaccination-certificate", "预防接种证办理", "卫生健康部门", 3, [Shared("birth-record", "卫生健康部门", "出生医学信息")]);
    public static Matter Hukou => M("hukou", "出生登记（户口）", "公安部门", 5,
        [new() { Code = "birth-certificate", Name = "出生医学证明", Source = MaterialSource.IssuedBy("birth-certificate") }, Shared("parents-hukou", "公安部门", "户籍信息")]);
    public static Matter MedicalInsurance => M("medical-insurance", "城乡居民医保参保登记", "医疗保障部门", 5, [Shared("parents-hukou", "公安部门", "户籍信息")]);
    public static Matter SocialSecurityCard => M("social-security-card", "社会保障卡申领", "人力资源社会保障部门", 10,
        [new() { Code = "photo", Name = "照片", Kind = MaterialKind.Photo }]);

    /// <summary>The district's own matter, added locally.</summary>
    public static Matter BirthAllowance => M("birth-allowance", "生育津贴申领", "鼓楼区医保局", 10, [Shared("parents-hukou", "公安部门", "户籍信息")]);

    public static BundleDefinition NationalDefinition => new()
    {
        Code = "newborn",
        Name = Text.Of("新生儿出生一件事", "A newborn's birth"),
        Audience = Audience.Personal,
        Theme = LifeTheme.Birth,
        LeadDepartment = "卫生健康部门",
        Matters =
        [
            new() { Code = "birth-certificate" },
            new() { Code = "vaccination-certificate", Optional = true },
            new() { Code = "hukou", After = ["birth-certificate"] },
            new() { Code = "medical-insurance", After = ["hukou"] },
            new() { Code = "social-security-card", After = ["hukou"], Optional = true },
        ],
        Scenarios = [new() { Id = "card", Text = "是否申领社保卡", Options = [new() { Id = "yes", Label = "是" }, new() { Id = "no", Label = "否" }] }],
        Rules = [new() { Id = "no-card", When = new() { Question = "card", Option = "no" }, Exclude = new() { Matters = ["social-security-card"] } }],
        GuideText = "出生医学证明、户口登记、医保参保、社保卡一次办。",
        Channels = [Channel.Online, Channel.Mobile, Channel.Window],
        ResultDelivery = [Delivery.Post, Delivery.Online],
        PromisedDays = 20,
    };

    public static TemplateVersion National => new()
    {
        Ref = NationalV1,
        Definition = NationalDefinition,
        Locked = ["/matters/birth-certificate", "/rules/no-card"],
        Matters = [BirthCertificate, Vaccination, Hukou, MedicalInsurance, SocialSecurityCard],
    };

    public static TemplateVersion Jiangsu => new()
    {
        Ref = JiangsuV1,
        Overlay = new()
        {
            Adopts = NationalV1,
            Changes =
            [
                new SetLeadDepartment { Department = "江苏省卫生健康委员会" },
                new ShortenPromisedDays { Days = 15 },
            ],
        },
        Locked = ["/promisedDays"],
    };

    public static TemplateVersion Nanjing => new()
    {
        Ref = NanjingV1,
        Overlay = new()
        {
            Adopts = JiangsuV1,
            Changes =
            [
                new SetGuideText { Text = Text.Of("南京市新生儿出生一件事，网上办、掌上办。", "Nanjing: online and on mobile.") },
                new AddMaterial { Matter = "hukou", Material = new() { Code = "nanjing-form", Name = "南京市出生登记申请表", Kind = MaterialKind.Form, Source = MaterialSource.Commitment } },
            ],
        },
    };

    public static TemplateVersion[] Chain => [National, Jiangsu, Nanjing];

    /// <summary>Gulou's overlay on Nanjing's standard: twelve local changes.</summary>
    public static Overlay Gulou => new()
    {
        Adopts = NanjingV1,
        Changes =
        [
            new SetLeadDepartment { Department = "鼓楼区卫生健康委员会" },
            new SetMatterDepartment { Matter = "hukou", Department = "南京市公安局鼓楼分局" },
            new SetMatterDepartment { Matter = "medical-insurance", Department = "鼓楼区医疗保障局" },
            new SetAddress { Address = Text.Of("南京市鼓楼区政务服务中心", "Gulou Government Service Centre") },
            new SetHours { Hours = "工作日 9:00–17:00" },
            new SetContact { Contact = "025-00000000" },
            new ShortenPromisedDays { Matter = "hukou", Days = 3 },
            new AddMatter { Matter = new() { Code = "birth-allowance", After = ["hukou"], Optional = true } },
            new AddMaterial { Matter = "medical-insurance", Material = new() { Code = "gulou-consent", Name = "鼓楼区参保告知书", Kind = MaterialKind.Form, Source = MaterialSource.Commitment } },
            new MarkNotApplicable { Matter = "vaccination-certificate" },
            new AddQuestion { Question = new() { Id = "allowance", Text = "是否申领生育津贴", Options = [new() { Id = "yes", Label = "是" }, new() { Id = "no", Label = "否" }] } },
            new AddRule { Rule = new() { Id = "allowance", When = new() { Question = "allowance", Option = "yes" }, Include = new() { Matters = ["birth-allowance"] } } },
            new AddOption { Question = "card", Option = new() { Id = "later", Label = "以后再办" } },
        ],
    };

    public static Dictionary<string, Matter> GulouMatters => new(StringComparer.Ordinal) { ["birth-allowance"] = BirthAllowance };

    public static ResolvedStandard Resolved(params TemplateVersion[] chain)
    {
        var standard = TemplateResolver.ResolveStandard(chain.Length == 0 ? Chain : chain);
        Assert.True(standard.IsValid, string.Join("\n", standard.Errors));
        return standard.Value!;
    }

    private static Matter M(string code, string name, string department, int days, IReadOnlyList<Material> materials) => new()
    {
        Code = code,
        Name = name,
        Department = department,
        Kind = MatterKind.Confirmation,
        ReviewSteps = ["受理", "审核", "办结"],
        PromisedDays = days,
        StatutoryDays = 20,
        ResultDelivery = [Delivery.Post],
        TripsAlone = 1,
        Materials = materials,
        FormFields = [new() { Code = "child-name", Label = "新生儿姓名" }, new() { Code = "mother-id-number", Label = "母亲身份证号", Type = FieldType.IdNumber }],
    };

    private static Material Shared(string code, string department, string dataset) =>
        new() { Code = code, Name = "材料" + code, Source = MaterialSource.Shared(department, dataset) };
}
