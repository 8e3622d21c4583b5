using BenchmarkDotNet.Attributes;
using OneGo.Catalogue;

namespace OneGo.Benchmarks;

/// <summary>
/// Issue 4: resolve one adopter of a three-level standard with a 13-change overlay (≤ 20 µs target for the
/// bundle), re-resolve all 2,844 districts after a new national version (≤ 1 s), rebase 2,844 overlays.
/// </summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private Nation _nation = null!;
    private TemplateVersion[] _chain = null!;
    private ResolvedStandard _standard = null!;
    private Overlay _overlay = null!;
    private ResolvedStandard[] _citiesV1 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nation = new Nation();
        _chain = _nation.ChainV1(0);
        _standard = TemplateResolver.ResolveStandard(_chain).Value!;
        _overlay = _nation.Adopters[0].Overlay;
        _citiesV1 = Enumerable.Range(0, Nation.Cities).Select(c => TemplateResolver.ResolveStandard(_nation.ChainV1(c)).Value!).ToArray();
        var check = TemplateResolver.Resolve(_chain, _overlay, _nation.LocalMatters);
        if (!check.IsValid) throw new InvalidOperationException(string.Join("; ", check.Errors));
        // Every district sets its own guide text, which national v2 changes too: one conflict each.
        Console.WriteLine($"// rebase conflicts in the generated nation: {RebaseAll()}");
    }

    /// <summary>
    /// What resolving one adopter costs: its standard, three levels deep, resolved once per pinned version and kept
    /// (as the server keeps it for every adopter of that version), then the 13-change overlay applied and the
    /// adopter's bundle resolved.
    /// </summary>
    [Benchmark(Description = "resolve adopter: kept 3-level standard + 13-change overlay")]
    public EffectiveBundle ResolveAdopterOnStandard() => TemplateResolver.Resolve(_standard, _overlay, _nation.LocalMatters).Value!;

    /// <summary>
    /// An adopter resolved with its chain in one call, nothing kept: the chain (national → province → city), the
    /// overlay and the adopter's bundle in full.
    /// </summary>
    [Benchmark(Description = "resolve adopter through its chain, nothing kept")]
    public EffectiveBundle ResolveAdopterThroughChain() => TemplateResolver.Resolve(_chain, _overlay, _nation.LocalMatters).Value!;

    /// <summary>What a request does for an adopter whose bundle is not cached yet: the adopter on its kept standard, the bytes and their ETag.</summary>
    [Benchmark(Description = "resolve adopter on its kept standard + canonical JSON + ETag")]
    public string ResolveAdopterEndToEnd() => CanonicalJson.ETag(CanonicalJson.Serialize(ResolveAdopterOnStandard()));

    /// <summary>A new national version: resolve every city's new standard once, then every district on it.</summary>
    [Benchmark(Description = "re-resolve 2,844 adopters after a new national version")]
    public int ReResolveNation()
    {
        var cities = new ResolvedStandard[Nation.Cities];
        for (var c = 0; c < Nation.Cities; c++) cities[c] = TemplateResolver.ResolveStandard(_nation.ChainV2(c)).Value!;
        var total = 0;
        foreach (var (city, overlay) in _nation.Adopters)
        {
            var rebased = overlay with { Adopts = cities[city].Ref };
            total += TemplateResolver.Resolve(cities[city], rebased, _nation.LocalMatters).Value!.PromisedDays;
        }
        return total;
    }

    [Benchmark(Description = "rebase 2,844 overlays onto the new national version")]
    public int RebaseNation() => RebaseAll();

    private int RebaseAll()
    {
        var cities = new ResolvedStandard[Nation.Cities];
        for (var c = 0; c < Nation.Cities; c++) cities[c] = TemplateResolver.ResolveStandard(_nation.ChainV2(c)).Value!;
        var upstream = new StandardChange[Nation.Cities];
        for (var c = 0; c < Nation.Cities; c++) upstream[c] = OverlayRebase.Compare(_citiesV1[c], cities[c]);
        var conflicts = 0;
        foreach (var (city, overlay) in _nation.Adopters)
        {
            conflicts += OverlayRebase.Rebase(upstream[city], overlay, _nation.LocalMatters).Conflicts.Count;
        }
        return conflicts;
    }
}
