using OneGo.Browser.Tests.Infrastructure;
using OneGo.Server.Tests.Infrastructure;
using OpenQA.Selenium;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// The admin's and the national operator's console in Chromium: accounts made and disabled (a disabled person's
/// console session ends at their next page), a publishing run started and listed, the audit log, push
/// integrations with the API's refusal beside the form, and the audit verification; and every console page
/// readable on a phone.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class ConsoleAdminTestsInChromiumOnSqlite(PagesServer server)
{
    [Fact]
    public void AnAdminMakesAnAccountPublishesAndReadsTheAuditLogAndADisabledPersonIsSignedOut()
    {
        using var admin = Chromium.Open(server.Address);
        ConsoleSignIn.As(admin, "/console/t/jiangsu/accounts", "demo-admin@jiangsu");

        // A password the API finds too short: its 422 is shown, and nothing is made.
        admin.Find("#account-user").SendKeys("officer-wang@jiangsu");
        admin.Find("#account-name").SendKeys("王科员");
        admin.Find("#account-password").SendKeys("short");
        admin.Find("#role-editor").Click();
        admin.Navigating(() => admin.Find("form[action='/console/t/jiangsu/accounts'] button").Click());
        Assert.Contains("/password", admin.Find("#account-problem").Text, StringComparison.Ordinal);
        Assert.DoesNotContain("officer-wang@jiangsu", admin.Find("#accounts").Text, StringComparison.Ordinal);

        // What was typed is still there, but the password, which is typed again.
        Assert.Equal("officer-wang@jiangsu", admin.Find("#account-user").GetAttribute("value"));
        Assert.True(admin.Find("#role-editor").Selected);
        Assert.Equal("", admin.Find("#account-password").GetAttribute("value"));
        admin.Find("#account-password").SendKeys("a-long-enough-password");
        admin.Navigating(() => admin.Find("form[action='/console/t/jiangsu/accounts'] button").Click());
        Assert.Equal("/console/t/jiangsu/accounts", admin.Location);
        var row = admin.Driver.FindElement(By.XPath("//table[@id='accounts']//tr[th='officer-wang@jiangsu']"));
        Assert.Contains("王科员", row.Text, StringComparison.Ordinal);
        admin.Screenshot("console-accounts");

        // The new officer signs in to the console in another browser.
        using (var officer = Chromium.Open(server.Address))
        {
            ConsoleSignIn.As(officer, "/console", "officer-wang@jiangsu", "a-long-enough-password");
            Assert.Equal("/console/t/jiangsu", officer.Location);

            admin.Navigating(() => row.FindElement(By.CssSelector("button")).Click());
            Assert.Contains("已停用", admin.Driver.FindElement(By.XPath("//table[@id='accounts']//tr[th='officer-wang@jiangsu']")).Text, StringComparison.Ordinal);

            // Disabling revoked the officer's tokens: their next page ends the console session and asks them to sign in.
            officer.Go("/console/t/jiangsu/bundles");
            officer.Until(() => officer.Location == "/account/signin", "the disabled officer to be sent to sign in");
        }

        // Publishing now: one more run is listed, first, asked for by hand by this admin (the server published as it
        // started, so the list was not empty before).
        admin.Go("/console/t/jiangsu/publishing");
        var runsBefore = admin.FindAll("#runs tbody tr").Count;
        admin.Navigating(() => admin.Find("form[action='/console/t/jiangsu/publishing'] button").Click());
        Assert.Equal("/console/t/jiangsu/publishing", admin.Location);
        Assert.Equal(runsBefore + 1, admin.FindAll("#runs tbody tr").Count);
        var newest = admin.FindAll("#runs tbody tr")[0].Text;
        Assert.Contains("manual", newest, StringComparison.Ordinal);
        Assert.Contains("demo-admin@jiangsu", newest, StringComparison.Ordinal);

        // The audit log has what the admin just did.
        admin.Go("/console/t/jiangsu/audit");
        var audit = admin.Find("#audit").Text;
        Assert.Contains("account.create", audit, StringComparison.Ordinal);
        Assert.Contains("account.disable", audit, StringComparison.Ordinal);
        admin.Screenshot("console-audit");
    }

    [Fact]
    public async Task APersonStaysSignedInAfterTheirAccessTokenHasExpired()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console/t/jiangsu/audit", "demo-admin@jiangsu");
        // The test server's access tokens live 20 seconds. A token issued after the person's first one expires after
        // it: once the API refuses that one, the person's first token has expired too, and the refresh token is what
        // keeps the session.
        using var later = new HttpClient { BaseAddress = server.Address };
        later.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(server.Api, "demo-admin@jiangsu"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await later.GetAsync("/api/t/jiangsu/accounts")).StatusCode);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await later.GetAsync("/api/t/jiangsu/accounts")).StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, "An access token of the test server was still accepted after two minutes.");
            await Task.Delay(250);
        }

        browser.Go("/console/t/jiangsu/accounts");
        Assert.Equal("/console/t/jiangsu/accounts", browser.Location);
        Assert.NotEmpty(browser.FindAll("#accounts tbody tr"));
    }

    [Fact]
    public void TheNationalOperatorRegistersAnIntegrationAndSeesTheAuditVerified()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console", "demo-admin@national");
        Assert.Equal("/console/t/national", browser.Location);
        browser.Follow(browser.Driver.FindElement(By.LinkText("国家运营")));
        Assert.Equal("/console/national", browser.Location);
        Assert.True(browser.Find("#verify-result").Text.Contains("所有审计链完整", StringComparison.Ordinal), browser.Find("main").Text);

        // A URL that is not http(s): the API refuses it and the form says why.
        browser.Find("#integration-name").SendKeys("省级政务服务网");
        browser.Find("#integration-url").SendKeys("ftp://example.invalid/hook");
        browser.Find("#integration-secret").SendKeys("a-signing-secret-of-some-length");
        browser.Find("#integration-regions").SendKeys("jiangsu");
        browser.Navigating(() => browser.Find("form[action='/console/national/integrations'] button").Click());
        Assert.Contains("/url", browser.Find("#integration-problem").Text, StringComparison.Ordinal);

        browser.Find("#integration-url").Clear();
        browser.Find("#integration-url").SendKeys("http://127.0.0.1:9/hook");
        browser.Find("#integration-secret").SendKeys("a-signing-secret-of-some-length");
        browser.Navigating(() => browser.Find("form[action='/console/national/integrations'] button").Click());
        Assert.Equal("/console/national", browser.Location);
        Assert.Contains("http://127.0.0.1:9/hook", browser.Find("#integrations").Text, StringComparison.Ordinal);
        browser.Screenshot("console-national");

        // A region's editor has no business here: the API's refusal is the page.
        using var editor = Chromium.Open(server.Address);
        ConsoleSignIn.As(editor, "/console/national", "demo-editor@jiangsu");
        Assert.Equal("没有权限", editor.Heading);
    }

    [Fact]
    public void ConsolePagesAreLabelledSwitchToEnglishAndNeedNoHorizontalScrollingOnAPhone()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console", "demo-admin@jiangsu");
        string[] pages =
        [
            "/console/t/jiangsu", "/console/t/jiangsu/bundles", "/console/t/jiangsu/matters", "/console/t/jiangsu/standards",
            "/console/t/jiangsu/bundles/newborn", "/console/t/jiangsu/accounts", "/console/t/jiangsu/publishing", "/console/t/jiangsu/audit",
            "/console/t/jiangsu.nanjing.gulou/bundles/after-death",
        ];

        // Every control a person fills in has a label.
        foreach (var page in pages)
        {
            browser.Go(page);
            foreach (var control in browser.FindAll("input:not([type='hidden']), select, textarea"))
            {
                var id = control.GetAttribute("id");
                Assert.False(string.IsNullOrEmpty(id), $"{page}: a control without an id: {control.GetAttribute("outerHTML")}");
                Assert.True(browser.FindAll($"label[for='{id}']").Count == 1, $"{page}: #{id} has no label");
            }
        }

        // The province's admin reads a district's working copies, and only reads them: no form changes them.
        Assert.NotEmpty(browser.FindAll("#draft-state"));
        Assert.Empty(browser.FindAll("#changes form, #submit, #review, #rebase, #document"));

        // English by the switch, remembered on the next page.
        browser.Go("/console/t/jiangsu");
        browser.Follow(browser.Find("#switch-language"));
        Assert.Equal("en", browser.HtmlLang);
        Assert.Equal("Standards and adoptions", browser.Driver.FindElement(OpenQA.Selenium.By.CssSelector(".console-nav a[href='/console/t/jiangsu/standards']")).Text);
        browser.Go("/console/t/jiangsu/accounts");
        Assert.Equal("en", browser.HtmlLang);
        Assert.StartsWith("Accounts", browser.Heading, StringComparison.Ordinal);
        browser.Go("/console/t/jiangsu?lang=zh");

        browser.EmulatePhone(375, 812);
        foreach (var page in pages)
        {
            browser.Go(page);
            Assert.Equal(375L, browser.Script<long>("return window.innerWidth;"));
            var (scroll, client) = (browser.Script<long>("return document.documentElement.scrollWidth;"), browser.Script<long>("return document.documentElement.clientWidth;"));
            Assert.True(scroll <= client, $"{page}: {scroll} px of content in a {client} px wide window");
        }

        browser.Go("/console/t/jiangsu/standards");
        browser.Screenshot("console-matrix-phone");
    }
}

/// <summary>Signing in to the console as a person does: open a console page, be sent to the sign-in page, sign in, come back.</summary>
internal static class ConsoleSignIn
{
    public static void As(Chromium browser, string page, string user, string password = "demo-secret")
    {
        browser.Go(page);
        browser.Until(() => browser.Location == "/account/signin", "the sign-in page");
        browser.Find("#userName").SendKeys(user);
        browser.Find("#password").SendKeys(password);
        browser.Navigating(() => browser.Find("button[type='submit']").Click());
        browser.Until(() => browser.Location.StartsWith("/console/", StringComparison.Ordinal), "the console after signing in");
        Assert.Equal(user, browser.Find("#signed-in-as").Text);
    }

    public static void Out(Chromium browser)
    {
        browser.Navigating(() => browser.Find("form[action='/console/signout'] button").Click());
        browser.Until(() => !browser.Location.StartsWith("/console", StringComparison.Ordinal) && !browser.Location.StartsWith("/connect", StringComparison.Ordinal),
            "the sign-out to finish");
    }
}
