using OneGo.Catalogue;

namespace OneGo.Benchmarks;

/// <summary>
/// A generated nation: one national standard (the 30-matter bundle), 31 provinces adopting it as their own
/// standard, 333 cities adopting their province's, and 2,844 districts adopting their city's, each district
/// with an overlay of 13 changes. A second national version changes the guide text, the keywords and
/// the time limit of one matter.
/// </summary>
public sealed class Nation
{
    public const int Provinces = 31, Cities = 333, Districts = 2844;

    public TemplateVersion NationalV1 { get; }
    public TemplateVersion NationalV2 { get; }
    public TemplateVersion[] ProvincesV1 { get; }
    public TemplateVersion[] ProvincesV2 { get; }
    public TemplateVersion[] CitiesV1 { get; }
    public TemplateVersion[] CitiesV2 { get; }

    /// <summary>Each district's city index and overlay on that city's v1.</summary>
    public (int City, Overlay Overlay)[] Adopters { get; }

    public Dictionary<string, Matter> LocalMatters { get; }

    public Nation()
    {
        var (definition, matters) = Generated.Bundle30();
        TemplateRef Ref(string tenant, int version) => new() { Tenant = tenant, Code = definition.Code, Version = version };

        NationalV1 = new TemplateVersion { Ref = Ref("national", 1), Definition = definition, Matters = [.. matters.Values], Locked = ["/matters/m000", "/rules/r0a"] };
        NationalV2 = NationalV1 with
        {
            Ref = Ref("national", 2),
            Definition = definition with { GuideText = "国家标准第二版。", Keywords = ["开办", "企业", "一次办"] },
            Matters = [.. matters.Values.Select(m => m.Code == "m010" ? m with { PromisedDays = 2 } : m)],
        };

        TemplateVersion Province(int p, TemplateVersion national) => new()
        {
            Ref = Ref("province" + p, national.Ref.Version),
            Overlay = new() { Adopts = national.Ref, Changes = [new SetLeadDepartment { Department = "省政务服务办" + p }, new ShortenPromisedDays { Matter = "m004", Days = 1 }] },
            Locked = ["/promisedDays"],
        };
        ProvincesV1 = Enumerable.Range(0, Provinces).Select(p => Province(p, NationalV1)).ToArray();
        ProvincesV2 = Enumerable.Range(0, Provinces).Select(p => Province(p, NationalV2)).ToArray();

        TemplateVersion City(int c, TemplateVersion[] provinces) => new()
        {
            Ref = Ref("city" + c, provinces[c % Provinces].Ref.Version),
            Overlay = new()
            {
                Adopts = provinces[c % Provinces].Ref,
                Changes =
                [
                    new SetContact { Contact = "12345-" + c },
                    new AddMaterial { Matter = "m002", Material = new() { Code = "city-form", Name = "市级申请表", Kind = MaterialKind.Form, Source = MaterialSource.Commitment } },
                ],
            },
        };
        CitiesV1 = Enumerable.Range(0, Cities).Select(c => City(c, ProvincesV1)).ToArray();
        CitiesV2 = Enumerable.Range(0, Cities).Select(c => City(c, ProvincesV2)).ToArray();

        LocalMatters = new Dictionary<string, Matter>(StringComparer.Ordinal) { ["local"] = Generated.Matter("local", 42) };
        Adopters = Enumerable.Range(0, Districts).Select(d =>
        {
            var city = d % Cities;
            return (city, new Overlay
            {
                Adopts = CitiesV1[city].Ref,
                Changes =
                [
                    new SetLeadDepartment { Department = "区行政审批局" + d },
                    new SetMatterDepartment { Matter = "m001", Department = "区公安分局" + d },
                    new SetMatterDepartment { Matter = "m006", Department = "区卫健局" + d },
                    new SetAddress { Address = Text.Of("区政务服务中心" + d, "District service centre") },
                    new SetHours { Hours = "工作日 8:30–17:30" },
                    new ShortenPromisedDays { Matter = "m003", Days = 1 },
                    new AddMatter { Matter = new() { Code = "local", After = ["m005"], Optional = true } },
                    new AddMaterial { Matter = "m007", Material = new() { Code = "district-form", Name = "区级表格", Source = MaterialSource.Applicant } },
                    new MarkNotApplicable { Matter = "m017" },
                    new AddQuestion { Question = new() { Id = "local-q", Text = "本地情形", Required = false, Options = [new() { Id = "y", Label = "是" }, new() { Id = "n", Label = "否" }] } },
                    new AddRule { Rule = new() { Id = "local-r", When = new() { Question = "local-q", Option = "y" }, Include = new() { Matters = ["local"] } } },
                    new SetGuideText { Text = "区级办事指南。" },
                    new SetContact { Contact = "0000-" + d },
                ],
            });
        }).ToArray();
    }

    public TemplateVersion[] ChainV1(int city) => [NationalV1, ProvincesV1[city % Provinces], CitiesV1[city]];
    public TemplateVersion[] ChainV2(int city) => [NationalV2, ProvincesV2[city % Provinces], CitiesV2[city]];
}
