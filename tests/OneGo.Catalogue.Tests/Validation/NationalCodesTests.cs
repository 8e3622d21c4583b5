using static OneGo.Catalogue.Tests.Fixtures.Make;

namespace OneGo.Catalogue.Tests.Validation;

/// <summary>
/// The national matter codes: the implementing body's 统一社会信用代码 checked as GB 32100-2015 computes it, the division
/// code held to the region that owns the matter, the other parts of an implementation code by shape, and claims of
/// national matters by basic code. The real codes are those of Sichuan's published government service guides
/// (sczwfw.gov.cn item links): matters of 广安区 (511602), 成都市 (510100), 资阳市 (512000) and a township of 通江县 (511921101000).
/// </summary>
public class NationalCodesTests
{
    private static readonly MatterRegion Guang_an = new("广安区 (sichuan.guangan.guangan)", "511602");
    private static readonly MatterRegion Tongjiang = new("通江县 (sichuan.bazhong.tongjiang)", "511921");
    private static readonly MatterRegion Haicang = new("海沧区 (fujian.xiamen.haicang)", "350205");
    private static readonly MatterRegion National = new("全国 (national)", null);

    /// <summary>A matter of <paramref name="basicCode"/> implemented as <paramref name="implementationCode"/>.</summary>
    private static Matter Implementing(string basicCode, string? implementationCode) =>
        Matter("school-enrolment") with { BasicCode = basicCode, ImplementationCode = implementationCode };

    private static (string Pointer, string Rule)[] Errors(IReadOnlyList<CatalogueError> errors) =>
        errors.Select(e => (e.Pointer, e.Rule)).ToArray();

    public static TheoryData<string> RealCreditCodes =>
    [
        "11511301008778183N",
        "115113010833722043",
        "11511300008778693M",
        "11510100009172079Q",
        "11511800015427357G",
        "11513721008837024N",
        "115101000091720521",
    ];

    [Theory]
    [MemberData(nameof(RealCreditCodes))]
    public void RealCreditCodesPassTheCheckOfGb32100(string code)
    {
        Assert.Null(NationalCodes.CheckCreditCode(code));
        Assert.Equal(code[17], NationalCodes.CreditCodeCheckCharacter(code.AsSpan(0, 17)));
    }

    [Theory]
    [MemberData(nameof(RealCreditCodes))]
    public void EveryMistypedCharacterOfARealCreditCodeIsCaught(string code)
    {
        for (var i = 0; i < code.Length; i++)
        {
            foreach (var other in NationalCodes.CreditCodeCharacters.Where(c => c != code[i]))
            {
                var mistyped = string.Concat(code.AsSpan(0, i), other.ToString(), code.AsSpan(i + 1));
                var problem = NationalCodes.CheckCreditCode(mistyped);
                Assert.NotNull(problem);
                // A letter among the division code's digits breaks the shape; every other slip breaks the check.
                Assert.Equal(i is >= 2 and <= 7 && !char.IsAsciiDigit(other) ? ErrorRule.CreditCodeFormat : ErrorRule.CreditCodeCheck, problem.Rule);
            }
        }
    }

    [Theory]
    [MemberData(nameof(RealCreditCodes))]
    public void TwoSwappedNeighboursOfARealCreditCodeAreCaught(string code)
    {
        for (var i = 0; i + 1 < code.Length; i++)
        {
            if (code[i] == code[i + 1]) continue;
            var swapped = string.Concat(code.AsSpan(0, i), code[i + 1].ToString(), code[i].ToString(), code.AsSpan(i + 2));
            Assert.NotNull(NationalCodes.CheckCreditCode(swapped));
        }
    }

