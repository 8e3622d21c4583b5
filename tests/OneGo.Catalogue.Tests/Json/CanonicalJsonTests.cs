using System.Text;
using System.Text.Json;
using OneGo.Catalogue.Tests.Fixtures;

namespace OneGo.Catalogue.Tests.Json;

public class CanonicalJsonTests
{
    [Fact]
    public void TheSameContentBuiltInDifferentOrdersGivesTheSameBytes()
    {
        var definition = Haicang.Definition;
        var shuffled = definition with
        {
            Matters = definition.Matters.Reverse().Select(s => s with { After = s.After.Reverse().ToArray() }).ToArray(),
            Channels = definition.Channels.Reverse().ToArray(),
            Keywords = definition.Keywords.Reverse().ToArray(),
        };
        var matters = Haicang.Matters.Reverse().Select(m => m with
        {
            Materials = m.Materials.Reverse().ToArray(),
            FormFields = m.FormFields.Reverse().ToArray(),
            Channels = m.Channels.Reverse().ToArray(),
        }).ToArray();

        var one = CanonicalJson.Serialize(Haicang.Resolve());
        var other = CanonicalJson.Serialize(Make.Resolve(shuffled, matters));

        Assert.Equal(one, other);
        Assert.Equal(CanonicalJson.ETag(one), CanonicalJson.ETag(other));
    }

    [Fact]
    public void DifferentContentGivesADifferentETag()
    {
        var changed = Make.Resolve(Haicang.Definition with { PromisedDays = 10 }, Haicang.Matters);

        Assert.NotEqual(CanonicalJson.ETag(Haicang.Resolve()), CanonicalJson.ETag(changed));
    }

    [Fact]
    public void ChineseIsWrittenAsRawUtf8WithoutWhitespace()
    {
        var bytes = CanonicalJson.Serialize(Haicang.Resolve());
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains("\"name\":{\"zh\":\"入园入学一件事\",\"en\":\"Kindergarten and school enrolment\"}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\": ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void PropertiesComeInAFixedOrderAndCodedCollectionsSortedByCode()
    {
        using var document = JsonDocument.Parse(CanonicalJson.Serialize(Haicang.Resolve()));
        var root = document.RootElement;

        Assert.Equal(
            ["code", "name", "audience", "theme", "leadDepartment", "lineage", "promisedDays", "channels", "resultDelivery",
             "serviceLocation", "guideText", "keywords", "reductions", "steps", "matters", "form", "materials", "scenarios", "rules"],
            root.EnumerateObject().Select(p => p.Name));
        var codes = root.GetProperty("materials").EnumerateArray().Select(m => m.GetProperty("code").GetString()!).ToArray();
        Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
        Assert.Equal("schooling", root.GetProperty("theme").GetString());
    }

    [Fact]
    public void TheETagIsAStrongQuotedHash()
    {
        var etag = CanonicalJson.ETag("{}"u8);

        Assert.Matches("^\"[A-Za-z0-9_-]{43}\"$", etag);
    }

    [Fact]
    public void CanonicalBytesReadBackIntoTheSameBundleAndGuide()
    {
        var bytes = CanonicalJson.Serialize(Haicang.Resolve());

        var back = JsonSerializer.Deserialize<EffectiveBundle>(bytes, CatalogueJson.Options)!;

        Assert.Equal(bytes, CanonicalJson.Serialize(back));
        var answers = new Dictionary<string, string> { [Haicang.Guide] = Haicang.Hukou };
        Assert.Equal(
            JsonSerializer.Serialize(GuideEvaluator.Evaluate(Haicang.Resolve(), answers), CatalogueJson.Options),
            JsonSerializer.Serialize(GuideEvaluator.Evaluate(back, answers), CatalogueJson.Options));
    }

    [Fact]
    public void AnExplicitNullWhereAValueIsNeededIsRefused()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Matter>("""{"code":"a","name":null}""", CatalogueJson.Options));
    }
}
