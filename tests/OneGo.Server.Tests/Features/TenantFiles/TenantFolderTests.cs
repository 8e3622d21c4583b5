using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>What `tenants validate` says about a folder: each problem at its file, line and column.</summary>
public sealed class TenantFolderTests : IDisposable
{
    private readonly TempFolder _tenants = RepositoryTenants.Copy();

    public void Dispose() => _tenants.Dispose();

    private List<string> Problems() => TenantImport.Validate(_tenants.Path).Select(p => p.ToString()).ToList();

    /// <summary>Zhejiang's file: its name, level and code, then <paramref name="more"/> from line 4.</summary>
    private void WriteZhejiang(string more) => _tenants.Write("zhejiang/tenant.yaml", "name: 浙江省\nlevel: province\ndivisionCode: 330000\n" + more);

    [Fact]
    public void TheRepositoryFolderIsValid() => Assert.Empty(TenantImport.Validate(RepositoryTenants.Folder));

    [Fact]
    public void ABundleFileChangedOnDiskAfterItWasCheckedIsNotImportedAsChecked()
    {
        // The import keeps only a checked bundle file's name and hash, and opens it again when it writes the bundle.
        var folder = TenantFolder.Read(_tenants.Path, OneGo.Server.Features.Zone.PublishingScheduleRule.Default);
        Assert.True(folder.IsValid);
        var file = folder.Bundles.First(b => b.EarlierVersion is null && b.TenantId != "national");
        Assert.Equal(file.Code, folder.Open(file).Bundle?.Code);

        File.AppendAllText(System.IO.Path.Combine(_tenants.Path, file.RelativePath), "# edited after the check\n");
        var (bundle, problem) = folder.Open(file);
        Assert.Null(bundle);
        Assert.Equal($"tenants/{file.RelativePath}:1:1: the file changed after the import checked it, so nothing was imported: import again to check and import it as it is now.", problem?.ToString());
    }

