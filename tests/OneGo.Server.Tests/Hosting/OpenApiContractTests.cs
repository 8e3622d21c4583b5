using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OneGo.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OneGo.Server.Tests.Hosting;

/// <summary>Where the contract lives: the document committed at <c>openapi/v1.json</c>, and the one the server generates under <c>obj/</c>.</summary>
public static class OpenApiContract
{
    public static string Root { get; } = Path.GetDirectoryName(RepositoryTenants.Folder)!;

    /// <summary>The committed contract integrators build against.</summary>
    public static string Committed { get; } = Path.Combine(Root, "openapi", "v1.json");

    /// <summary>Where the test writes what the server serves, never over the committed document.</summary>
    public static string Generated { get; } = Path.Combine(Root, "src", "OneGo.Server", "obj", "openapi", "v1.json");

    public const string Regenerate =
        "dotnet test tests/OneGo.Server.Tests --filter FullyQualifiedName~OpenApiContractTests; cp src/OneGo.Server/obj/openapi/v1.json openapi/v1.json";
}

public sealed class OpenApiContractTestsOnSqlite(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task TheServedDocumentIsTheCommittedContract()
    {
        var served = Normalize(await fixture.Client.GetStringAsync("/openapi/v1.json"));
        Directory.CreateDirectory(Path.GetDirectoryName(OpenApiContract.Generated)!);
        await File.WriteAllTextAsync(OpenApiContract.Generated, served);

        var committed = File.Exists(OpenApiContract.Committed) ? Normalize(await File.ReadAllTextAsync(OpenApiContract.Committed)) : "";
        Assert.True(served == committed,
            $"The OpenAPI document the server serves differs from the committed contract openapi/v1.json. The served one is in {OpenApiContract.Generated}.\n" +
            $"{Difference(committed, served)}\n" +
            $"If the change is meant, regenerate the contract (and say so in the commit: clients are built from it):\n  {OpenApiContract.Regenerate}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n";

    /// <summary>The first stretch where the two differ, as a unified diff would show it (committed -, served +).</summary>
    private static string Difference(string committed, string served)
    {
        var before = committed.Split('\n');
        var after = served.Split('\n');
        var start = 0;
        while (start < before.Length && start < after.Length && before[start] == after[start])
        {
            start++;
        }

        var (endBefore, endAfter) = (before.Length - 1, after.Length - 1);
        while (endBefore >= start && endAfter >= start && before[endBefore] == after[endAfter])
        {
            endBefore--;
            endAfter--;
        }

        var hint = new StringBuilder($"@@ -{start + 1},{endBefore - start + 1} +{start + 1},{endAfter - start + 1} @@\n");
        foreach (var line in before[Math.Max(0, start - 3)..start])
        {
            hint.Append("  ").AppendLine(line);
        }

        foreach (var line in before[start..(endBefore + 1)].Take(40))
        {
            hint.Append("- ").AppendLine(line);
        }

        foreach (var line in after[start..(endAfter + 1)].Take(40))
        {
            hint.Append("+ ").AppendLine(line);
        }

        if (endBefore - start >= 40 || endAfter - start >= 40)
        {
            hint.AppendLine("  … (compare the two files for the rest)");
        }

        return hint.ToString();
    }
}

/// <summary>Redocly's recommended ruleset, as shipped, over the committed contract: no rule turned off, lowered or ignored.</summary>
public sealed class OpenApiLintTests(ITestOutputHelper output)
{
    private static readonly string Redocly = Path.Combine(OpenApiContract.Root, "infra", "redocly", "node_modules", ".bin", "redocly");

    [Fact]
    public async Task RedoclysRecommendedRulesFindNoErrorInTheCommittedContract()
    {
        Assert.True(File.Exists(Redocly), $"Redocly CLI is not installed at {Redocly}: run 'npm ci' in infra/redocly (test.sh does).");
        // Run from an empty folder so that no redocly.yaml or lint-ignore file can change what the ruleset says.
        var folder = Directory.CreateTempSubdirectory("onego-redocly-");
        try
        {
            var start = new ProcessStartInfo(Redocly, ["lint", "--extends", "recommended", "--format", "json", "--max-problems", "10000", OpenApiContract.Committed])
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_NOTIFICATIONS"] = "true", ["NO_COLOR"] = "1" },
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            using var report = JsonDocument.Parse(await stdout);
            var totals = report.RootElement.GetProperty("totals");
            var errors = totals.GetProperty("errors").GetInt32();
            var warnings = totals.GetProperty("warnings").GetInt32();
            var problems = report.RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} at {p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")
                .ToList();
            output.WriteLine($"Redocly {report.RootElement.GetProperty("version").GetString()} recommended: {errors} error(s), {warnings} warning(s).");
            foreach (var problem in problems)
            {
                output.WriteLine(problem);
            }

            Assert.True(errors == 0, $"Redocly's recommended rules find {errors} error(s) and {warnings} warning(s) in openapi/v1.json:\n{string.Join("\n", problems)}\n{await stderr}");
            Assert.Equal(0, report.RootElement.GetProperty("totals").GetProperty("ignored").GetInt32());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
