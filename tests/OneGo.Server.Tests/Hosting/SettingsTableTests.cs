using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using OneGo.Server.Hosting;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// The README's settings table and the settings classes name the same settings: every property of every
/// <see cref="ISettings"/> class — and of the groups nested in it (<c>Zone:Push:AllowedNetworks</c>) — has a row that
/// says its default and what it means, and no row names a setting that no class has.
/// </summary>
public sealed partial class SettingsTableTests
{
    private static readonly string Readme = Path.Combine(OpenApiContract.Root, "README.md");

    [Fact]
    public void EverySettingHasARowAndEveryRowIsASetting()
    {
        // Configuration keys are compared without case, as configuration reads them (`urls` binds ServerSettings.Urls).
        var settings = SettingsClasses().SelectMany(c => Settings(Section(c), c)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var rows = Rows().Select(r => r.Setting).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var missing = settings.Where(s => !rows.Contains(s)).Order(StringComparer.Ordinal).ToList();
        var unknown = rows.Where(r => !settings.Contains(r)).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0 && unknown.Count == 0,
            (missing.Count == 0 ? "" : $"Settings without a row in README.md's settings table (\"## Configuration\"): {string.Join(", ", missing)}. ") +
            (unknown.Count == 0 ? "" : $"Rows naming a setting no settings class has: {string.Join(", ", unknown)}."));
    }

    [Fact]
    public void EveryRowNamesOneSettingWithItsDefaultAndMeaning()
    {
        var rows = Rows();

        Assert.True(rows.Count > 50, $"README.md's settings table has {rows.Count} rows: is it still under \"## Configuration\"?");
        Assert.All(rows, row =>
        {
            Assert.True(row.Default.Length > 0 && row.Meaning.Length > 0, $"The row of {row.Setting} leaves its default or its meaning empty.");
        });
        Assert.Empty(rows.GroupBy(r => r.Setting, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void EverySettingsClassNamesItsSection()
    {
        Assert.All(SettingsClasses(), type => Assert.NotNull(type.GetProperty(nameof(ISettings.Section), BindingFlags.Public | BindingFlags.Static)));
        Assert.Contains(SettingsClasses(), type => Section(type) == "Zone");
    }

    internal static List<Type> SettingsClasses() =>
        [.. typeof(ISettings).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ISettings).IsAssignableFrom(t)).OrderBy(t => t.Name, StringComparer.Ordinal)];

    internal static string Section(Type type) =>
        (string)type.GetProperty(nameof(ISettings.Section), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>
    /// The settings a class binds: each public property with a setter, named <c>Section:Property</c>; a property whose
    /// type is a class of the server's is a group of further settings under its name, and a dictionary's entries are
    /// named by their key (<c>Tenancy:Hosts:{host}</c>).
    /// </summary>
    private static IEnumerable<string> Settings(string path, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var name = path.Length == 0 ? property.Name : $"{path}:{property.Name}";
            if (property.PropertyType.IsClass && property.PropertyType.Assembly == type.Assembly)
            {
                foreach (var nested in Settings(name, property.PropertyType))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return typeof(IDictionary).IsAssignableFrom(property.PropertyType) ? name + ":{}" : name;
            }
        }
    }

    private sealed record Row(string Setting, string Default, string Meaning);

    /// <summary>The rows of the table under <c>## Configuration</c>; a key placeholder such as <c>{host}</c> reads as <c>{}</c>.</summary>
    private static List<Row> Rows()
    {
        var lines = File.ReadAllLines(Readme);
        var start = Array.IndexOf(lines, "## Configuration");
        Assert.True(start >= 0, "README.md has no \"## Configuration\" section.");
        var table = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2);
        return [.. table.Select(line =>
        {
            var cells = line.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
            var name = OneSetting().Match(cells[0]);
            Assert.True(cells.Length == 3 && name.Success, $"A row of the settings table is to name one setting in backticks, then its default and meaning: {line}");
            return new Row(Placeholder().Replace(name.Groups[1].Value, "{}"), cells[1], cells[2]);
        })];
    }

    [GeneratedRegex("^`([^`\\s]+)`$")]
    private static partial Regex OneSetting();

    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex Placeholder();
}
