namespace OneGo.Tenancy.Tests;

public sealed class RegionRulesTests
{
    [Theory]
    [InlineData("350205", RegionLevel.District, "350200", RegionLevel.City)]
    [InlineData("500103", RegionLevel.District, "500000", RegionLevel.Province)]
    [InlineData("350200", RegionLevel.City, "350000", RegionLevel.Province)]
    [InlineData("330000", RegionLevel.Province, null, RegionLevel.National)]
    public void RealCodesFitTheirParents(string code, RegionLevel level, string? parentCode, RegionLevel parentLevel) =>
        Assert.Null(RegionRules.CheckDivisionCode(code, level, parentCode, parentLevel, outsideStandard: false));

    [Fact]
    public void ADistrictUnderACityMustShareTheCityFirstFourDigits()
    {
        var error = RegionRules.CheckDivisionCode("350305", RegionLevel.District, "350200", RegionLevel.City, outsideStandard: false);
        Assert.Equal("the division code 350305 does not fit its parent (350200): a region under a city shares its first 4 digits, 3502.", error);
    }

    [Fact]
    public void ARegionUnderAProvinceMustShareTheProvinceFirstTwoDigits()
    {
        var error = RegionRules.CheckDivisionCode("440103", RegionLevel.District, "500000", RegionLevel.Province, outsideStandard: false);
        Assert.Contains("shares its first 2 digits, 50", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("35020", RegionLevel.District)]
    [InlineData("350200", RegionLevel.District)]
    [InlineData("350201", RegionLevel.City)]
    [InlineData("350200", RegionLevel.Province)]
    [InlineData(null, RegionLevel.Province)]
    public void MalformedCodesAreRefused(string? code, RegionLevel level) =>
        Assert.NotNull(RegionRules.CheckDivisionCode(code, level, null, RegionLevel.National, outsideStandard: false));

    [Fact]
    public void NationalHasNoCode() =>
        Assert.NotNull(RegionRules.CheckDivisionCode("100000", RegionLevel.National, null, null, outsideStandard: false));

    [Fact]
    public void TheCorpsCodeIsAcceptedMarkedAsOutsideTheStandard() =>
        Assert.Null(RegionRules.CheckDivisionCode("660000", RegionLevel.Province, null, RegionLevel.National, outsideStandard: true));

    [Fact]
    public void TheCorpsCodeUnmarkedIsRefusedWithASentenceTellingHowToMarkIt()
    {
        var error = RegionRules.CheckDivisionCode("660000", RegionLevel.Province, null, RegionLevel.National, outsideStandard: false);
        Assert.NotNull(error);
        Assert.Contains("not a GB/T 2260 code", error, StringComparison.Ordinal);
        Assert.Contains("新疆生产建设兵团", error, StringComparison.Ordinal);
        Assert.Contains("divisionCodeOutsideStandard", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("650000", RegionLevel.Province, RegionLevel.National, "is not it")]
    [InlineData(null, RegionLevel.Province, RegionLevel.National, "no code is given")]
    [InlineData("660000", RegionLevel.City, RegionLevel.Province, "not a city's")]
    [InlineData("660100", RegionLevel.City, RegionLevel.Province, "not a city's")]
    [InlineData(null, RegionLevel.National, null, "not a national's")]
    public void OnlyAProvinceWithTheCorpsCodeIsMarked(string? code, RegionLevel level, RegionLevel? parentLevel, string says)
    {
        var error = RegionRules.CheckDivisionCode(code, level, parentLevel is null ? null : "660000", parentLevel, outsideStandard: true);
        Assert.NotNull(error);
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("660100", RegionLevel.City, "660000", RegionLevel.Province)]
    [InlineData("650000", RegionLevel.Province, null, RegionLevel.National)]
    public void UnmarkedCodesKeepTheirRulesBesideTheCorps(string code, RegionLevel level, string? parentCode, RegionLevel parentLevel) =>
        Assert.Null(RegionRules.CheckDivisionCode(code, level, parentCode, parentLevel, outsideStandard: false));

    [Theory]
    [InlineData(RegionLevel.City, RegionLevel.National)]
    [InlineData(RegionLevel.Province, RegionLevel.Province)]
    [InlineData(RegionLevel.District, RegionLevel.District)]
    public void LevelsMustFollowTheTree(RegionLevel level, RegionLevel parent) =>
        Assert.NotNull(RegionRules.CheckLevel(level, parent));

    [Fact]
    public void IdsAreDottedPathsFromTheProvinceDown()
    {
        Assert.Equal("zhejiang", RegionRules.ChildId("national", "zhejiang"));
        Assert.Equal("fujian.xiamen.haicang", RegionRules.ChildId("fujian.xiamen", "haicang"));
        Assert.Equal("fujian.xiamen", RegionRules.ImpliedParentId("fujian.xiamen.haicang"));
        Assert.Equal("national", RegionRules.ImpliedParentId("fujian"));
        Assert.Null(RegionRules.ImpliedParentId("national"));
        Assert.NotNull(RegionRules.CheckSegment("Haicang"));
        Assert.Null(RegionRules.CheckSegment("shaanxi"));
    }

    [Fact]
    public void BelowMeansStrictlyUnderInTheTree()
    {
        Assert.True(RegionRules.IsBelow("fujian.xiamen.haicang", "fujian"));
        Assert.True(RegionRules.IsBelow("fujian", "national"));
        Assert.False(RegionRules.IsBelow("fujian", "fujian"));
        Assert.False(RegionRules.IsBelow("fujianx", "fujian"));
        Assert.False(RegionRules.IsBelow("fujian", "fujian.xiamen"));
    }
}
