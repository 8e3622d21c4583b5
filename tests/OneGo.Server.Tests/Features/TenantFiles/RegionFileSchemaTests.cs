using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Features.Zone;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// <c>tenants/tenant.schema.json</c> checks a region file as an editor types it; the importer reads it with
/// <see cref="RegionDocument"/>. The two must agree, or an editor is told a file is fine that the import refuses (or
/// the reverse). Every field, limit, value and requirement the schema states is put to both, at and past its edge.
/// </summary>
public sealed class RegionFileSchemaTests
{
    private static readonly JsonObject Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryTenants.Folder, "tenant.schema.json")))!.AsObject();

    private static readonly JsonSchema Checker = JsonSchema.Build(JsonDocument.Parse(Schema.ToJsonString()).RootElement, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static readonly JsonObject Valid = new()
    {
        ["name"] = "海沧区",
        ["nameEn"] = "Haicang District",
        ["level"] = "district",
        ["divisionCode"] = "350205",
        ["displayName"] = "厦门市海沧区",
        ["displayNameEn"] = "Haicang District, Xiamen",
        ["contact"] = new JsonObject { ["phone"] = "0592-6051111", ["email"] = "service@haicang.gov.cn", ["address"] = "海沧区行政服务中心", ["hours"] = "周一至周五 9:00-17:00" },
        ["publishing"] = new JsonObject { ["schedule"] = "0 0 2 * * ?" },
    };

    /// <summary>Where <see cref="Valid"/>, a district, sits: under Xiamen (350200).</summary>
    private static readonly (string? Code, RegionLevel Level) Xiamen = ("350200", RegionLevel.City);

    [Fact]
    public void TheSchemaAndTheImporterKnowTheSameFields()
    {
        Assert.Equal(RegionDocument.Fields.Order(), Properties(Schema).Keys.Order());
        Assert.Equal(RegionDocument.ContactFields.Order(), Properties(Properties(Schema)["contact"]).Keys.Order());
        Assert.Equal(RegionDocument.PublishingFields.Order(), Properties(Properties(Schema)["publishing"]).Keys.Order());
        Assert.Equal(RegionDocument.Levels.Order(), Properties(Schema)["level"]["enum"]!.AsArray().Select(v => (string)v!).Order());
        Assert.True(Schema["additionalProperties"] is JsonValue v && !(bool)v, "The schema must refuse unknown fields, as the importer does.");
        Expect(Valid, accepted: true, "a complete region file");
    }

    [Fact]
    public void EveryRegionFileOfTheRepositoryIsOneTheSchemaAccepts()
    {
        var files = Directory.EnumerateFiles(RepositoryTenants.Folder, "tenant.yaml", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            var (source, problem) = YamlSource.Parse(path, File.ReadAllText(path));
            Assert.True(problem is null, $"{path}: {problem}");
            var result = Checker.Evaluate(JsonDocument.Parse(source!.Root!.ToJsonString()).RootElement);
            Assert.True(result.IsValid, $"{Path.GetRelativePath(RepositoryTenants.Folder, path)} is imported, but the schema refuses it.");
        }
    }

    [Fact]
    public void BothTakeEveryTextAtItsLimitAndRefuseItOneCharacterPast()
    {
        var limits = 0;
        foreach (var (path, field) in Leaves(Schema, []))
        {
            if (field["maxLength"] is not { } max)
            {
                continue;
            }

            limits++;
            var limit = (int)max;
            // A schedule is a cron expression as well as a text: no run of one character is one, so only its limit is put.
            if (path is not ["publishing", "schedule"])
            {
                Expect(With(path, new string('办', limit)), accepted: true, $"{string.Join('/', path)} of {limit} characters");
            }

            Expect(With(path, new string('办', limit + 1)), accepted: false, $"{string.Join('/', path)} of {limit + 1} characters");
        }

        Assert.True(limits >= 9, $"The schema states {limits} text limits; it should state one for every text field.");
    }

    [Fact]
    public void BothTakeEveryLevelAndRefuseAnyOther()
    {
        foreach (var level in Properties(Schema)["level"]["enum"]!.AsArray().Select(v => (string)v!))
        {
            Expect(With(["level"], level), accepted: true, $"level {level}");
        }

        Expect(With(["level"], "village"), accepted: false, "level village");
    }

    [Fact]
    public void BothRefuseAFileWithoutARequiredFieldOrWithAFieldTheyDoNotKnow()
    {
        foreach (var required in Schema["required"]!.AsArray().Select(v => (string)v!))
        {
            var file = Valid.DeepClone().AsObject();
            file.Remove(required);
            Expect(file, accepted: false, $"a file without {required}");
        }

        Expect(With(["website"], "https://haicang.gov.cn"), accepted: false, "an unknown field");
        Expect(With(["contact", "fax"], "0592-6051112"), accepted: false, "an unknown contact field");
        Expect(With(["publishing", "when"], "nightly"), accepted: false, "an unknown publishing field");
    }

    [Theory]
    [InlineData("350205", true)]
    [InlineData("012345", false)]
    [InlineData("35020", false)]
    [InlineData("3502051", false)]
    [InlineData("35020X", false)]
    public void BothReadADivisionCodeAlike(string code, bool accepted)
    {
        Expect(With(["divisionCode"], code), accepted, $"divisionCode {code} as text", under: Xiamen);
        if (int.TryParse(code, out var number) && code[0] != '0')
        {
            Expect(With(["divisionCode"], number), accepted, $"divisionCode {code} as a number", under: Xiamen);
        }
    }

    [Theory]
    [InlineData("660000", true, true)]
    [InlineData("660000", null, false)]
    [InlineData("660000", false, false)]
    [InlineData("650000", true, false)]
    [InlineData("650000", false, true)]
    public void BothReadTheCorpsCodeMarkedAsOutsideTheStandardAlike(string code, bool? marked, bool accepted)
    {
        var province = With(["level"], "province");
        province["divisionCode"] = code;
        if (marked is { } mark)
        {
            province["divisionCodeOutsideStandard"] = mark;
        }

        Expect(province, accepted, $"a province of {code} {(marked is null ? "unmarked" : $"marked {marked}")}", under: (null, RegionLevel.National));
        province["divisionCode"] = int.Parse(code, System.Globalization.CultureInfo.InvariantCulture);
        Expect(province, accepted, $"a province of {code} as a number {(marked is null ? "unmarked" : $"marked {marked}")}", under: (null, RegionLevel.National));
    }

    [Fact]
    public void BothRefuseTheMarkOnADistrictOrWrittenAsText()
    {
        Expect(With(["divisionCodeOutsideStandard"], true), accepted: false, "a district marked as outside the standard", under: Xiamen);
        Expect(With(["divisionCodeOutsideStandard"], "yes"), accepted: false, "the mark as text");
        Expect(With(["divisionCodeOutsideStandard"], false), accepted: true, "a district marked false", under: Xiamen);
    }

    /// <summary>
    /// Puts a file to both. <paramref name="under"/>: the importer's rules of the tree apply too, as the file's place
    /// (a district of Xiamen, 350200, or a province) gives them: a division code's shape is checked there, beside its parent's.
    /// </summary>
    private static void Expect(JsonObject file, bool accepted, string what, (string? Code, RegionLevel Level)? under = null)
    {
        var bySchema = Checker.Evaluate(JsonDocument.Parse(file.ToJsonString()).RootElement).IsValid;
        var (source, problem) = YamlSource.Parse("tenants/fujian/xiamen/haicang/tenant.yaml", file.ToJsonString());
        Assert.True(problem is null, $"{what}: the file does not parse: {problem}");
        var reader = new DocumentReader(source!);
        var document = RegionDocument.Read(reader, source!.Root, PublishingScheduleRule.Default);
        var byImporter = document is not null && reader.Problems.Count == 0 &&
                         !(under is { } parent && RegionRules.CheckDivisionCode(document.DivisionCode, document.Level, parent.Code, parent.Level, document.DivisionCodeOutsideStandard) is not null);
        Assert.True(bySchema == accepted, $"{what}: the schema {(bySchema ? "accepts" : "refuses")} it; both should {(accepted ? "accept" : "refuse")} it.");
        Assert.True(byImporter == accepted, $"{what}: the importer {(byImporter ? "accepts" : "refuses")} it ({string.Join("; ", reader.Problems)}); both should {(accepted ? "accept" : "refuse")} it.");
    }

    private static JsonObject With(string[] path, JsonNode value)
    {
        var file = Valid.DeepClone().AsObject();
        var target = file;
        foreach (var segment in path[..^1])
        {
            target = target[segment]!.AsObject();
        }

        target[path[^1]] = value;
        return file;
    }

    private static Dictionary<string, JsonNode> Properties(JsonNode schema) =>
        schema["properties"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!);

    private static IEnumerable<(string[] Path, JsonNode Field)> Leaves(JsonNode schema, string[] path)
    {
        foreach (var (name, field) in Properties(schema))
        {
            if (field["properties"] is not null)
            {
                foreach (var leaf in Leaves(field, [.. path, name]))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return ([.. path, name], field);
            }
        }
    }
}
