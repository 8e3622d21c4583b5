using System.Diagnostics;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Client;

/// <summary>
/// The committed client (<c>src/OneGo.Client/Generated</c>) is exactly what the pinned Kiota writes from the committed
/// document: the test runs the regeneration command into a scratch copy of the repository's layout and compares every
/// file, <c>kiota-lock.json</c> included — its description hash ties the client to the document's content, and its
/// description location is relative, the same in any folder laid out like the repository.
/// </summary>
public sealed class GeneratedClientTests
{
    private const string Command = "infra/generate-client.sh";
    private const string Generated = "src/OneGo.Client/Generated";

    private static string Repository => Path.GetDirectoryName(RepositoryTenants.Folder)!;

    [Fact]
    public async Task TheCommittedClientIsWhatKiotaWritesFromTheCommittedDocument()
    {
        using var scratch = new TempFolder("repository");
        Directory.CreateDirectory(scratch.File("openapi"));
        File.Copy(ResponseContract.CommittedPath, scratch.File("openapi/v1.json"));

        var (exit, output) = await RunAsync(Path.Combine(Repository, Command), scratch.Path);
        Assert.True(exit == 0, $"{Command} failed ({exit}):\n{output}");

        var committed = Files(Path.Combine(Repository, Generated));
        var regenerated = Files(scratch.File(Generated));
        Assert.NotEmpty(regenerated);
        var differences = regenerated.Keys.Union(committed.Keys).Order(StringComparer.Ordinal)
            .Select(file => !committed.TryGetValue(file, out var was) ? $"  {file}: generated, not committed"
                : !regenerated.TryGetValue(file, out var now) ? $"  {file}: committed, no longer generated"
                : was.SequenceEqual(now) ? null
                : $"  {file}: differs")
            .OfType<string>().ToList();
        Assert.True(differences.Count == 0,
            $"The committed client is not what Kiota writes from openapi/v1.json ({differences.Count} files):\n{string.Join('\n', differences)}\n" +
            $"Run {Command} and commit {Generated}.");
    }

    // Kiota's log of its warnings (.kiota.log, git-ignored) is not part of the client.
    private static Dictionary<string, byte[]> Files(string folder) =>
        !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) != ".kiota.log")
                .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    private static async Task<(int Exit, string Output)> RunAsync(string script, string root)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(root);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Command} did not finish within three minutes.");
        }

        return (process.ExitCode, await output + await error);
    }
}