    [Fact]
    public void ACodeThatDoesNotFitItsParentIsReportedAtTheCode()
    {
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", """
            name: 海沧区
            level: district
            divisionCode: "440205"
            """);
        var problem = Assert.Single(Problems());
        Assert.Equal("tenants/fujian/xiamen/haicang/tenant.yaml:3:15: The division code 440205 does not fit its parent (350200): a region under a city shares its first 4 digits, 3502.", problem);
    }

    [Fact]
    public void TheCorpsCodeUnmarkedIsReportedAtTheCodeWithHowToMarkIt()
    {
        _tenants.Write("bingtuan/tenant.yaml", "name: 新疆生产建设兵团\nlevel: province\ndivisionCode: \"660000\"\n");
        var problem = Assert.Single(Problems());
        Assert.Equal("tenants/bingtuan/tenant.yaml:3:15: 660000 is not a GB/T 2260 code: it is the national government service platform's code for 新疆生产建设兵团. "
                     + "To give a province-level region this code, mark it as outside the standard (divisionCodeOutsideStandard: true).", problem);
    }

    [Fact]
    public void AMarkOutsideTheStandardOnAnotherCodeOrBelowAProvinceIsReportedAtTheMark()
    {
        _tenants.Write("bingtuan/tenant.yaml", "name: 新疆生产建设兵团\nlevel: province\ndivisionCode: \"660100\"\ndivisionCodeOutsideStandard: true\n");
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", "name: 海沧区\nlevel: district\ndivisionCode: 350205\ndivisionCodeOutsideStandard: true\n");
        _tenants.Write("zhejiang/tenant.yaml", "name: 浙江省\nlevel: province\ndivisionCode: 330000\ndivisionCodeOutsideStandard: yes\n");
        Assert.Equal(
        [
            "tenants/bingtuan/tenant.yaml:4:30: The only code marked as outside GB/T 2260 is 660000, the national government service platform's code for 新疆生产建设兵团; 660100 is not it: give 660000, or remove the mark and give the region's GB/T 2260 code.",
            "tenants/fujian/xiamen/haicang/tenant.yaml:4:30: Only a province-level region's code can be marked as outside GB/T 2260 (新疆生产建设兵团's 660000), not a district's: remove the mark.",
            "tenants/zhejiang/tenant.yaml:4:30: 'divisionCodeOutsideStandard' is true or false, not the text \"yes\".",
        ], Problems());
    }

    [Fact]
    public void AnUnknownFieldIsReportedAtItsNameWithTheFieldsThatExist()
    {
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", """
            name: 海沧区
            level: district
            divisionCode: 350205
            contacts:
              phone: "12345"
            """);
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/fujian/xiamen/haicang/tenant.yaml:4:1: 'contacts' is not a field of a region file. Did you mean 'contact'? The fields are: name,", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueOfTheWrongKindIsReportedAtTheValue()
    {
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", """
            name: 海沧区
            level: district
            divisionCode: 350205
            contact:
              phone: ["12345"]
            """);
        Assert.Equal(["tenants/fujian/xiamen/haicang/tenant.yaml:5:10: 'phone' must be text, not a list. Put it in quotes if it should be read as text."], Problems());
    }

    [Fact]
    public void AnUnknownLevelNamesTheAllowedOnes()
    {
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", "name: 海沧区\nlevel: county\ndivisionCode: 350205\n");
        Assert.Equal(["tenants/fujian/xiamen/haicang/tenant.yaml:2:8: 'level' is 'county', which is not allowed here; use one of: national, province, city, district."], Problems());
    }

    [Fact]
    public void AMissingRequiredFieldIsNamed()
    {
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", "level: district\ndivisionCode: 350205\n");
        Assert.Equal(["tenants/fujian/xiamen/haicang/tenant.yaml:1:1: 'name' is required and is missing."], Problems());
    }

    [Fact]
    public void ARegionWithoutAParentFileIsReported()
    {
        _tenants.Write("fujian/quanzhou/jinjiang/tenant.yaml", "name: 晋江市\nlevel: district\ndivisionCode: 350582\n");
        var problem = Assert.Single(Problems());
        Assert.Equal("tenants/fujian/quanzhou/jinjiang/tenant.yaml:1:1: this file's region has no parent: the folder tenants/fujian/quanzhou has no tenant.yaml. Add one that describes the region 'quanzhou', or move the file.", problem);
    }

    [Fact]
    public void ADuplicateDivisionCodeIsReportedAtBothPlaces()
    {
        _tenants.Write("fujian/xiamen/siming/tenant.yaml", "name: 思明区\nlevel: district\ndivisionCode: 350205\n");
        var problems = Problems();
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("tenants/fujian/xiamen/haicang/tenant.yaml:5:15: the division code 350205 is also used by fujian.xiamen.siming", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("tenants/fujian/xiamen/siming/tenant.yaml:3:15: the division code 350205 is also used by fujian.xiamen.haicang", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ALevelThatDoesNotFitTheTreeIsReported()
    {
        _tenants.Write("fujian/xiamen/haicang/tenant.yaml", "name: 海沧区\nlevel: city\ndivisionCode: 350205\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/fujian/xiamen/haicang/tenant.yaml:2:8: 'level' is city, but a city sits directly under a province.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenYamlIsReportedWhereItBreaks()
    {
        _tenants.Write("zhejiang/tenant.yaml", "name: 浙江省\nlevel: province\ndivisionCode: \"330000\nnameEn: Zhejiang\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/zhejiang/tenant.yaml:3:", problem, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadScheduleExplainsTheCronFormat()
    {
        _tenants.Write("zhejiang/tenant.yaml", "name: 浙江省\nlevel: province\ndivisionCode: 330000\npublishing:\n  schedule: every night\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/zhejiang/tenant.yaml:5:13: 'every night' is not a Quartz cron expression", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void C3_AScheduleThatNeverFiresOrFiresTooOftenIsReportedAtTheSchedule()
    {
        WriteZhejiang("publishing:\n  schedule: \"0 0 0 31 2 ?\"\n");
        Assert.StartsWith("tenants/zhejiang/tenant.yaml:5:13: '0 0 0 31 2 ?' never fires", Assert.Single(Problems()), StringComparison.Ordinal);

        WriteZhejiang("publishing:\n  schedule: \"0 * * * * ?\"\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/zhejiang/tenant.yaml:5:13: '0 * * * * ?' fires 1 minute(s) apart", problem, StringComparison.Ordinal);
        Assert.EndsWith("a region publishes at most every 5 minute(s).", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void L6_ABillionLaughsFileIsRefusedAtItsFirstAnchorWithoutBeingExpanded()
    {
        var laughs = new System.Text.StringBuilder("nameEn: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
        {
            laughs.Append(System.Globalization.CultureInfo.InvariantCulture, $"x{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        }

        WriteZhejiang(laughs.ToString());
        Assert.Equal("tenants/zhejiang/tenant.yaml:4:9: '&a0' names a value to repeat: files in tenants/ do not use anchors (&) or aliases (*); write the value out where it is needed.",
            Assert.Single(Problems()));
    }

    [Fact]
    public void L6_AValueThatContainsItselfAndAnAliasAloneAreRefusedAtTheirPlace()
    {
        WriteZhejiang("contact: &self [*self]\n");
        Assert.StartsWith("tenants/zhejiang/tenant.yaml:4:10: '&self' names a value to repeat", Assert.Single(Problems()), StringComparison.Ordinal);

        WriteZhejiang("nameEn: *nowhere\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/zhejiang/tenant.yaml:4:", problem, StringComparison.Ordinal);
        Assert.Contains("anchors (&) or aliases (*)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void L6_NestingDeeperThanAnyDocumentNeedsAndAFileOverOneMebibyteAreRefused()
    {
        // Below the file's own block, the 64th '[' opens the 65th level.
        WriteZhejiang("nameEn: " + new string('[', 5000) + new string(']', 5000) + "\n");
        Assert.Equal("tenants/zhejiang/tenant.yaml:4:72: blocks and lists are nested more than 64 deep here; no document of tenants/ needs that many levels.", Assert.Single(Problems()));

        WriteZhejiang("nameEn: \"" + new string('z', 1 << 20) + "\"\n");
        var bytes = new FileInfo(_tenants.File("zhejiang/tenant.yaml")).Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"tenants/zhejiang/tenant.yaml:1:1: the file has {bytes} bytes; a file of tenants/ has at most 1,048,576 (1 MiB): split its content into smaller files.",
            Assert.Single(Problems()));
    }

    [Fact]
    public void FolderNamesMustBeLowercasePinyin()
    {
        _tenants.Write("fujian/Quanzhou/tenant.yaml", "name: 泉州市\nlevel: city\ndivisionCode: 350500\n");
        var problem = Assert.Single(Problems());
        Assert.Contains("tenants/fujian/Quanzhou/tenant.yaml:1:1: the folder name is the region's id", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileOneGoDoesNotReadIsReported()
    {
        _tenants.Write("zhejiang/tennant.yaml", "name: x\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith("tenants/zhejiang/tennant.yaml:1:1: OneGo does not read a file named 'tennant.yaml' here", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemOfTheFolderIsReportedAtOnce()
    {
        _tenants.Write("zhejiang/tenant.yaml", "name: 浙江省\nlevel: province\ndivisionCode: 330001\n");
        _tenants.Write("fujian/tenant.yaml", "name: 福建省\nlevel: province\ndivisionCode: 350000\ncolour: red\n");
        Assert.Equal(2, Problems().Count);
    }
}
