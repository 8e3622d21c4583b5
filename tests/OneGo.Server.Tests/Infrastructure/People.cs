using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Testing;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// Bringing a person in as OneGo does: an admin proposes them, a second admin approves the grant, the person reads
/// the mailed link at the test mail server and sets their own password on the page it opens.
/// </summary>
public static partial class People
{
    /// <summary>A fresh address at the test mail server, so that a test reads only its own mail.</summary>
    public static string Address(string who) => $"{who}-{Guid.NewGuid():N}@example.gov.cn";

    public static Task<HttpResponseMessage> ProposeAsync(HttpClient admin, string tenant, string userName, string email, params string[] roles) =>
        admin.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/accounts", new { userName, displayName = userName, email, roles });

    /// <summary>Approves every change of the account that waits, as <paramref name="approver"/>; returns the answers.</summary>
    public static async Task<List<HttpResponseMessage>> ApproveAllAsync(HttpClient approver, string tenant, string userName)
    {
        // Every page of the inbox: a busy tenant's proposals do not fit on the first.
        var waiting = new List<long>();
        string? next = null;
        do
        {
            var page = await (await approver.GetAsync($"/api/t/{tenant}/account-changes?state=proposed" + (next is null ? "" : "&cursor=" + Uri.EscapeDataString(next)))).JsonAsync();
            waiting.AddRange(page["items"]!.AsArray().Where(c => (string?)c!["account"] == userName).Select(c => (long)c!["id"]!));
            next = (string?)page["next"];
        }
        while (next is not null);

        Assert.True(waiting.Count > 0, $"{userName} has no proposed change in {tenant} to approve.");
        var answers = new List<HttpResponseMessage>();
        foreach (var id in waiting)
        {
            answers.Add(await approver.PostAsync($"/api/t/{tenant}/account-changes/{id}/approve", null));
        }

        return answers;
    }

    /// <summary>The set-password link of the latest mail to <paramref name="email"/>, as a path on the server.</summary>
    public static async Task<string> LinkFromMailAsync(string email)
    {
        var text = await TestSmtp.WaitForAsync(email, "Set your password");
        var link = LinkPattern().Match(text);
        Assert.True(link.Success, "The mail holds a set-password link: " + text);
        return new Uri(link.Value).PathAndQuery;
    }

    /// <summary>Opens a set-password link and posts the form with <paramref name="password"/> twice; returns the answer.</summary>
    public static async Task<HttpResponseMessage> SetPasswordAsync(HttpClient browser, string link, string password)
    {
        var page = await browser.GetAsync(link);
        if (page.StatusCode != HttpStatusCode.OK)
        {
            return page;
        }

        var fields = Hidden(await page.Content.ReadAsStringAsync());
        fields["newPassword"] = password;
        fields["repeat"] = password;
        return await browser.PostAsync("/account/password", new FormUrlEncodedContent(fields));
    }

    /// <summary>The hidden fields of a page's form (antiforgery, link, token, returnUrl).</summary>
    public static Dictionary<string, string> Hidden(string page) =>
        HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));

    /// <summary>A browser on a test host: keeps cookies, follows no redirect.</summary>
    public static HttpClient Browser(WebApplicationFactory<Program> app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Brings a person in: proposed by one admin, approved by another, password set from the mailed link. Returns their address.</summary>
    public static async Task<string> BringInAsync(WebApplicationFactory<Program> app, HttpClient proposer, HttpClient approver, string tenant, string userName, string password, params string[] roles)
    {
        var email = Address(userName);
        Assert.Equal(HttpStatusCode.Created, (await ProposeAsync(proposer, tenant, userName, email, roles)).StatusCode);
        Assert.All(await ApproveAllAsync(approver, tenant, userName), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        using var browser = Browser(app);
        var set = await SetPasswordAsync(browser, await LinkFromMailAsync(email), password);
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        return email;
    }

    /// <summary>
    /// A person holding editor and reviewer (as the separation of duties allows): the tenant's demo editor, granted reviewer by its
    /// admin with the approval of the admin above, signed in with the authenticator it then enrols. Returns a client
    /// calling as that person, and their user name.
    /// </summary>
    public static async Task<(HttpClient Client, string UserName)> EditorAndReviewerAsync(WebApplicationFactory<Program> app, string tenant, string parent)
    {
        var name = OneGo.Server.Identity.DemoAccounts.UserName(OneGo.Server.Identity.Roles.Editor, tenant);
        using (var admin = await app.AsAsync(OneGo.Server.Identity.Roles.Admin, tenant))
        using (var above = await app.AsAsync(OneGo.Server.Identity.Roles.Admin, parent))
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/accounts/{name}/roles", new { role = "reviewer" })).StatusCode);
            Assert.All(await ApproveAllAsync(above, tenant, name), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        }

        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            await Tokens.PersonAsync(() => Tokens.Browser(app), name, OneGo.Server.Identity.DemoAccounts.Secret, authenticatorKey: null));
        return (client, name);
    }

    [GeneratedRegex("https?://[^\\s]+/account/password\\?link=[0-9a-f]+&token=[^\\s]+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();
}
