using OneGo.Catalogue.Tests.Fixtures;

namespace OneGo.Catalogue.Tests.Templates;

public class ChainTests
{
    private static EffectiveBundle Gulou(IReadOnlyList<TemplateVersion>? chain = null)
    {
        var result = TemplateResolver.Resolve(chain ?? Newborn.Chain, Newborn.Gulou, Newborn.GulouMatters);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Value!;
    }

    [Fact]
    public void ADistrictResolvesThroughNationalProvinceAndCityStandards()
    {
        var bundle = Gulou();

        Assert.Equal([Newborn.NationalV1, Newborn.JiangsuV1, Newborn.NanjingV1], bundle.Lineage);
        Assert.Equal("newborn", bundle.Code);
        Assert.Equal("鼓楼区卫生健康委员会", bundle.LeadDepartment);           // Gulou over Jiangsu
        Assert.Equal(15, bundle.PromisedDays);                                   // Jiangsu's shorter promise
        Assert.Contains(bundle.Matters.Single(m => m.Code == "hukou").Materials, m => m.Code == "nanjing-form"); // Nanjing's material
        Assert.Equal("南京市公安局鼓楼分局", bundle.Matters.Single(m => m.Code == "hukou").Department);
        Assert.DoesNotContain(bundle.Matters, m => m.Code == "vaccination-certificate");
        Assert.Contains(bundle.Matters, m => m.Code == "birth-allowance");
    }

    [Fact]
    public void TheSameInputsGiveByteIdenticalCanonicalJson()
    {
        var one = CanonicalJson.Serialize(Gulou());
        var two = CanonicalJson.Serialize(Gulou([Newborn.National, Newborn.Jiangsu, Newborn.Nanjing]));

        Assert.Equal(one, two);
    }

    [Fact]
    public void APinnedVersionIsNotAffectedByAnotherVersionOfTheStandard()
    {
        var before = CanonicalJson.ETag(Gulou());
        var nationalV2 = Newborn.National with { Ref = Newborn.NationalV1 with { Version = 2 }, Definition = Newborn.NationalDefinition with { GuideText = "新版" } };

        // Jiangsu still adopts national v1: a chain naming v2 under it is broken, not silently re-pinned.
        var broken = TemplateResolver.ResolveStandard([nationalV2, Newborn.Jiangsu, Newborn.Nanjing]);

        Assert.Equal([("/chain/1", ErrorRule.BrokenChain)], broken.Errors.Select(e => (e.Pointer, e.Rule)));
        Assert.Equal(before, CanonicalJson.ETag(Gulou()));
    }

    [Fact]
    public void AChainMustStartWithADefinition()
    {
        var result = TemplateResolver.ResolveStandard([Newborn.Jiangsu, Newborn.Nanjing]);

        Assert.Equal([("/chain/0", ErrorRule.BrokenChain)], result.Errors.Select(e => (e.Pointer, e.Rule)));
    }

    [Fact]
    public void TheNearestLevelsMatterWins()
    {
        const string gulouCode = "000X00021000-320106000000-000-113201060000000191-1-00";
        var localHukou = Newborn.Hukou with { Department = "鼓楼区公安分局", BasicCode = "000X00021000", ImplementationCode = gulouCode };
        var local = new Dictionary<string, Matter>(Newborn.GulouMatters) { ["hukou"] = localHukou };

        var result = TemplateResolver.Resolve(Newborn.Chain, Newborn.Gulou with { Changes = [] }, local);

        Assert.Equal(gulouCode, result.Value!.Matters.Single(m => m.Code == "hukou").ImplementationCode);
    }

    [Fact]
    public void DiffAgainstTheStandardListsEachLocalChangeByPointer()
    {
        var standard = Newborn.Resolved();
        var adopted = TemplateResolver.ApplyOverlay(standard, Newborn.Gulou, Newborn.GulouMatters).Value!;

        var diff = BundleDiff.Compare(standard.Definition, adopted);

        var pointers = diff.Select(d => (d.Pointer, d.Kind)).ToArray();
        Assert.Contains(("/leadDepartment", DifferenceKind.Changed), pointers);
        Assert.Contains(("/matters/hukou/department", DifferenceKind.Added), pointers);
        Assert.Contains(("/matters/hukou/promisedDays", DifferenceKind.Added), pointers);
        Assert.Contains(("/matters/birth-allowance", DifferenceKind.Added), pointers);
        Assert.Contains(("/matters/vaccination-certificate", DifferenceKind.Removed), pointers);
        Assert.Contains(("/matters/medical-insurance/addedMaterials/gulou-consent", DifferenceKind.Added), pointers);
        Assert.Contains(("/scenarios/allowance", DifferenceKind.Added), pointers);
        Assert.Contains(("/scenarios/card/options/later", DifferenceKind.Added), pointers);
        Assert.Contains(("/rules/allowance", DifferenceKind.Added), pointers);
        Assert.Contains(("/serviceLocation", DifferenceKind.Added), pointers);
        Assert.Equal("鼓楼区卫生健康委员会", diff.Single(d => d.Pointer == "/leadDepartment").After!.GetValue<string>());
    }

    [Fact]
    public void DiffOfIdenticalBundlesIsEmptyAndIgnoresOrderOfCodedItems()
    {
        var definition = Newborn.NationalDefinition;
        var reordered = definition with { Matters = definition.Matters.Reverse().ToArray() };

        Assert.Empty(BundleDiff.Compare(definition, reordered));
    }
}
