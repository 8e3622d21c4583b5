using OneGo.Catalogue.Tests.Fixtures;

namespace OneGo.Catalogue.Tests.Templates;

/// <summary>
/// An adopter is resolved on its standard (resolved once through its chain, as the server keeps it). Whatever the
/// overlay, the bytes must be those of resolving the adopter's definition from scratch.
/// </summary>
public class AdopterResolutionTests
{
    /// <summary>A local matter whose material is issued by the standard's optional vaccination matter.</summary>
    private static Matter VaccinationRecord => Newborn.BirthAllowance with
    {
        Code = "vaccination-record",
        Materials =
        [
            new() { Code = "vaccination-proof", Name = "预防接种证明", Source = MaterialSource.IssuedBy("vaccination-certificate") },
            new() { Code = "parents-hukou", Name = "户籍信息", Source = MaterialSource.Shared("公安部门", "户籍信息") },
        ],
    };

    public static TheoryData<string> Overlays => [.. Cases.Keys];

    private static readonly Dictionary<string, (OverlayChange[] Changes, Func<Dictionary<string, Matter>> Local)> Cases = new()
    {
        ["Gulou's thirteen changes"] = ([.. Newborn.Gulou.Changes], () => Newborn.GulouMatters),
        ["no change"] = ([], () => []),
        ["another department and a shorter time limit"] = ([
            new SetMatterDepartment { Matter = "hukou", Department = "南京市公安局鼓楼分局" },
            new ShortenPromisedDays { Matter = "medical-insurance", Days = 2 },
        ], () => []),
        ["an optional matter not applicable"] = ([new MarkNotApplicable { Matter = "social-security-card" }], () => []),
        ["a local matter whose material the standard's matter issues"] = (
            [new AddMatter { Matter = new() { Code = "vaccination-record", After = ["vaccination-certificate"] } }],
            () => new() { ["vaccination-record"] = VaccinationRecord }),
        ["the issuing matter not applicable, so the applicant brings it"] = (
            [
                new AddMatter { Matter = new() { Code = "vaccination-record", After = ["hukou"] } },
                new MarkNotApplicable { Matter = "vaccination-certificate" },
            ],
            () => new() { ["vaccination-record"] = VaccinationRecord }),
        ["a local material issued by a matter of the standard"] = ([
            new AddMaterial { Matter = "social-security-card", Material = new() { Code = "birth-certificate", Name = "出生医学证明", Source = MaterialSource.IssuedBy("birth-certificate") } },
        ], () => []),
        ["a local matter in place of the standard's"] = ([], () => new()
        {
            ["medical-insurance"] = Newborn.MedicalInsurance with
            {
                Materials = [new() { Code = "photo", Name = "照片", Kind = MaterialKind.Photo }],
                FormFields = [new() { Code = "insured-name", Label = "参保人姓名" }],
            },
        }),
    };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void AnAdopterGivesTheBytesOfItsDefinitionResolvedFromScratch(string name)
    {
        var (changes, local) = Cases[name];
        // One standard for every adopter, as the server keeps it: the later adopters resolve against what the first left.
        var standard = Standard.Value;
        var overlay = new Overlay { Adopts = Newborn.NanjingV1, Changes = changes };

        var resolved = TemplateResolver.Resolve(standard, overlay, local());
        Assert.True(resolved.IsValid, string.Join("\n", resolved.Errors));
        var definition = TemplateResolver.ApplyOverlay(standard, overlay, local()).Value!;
        var scratch = BundleResolver.Resolve(definition, LayeredMatters.Over(local(), standard.Matters), standard.Lineage);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(scratch)), System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(resolved.Value!)));
    }

    [Fact]
    public void WhatAMatterIssuesFollowsWhetherThatMatterIsPresent()
    {
        var standard = Standard.Value;
        var local = new Dictionary<string, Matter> { ["vaccination-record"] = VaccinationRecord };
        var add = new AddMatter { Matter = new() { Code = "vaccination-record", After = ["hukou"] } };

        var present = TemplateResolver.Resolve(standard, new Overlay { Adopts = Newborn.NanjingV1, Changes = [add] }, local).Value!;
        var absent = TemplateResolver.Resolve(standard, new Overlay { Adopts = Newborn.NanjingV1, Changes = [add, new MarkNotApplicable { Matter = "vaccination-certificate" }] }, local).Value!;

        Assert.Equal(SourceKind.IssuedByMatter, present.Materials.Single(m => m.Code == "vaccination-proof").Source.Kind);
        Assert.Equal(SourceKind.Applicant, absent.Materials.Single(m => m.Code == "vaccination-proof").Source.Kind);
    }

    private static readonly Lazy<ResolvedStandard> Standard = new(() => Newborn.Resolved());
}
