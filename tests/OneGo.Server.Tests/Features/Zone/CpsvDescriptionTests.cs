using System.Text.Json.Nodes;
using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Features.Zone.Cpsv;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// What the repository's catalogues do not show: an enterprise bundle decided on the spot, with fees, made-up national
/// codes, a material that comes by data sharing and one issued by another matter — described in CPSV-AP and conforming.
/// </summary>
public sealed class CpsvDescriptionTests
{
    private const string Base = "https://onego.example.gov.cn/id/";
    private static readonly RegionInfo Haicang = new("fujian.xiamen.haicang", "350205", "海沧区", "Haicang District", RegionLevel.District, "fujian.xiamen", []);

    private static Matter Matter(string code, string? basicCode, string? implementationCode, Text? fees, params Material[] materials) => new()
    {
        Code = code,
        BasicCode = basicCode,
        ImplementationCode = implementationCode,
        IllustrativeCodes = basicCode is not null,
        Name = Text.Of(code == "licence" ? "食品经营许可" : "营业执照", null),
        Department = "market-regulation",
        Kind = MatterKind.Licence,
        PromisedDays = 0,
        StatutoryDays = 20,
        Fees = fees,
        LegalBasis = ["《中华人民共和国食品安全法》"],
        Conditions = [Text.Of("有与经营的食品品种相适应的场所", "Premises suited to the food sold")],
        Materials = materials,
    };

    private static EffectiveBundle Bundle()
    {
        var sharing = new Material { Code = "id-card", Name = "身份证", Kind = MaterialKind.Certificate, Source = MaterialSource.Shared("公安局", "人口基础信息") };
        var issued = new Material { Code = "business-licence", Name = "营业执照", Kind = MaterialKind.Licence, Source = MaterialSource.IssuedBy("registration"), MayFollowLater = true };
        Matter[] matters =
        [
            Matter("licence", "G-000007-001", "G-000007-001-350205000000-000-11511301008778183N-1-00", "按规定收取", sharing, issued),
            Matter("registration", null, null, null, sharing),
        ];
        return new EffectiveBundle
        {
            Code = "shop",
            Name = Text.Of("开便利店一件事", "Opening a convenience store"),
            Audience = Audience.Enterprise,
            Theme = LifeTheme.Operation,
            LeadDepartment = "market-regulation",
            Lineage = [],
            Steps = [new EffectiveStep { Code = "licence", After = ["registration"], Optional = false }, new EffectiveStep { Code = "registration", After = [], Optional = false }],
            Matters = matters,
            Form = [],
            Materials =
            [
                new MergedMaterial { Code = "business-licence", Name = "营业执照", Kind = MaterialKind.Licence, Source = issued.Source, MayFollowLater = true, Uses = [] },
                new MergedMaterial { Code = "id-card", Name = "身份证", Kind = MaterialKind.Certificate, Source = sharing.Source, MayFollowLater = false, Uses = [] },
            ],
            Scenarios = [],
            Rules = [],
            Channels = [Channel.Online, Channel.Window],
            ResultDelivery = [Delivery.Post],
            ServiceLocation = new ServiceLocation { Address = "海沧区行政服务中心", Hours = "工作日 9:00–17:00", Contact = "12345" },
            PromisedDays = 0,
            Keywords = ["便利店", "convenience store"],
            Reductions = new Reductions
            {
                Before = new ReductionFigures { Steps = 6, Days = 0, Materials = 3, Trips = 2 },
                After = new ReductionFigures { Steps = 3, Days = 0, Materials = 0, Trips = 0 },
            },
        };
    }

    /// <summary>Haicang's market regulation bureau, which the bundle and its matter name by code.</summary>
    private static readonly DepartmentNames Departments = new(new Dictionary<string, DepartmentInReach>
    {
        ["market-regulation"] = new(new Department { Code = "market-regulation", Name = "厦门市海沧区市场监督管理局" }, "fujian.xiamen.haicang"),
    });

    private static JsonObject Describe() => new CpsvDescription(new CpsvIris(new Uri(Base))).Describe(Haicang, Bundle(), Departments);

    [Fact]
    public async Task AnEnterpriseBundleWithFeesAndMadeUpNationalCodesConformsAndSaysWhatItsCodesAre()
    {
        var service = Describe();
        Assert.Equal(["BusinessEvent", "Event"], service["PublicService.isGroupedBy"]![0]!["@type"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(Base + "business-events/operation", (string?)service["PublicService.isGroupedBy"]![0]!["@id"]);
        Assert.Equal("P0D", (string?)service["PublicService.processingTime"]);
        Assert.Contains("on the spot", service["http://www.w3.org/2004/02/skos/core#note"]!.ToJsonString(), StringComparison.Ordinal);

        var licence = service["PublicService.relatedService"]!.AsArray().Single(m => ((string)m!["@id"]!).EndsWith("/matters/licence", StringComparison.Ordinal))!;
        Assert.Equal("G-000007-001-350205000000-000-11511301008778183N-1-00", (string?)licence["PublicService.identifier"]);
        var codes = licence["http://www.w3.org/ns/adms#identifier"]!.AsArray();
        Assert.Equal(["G-000007-001", "G-000007-001-350205000000-000-11511301008778183N-1-00"], codes.Select(c => (string)c!["http://www.w3.org/2004/02/skos/core#notation"]!));
        Assert.All(codes, c => Assert.Contains("Illustrative", c!["http://www.w3.org/2004/02/skos/core#note"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.Equal([Base + "regions/fujian.xiamen.haicang/bundles/shop/matters/registration"], licence["PublicService.requires"]!.AsArray().Select(r => (string)r!["@id"]!));

        // A stated fee is its text; no fee is free of charge, 0 yuan.
        var registration = service["PublicService.relatedService"]!.AsArray().Single(m => ((string)m!["@id"]!).EndsWith("/matters/registration", StringComparison.Ordinal))!;
        Assert.Equal("registration", (string?)registration["PublicService.identifier"]);
        Assert.Null(licence["PublicService.hasCost"]![0]!["Cost.hasValue"]);
        Assert.Equal(0, (int)registration["PublicService.hasCost"]![0]!["Cost.hasValue"]!);
        Assert.Equal(2, service["PublicService.hasCost"]!.AsArray().Count);

        var document = new JsonObject { ["@context"] = CpsvDescription.Context, ["@graph"] = new JsonArray(service) };
        var report = await Shacl.ValidateAsync([document.ToJsonString()]);
        Assert.Empty(report.Violations.Select(v => $"{v.FocusNode} {v.Path} {v.Constraint}: {v.Message}"));
    }

    [Fact]
    public void TheSameBundleIsDescribedByTheSameBytes()
    {
        Assert.Equal(Describe().ToJsonString(), Describe().ToJsonString());
    }
}
