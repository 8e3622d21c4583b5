using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>One result of a SHACL validation: what the shapes say is wrong, where.</summary>
public sealed record ShaclViolation(string FocusNode, string? Path, string Constraint, string Shape, string Message);

/// <summary>A SHACL validation report: whether the data conforms, its size, and each violation.</summary>
public sealed record ShaclReport(bool Conforms, int Triples, IReadOnlyDictionary<string, int> Types, IReadOnlyList<ShaclViolation> Violations);

/// <summary>
/// Validates JSON-LD documents against the CPSV-AP 3.2.0 shapes with <c>rdf-validate-shacl</c>, <c>jsonld</c> and <c>n3</c>
/// from npm (<c>infra/shacl/</c>, installed by ./test.sh with <c>npm ci</c>): the context and the shapes come from
/// <c>standards/cpsv-ap-3.2.0/</c>, nothing is fetched. A machine without Node.js or without the installed packages
/// fails the test, saying what to run.
/// </summary>
public static class Shacl
{
    private static readonly string Repository = Path.GetDirectoryName(RepositoryTenants.Folder)!;
    private static readonly string Tool = Path.Combine(Repository, "infra", "shacl");
    private static readonly string Standard = Path.Combine(Repository, "standards", "cpsv-ap-3.2.0");

    public static async Task<ShaclReport> ValidateAsync(IEnumerable<string> documents)
    {
        Assert.True(Directory.Exists(Path.Combine(Tool, "node_modules", "rdf-validate-shacl")),
            $"The SHACL validator is not installed: run `npm ci` in {Tool} (./test.sh does it when node_modules is missing).");
        using var folder = new TempFolder("shacl");
        var files = documents.Select((document, i) =>
        {
            var file = folder.File($"{i:D4}.jsonld");
            File.WriteAllText(file, document);
            return file;
        }).ToList();

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Tool,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { Path.Combine(Tool, "validate.mjs"), Path.Combine(Standard, "cpsv-ap-SHACL.ttl"), Path.Combine(Standard, "cpsv-ap.jsonld") }.Concat(files))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Node.js (node) is not on the PATH: ./test.sh installs it with the SHACL validator.", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"The SHACL validator could not validate (exit {process.ExitCode}): {await error}");
            var report = JsonNode.Parse(await output)!;
            return new ShaclReport(
                (bool)report["conforms"]!,
                (int)report["triples"]!,
                report["types"]!.AsObject().ToDictionary(t => t.Key, t => (int)t.Value!),
                report["violations"]!.AsArray().Select(v => new ShaclViolation(
                    (string)v!["focusNode"]!, (string?)v["path"], (string)v["constraint"]!, (string)v["shape"]!, (string)v["message"]!)).ToList());
        }
    }
}
