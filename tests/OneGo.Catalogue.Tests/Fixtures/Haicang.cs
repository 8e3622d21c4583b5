namespace OneGo.Catalogue.Tests.Fixtures;

/// <summary>
/// 入园入学一件事 of Xiamen's Haicang district (厦门市海沧区), after the 2022 article: five guides as the
/// options of one question; in the 海沧区户籍 guide every material comes by data sharing (材料零提交、一趟不用跑).
/// </summary>
internal static class Haicang
{
    public const string Guide = "guide";
    public const string Hukou = "haicang-hukou";
    public const string HongKongMacaoTaiwanForeign = "hmt-foreign";
    public const string PolicyCare = "policy-care";
    public const string Points = "points";
    public const string Kindergarten = "kindergarten";

    public const string PrimaryEnrolment = "primary-school-enrolment";
    public const string KindergartenEnrolment = "kindergarten-enrolment";
    public const string VaccinationCheck = "vaccination-check";
    public const string PolicyCareConfirmation = "policy-care-confirmation";
    public const string PointsReview = "points-review";

    /// <summary>The eight materials the article lists, all fetched from their source departments.</summary>
    public static readonly string[] ArticleMaterials =
        ["id-card", "household-register", "property-certificate", "social-insurance", "family-planning", "health-card", "physical-exam", "vaccination-record"];

    public static Material IdCard => Shared("id-card", "身份信息", MaterialKind.Certificate, "海沧区公安分局", "人口基础信息");
    public static Material HouseholdRegister => Shared("household-register", "户籍信息（户口簿）", MaterialKind.Certificate, "海沧区公安分局", "户籍信息");
    public static Material Property => Shared("property-certificate", "产权信息（不动产权证书）", MaterialKind.Certificate, "海沧区自然资源与规划局", "不动产登记信息");
    public static Material SocialInsurance => Shared("social-insurance", "社保证明", MaterialKind.Proof, "海沧区人社局", "社会保险参保信息");
    public static Material FamilyPlanning => Shared("family-planning", "计生证明", MaterialKind.Proof, "海沧区卫健局", "计划生育信息");
    public static Material HealthCard => Shared("health-card", "健康卡信息", MaterialKind.Certificate, "海沧区卫健局", "居民电子健康卡");
    public static Material PhysicalExam => Shared("physical-exam", "体检表信息", MaterialKind.Form, "海沧区卫健局", "儿童入学体检信息");
    public static Material Vaccination => Shared("vaccination-record", "儿童预防接种情况审核报告", MaterialKind.Proof, "海沧区卫健局", "儿童预防接种信息");

    public static Matter PrimaryEnrolmentMatter => new()
    {
        Code = PrimaryEnrolment,
        BasicCode = "000X00045000",
        ImplementationCode = "000X00045000-350205000000-000-113502050000000194-1-00",
        IllustrativeCodes = true,
        Name = Text.Of("义务教育阶段新生入学报名", "Primary school enrolment"),
        Department = "海沧区教育局",
        Kind = MatterKind.PublicService,
        Conditions = [Text.Of("适龄儿童（当年8月31日前满6周岁）", "Children aged six by 31 August")],
        Channels = [Channel.Online, Channel.Mobile, Channel.Window],
        Acceptance = "网上报名、后台审核",
        ReviewSteps = ["受理", "审核", "录取"],
        StatutoryDays = 30,
        PromisedDays = 20,
        ResultDelivery = [Delivery.Online],
        Fees = "不收费",
        LegalBasis = ["《中华人民共和国义务教育法》第十二条"],
        TripsAlone = 2,
        Materials =
        [
            IdCard, HouseholdRegister, Property, SocialInsurance, FamilyPlanning, HealthCard, PhysicalExam, Vaccination,
            new() { Code = "travel-permit", Name = Text.Of("港澳居民来往内地通行证、台湾居民来往大陆通行证或护照", "Mainland travel permit or passport"), Kind = MaterialKind.Certificate },
            new() { Code = "policy-care-notice", Name = "政策性照顾对象确认结果", Kind = MaterialKind.Proof, Source = MaterialSource.IssuedBy(PolicyCareConfirmation) },
            new() { Code = "points-notice", Name = "积分入学积分结果", Kind = MaterialKind.Proof, Source = MaterialSource.IssuedBy(PointsReview) },
        ],
        FormFields = [Field("guardian-name", "监护人姓名"), Field("guardian-id-number", "监护人身份证号", FieldType.IdNumber), Field("phone", "联系电话", FieldType.Phone),
            Field("child-name", "儿童姓名"), Field("child-id-number", "儿童身份证号", FieldType.IdNumber), Field("address", "居住地址", FieldType.Address)],
    };

    public static Matter KindergartenMatter => new()
    {
        Code = KindergartenEnrolment,
        Name = Text.Of("幼儿园新生入园报名", "Kindergarten enrolment"),
        Department = "海沧区教育局",
        Kind = MatterKind.PublicService,
        Channels = [Channel.Online, Channel.Mobile],
        ReviewSteps = ["受理", "审核", "录取"],
        PromisedDays = 15,
        ResultDelivery = [Delivery.Online],
        TripsAlone = 2,
        Materials = [IdCard, HouseholdRegister, Property, HealthCard, PhysicalExam, Vaccination],
        FormFields = [Field("guardian-name", "监护人姓名"), Field("phone", "联系电话", FieldType.Phone), Field("child-name", "儿童姓名"), Field("child-id-number", "儿童身份证号", FieldType.IdNumber)],
    };

