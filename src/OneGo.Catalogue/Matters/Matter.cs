using System.Text.Json.Serialization;

namespace OneGo.Catalogue;

/// <summary>
/// A matter (事项): one thing one department decides, with the national matter elements.
/// This record is also the matter definition document (<c>PUT /matters/{code}</c>, <c>tenants/</c> files).
/// Members that validation insists on but a document may omit are nullable, so that a missing one is
/// reported with its pointer instead of failing deserialisation.
/// </summary>
public sealed record Matter
{
    /// <summary>
    /// The matter's code in OneGo (a slug such as <c>birth-medical-certificate</c>), unique within a tenant: what routes,
    /// JSON pointers, files and bundles name it by. The national codes are <see cref="BasicCode"/> and <see cref="ImplementationCode"/>.
    /// </summary>
    public required string Code { get; init; }

    /// <summary>
    /// 事项基本编码: for a national matter, its code in the national basic catalogue (required); for a region's matter,
    /// the basic code of the national matter it implements — its claim (认领), which must name a national matter.
    /// Absent for a region's own matter that implements none.
    /// </summary>
    public string? BasicCode { get; init; }

    /// <summary>
    /// 实施编码 of this region's implementation, composed as GB/T 39554.1-2020 says (<see cref="NationalCodes"/>): it begins
    /// with <see cref="BasicCode"/> and names the region's division code and the implementing body's 统一社会信用代码.
    /// </summary>
    public string? ImplementationCode { get; init; }

    /// <summary>
    /// True when <see cref="BasicCode"/> and <see cref="ImplementationCode"/> are made up in the national shape because no
    /// public code is known: readers must not take them for the national platform's codes. A matter claiming a national
    /// matter whose basic code is illustrative says so too.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IllustrativeCodes { get; init; }

    public required Text Name { get; init; }

    /// <summary>The owning department (实施主体).</summary>
    public string? Department { get; init; }

    public MatterKind? Kind { get; init; }

    /// <summary>申请条件.</summary>
    public IReadOnlyList<Text> Conditions { get; init; } = [];

    /// <summary>申报方式.</summary>
    public IReadOnlyList<Channel> Channels { get; init; } = [];

    /// <summary>受理模式, e.g. 一窗受理 or 网上预审.</summary>
    public Text? Acceptance { get; init; }

    /// <summary>审核程序: the stages the matter goes through (受理, 审查, 决定, 送达 …).</summary>
    public IReadOnlyList<Text> ReviewSteps { get; init; } = [];

    /// <summary>法定办结时限, working days.</summary>
    public int? StatutoryDays { get; init; }

    /// <summary>承诺办结时限, working days; 0 means decided on the spot (即办件).</summary>
    public int? PromisedDays { get; init; }

    /// <summary>发证方式: how the result reaches the applicant.</summary>
    public IReadOnlyList<Delivery> ResultDelivery { get; init; } = [];

    /// <summary>收费标准; absent means free of charge.</summary>
    public Text? Fees { get; init; }

    /// <summary>法律依据.</summary>
    public IReadOnlyList<Text> LegalBasis { get; init; } = [];

    /// <summary>到现场次数: trips the applicant makes when doing this matter alone.</summary>
    public int TripsAlone { get; init; }

    public IReadOnlyList<Material> Materials { get; init; } = [];

    public IReadOnlyList<FormField> FormFields { get; init; } = [];

    /// <summary>Where the content comes from: the policy or article it follows, or <c>illustrative</c>.</summary>
    public string? Provenance { get; init; }

    /// <summary>
    /// The fields whose values are illustrative (示例) rather than published: <c>promisedDays</c>, <c>tripsAlone</c>,
    /// <c>fees</c>. The pages show 示例 beside such a value; a statutory time limit or an acceptance is never
    /// illustrative: it is given where an article states it, else left out.
    /// </summary>
    public IReadOnlyList<string> Illustrative { get; init; } = [];

    /// <summary>Whether a field of a matter may be marked illustrative: <c>promisedDays</c>, <c>tripsAlone</c>, <c>fees</c>.</summary>
    public static bool MayBeIllustrative(string field) => field is "promisedDays" or "tripsAlone" or "fees";

    /// <summary>Whether the value of <paramref name="field"/> (e.g. <c>promisedDays</c>) is illustrative.</summary>
    public bool IsIllustrative(string field) => Illustrative.Contains(field, StringComparer.Ordinal);
}

/// <summary>A material (申请材料). Its code comes from the material dictionary, so the same material in two matters merges.</summary>
public sealed record Material
{
    public required string Code { get; init; }
    public required Text Name { get; init; }
    public MaterialKind Kind { get; init; } = MaterialKind.Proof;

    /// <summary>Where it comes from; absent means the applicant brings it.</summary>
    public MaterialSource Source { get; init; } = MaterialSource.Applicant;

    /// <summary>容缺受理: the application is accepted without it and it is supplied later.</summary>
    public bool MayFollowLater { get; init; }
}