    [Fact]
    public void AMistypedCheckCharacterIsNamedWithTheOneExpected()
    {
        var problem = NationalCodes.CheckCreditCode("11511301008778183M");

        Assert.Equal(ErrorRule.CreditCodeCheck, problem!.Rule);
        Assert.Contains("would be 'N', not 'M'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11511301008778183")] // 17 characters
    [InlineData("11511301008778183NN")] // 19
    [InlineData("11511301008778I83N")] // I is not in the alphabet
    [InlineData("11511301008778O83N")] // nor O
    [InlineData("1151130100877818SN")] // nor S
    [InlineData("11511301008778V83N")] // nor V
    [InlineData("11511301008778Z83N")] // nor Z
    [InlineData("11511301008778183n")] // capitals only
    [InlineData("1151A301008778183N")] // the registration authority's division code is digits
    public void ACreditCodeOfTheWrongShapeIsRefusedByShape(string code) =>
        Assert.Equal(ErrorRule.CreditCodeFormat, NationalCodes.CheckCreditCode(code)!.Rule);

    public static TheoryData<string, string> RealImplementationCodes => new()
    {
        { "511Z07001006-511602000000-000-11511301008778183N-1-00", "511602" },
        { "511A0138000000-511602000000-000-115113010833722043-1-00", "511602" },
        { "G-000007-001-511602000000-000-115113010833722043-1-00", "511602" },
        { "511A0000400004-510100000000-000-11510100009172079Q-1-00", "510100" },
        { "511A0080600053-512000000000-000-11511800015427357G-1-00", "512000" },
        { "511F99243096-511921101000-000-11513721008837024N-1-00", "511921" },
    };

    [Theory]
    [MemberData(nameof(RealImplementationCodes))]
    public void RealImplementationCodesPassForTheRegionThatImplementsThem(string code, string region)
    {
        var parts = ImplementationCode.Split(code)!;

        Assert.Equal(code, parts.ToString());
        Assert.Empty(CatalogueValidator.ValidateMatter(Implementing(parts.BasicCode, code), new MatterRegion("region " + region, region)));
    }

    [Fact]
    public void AnImplementationCodeIsTakenApartFromItsEndSoABasicCodeMayHoldHyphens()
    {
        Assert.Equal(new ImplementationCode("G-000007-001", "511602000000", "000", "115113010833722043", "1-00"),
            ImplementationCode.Split("G-000007-001-511602000000-000-115113010833722043-1-00"));
        Assert.Null(ImplementationCode.Split("350205-JY-001"));
    }

