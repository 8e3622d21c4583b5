using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using OneGo.Server.Tests.Hosting;

namespace OneGo.Server.Tests.Pages;

/// <summary>
/// The pages' words are in resources, Chinese (the neutral language) and English: each Chinese file has its English one
/// with the same names, none empty; every name a page asks its localizer for is there, so a page never shows a name in
/// place of a sentence; and the English satellite assembly is built beside the server.
/// </summary>
public sealed partial class PageResourcesTests
{
    private static readonly string Source = Path.Combine(OpenApiContract.Root, "src", "OneGo.Server");
    private static readonly string Resources = Path.Combine(Source, "Resources");

    public static TheoryData<string> ChineseFiles() =>
        [.. Directory.EnumerateFiles(Resources, "*.resx", SearchOption.AllDirectories).Where(f => !f.EndsWith(".en.resx", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Resources, f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ChineseFiles))]
    public void EveryChineseResourceHasItsEnglishWithTheSameNamesAndNoneIsEmpty(string file)
    {
        var chinese = Entries(Path.Combine(Resources, file));
        var english = Entries(Path.Combine(Resources, file[..^".resx".Length] + ".en.resx"));

        Assert.Equal(chinese.Keys.Order(StringComparer.Ordinal), english.Keys.Order(StringComparer.Ordinal));
        Assert.All(chinese.Concat(english), e => Assert.False(string.IsNullOrWhiteSpace(e.Value), $"{file}: {e.Key} is empty"));
        // A Chinese sentence is written in Chinese, and the English one is not a copy of it.
        Assert.All(chinese.Keys, key => Assert.NotEqual(chinese[key], english[key]));
    }

    [Fact]
    public void EveryNameAPageAsksForIsInItsResources()
    {
        var pages = Directory.EnumerateFiles(Source, "*.razor", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("IStringLocalizer<", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(pages);
        var missing = new List<string>();
        foreach (var page in pages)
        {
            var resource = Path.Combine(Resources, Path.GetRelativePath(Source, Path.ChangeExtension(page, ".resx")));
            var names = File.Exists(resource) ? Entries(resource).Keys.ToHashSet(StringComparer.Ordinal) : [];
            missing.AddRange(LocalizerNames().Matches(File.ReadAllText(page)).Select(m => m.Groups[1].Value).Distinct()
                .Where(name => !names.Contains(name)).Select(name => $"{Path.GetRelativePath(Source, page)}: {name}"));
        }

        // The words the console's pages share (W) are in ConsoleWords.
        var shared = Entries(Path.Combine(Resources, "Pages", "ConsoleUi", "ConsoleWords.resx")).Keys.ToHashSet(StringComparer.Ordinal);
        missing.AddRange(pages.SelectMany(page => SharedNames().Matches(File.ReadAllText(page)).Select(m => m.Groups[1].Value).Distinct()
            .Where(name => !shared.Contains(name)).Select(name => $"{Path.GetRelativePath(Source, page)}: W {name}")));
        Assert.True(missing.Count == 0, "Names asked for that the resources lack: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryKindOfChangeTheBundleWorkspaceOffersHasItsWords()
    {
        // The change forms ask for their words by each kind's op and fields, names no page writes out.
        var names = Entries(Path.Combine(Resources, "Pages", "ConsoleUi", "ChangeForm.resx")).Keys.ToHashSet(StringComparer.Ordinal);
        var missing = OneGo.Server.ConsoleUi.ChangeKind.All.SelectMany(kind => kind.WordNames).Where(name => !names.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "Kinds of change without their words in Resources/Pages/ConsoleUi/ChangeForm.resx: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryValueThePagesNameHasItsWords()
    {
        // PageRequest reads "<Kind>.<value>" for the values of these kinds; a value added to the catalogue needs its words.
        var names = Entries(Path.Combine(Resources, "Pages", "PageRequest.resx")).Keys.ToHashSet(StringComparer.Ordinal);
        IEnumerable<string> Keys<TEnum>(string kind) where TEnum : struct, Enum => Enum.GetValues<TEnum>().Select(v => $"{kind}.{v}");
        string[] expected =
        [
            .. Keys<OneGo.Tenancy.RegionLevel>("Level"), .. Keys<OneGo.Catalogue.Audience>("Audience"), .. Keys<OneGo.Catalogue.Channel>("Channel"),
            .. Keys<OneGo.Catalogue.Delivery>("Delivery"), .. Keys<OneGo.Catalogue.MaterialKind>("MaterialKind"),
        ];
        var missing = expected.Where(key => !names.Contains(key)).ToList();
        Assert.True(missing.Count == 0, "Values without their words in Resources/Pages/PageRequest.resx: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheServerIsBuiltWithItsEnglishSatelliteAndReadsChineseAsItsNeutralLanguage()
    {
        var server = typeof(Program).Assembly;
        Assert.Equal("zh-CN", server.GetCustomAttribute<NeutralResourcesLanguageAttribute>()?.CultureName);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(server.Location)!, "en", "OneGo.Server.resources.dll")),
            "en/OneGo.Server.resources.dll is missing beside the server: SatelliteResourceLanguages must keep English.");
        var english = server.GetSatelliteAssembly(CultureInfo.GetCultureInfo("en"));
        Assert.Contains("OneGo.Server.Resources.Pages.HomePage.en.resources", english.GetManifestResourceNames());
    }

    private static Dictionary<string, string> Entries(string file) =>
        XDocument.Load(file).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);

    [GeneratedRegex("""\bL\["([^"]+)"\s*[\],]""")]
    private static partial Regex LocalizerNames();

    [GeneratedRegex("""\bW\["([^"]+)"\s*[\],]""")]
    private static partial Regex SharedNames();
}
