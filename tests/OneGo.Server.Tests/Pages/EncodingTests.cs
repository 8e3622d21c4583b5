using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Server.Pages;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Pages;

/// <summary>The pages' markup: text is encoded in content and in attributes; only markup that already is markup passes.</summary>
public sealed class HtmlTests
{
    [Fact]
    public void HolesAreEncodedAndLiteralsAndMarkupAreKept()
    {
        const string Evil = "\"'><script>alert(1)</script>&";
        var inner = Html.Of($"<em>{Evil}</em>");
        var html = Html.Of($"<p title=\"{Evil}\">{Evil}{inner}{3}</p>").ToString();
        Assert.Equal(
            "<p title=\"&quot;&#x27;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;\">&quot;&#x27;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;<em>&quot;&#x27;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;</em>3</p>",
            html);
    }

    [Fact]
    public void ChineseStaysReadable() => Assert.Equal("入园入学一件事 &lt;一&gt;", Html.Text("入园入学一件事 <一>").ToString());
}

/// <summary>Catalogue text with markup in it, imported from <c>tenants/</c>, reaches every page encoded.</summary>
public sealed class CatalogueTextOnPagesTestsOnSqlite
{
    [Fact]
    public async Task MarkupInABundlesTextsIsShownAsTextOnEveryPage()
    {
        using var tenants = RepositoryTenants.Copy();
        var file = tenants.File("fujian/xiamen/haicang/bundles/enrolment.yaml");
        var yaml = await File.ReadAllTextAsync(file);
        yaml = yaml
            .Replace("name: { zh: 入园入学一件事, en: Kindergarten and school enrolment }",
                "name: { zh: \"入园入学<script>alert('zh')</script>一件事\", en: \"School & <img src=x onerror=alert('en')>\" }", StringComparison.Ordinal)
            .Replace("{ id: haicang-hukou, label: { zh: 我要入学-海沧区户籍,", "{ id: haicang-hukou, label: { zh: \"我要入学-海沧区户籍<b>\",", StringComparison.Ordinal);
        Assert.Contains("<script>", yaml, StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, yaml);

        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, tenants.Path);
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        // The home page's search shows what is in the national zone: Haicang publishes first.
        using (var admin = await app.AsAsync("admin", "fujian.xiamen.haicang"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/api/t/350205/publishing-runs", null)).StatusCode);
        }

        var search = "/?q=" + Uri.EscapeDataString("入园");
        await Eventually.HoldsAsync(() => client.GetStringAsync(search), page => page.Contains("href=\"/regions/fujian.xiamen.haicang/bundles/enrolment\"", StringComparison.Ordinal),
            "Haicang's bundles in the zone");
        foreach (var url in (string[])["/regions/350205", "/regions/350205/bundles/enrolment?q.guide=haicang-hukou", search, "/regions/350205?lang=en", "/regions/350205/bundles/enrolment?lang=en"])
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", page, StringComparison.Ordinal);
            Assert.True(page.Contains("入园入学&lt;script&gt;alert(&#x27;zh&#x27;)&lt;/script&gt;一件事", StringComparison.Ordinal)
                || page.Contains("School &amp; &lt;img src=x onerror=alert(&#x27;en&#x27;)&gt;", StringComparison.Ordinal), url + "\n" + page);
        }
    }
}
