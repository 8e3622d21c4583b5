using System.Net;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Pages;

/// <summary>
/// The applicants' pages on a real server process, as a browser without script uses them: an anonymous visitor is
/// sent to sign in; a form posted without the page's antiforgery token (another site's page) changes nothing; with
/// it, the applicant's draft is prepared by the API with their own token; another applicant finds nothing of it; and a
/// staff person signed in there holds no scope to apply with, so the API's refusal is the page.
/// </summary>
public sealed class ApplicantPagesTestsOnSqlite : IAsyncLifetime
{
    private const string Start = "/apply/t/350205/bundles/enrolment";

    private TestDatabase _database = null!;
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Sqlite);
        _server = await ServerProcess.StartAsync(_database, $"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", "--Zone:RelayEnabled=false");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task AnApplicantsPagesNeedTheirSessionAndTheirPagesTokenAndShowNoOneElsesApplication()
    {
        using var anonymous = ConsoleSession.Anonymous(_server.Address);
        var sent = await anonymous.Client.GetAsync(Start + "?q.guide=haicang-hukou");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.StartsWith("/apply/signin?returnUrl=", sent.Headers.Location?.PathAndQuery, StringComparison.Ordinal);

        using var zhang = await ConsoleSession.SignInAsync(_server.Address, "demo-applicant-zhang", DemoAccounts.Secret, site: "/apply");
        using var zhangApi = await _server.ClientAsync("demo-applicant-zhang", "apply");
        var answers = new Dictionary<string, string> { ["q.guide"] = "haicang-hukou" };

        // Another site's page posting the start form: no token, refused before anything is prepared.
        var forged = await zhang.PostAsync(Start, answers, antiforgery: null);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Empty((await (await zhangApi.GetAsync("/api/me/applications")).JsonAsync())["items"]!.AsArray());

        // The page's own form: the draft is prepared, and its page opens.
        var token = await zhang.AntiforgeryTokenAsync(Start + "?q.guide=haicang-hukou");
        var started = await zhang.PostAsync(Start, answers, token);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var page = started.Headers.Location!.OriginalString;
        Assert.StartsWith("/apply/t/fujian.xiamen.haicang/applications/", page, StringComparison.Ordinal);
        var id = page.Split('/')[^1];
        var draft = await (await zhangApi.GetAsync("/api/me/applications")).JsonAsync();
        Assert.Equal(id, (string?)Assert.Single(draft["items"]!.AsArray())!["id"]);
        var shown = await zhang.Client.GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("data-state=\"draft\"", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Personal data is on it: no cache keeps it.
        Assert.True(shown.Headers.CacheControl?.NoStore);

        // Another applicant, signed in on their own pages, finds no such application, and nothing of it changes.
        using var chen = await ConsoleSession.SignInAsync(_server.Address, "demo-applicant-chen", DemoAccounts.Secret, site: "/apply");
        Assert.Equal(HttpStatusCode.NotFound, (await chen.Client.GetAsync(page)).StatusCode);
        var chenToken = await chen.AntiforgeryTokenAsync("/apply");
        var theirs = await chen.PostAsync(page + "/values", new Dictionary<string, string> { ["v.phone"] = "13900139000", ["shown.phone"] = "", ["type.phone"] = "phone" }, chenToken);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        var after = await (await zhangApi.GetAsync($"/api/t/350205/applications/{id}")).JsonAsync();
        Assert.Null(after["values"]!["phone"]);

        // A staff person who signs in on the applicants' pages holds no scope to apply with: the API's 403 is the page.
        using var editor = await ConsoleSession.SignInAsync(_server.Address, DemoAccounts.UserName(Roles.Editor, "fujian.xiamen.haicang"), DemoAccounts.Secret, site: "/apply");
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.Client.GetAsync("/apply")).StatusCode);
    }
}
