using BenchmarkDotNet.Attributes;
using OneGo.Catalogue;

namespace OneGo.Benchmarks;

/// <summary>Issue 3: resolve one bundle (≤ 20 µs), evaluate one guide (≤ 50 µs), resolve a district of 200 bundles (≤ 5 ms).</summary>
[MemoryDiagnoser]
public class CatalogueBenchmarks
{
    private BundleDefinition _bundle30 = null!;
    private Dictionary<string, Matter> _matters30 = null!;
    private EffectiveBundle _effective30 = null!;
    private Dictionary<string, string> _answers = null!;
    private BundleDefinition[] _district = null!;
    private Dictionary<string, Matter> _districtMatters = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_bundle30, _matters30) = Generated.Bundle30();
        _effective30 = BundleResolver.Resolve(_bundle30, _matters30);
        _answers = Generated.Answers30;
        if (!GuideEvaluator.Evaluate(_effective30, _answers).IsValid) throw new InvalidOperationException("The generated answers are invalid.");
        (_district, _districtMatters) = Generated.District200();
    }

    [Benchmark(Description = "resolve 30-matter bundle")]
    public EffectiveBundle ResolveBundle30() => BundleResolver.Resolve(_bundle30, _matters30);

    [Benchmark(Description = "evaluate guide, 30 matters, 8 questions")]
    public GuideResult EvaluateGuide30() => GuideEvaluator.Evaluate(_effective30, _answers);

    [Benchmark(Description = "canonical JSON + ETag, 30-matter bundle")]
    public string CanonicalJson30() => CanonicalJson.ETag(CanonicalJson.Serialize(_effective30));

    /// <summary>What a request whose cache missed does for an own bundle: resolution, its canonical bytes and their ETag.</summary>
    [Benchmark(Description = "resolve 30-matter bundle + canonical JSON + ETag")]
    public string ResolveBundle30EndToEnd() => CanonicalJson.ETag(CanonicalJson.Serialize(BundleResolver.Resolve(_bundle30, _matters30)));

    [Benchmark(Description = "resolve district catalogue, 200 bundles")]
    public int ResolveDistrict200()
    {
        var steps = 0;
        foreach (var bundle in _district) steps += BundleResolver.Resolve(bundle, _districtMatters).Steps.Count;
        return steps;
    }
}