    [Fact]
    public void ADivisionCodeInAnotherRegionIsRefusedNamingBothRegions()
    {
        var errors = CatalogueValidator.ValidateMatter(Implementing("511Z07001006", NationalCodes.Example), Haicang);

        var error = Assert.Single(errors);
        Assert.Equal(("/implementationCode", ErrorRule.DivisionCodeRegion), (error.Pointer, error.Rule));
        Assert.Contains("511602", error.Message, StringComparison.Ordinal);
        Assert.Contains("海沧区", error.Message, StringComparison.Ordinal);
        Assert.Contains("350205", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADivisionCodeOfATownshipInTheRegionIsItsOwn()
    {
        Assert.Null(NationalCodes.CheckDivisionCode("511921101000", "511921", "通江县"));
        Assert.Equal(ErrorRule.DivisionCodeRegion, NationalCodes.CheckDivisionCode("511921101000", "511922", "南江县")!.Rule);
        Assert.Empty(CatalogueValidator.ValidateMatter(Implementing("511F99243096", "511F99243096-511921101000-000-11513721008837024N-1-00"), Tongjiang));
    }

    [Theory]
    [InlineData("51160200000")] // 11 digits
    [InlineData("5116020000000")] // 13
    [InlineData("51160200000A")] // a letter
    [InlineData("511602")] // the region's code alone
    public void ADivisionCodeThatIsNotTwelveDigitsIsRefusedByShape(string division)
    {
        Assert.Equal(ErrorRule.DivisionCodeFormat, NationalCodes.CheckDivisionCode(division, "511602", "广安区")!.Rule);
        var code = $"511Z07001006-{division}-000-11511301008778183N-1-00";
        Assert.Equal([("/implementationCode", ErrorRule.DivisionCodeFormat)], Errors(CatalogueValidator.ValidateMatter(Implementing("511Z07001006", code), Guang_an)));
    }

    [Fact]
    public void ANationalMatterGivesNoImplementationCodeForNationalHasNoDivisionCode()
    {
        var errors = CatalogueValidator.ValidateMatter(Implementing("511Z07001006", NationalCodes.Example), National);

        Assert.Equal([("/implementationCode", ErrorRule.DivisionCodeRegion)], Errors(errors));
    }

    [Fact]
    public void EachBrokenPartIsReportedWithItsOwnRule()
    {
        // Another basic code than the matter's, a 2-digit unit, a mistyped credit code and a handling item of three digits.
        var code = "511A0138000000-511602000000-00-11511301008778183M-1-000";

        Assert.Equal(
        [
            ("/implementationCode", ErrorRule.ImplementationBasicCode),
            ("/implementationCode", ErrorRule.UnitFormat),
            ("/implementationCode", ErrorRule.CreditCodeCheck),
            ("/implementationCode", ErrorRule.HandlingItemFormat),
        ], Errors(CatalogueValidator.ValidateMatter(Implementing("511Z07001006", code), Guang_an)));
    }

    [Theory]
    [InlineData("350205-JY-001")]
    [InlineData("511Z07001006-511602000000-000-11511301008778183N")]
    [InlineData("")]
    public void AnImplementationCodeNotBuiltOfItsPartsIsRefused(string code) =>
        Assert.Equal([("/implementationCode", ErrorRule.ImplementationCodeFormat)],
            Errors(CatalogueValidator.ValidateMatter(Implementing("511Z07001006", code), Haicang)));

    [Theory]
    [InlineData("511Z07001006", true)]
    [InlineData("G-000007-001", true)]
    [InlineData("000X00045000", true)]
    [InlineData("511z07001006", false)]
    [InlineData("G--000007", false)]
    [InlineData("-G000007", false)]
    [InlineData("G000007-", false)]
    [InlineData("G 000007", false)]
    [InlineData("", false)]
    [InlineData("A1234567890123456789012345678901234567890", false)] // 41 characters
    public void ABasicCodeIsCapitalLettersAndDigitsInHyphenJoinedGroups(string code, bool valid)
    {
        Assert.Equal(valid, NationalCodes.CheckBasicCode(code) is null);
        Assert.Equal(valid ? [] : [("/basicCode", ErrorRule.BasicCodeFormat)],
            Errors(CatalogueValidator.ValidateMatter(Implementing(code, null), Haicang)));
    }

    [Fact]
    public void ANationalMatterNeedsItsBasicCodeAndAnImplementationCodeNeedsOne()
    {
        Assert.Equal([("/basicCode", ErrorRule.Required)], Errors(CatalogueValidator.ValidateMatter(Matter("birth"), National)));
        Assert.Empty(CatalogueValidator.ValidateMatter(Matter("birth"), Haicang));
        Assert.Contains(("/basicCode", ErrorRule.Required),
            Errors(CatalogueValidator.ValidateMatter(Matter("birth") with { ImplementationCode = NationalCodes.Example }, Guang_an)));
    }

    [Fact]
    public void AClaimNamesANationalMatterAndSaysWhenItsCodesAreIllustrative()
    {
        var claiming = Implementing("000X00045000", null);

        Assert.Equal([("/basicCode", ErrorRule.UnknownBasicCode)], Errors(CatalogueValidator.ValidateClaim(claiming, null)));
        Assert.Equal([("/basicCode", ErrorRule.IllustrativeCode)],
            Errors(CatalogueValidator.ValidateClaim(claiming, new BasicCatalogueEntry("000X00045000", "school-enrolment-registration", Illustrative: true))));
        Assert.Empty(CatalogueValidator.ValidateClaim(claiming with { IllustrativeCodes = true },
            new BasicCatalogueEntry("000X00045000", "school-enrolment-registration", Illustrative: true)));
        Assert.Empty(CatalogueValidator.ValidateClaim(claiming, new BasicCatalogueEntry("000X00045000", "school-enrolment-registration", Illustrative: false)));
        Assert.Empty(CatalogueValidator.ValidateClaim(Matter("local-only"), null));
    }
}
