using System.Diagnostics;
using BenchmarkDotNet.Running;
using OneGo.Benchmarks;

// dotnet run -c Release --project bench/OneGo.Benchmarks -- --job short --filter '*'
// dotnet run -c Release --project bench/OneGo.Benchmarks -- quick    (a few seconds: a smoke run with a stopwatch)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- digest   (one hash of all outputs: must not change with an optimisation)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- parts    (the stages of resolving an adopter, timed apart; see Parts.cs)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- live [n]  (a cache-missed live-bundle request end to end, n = 200 bundles, beside the raw bytes; see LiveRequests.cs)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- zone [n]  (publishing n = 10,000 bundles into the zone on PostgreSQL and Azurite)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- cluster [n]  (three nodes behind the gateway, one killed during a run of n = 2,000 publications under reads; infra/cluster.sh; see Cluster.cs)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- deadlines [n]  (the deadline job over n = 1,000,000 open cases on PostgreSQL, beside plain UPDATEs; see Deadlines.cs)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- ratings [n]  (the 好差评 figures over n = 1,000,000 ratings on PostgreSQL through GET /statistics, beside the plain grouped count; see RatingFiguresBench.cs)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- nation [scale]  (a synthetic nation of ~85,000 bundles at scale 1 imported, published, rebased and read on PostgreSQL and Azurite; see SyntheticNation.cs)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- nation-folder [scale] [target]  (only writes the synthetic nation's tenants/ folder, for `onego tenants validate|diff|import` tried by hand)
// dotnet run -c Release --project bench/OneGo.Benchmarks -- submit [n] [c]  (n = 400 submissions through the API on PostgreSQL, c = 8 at a time, beside plain transactions; see Submissions.cs)
if (args is ["quick", ..])
{
    Quick.Run();
    return;
}
if (args is ["parts", .. var stage])
{
    Parts.Run(stage);
    return;
}
if (args is ["digest", ..])
{
    Digest.Run();
    return;
}
if (args is ["live", ..])
{
    await LiveRequests.RunAsync(args is [_, var sample, ..] ? int.Parse(sample, System.Globalization.CultureInfo.InvariantCulture) : 200);
    return;
}
if (args is ["submit", ..])
{
    await Submissions.RunAsync(
        args is [_, var count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 400,
        args is [_, _, var concurrency, ..] ? int.Parse(concurrency, System.Globalization.CultureInfo.InvariantCulture) : 8);
    return;
}
if (args is ["deadlines", ..])
{
    await Deadlines.RunAsync(args is [_, var count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}
if (args is ["ratings", ..])
{
    await RatingFiguresBench.RunAsync(args is [_, var count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return;
}
if (args is ["nation", ..])
{
    await SyntheticNation.RunAsync(args is [_, var scale, ..] ? double.Parse(scale, System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}
if (args is ["nation-folder", ..])
{
    var folder = NationFolder.Write(
        args is [_, _, var target, ..] ? Path.GetFullPath(target) : Directory.CreateTempSubdirectory("onego-nation-").FullName + "/tenants",
        args is [_, var scale, ..] ? double.Parse(scale, System.Globalization.CultureInfo.InvariantCulture) : 1);
    Console.WriteLine($"{folder.Folder}: {folder.Tenants.Count:N0} tenants, {folder.Bundles.Count:N0} bundles");
    return;
}
if (args is ["cluster", ..])
{
    Environment.ExitCode = await Cluster.RunAsync(args is [_, var count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 2_000);
    return;
}
if (args is ["zone", ..])
{
    await ZonePublishing.RunAsync(args is [_, var count, ..] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 10_000);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(CatalogueBenchmarks).Assembly).Run(args);

internal static class Quick
{
    public static void Run()
    {
        var catalogue = new CatalogueBenchmarks();
        catalogue.Setup();
        Time("resolve 30-matter bundle", 20_000, () => catalogue.ResolveBundle30());
        Time("evaluate guide", 20_000, () => catalogue.EvaluateGuide30());
        Time("canonical JSON + ETag", 5_000, () => catalogue.CanonicalJson30());
        Time("resolve 30 + JSON + ETag", 5_000, () => catalogue.ResolveBundle30EndToEnd());
        Time("district of 200 bundles", 100, () => catalogue.ResolveDistrict200());
        var templates = new TemplateBenchmarks();
        templates.Setup();
        Time("adopter on its kept standard", 5_000, () => templates.ResolveAdopterOnStandard());
        Time("adopter through its chain, unkept", 5_000, () => templates.ResolveAdopterThroughChain());
        Time("adopter + JSON + ETag", 5_000, () => templates.ResolveAdopterEndToEnd());
        Time("re-resolve 2,844 adopters", 3, () => templates.ReResolveNation());
        Time("rebase 2,844 overlays", 3, () => templates.RebaseNation());
    }

    private static void Time(string name, int n, Func<object> op)
    {
        for (var i = 0; i < Math.Max(3, n / 10); i++) op();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < n; i++) op();
        var elapsed = watch.Elapsed;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"{name,-32} {elapsed.TotalMicroseconds / n,12:N1} µs {allocated / 1024.0 / n,12:N1} KB");
    }
}
