using OneGo.Browser.Tests.Infrastructure;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;
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
    public async Task AGrantWaitsForASecondAdminThenTheNewPersonSetsTheirPasswordFromTheMailAndEnrolsAnAuthenticator()
    {
        var name = "officer-wang-" + Guid.NewGuid().ToString("N")[..6];
        var email = $"{name}@example.gov.cn";
        using var admin = Chromium.Open(server.Address);
        ConsoleSignIn.As(admin, "/console/t/jiangsu/accounts", "demo-admin@jiangsu");

        // An address the browser lets through but OneGo does not (no domain): the API's 422 is shown beside the form, what was typed is kept, nothing is made.
        admin.Find("#account-user").SendKeys(name);
        admin.Find("#account-name").SendKeys("王科员");
        admin.Find("#account-email").SendKeys("wang@localhost");
        admin.Find("#role-reviewer").Click();
        admin.Navigating(() => admin.Find("form[action='/console/t/jiangsu/accounts'] button").Click());
        Assert.Contains("/email", admin.Find("#account-problem").Text, StringComparison.Ordinal);
        Assert.DoesNotContain(name, admin.Find("#accounts").Text, StringComparison.Ordinal);
        Assert.Equal(name, admin.Find("#account-user").GetAttribute("value"));
        Assert.True(admin.Find("#role-reviewer").Selected);
        admin.Find("#account-email").Clear();
        admin.Find("#account-email").SendKeys(email);
        admin.Navigating(() => admin.Find("form[action='/console/t/jiangsu/accounts'] button").Click());

        // The proposal waits: the proposing admin sees it, cannot decide it, and no mail has gone.
        var row = admin.Driver.FindElement(By.XPath($"//table[@id='accounts']//tr[th='{name}']"));
        Assert.Contains("尚未设置密码", row.Text, StringComparison.Ordinal);
        Assert.Contains("待批准", row.Text, StringComparison.Ordinal);
        var waiting = admin.Driver.FindElement(By.XPath($"//table[@id='changes']//tr[th='{name}']"));
        Assert.Contains("由另一位管理员决定", waiting.Text, StringComparison.Ordinal);
        Assert.Empty(waiting.FindElements(By.CssSelector("form")));
        Assert.Equal(0, await TestSmtp.CountAsync(email));
        admin.Screenshot("console-accounts-waiting");

        // A second admin, above, approves it from the same page.
        using (var second = Chromium.Open(server.Address))
        {
            ConsoleSignIn.As(second, "/console/t/jiangsu/accounts", "demo-admin@national");
            var change = second.Driver.FindElement(By.XPath($"//table[@id='changes']//tr[th='{name}']"));
            second.Navigating(() => change.FindElement(By.XPath(".//button[text()='批准']")).Click());
            Assert.Empty(second.Driver.FindElements(By.XPath($"//table[@id='changes']//tr[th='{name}']")));
        }

        // The person opens the link in the mail, sets a password of their own (a common one refused), signs in, enrols an authenticator.
        var mail = await TestSmtp.WaitForAsync(email, "Set your password");
        var link = System.Text.RegularExpressions.Regex.Match(mail, "https?://\\S+/account/password\\?link=\\S+").Value;
        using (var officer = Chromium.Open(server.Address))
        {
            officer.Go(new Uri(link).PathAndQuery);
            Assert.Equal(name, officer.Find("#account-name").Text);
            officer.Find("#newPassword").SendKeys("woaini1314520");
            officer.Find("#repeat").SendKeys("woaini1314520");
            officer.Navigating(() => officer.Find("main form button").Click());
            Assert.Contains("常见", officer.Find("#error").Text, StringComparison.Ordinal);
            officer.Find("#newPassword").SendKeys("lantern-harbour-violet");
            officer.Find("#repeat").SendKeys("lantern-harbour-violet");
            officer.Navigating(() => officer.Find("main form button").Click());
            Assert.Equal("/account/signin", officer.Location);

            officer.Go("/console");
            officer.Until(() => officer.Location == "/account/signin", "the sign-in page");
            officer.Find("#userName").SendKeys(name);
            officer.Find("#password").SendKeys("lantern-harbour-violet");
            officer.Navigating(() => officer.Find("button[type='submit']").Click());
            Assert.Equal("/account/second-factor", officer.Location);
            var key = officer.Find("#authenticator-key").Text.Replace(" ", "", StringComparison.Ordinal);
            Assert.NotEmpty(officer.FindAll("svg.qr"));
            officer.Screenshot("enrol-authenticator");
            officer.Find("#code").SendKeys(Tokens.Totp(key));
            officer.Navigating(() => officer.Find("main form button").Click());
            Assert.Equal(10, officer.FindAll("#recovery-codes li").Count);
            officer.Follow(officer.Find("#continue"));
            officer.Until(() => officer.Location == "/console/t/jiangsu", "the console after enrolling");
            Assert.Equal(name, officer.Find("#signed-in-as").Text);
            Assert.Contains("审核人", officer.Find(".who").Text, StringComparison.Ordinal);

            // Disabled by one admin, at once: the officer's next page ends the console session.
            admin.Go("/console/t/jiangsu/accounts");
            admin.Navigating(() => admin.Driver.FindElement(By.XPath($"//table[@id='accounts']//tr[th='{name}']//form[contains(@action,'/disable')]/button")).Click());
            Assert.Contains("已停用", admin.Driver.FindElement(By.XPath($"//table[@id='accounts']//tr[th='{name}']")).Text, StringComparison.Ordinal);
            officer.Go("/console/t/jiangsu/bundles");
            officer.Until(() => officer.Location == "/account/signin", "the disabled officer to be sent to sign in");
        }

        // The region's auditor — not its admin — reads what happened.
        using var auditor = Chromium.Open(server.Address);
        ConsoleSignIn.As(auditor, "/console/t/jiangsu/audit", "demo-auditor@jiangsu");
        var audit = auditor.Find("#audit").Text;
        foreach (var action in (string[])["account.propose", "account.change-approve", "account.password-set", "account.second-factor-enrol", "account.disable"])
        {
            Assert.Contains(action, audit, StringComparison.Ordinal);
        }

        auditor.Screenshot("console-audit");
        admin.Go("/console/t/jiangsu/audit");
        Assert.Equal("没有权限", admin.Heading);
    }

    [Fact]
    public void AnAdminPublishesNowAndTheRunIsListed()
    {
        using var admin = Chromium.Open(server.Address);
        ConsoleSignIn.As(admin, "/console/t/zhejiang/publishing", "demo-admin@zhejiang");
        var before = admin.FindAll("#runs tbody tr").Count(r => r.Text.Contains("manual", StringComparison.Ordinal));
        admin.Navigating(() => admin.Find("form[action='/console/t/zhejiang/publishing'] button").Click());
        Assert.Equal("/console/t/zhejiang/publishing", admin.Location);
        Assert.Equal(before + 1, admin.FindAll("#runs tbody tr").Count(r => r.Text.Contains("manual", StringComparison.Ordinal)));
        // The newest run is first, asked for by this admin.
        Assert.Contains("demo-admin@zhejiang", admin.FindAll("#runs tbody tr")[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APersonStaysSignedInAfterTheirAccessTokenHasExpired()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console/t/jiangsu/accounts", "demo-admin@jiangsu");
        // The test server's access tokens live 20 seconds. A token issued after the person's first one expires after
        // it: once the API refuses that one, the person's first token has expired too, and the refresh token is what
        // keeps the session.
        using var later = new HttpClient { BaseAddress = server.Address };
        later.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(server.Api, "demo-editor@jiangsu"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await later.GetAsync("/api/t/jiangsu/drafts")).StatusCode);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await later.GetAsync("/api/t/jiangsu/drafts")).StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, "An access token of the test server was still accepted after two minutes.");
            await Task.Delay(250);
        }

        browser.Go("/console/t/jiangsu/accounts");
        Assert.Equal("/console/t/jiangsu/accounts", browser.Location);
        Assert.NotEmpty(browser.FindAll("#accounts tbody tr"));
    }

    [Fact]
    public void TheNationalOperatorRegistersAnIntegrationAndTheNationalAuditorSeesTheChainsVerified()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console", "demo-admin@national");
        Assert.Equal("/console/t/national", browser.Location);
        browser.Follow(browser.Driver.FindElement(By.LinkText("国家运营")));
        Assert.Equal("/console/national", browser.Location);
        Assert.Empty(browser.FindAll("#verify-result"));

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

        // The national auditors verify the chains (三员管理: not the operator).
        using var auditor = Chromium.Open(server.Address);
        ConsoleSignIn.As(auditor, "/console", "demo-auditor@national");
        auditor.Follow(auditor.Driver.FindElement(By.LinkText("审计日志校验")));
        Assert.Equal("/console/verification", auditor.Location);
        Assert.True(auditor.Find("#verify-result").Text.Contains("所有审计链完整", StringComparison.Ordinal), auditor.Find("main").Text);
        browser.Go("/console/verification");
        Assert.Equal("没有权限", browser.Heading);
    }

    [Fact]
    public void ConsolePagesAreLabelledSwitchToEnglishAndNeedNoHorizontalScrollingOnAPhone()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, "/console", "demo-admin@jiangsu");
        string[] pages =
        [
            "/console/t/jiangsu", "/console/t/jiangsu/bundles", "/console/t/jiangsu/matters", "/console/t/jiangsu/standards",
            "/console/t/jiangsu/bundles/newborn", "/console/t/jiangsu/accounts", "/console/t/jiangsu/publishing",
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
        if (browser.Location == "/account/second-factor" && browser.FindAll("#authenticator-key").Count == 1)
        {
            // A first sign-in with a role that needs two factors: the person enrols the key the page shows, keeps the recovery codes and goes on.
            browser.Find("#code").SendKeys(Tokens.Totp(browser.Find("#authenticator-key").Text.Replace(" ", "", StringComparison.Ordinal)));
            browser.Navigating(() => browser.Find("main form button").Click());
            browser.Follow(browser.Find("#continue"));
        }
        else if (browser.Location == "/account/second-factor")
        {
            // Admins, reviewers and auditors: the code of the published demo authenticator, computed by Otp.NET.
            browser.Find("#code").SendKeys(Tokens.Totp());
            browser.Navigating(() => browser.Find("main form button").Click());
        }

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