/// <summary>
/// Where a material comes from. <see cref="Department"/> and <see cref="Dataset"/> name the source
/// department (数源部门) for data sharing; <see cref="Matter"/> names the issuing matter of the same bundle.
/// </summary>
public sealed record MaterialSource
{
    public required SourceKind Kind { get; init; }
    public string? Department { get; init; }
    public string? Dataset { get; init; }
    public string? Matter { get; init; }

    public static MaterialSource Applicant { get; } = new() { Kind = SourceKind.Applicant };
    public static MaterialSource Commitment { get; } = new() { Kind = SourceKind.Commitment };

    public static MaterialSource Shared(string department, string dataset) =>
        new() { Kind = SourceKind.DataSharing, Department = department, Dataset = dataset };

    public static MaterialSource IssuedBy(string matter) =>
        new() { Kind = SourceKind.IssuedByMatter, Matter = matter };
}

/// <summary>
/// A material's source, ordered by the applicant's burden: the lowest value is the lightest, and wins
/// when two matters of a bundle need the same material from different sources.
/// </summary>
public enum SourceKind
{
    /// <summary>数据共享: fetched from the source department.</summary>
    DataSharing = 0,
    /// <summary>告知承诺: a signed commitment replaces the proof.</summary>
    Commitment = 1,
    /// <summary>Issued by another matter of the same bundle.</summary>
    IssuedByMatter = 2,
    /// <summary>The applicant brings or uploads it.</summary>
    Applicant = 3,
}

/// <summary>A form field; its code comes from the shared field dictionary (身份证号, 姓名, 联系电话 …).</summary>
public sealed record FormField
{
    public required string Code { get; init; }
    public required Text Label { get; init; }
    public FieldType Type { get; init; } = FieldType.Text;
}

public enum MatterKind
{
    Licence,
    Confirmation,
    Payment,
    Levy,
    Award,
    Adjudication,
    Inspection,
    OtherPower,
    PublicService,
}

public enum Channel { Online, Mobile, Window, Post, SelfService }

public enum Delivery { Online, Post, Window }

public enum MaterialKind { Certificate, Proof, Form, Licence, Contract, Photo, Other }

public enum FieldType { Text, Number, Date, IdNumber, Phone, Address, Choice, Boolean }

/// <summary>Chinese display names of the catalogue's enumerations.</summary>
public static class ChineseNames
{
    public static string ToChinese(this MatterKind kind) => kind switch
    {
        MatterKind.Licence => "行政许可",
        MatterKind.Confirmation => "行政确认",
        MatterKind.Payment => "行政给付",
        MatterKind.Levy => "行政征收",
        MatterKind.Award => "行政奖励",
        MatterKind.Adjudication => "行政裁决",
        MatterKind.Inspection => "行政检查",
        MatterKind.OtherPower => "其他行政权力",
        MatterKind.PublicService => "公共服务",
        _ => kind.ToString(),
    };

    public static string ToChinese(this Channel channel) => channel switch
    {
        Channel.Online => "网上申报",
        Channel.Mobile => "掌上申报",
        Channel.Window => "窗口申报",
        Channel.Post => "邮寄申报",
        Channel.SelfService => "自助终端",
        _ => channel.ToString(),
    };

    public static string ToChinese(this Delivery delivery) => delivery switch
    {
        Delivery.Online => "网上传输",
        Delivery.Post => "快递寄送",
        Delivery.Window => "窗口领取",
        _ => delivery.ToString(),
    };

    public static string ToChinese(this SourceKind source) => source switch
    {
        SourceKind.DataSharing => "数据共享",
        SourceKind.Commitment => "告知承诺",
        SourceKind.IssuedByMatter => "联办事项出具",
        SourceKind.Applicant => "申请人提交",
        _ => source.ToString(),
    };

    public static string ToChinese(this MaterialKind kind) => kind switch
    {
        MaterialKind.Certificate => "证件",
        MaterialKind.Proof => "证明",
        MaterialKind.Form => "表格",
        MaterialKind.Licence => "证照",
        MaterialKind.Contract => "合同协议",
        MaterialKind.Photo => "照片",
        MaterialKind.Other => "其他",
        _ => kind.ToString(),
    };

    public static string ToChinese(this Audience audience) => audience switch
    {
        Audience.Personal => "个人",
        Audience.Enterprise => "企业",
        _ => audience.ToString(),
    };

    public static string ToChinese(this LifeTheme theme) => theme switch
    {
        LifeTheme.Birth => "出生",
        LifeTheme.Schooling => "入学",
        LifeTheme.Employment => "就业",
        LifeTheme.Housing => "置业",
        LifeTheme.Marriage => "婚姻",
        LifeTheme.Childbearing => "生育",
        LifeTheme.Medical => "就医",
        LifeTheme.Retirement => "退休",
        LifeTheme.Funeral => "身后",
        LifeTheme.VeteranRetirement => "军人退役",
        LifeTheme.Establishment => "设立",
        LifeTheme.Operation => "经营",
        LifeTheme.Exit => "退出",
        LifeTheme.Other => "其他",
        _ => theme.ToString(),
    };
}
