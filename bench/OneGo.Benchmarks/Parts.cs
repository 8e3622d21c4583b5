using System.Diagnostics;
using System.Globalization;
using OneGo.Catalogue;

namespace OneGo.Benchmarks;

/// <summary>
/// The stages of resolving one adopter of the generated nation, timed apart (<c>-- parts</c>): the chain, the
/// overlay, the bundle, the whole. Each line is the fastest,
/// the tenth fastest and the median of 60 rounds of 500, so a noisy machine still shows the stages' proportions.
/// <c>-- parts overlay|standard|bundle|adopter|chain [n]</c> runs one stage n times and nothing else, for a
/// profiler (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>).
/// </summary>
internal static class Parts
{
    public static void Run(string[] args)
    {
        var nation = new Nation();
        var chain = nation.ChainV1(0);
        var overlay = nation.Adopters[0].Overlay;
        var standard = TemplateResolver.ResolveStandard(chain).Value!;
        var definition = TemplateResolver.ApplyOverlay(standard, overlay, nation.LocalMatters).Value!;
        var matters = LayeredMatters.Over(nation.LocalMatters, standard.Matters);
        var stages = new (string Name, string Key, Func<object> Op)[]
        {
            ("the chain of three levels", "standard", () => TemplateResolver.ResolveStandard(chain)),
            ("the 13-change overlay", "overlay", () => TemplateResolver.ApplyOverlay(standard, overlay, nation.LocalMatters)),
            ("the bundle", "bundle", () => BundleResolver.Resolve(definition, matters, standard.Lineage)),
            ("adopter on its resolved standard", "adopter", () => TemplateResolver.Resolve(standard, overlay, nation.LocalMatters)),
            ("adopter through its chain, nothing kept", "chain", () => TemplateResolver.Resolve(chain, overlay, nation.LocalMatters)),
        };
        if (args is [var key, ..])
        {
            var op = stages.Single(s => s.Key == key).Op;
            var count = args is [_, var n, ..] ? int.Parse(n, CultureInfo.InvariantCulture) : 400_000;
            for (var i = 0; i < count; i++) op();
            return;
        }
        // Every stage warmed up first, so that no stage is timed while the JIT still compiles another's code.
        foreach (var (_, _, op) in stages) for (var i = 0; i < 20_000; i++) op();
        Thread.Sleep(500);
        foreach (var (name, _, op) in stages) Time(name, op);
    }

    private static void Time(string name, Func<object> op)
    {
        const int rounds = 60, each = 500;
        for (var i = 0; i < 2_000; i++) op();
        var times = new double[rounds];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var r = 0; r < rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < each; i++) op();
            times[r] = watch.Elapsed.TotalMicroseconds / each;
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(times);
        Console.WriteLine($"{name,-36} fastest {times[0],7:N2}  tenth {times[rounds / 10],7:N2}  median {times[rounds / 2],7:N2} µs  {allocated / 1024.0 / (rounds * each),6:N2} KB");
    }
}
