using System.Text.Json;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Browser.Tests.Infrastructure;

/// <summary>
/// axe-core (pinned in <c>infra/axe</c>, installed by <c>./test.sh</c>) run in the page a browser shows: the
/// violations of its rules that axe rates serious or critical. When the package is missing the test fails and says
/// how to install it: it never skips.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Source = new(() =>
    {
        var path = Path.Combine(Path.GetDirectoryName(RepositoryTenants.Folder)!, "infra", "axe", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new InvalidOperationException($"axe-core is not installed at {path}: (cd infra/axe && npm ci) — ./test.sh does it when it is missing.");
    });

    /// <summary>What axe finds serious or critical on the page the browser shows, one line a rule, naming the page, the rule and where.</summary>
    public static IReadOnlyList<string> SeriousOrCritical(Chromium browser, string page)
    {
        browser.Script<object?>(Source.Value + "\nreturn null;");
        var json = (string)browser.Driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })))))
              .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));
            """)!;
        return JsonSerializer.Deserialize<List<Violation>>(json, JsonSerializerOptions.Web)!
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{page}: {v.Id} ({v.Impact}) {v.Help} — {string.Join(", ", v.Nodes.Take(5))}{(v.Nodes.Count > 5 ? $" and {v.Nodes.Count - 5} more" : "")}")
            .ToList();
    }

    private sealed record Violation(string Id, string? Impact, string Help, List<string> Nodes);
}
