using OneGo.Browser.Tests.Infrastructure;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// axe-core over the main public and console pages, in Chinese and in English: no violation it rates serious or
/// critical (信息无障碍, GB/T 37668 and the WCAG 2.1 rules axe checks). What it cannot judge (reading order, plain
/// language) the other accessibility tests and people do.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class AxeTestsInChromiumOnSqlite(PagesServer server)
{
    private static readonly string[] PublicPages = [.. AccessibilityTestsInChromiumOnSqlite.Pages, "/account/signin", "/account/register", "/account/register?lang=en"];

    private static readonly string[] ConsolePages =
    [
        "/console/t/jiangsu",
        "/console/t/jiangsu/bundles",
        "/console/t/jiangsu/inbox",
        "/console/t/jiangsu/standards",
        "/console/t/jiangsu/matters",
        "/console/t/jiangsu/accounts",
        "/console/t/jiangsu/publishing",
        "/console/t/jiangsu/audit",
        "/console/t/jiangsu?lang=en",
    ];

    [Fact]
    public void NoMainPageHasASeriousOrCriticalViolation()
    {
        var found = new List<string>();
        using (var visitor = Chromium.Open(server.Address))
        {
            foreach (var page in PublicPages)
            {
                visitor.Go(page);
                found.AddRange(Axe.SeriousOrCritical(visitor, page));
            }
        }

        using (var admin = Chromium.Open(server.Address))
        {
            ConsoleSignIn.As(admin, ConsolePages[0], "demo-admin@jiangsu");
            foreach (var page in ConsolePages)
            {
                admin.Go(page);
                found.AddRange(Axe.SeriousOrCritical(admin, page));
            }

            // A bundle's workspace and a matter's: the first the province lists.
            foreach (var (list, link) in new[] { ("/console/t/jiangsu/bundles", "a[href^='/console/t/jiangsu/bundles/']"), ("/console/t/jiangsu/matters", "a[href^='/console/t/jiangsu/matters/']") })
            {
                admin.Go(list);
                var page = new Uri(server.Address, admin.Find(link).GetDomAttribute("href")).PathAndQuery;
                admin.Go(page);
                found.AddRange(Axe.SeriousOrCritical(admin, page));
            }
        }

        Assert.True(found.Count == 0, $"{found.Count} serious or critical accessibility violation(s):\n{string.Join("\n", found)}");
    }

    /// <summary>The check itself: a page made worse in the browser (its labels taken away, an image without a text) is caught.</summary>
    [Fact]
    public void ThePageCheckFindsAFormControlWithoutALabelAndAnImageWithoutAText()
    {
        using var visitor = Chromium.Open(server.Address);
        visitor.Go("/regions/fujian.xiamen.haicang");
        Assert.Empty(Axe.SeriousOrCritical(visitor, "as served"));
        visitor.Script<object?>("document.querySelectorAll('label').forEach(l => l.remove()); document.querySelector('main').append(document.createElement('img')); return null;");
        var found = Axe.SeriousOrCritical(visitor, "made worse");
        Assert.Contains(found, f => f.StartsWith("made worse: label (critical)", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("made worse: image-alt (critical)", StringComparison.Ordinal));
    }
}
