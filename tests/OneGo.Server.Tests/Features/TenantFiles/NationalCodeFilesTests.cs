using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// National matter codes in the <c>tenants/</c> files: a bad basic or implementation code, a claim of a national matter
/// that does not exist, a basic code given twice, each reported at its file, line and column; nothing is imported.
/// </summary>
public sealed class NationalCodeFilesTests : IDisposable
{
    private const string Enrolment = "fujian/xiamen/haicang/matters/primary-school-enrolment.yaml";
    private const string Vaccination = "fujian/xiamen/haicang/matters/vaccination-check.yaml";
    private readonly TempFolder _tenants = RepositoryTenants.Copy();

    public void Dispose() => _tenants.Dispose();

    private List<string> Problems() => TenantImport.Validate(_tenants.Path).Select(p => p.ToString()).ToList();

    private void Edit(string relative, string from, string to)
    {
        var text = File.ReadAllText(_tenants.File(relative));
        Assert.Contains(from, text, StringComparison.Ordinal);
        _tenants.Write(relative, text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void TheRepositorysFilesCarryValidCodes() => Assert.Empty(Problems());

    [Fact]
    public void AMistypedCreditCodeIsReportedAtTheImplementationCodesLineAndColumn()
    {
        Edit(Enrolment, "0194-1-00", "0195-1-00");

        var problem = Assert.Single(Problems());
        // Line 6 is "implementationCode: …"; the value begins at column 21.
        Assert.StartsWith($"tenants/{Enrolment}:6:21: The implementation code's fourth part is the implementing body's 统一社会信用代码.", problem, StringComparison.Ordinal);
        Assert.Contains("would be '4', not '5'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ADivisionCodeOutsideTheRegionIsReportedAtTheImplementationCode()
    {
        Edit(Enrolment, "-350205000000-", "-350206000000-");

        var problem = Assert.Single(Problems());
        Assert.StartsWith($"tenants/{Enrolment}:6:21: The division code 350206000000 lies in 350206, not in 海沧区 (fujian.xiamen.haicang), whose division code is 350205", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AClaimOfABasicCodeNoNationalMatterHasIsReportedAtTheBasicCode()
    {
        Edit(Vaccination, "basicCode: 000X00057000", "basicCode: 000X00099000");

        var problem = Assert.Single(Problems());
        Assert.StartsWith($"tenants/{Vaccination}:2:12: No national matter has the basic code '000X00099000'.", problem, StringComparison.Ordinal);
        Assert.EndsWith("The national matters are the files of tenants/matters/.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AClaimOfAnIllustrativeCodeThatDoesNotSaySoIsReportedAtTheBasicCode()
    {
        Edit(Vaccination, "illustrativeCodes: true\n", "");

        Assert.Equal([$"tenants/{Vaccination}:2:12: The basic code '000X00057000' of the national matter 'vaccination-certificate-check' is illustrative, so the codes of “入园入学预防接种证查验” (vaccination-check) are too: add 'illustrativeCodes: true'."],
            Problems());
    }

    [Fact]
    public void TwoNationalMattersWithOneBasicCodeAreReportedAtTheSecond()
    {
        // Nothing claims the assistive device fitting (000X00001000), so the benefit account's own code is free to take.
        Edit("matters/benefit-payment-account.yaml", "basicCode: 000X00002000", "basicCode: 000X00001000");

        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/matters/benefit-payment-account.yaml:2:12: the basic code '000X00001000' is also the basic code of tenants/matters/assistive-device.yaml", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ANationalMatterWithoutABasicCodeIsReported()
    {
        Edit("matters/assistive-device.yaml", "basicCode: 000X00001000        # 事项基本编码: illustrative, no public code known\n", "");

        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/matters/assistive-device.yaml:1:1: The national matter “残疾人辅助器具适配” (assistive-device) has no basic code (事项基本编码).", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ABasicCodeOfTheWrongShapeIsReportedAtTheBasicCode()
    {
        Edit(Vaccination, "basicCode: 000X00057000", "basicCode: 000x00057000");

        var problem = Assert.Single(Problems());
        Assert.StartsWith($"tenants/{Vaccination}:2:12: A basic code (事项基本编码) is 1 to 40 capital letters and digits", problem, StringComparison.Ordinal);
    }
}
