using System.Security.Cryptography;
using System.Text.Json;
using OneGo.Catalogue;

namespace OneGo.Benchmarks;

/// <summary>
/// One SHA-256 over everything the benchmarked code produces from the generated inputs: canonical JSON of
/// every bundle and adopter, every guide (all 6,561 answer sets of the 30-matter bundle, and bad ones), every
/// rebase. An optimisation must leave it unchanged: run <c>-- digest</c> before and after.
/// </summary>
internal static class Digest
{
    public static void Run()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string what, byte[] bytes)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(what));
            hash.AppendData(bytes);
        }
        byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, CatalogueJson.Options);

        var (bundle30, matters30) = Generated.Bundle30();
        var effective30 = BundleResolver.Resolve(bundle30, matters30);
        Add("bundle30", CanonicalJson.Serialize(effective30));
        for (var combination = 0; combination < 6561; combination++)
        {
            var answers = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int j = 0, c = combination; j < 8; j++, c /= 3) answers["q" + j] = "o" + (c % 3);
            Add("guide30", Json(GuideEvaluator.Evaluate(effective30, answers)));
        }
        Dictionary<string, string>[] bad =
        [
            [],
            new() { ["q0"] = "o9", ["zz"] = "o0", ["q7"] = "o1" },
            new() { ["q1"] = "o0", ["q2"] = "o1", ["q3"] = "o2", ["q4"] = "o0", ["q5"] = "o1" },
        ];
        foreach (var answers in bad) Add("bad30", Json(GuideEvaluator.Evaluate(effective30, answers)));

        var (district, districtMatters) = Generated.District200();
        foreach (var bundle in district)
        {
            var effective = BundleResolver.Resolve(bundle, districtMatters);
            Add("district", CanonicalJson.Serialize(effective));
            Add("district-guide-a", Json(GuideEvaluator.Evaluate(effective, new Dictionary<string, string> { ["q"] = "a" })));
            Add("district-guide-b", Json(GuideEvaluator.Evaluate(effective, new Dictionary<string, string> { ["q"] = "b" })));
        }

        var nation = new Nation();
        var citiesV1 = new ResolvedStandard[Nation.Cities];
        var citiesV2 = new ResolvedStandard[Nation.Cities];
        var upstream = new StandardChange[Nation.Cities];
        for (var c = 0; c < Nation.Cities; c++)
        {
            citiesV1[c] = TemplateResolver.ResolveStandard(nation.ChainV1(c)).Value!;
            citiesV2[c] = TemplateResolver.ResolveStandard(nation.ChainV2(c)).Value!;
            upstream[c] = OverlayRebase.Compare(citiesV1[c], citiesV2[c]);
            Add("city", Json(citiesV2[c].Definition));
        }
        for (var d = 0; d < Nation.Districts; d++)
        {
            var (city, overlay) = nation.Adopters[d];
            var resolved = TemplateResolver.Resolve(nation.ChainV1(city), overlay, nation.LocalMatters);
            Add("adopter", resolved.Value is { } value ? CanonicalJson.Serialize(value) : Json(resolved.Errors));
            if (d % 97 == 0 && resolved.Value is { } adopter)
            {
                Add("adopter-guide", Json(GuideEvaluator.Evaluate(adopter, new Dictionary<string, string>
                {
                    ["q0"] = "o0", ["q1"] = "o1", ["q2"] = "o2", ["q3"] = "o0", ["q4"] = "o1", ["q5"] = "o2", ["local-q"] = "y",
                })));
            }
            var rebase = OverlayRebase.Rebase(upstream[city], overlay, nation.LocalMatters);
            Add("rebase", Json(new { rebase.Overlay, rebase.Conflicts, rebase.Upstream }));
            // Overlays that break rules: each change alone on the wrong standard, and twice.
            if (d % 211 == 0)
            {
                var twice = overlay with { Changes = [.. overlay.Changes, .. overlay.Changes] };
                Add("twice", Json(TemplateResolver.ValidateOverlay(citiesV1[city], twice, nation.LocalMatters)));
                Add("wrong", Json(TemplateResolver.ValidateOverlay(citiesV2[city], overlay with { Adopts = citiesV2[city].Ref }, new Dictionary<string, Matter>())));
            }
        }
        Console.WriteLine(Convert.ToHexString(hash.GetHashAndReset()));
    }
}
