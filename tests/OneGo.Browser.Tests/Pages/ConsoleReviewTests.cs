using System.Net;
using System.Net.Http.Headers;
using OneGo.Browser.Tests.Infrastructure;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// Review in the console, both ways a reviewer can answer: Gulou's editor changes a matter's department in the live
/// employment bundle and submits; Gulou's reviewer tries to return it without a reason (refused beside the form:
/// the editor must be told what to change), returns it with one; the editor reads the reason on the working copy.
/// Then the editor proposes withdrawing the live retirement bundle, the reviewer finds it in the inbox marked as a
/// withdrawal and approves it, and the bundle is no longer live.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class ConsoleReviewTestsInChromiumOnSqlite(PagesServer server)
{
    private const string Gulou = "jiangsu.nanjing.gulou";

    [Fact]
    public void AReviewerReturnsAChangeWithAReasonTheEditorReads()
    {
        const string workspace = $"/console/t/{Gulou}/bundles/employment";
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, workspace, $"demo-editor@{Gulou}");
        browser.Find("#setMatterDepartment-matter option[value='social-insurance-enrolment']").Click();
        browser.Find("#setMatterDepartment-department").SendKeys("human-resources-social-security");
        browser.Navigating(() => browser.Find("#form-setMatterDepartment button").Click());
        Assert.Contains("social-insurance-enrolment", browser.Find("#change-list").Text, StringComparison.Ordinal);
        Assert.Equal("draft", browser.Find("#draft-state").GetAttribute("data-state"));
        browser.Navigating(() => browser.Find("#submit button").Click());
        Assert.Equal("submitted", browser.Find("#draft-state").GetAttribute("data-state"));
        ConsoleSignIn.Out(browser);

        ConsoleSignIn.As(browser, workspace, $"demo-reviewer@{Gulou}");
        // Returned without a reason: the API's 422 at /comment beside the form, and the change still waits for review.
        browser.Navigating(() => browser.Find("#review form.reject button").Click());
        var refusal = browser.Find("#problem-reject");
        Assert.Equal("422", refusal.GetAttribute("data-status"));
        Assert.Contains("/comment", refusal.Text, StringComparison.Ordinal);
        Assert.Equal("submitted", browser.Find("#draft-state").GetAttribute("data-state"));

        browser.Find("#reject-comment").SendKeys("社保经办机构请写全称：南京市鼓楼区社会保险管理中心。");
        browser.Navigating(() => browser.Find("#review form.reject button").Click());
        Assert.Equal("rejected", browser.Find("#draft-state").GetAttribute("data-state"));
        browser.Screenshot("console-rejected");
        ConsoleSignIn.Out(browser);

        // The editor reads why, and may change and submit again.
        ConsoleSignIn.As(browser, workspace, $"demo-editor@{Gulou}");
        Assert.Contains("南京市鼓楼区社会保险管理中心", browser.Find("#review-comment").Text, StringComparison.Ordinal);
        Assert.NotEmpty(browser.FindAll("#submit button"));
    }

    [Fact]
    public async Task AnEditorProposesWithdrawalWhichTheProposerCannotApproveEvenAsAReviewerAndAnotherReviewerApprovesIt()
    {
        // The proposer is both editor and reviewer: only four eyes, not a missing role, keeps them from approving it.
        // Brought in as OneGo brings people in: proposed by Gulou's admin, approved by the province's, password set from the mail.
        var proposer = "gulou-editor-reviewer-" + Guid.NewGuid().ToString("N")[..6];
        const string password = "a-long-enough-password";
        using (var admin = await AdminAsync(Gulou))
        using (var above = await AdminAsync("jiangsu"))
        {
            var email = People.Address(proposer);
            Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(admin, Gulou, proposer, email, "editor", "reviewer")).StatusCode);
            Assert.All(await People.ApproveAllAsync(above, Gulou, proposer), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            using var mailReader = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = server.Address };
            Assert.Equal(HttpStatusCode.Redirect, (await People.SetPasswordAsync(mailReader, await People.LinkFromMailAsync(email), password)).StatusCode);
        }

        const string workspace = $"/console/t/{Gulou}/bundles/retirement";
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, workspace, proposer, password);
        Assert.StartsWith("v", browser.Find("#live-version").Text, StringComparison.Ordinal);
        browser.Find("#withdraw summary").Click();
        browser.Find("#withdraw-comment").SendKeys("本区退休业务已并入市级平台统一办理。");
        browser.Navigating(() => browser.Find("#withdraw form button").Click());
        Assert.Equal("submitted", browser.Find("#draft-state").GetAttribute("data-state"));
        Assert.Contains("撤下", browser.Find("#draft-state").Text, StringComparison.Ordinal);

        // Four eyes: the proposer, a reviewer too, approves their own proposal and is refused beside the form; it still waits.
        browser.Navigating(() => browser.Find("#review form:not(.reject) button").Click());
        var refusal = browser.Find("#problem-approve");
        Assert.Equal("403", refusal.GetAttribute("data-status"));
        Assert.Contains(proposer, refusal.Text, StringComparison.Ordinal);
        Assert.Equal("submitted", browser.Find("#draft-state").GetAttribute("data-state"));
        Assert.StartsWith("v", browser.Find("#live-version").Text, StringComparison.Ordinal);
        ConsoleSignIn.Out(browser);

        ConsoleSignIn.As(browser, $"/console/t/{Gulou}/inbox", $"demo-reviewer@{Gulou}");
        var row = browser.FindAll("#inbox tbody tr").Single(r => r.Text.Contains("retirement", StringComparison.Ordinal));
        Assert.Contains("撤下", row.Text, StringComparison.Ordinal);
        Assert.Contains("本区退休业务已并入市级平台统一办理。", row.Text, StringComparison.Ordinal);
        browser.Go(workspace);
        browser.Navigating(() => browser.Find("#review form:not(.reject) button").Click());
        Assert.Equal("未上线", browser.Find("#live-version").Text);
        browser.Screenshot("console-withdrawn");
    }

    private async Task<HttpClient> AdminAsync(string tenant)
    {
        var client = new HttpClient { BaseAddress = server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.DemoTokenAsync(server.Api, () => Tokens.Browser(server.Address), "admin", tenant));
        return client;
    }
}