    public static Matter VaccinationCheckMatter => new()
    {
        Code = VaccinationCheck,
        Name = Text.Of("入园入学预防接种证查验", "Vaccination record check"),
        Department = "海沧区卫健局",
        Kind = MatterKind.PublicService,
        ReviewSteps = ["受理", "查验"],
        PromisedDays = 5,
        ResultDelivery = [Delivery.Online],
        TripsAlone = 1,
        Materials = [Vaccination, IdCard],
        FormFields = [Field("child-name", "儿童姓名"), Field("child-id-number", "儿童身份证号", FieldType.IdNumber)],
    };

    public static Matter PolicyCareMatter => new()
    {
        Code = PolicyCareConfirmation,
        Name = Text.Of("政策性照顾对象子女入学资格确认", "Confirmation of policy-care eligibility"),
        Department = "海沧区教育局",
        Kind = MatterKind.Confirmation,
        ReviewSteps = ["受理", "审核", "决定"],
        PromisedDays = 10,
        ResultDelivery = [Delivery.Online],
        TripsAlone = 1,
        Materials = [IdCard, new() { Code = "policy-care-proof", Name = "政策性照顾对象相关证明", Kind = MaterialKind.Proof, MayFollowLater = true }],
        FormFields = [Field("guardian-name", "监护人姓名"), Field("guardian-id-number", "监护人身份证号", FieldType.IdNumber)],
    };

    public static Matter PointsMatter => new()
    {
        Code = PointsReview,
        Name = Text.Of("随迁子女积分入学积分审核", "Points review for migrant children"),
        Department = "海沧区教育局",
        Kind = MatterKind.Confirmation,
        ReviewSteps = ["受理", "审核", "公示"],
        PromisedDays = 10,
        ResultDelivery = [Delivery.Online],
        TripsAlone = 1,
        Materials = [IdCard, SocialInsurance, Shared("residence-permit", "居住证", MaterialKind.Certificate, "海沧区公安分局", "居住证信息"),
            new() { Code = "employment-proof", Name = "务工就业证明", Kind = MaterialKind.Proof, Source = MaterialSource.Commitment }],
        FormFields = [Field("guardian-name", "监护人姓名"), Field("guardian-id-number", "监护人身份证号", FieldType.IdNumber), Field("employer", "工作单位")],
    };

    public static Matter[] Matters => [PrimaryEnrolmentMatter, KindergartenMatter, VaccinationCheckMatter, PolicyCareMatter, PointsMatter];

    public static BundleDefinition Definition => new()
    {
        Code = "enrolment",
        Name = Text.Of("入园入学一件事", "Kindergarten and school enrolment"),
        Audience = Audience.Personal,
        Theme = LifeTheme.Schooling,
        LeadDepartment = "海沧区行政审批管理局",
        Matters =
        [
            new() { Code = PrimaryEnrolment, After = [PolicyCareConfirmation, PointsReview] },
            new() { Code = KindergartenEnrolment },
            new() { Code = VaccinationCheck },
            new() { Code = PolicyCareConfirmation, Optional = true },
            new() { Code = PointsReview, Optional = true },
        ],
        Scenarios =
        [
            new()
            {
                Id = Guide,
                Text = Text.Of("您要办理的情形", "Your situation"),
                Options =
                [
                    new() { Id = Hukou, Label = Text.Of("我要入学-海沧区户籍", "School: Haicang household register") },
                    new() { Id = HongKongMacaoTaiwanForeign, Label = Text.Of("我要入学-港澳台侨外籍子女", "School: children from Hong Kong, Macao, Taiwan, overseas Chinese or foreign") },
                    new() { Id = PolicyCare, Label = Text.Of("我要入学-政策性照顾人员子女", "School: children of policy-care families") },
                    new() { Id = Points, Label = Text.Of("我要入学-积分入学", "School: admission by points") },
                    new() { Id = Kindergarten, Label = Text.Of("我要入园", "Kindergarten") },
                ],
            },
        ],
        Rules =
        [
            new() { Id = "hukou", When = new() { Question = Guide, Option = Hukou }, Include = new() { Matters = [PrimaryEnrolment] } },
            new()
            {
                Id = "hmt", When = new() { Question = Guide, Option = HongKongMacaoTaiwanForeign },
                Include = new() { Matters = [PrimaryEnrolment], Materials = ["travel-permit"] },
                // No mainland household register or family-planning record exists for these children.
                Exclude = new() { Materials = ["household-register", "family-planning"] },
            },
            new() { Id = "policy-care", When = new() { Question = Guide, Option = PolicyCare }, Include = new() { Matters = [PrimaryEnrolment, PolicyCareConfirmation], Materials = ["policy-care-notice"] } },
            new() { Id = "points", When = new() { Question = Guide, Option = Points }, Include = new() { Matters = [PrimaryEnrolment, PointsReview], Materials = ["points-notice"] } },
            new() { Id = "kindergarten", When = new() { Question = Guide, Option = Kindergarten }, Include = new() { Matters = [KindergartenEnrolment] } },
        ],
        GuideText = Text.Of("网上报名，材料零提交、一趟不用跑。", "Apply online: nothing to submit, no trip."),
        Channels = [Channel.Online, Channel.Mobile],
        ResultDelivery = [Delivery.Online],
        ServiceLocation = new() { Address = "厦门市海沧区行政服务中心", Hours = "工作日 8:30–12:00, 14:30–17:30", Contact = "0592-0000000" },
        Keywords = ["入学", "入园", "报名"],
    };

    public static EffectiveBundle Resolve() => Make.Resolve(Definition, Matters);

    private static Material Shared(string code, string name, MaterialKind kind, string department, string dataset) =>
        new() { Code = code, Name = name, Kind = kind, Source = MaterialSource.Shared(department, dataset) };

    private static FormField Field(string code, string label, FieldType type = FieldType.Text) => new() { Code = code, Label = label, Type = type };
}
