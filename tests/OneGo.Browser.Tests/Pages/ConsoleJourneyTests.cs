using OneGo.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// Officers in Chromium, signing in through OneGo's own OpenID Connect sign-in (authorization code with PKCE, the
/// code exchanged by the server over its real loopback port): Gulou's editor adopts the national standard for
/// utility connections (水电气网联合报装), is refused a change the standard locks, makes a legal one and submits;
/// Gulou's reviewer approves it from the inbox; Jiangsu's admin sees the adoption matrix change.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class ConsoleJourneyTestsInChromiumOnSqlite(PagesServer server)
{
    private const string Gulou = "jiangsu.nanjing.gulou";
    private const string Standard = "utility-connection";
    private const string Workspace = $"/console/t/{Gulou}/bundles/{Standard}";

    [Fact]
    public async Task AnEditorAdoptsAndSubmitsAReviewerApprovesAndTheProvinceSeesTheMatrixChange()
    {
        using var browser = Chromium.Open(server.Address);

        // The province's admin first: Gulou has not adopted the national standard for utility connections.
        ConsoleSignIn.As(browser, "/console", $"demo-admin@jiangsu");
        Assert.Equal("/console/t/jiangsu", browser.Location);
        browser.Go("/console/t/jiangsu/standards");
        Assert.Equal("—", MatrixCell(browser).Text);
        Screenshot(browser, "console-matrix-before");
        ConsoleSignIn.Out(browser);

        // An anonymous visitor to the console is sent to sign in, and comes back to where they were going.
        ConsoleSignIn.As(browser, $"/console/t/{Gulou}/adopt", $"demo-editor@{Gulou}");
        Assert.Equal($"/console/t/{Gulou}/adopt", browser.Location);
        Screenshot(browser, "console-adopt");
        browser.Navigating(() => browser.Find($"form.adopt-{Standard} button").Click());
        Assert.Equal(Workspace, browser.Location);
        Assert.Equal("draft", browser.Find("#draft-state").GetAttribute("data-state"));
        Assert.Contains("/leadDepartment", browser.Find("#locked").Text, StringComparison.Ordinal);

        // The standard locks the lead department: the form says so, and the API's refusal is shown beside it.
        Assert.True(browser.Find("#locked-setLeadDepartment").Displayed);
        browser.Find("#setLeadDepartment-department").SendKeys("urban-management");
        browser.Navigating(() => browser.Find("#form-setLeadDepartment button").Click());
        var refusal = browser.Find("#error-setLeadDepartment");
        Assert.Contains("locked", refusal.Text, StringComparison.Ordinal);
        Assert.Contains("/changes/0", refusal.Text, StringComparison.Ordinal);
        Assert.Equal("urban-management", browser.Find("#setLeadDepartment-department").GetAttribute("value"));
        Assert.Empty(browser.FindAll("#change-list li"));
        Screenshot(browser, "console-locked-refusal");

        // A legal change: the local address. It is kept, and the effective bundle shows it.
        browser.Find("#setAddress-address").SendKeys("南京市鼓楼区政务服务中心二楼");
        browser.Navigating(() => browser.Find("#form-setAddress button").Click());
        Assert.Equal(Workspace, browser.Location);
        Assert.Single(browser.FindAll("#change-list li"));
        Assert.Contains("南京市鼓楼区政务服务中心二楼", browser.Find("#effective-address").Text, StringComparison.Ordinal);
        Assert.Contains("/serviceLocation", browser.Find("#diff-template").Text, StringComparison.Ordinal);

        browser.Find("#submit-comment").SendKeys("鼓楼区采用国家标准，补充本地办理地点。");
        browser.Navigating(() => browser.Find("#submit button").Click());
        Assert.Equal("submitted", browser.Find("#draft-state").GetAttribute("data-state"));
        // A submitted working copy is read-only: no form changes it or submits it again.
        Assert.Empty(browser.FindAll("#submit, fieldset[id^='form-'] form"));

        // Another district's drafts are not Gulou's editor's to read: the API's 403 is what the page shows.
        browser.Go("/console/t/jiangsu.nanjing.jiangning/bundles");
        Assert.Equal("没有权限", browser.Heading);
        Assert.Empty(browser.FindAll("#bundles"));
        Screenshot(browser, "console-submitted");
        ConsoleSignIn.Out(browser);

        // The reviewer: the inbox, the bundle, approve.
        ConsoleSignIn.As(browser, $"/console/t/{Gulou}/inbox", $"demo-reviewer@{Gulou}");
        browser.Follow(browser.Driver.FindElement(By.LinkText(Standard)));
        Assert.Equal(Workspace, browser.Location);
        Assert.Contains("鼓楼区采用国家标准", browser.Find("#review-comment").Text, StringComparison.Ordinal);
        Screenshot(browser, "console-review");
        browser.Navigating(() => browser.Find("#review form:not(.reject) button").Click());
        Assert.Equal("approved", browser.Find("#draft-state").GetAttribute("data-state"));
        Assert.Equal("v1", browser.Find("#live-version").Text);
        ConsoleSignIn.Out(browser);

        // Live now, as the API says; and the province's matrix shows Gulou at version 1 with one local change.
        var live = await server.JsonAsync($"/api/t/{Gulou}/bundles/{Standard}");
        Assert.Contains("南京市鼓楼区政务服务中心二楼", live.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), StringComparison.Ordinal);
        ConsoleSignIn.As(browser, "/console/t/jiangsu/standards", "demo-admin@jiangsu");
        Assert.StartsWith("v1", MatrixCell(browser).Text, StringComparison.Ordinal);
        Assert.Contains("1", MatrixCell(browser).Text.Split('·')[1], StringComparison.Ordinal);
        Screenshot(browser, "console-matrix-after");
        browser.Follow(MatrixCell(browser).FindElement(By.TagName("a")));
        Assert.Contains("/serviceLocation", browser.Find("#diff-template").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEditorChangesALocalMatterAReviewerApprovesItFromTheInboxAndTheBundlesUsingItSaySo()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, $"/console/t/{Gulou}/matters", $"demo-editor@{Gulou}");
        browser.Follow(browser.Driver.FindElement(By.LinkText("funeral-fee-waiver")));
        var matterPage = browser.Location;
        var original = browser.Find("#matter-json").GetAttribute("value") ?? "";
        Assert.Contains("\"department\": \"civil-affairs\"", original, StringComparison.Ordinal);

        // A promised time limit below zero: the API's 422 names the field, and what was typed is kept.
        var wrong = original.Replace("\"promisedDays\": 0", "\"promisedDays\": -3", StringComparison.Ordinal);
        Assert.NotEqual(original, wrong);
        browser.Script<object?>("document.getElementById('matter-json').value = arguments[0]; return null;", wrong);
        browser.Navigating(() => browser.Find("form.stack button").Click());
        Assert.Contains("/promisedDays", browser.Find("#matter-problem").Text, StringComparison.Ordinal);
        Assert.Contains("-3", browser.Find("#matter-json").GetAttribute("value"), StringComparison.Ordinal);

        // Saved, the change is the matter's working copy: nothing of it is live yet.
        // The matter moves from the district's civil affairs bureau to the city's funeral services (南京市殡葬管理处), by code.
        var right = original.Replace("\"department\": \"civil-affairs\"", "\"department\": \"funeral-services\"", StringComparison.Ordinal);
        Assert.NotEqual(original, right);
        browser.Script<object?>("document.getElementById('matter-json').value = arguments[0]; return null;", right);
        browser.Navigating(() => browser.Find("form.stack button").Click());
        Assert.Equal(matterPage, browser.Location);
        Assert.Equal("draft", browser.Find("#matter-state").GetAttribute("data-state"));
        browser.Find("#submit-comment").SendKeys("殡葬管理所承办减免。");
        browser.Navigating(() => browser.Find("#submit button").Click());
        Assert.Equal("submitted", browser.Find("#matter-state").GetAttribute("data-state"));
        Assert.Empty(browser.FindAll("#review"));
        browser.Go($"/console/t/{Gulou}/matters");
        Assert.DoesNotContain("殡葬管理处", browser.Find("#matters-list").Text, StringComparison.Ordinal);
        browser.Go($"/console/t/{Gulou}");
        Assert.Empty(browser.FindAll("#matters-changed"));
        ConsoleSignIn.Out(browser);

        // The reviewer finds it in the inbox beside the bundles, reads the comment, and approves it.
        ConsoleSignIn.As(browser, $"/console/t/{Gulou}/inbox", $"demo-reviewer@{Gulou}");
        browser.Follow(browser.Driver.FindElement(By.LinkText("funeral-fee-waiver")));
        Assert.Equal(matterPage, browser.Location);
        Assert.Contains("殡葬管理所承办减免", browser.Find("#review-comment").Text, StringComparison.Ordinal);
        browser.Navigating(() => browser.Find("#review form:not(.reject) button").Click());
        Assert.Equal("approved", browser.Find("#matter-state").GetAttribute("data-state"));
        browser.Go($"/console/t/{Gulou}/matters");
        Assert.Contains("南京市殡葬管理处", browser.Find("#matters-list").Text, StringComparison.Ordinal);

        // The live bundle built on that matter now says its matters changed since its approval.
        browser.Go($"/console/t/{Gulou}");
        Assert.Contains("funeral-fee-waiver", browser.Find("#matters-changed").Text, StringComparison.Ordinal);
    }

    private static IWebElement MatrixCell(Chromium browser) =>
        browser.Find($"#matrix td[data-tenant='{Gulou}'][data-code='{Standard}']");

    private static void Screenshot(Chromium browser, string name) => browser.Screenshot(name);
}
