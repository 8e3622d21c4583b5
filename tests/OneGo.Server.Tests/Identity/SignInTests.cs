using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Signing in (security review M2, M3, M9, L2, L12; bad-input C5, C6): guessing is counted atomically and slowed,
/// never answered with a lock anyone can set; one client cannot starve a region or the token endpoint; a sign-in
/// never ends on another site; a page elsewhere cannot sign an officer out.
/// </summary>
public abstract class SignInTests(Provider provider) : IAsyncLifetime
{
    private const string Victim = "demo-editor@zhejiang";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>A browser at a given address: keeps its cookies, follows no redirect.</summary>
    private static HttpClient From(WebApplicationFactory<Program> app, string address) =>
        new(new CookieJar(app.Server.CreateHandler(context => context.Connection.RemoteIpAddress = IPAddress.Parse(address))))
        {
            BaseAddress = new Uri("http://localhost"),
        };

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string userName, string password, string returnUrl = "/")
    {
        var page = await browser.GetStringAsync("/account/signin");
        var fields = People.Hidden(page);
        fields["userName"] = userName;
        fields["password"] = password;
        fields["returnUrl"] = returnUrl;
        return await browser.PostAsync("/account/signin", new FormUrlEncodedContent(fields));
    }

    private async Task<int> FailuresAsync(string key)
    {
        await using var db = _database.NewContext();
        return await db.Set<SignInFailures>().Where(f => f.Key == key).Select(f => f.Failures).SingleOrDefaultAsync();
    }

    [Fact]
    public async Task M2_ParallelGuessesAreAllCountedAndTheGuesserIsSlowedNotTheOfficer()
    {
        // The officer has signed in from their own browser before.
        using var officer = From(_app, "10.1.1.1");
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(officer, Victim, DemoAccounts.Secret)).StatusCode);

        // Twelve guesses at once from elsewhere: every one is counted, none slips through on a stale count.
        using var attacker = From(_app, "10.6.6.6");
        var pages = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var parallel = From(_app, "10.6.6.6");
            return await SignInAsync(parallel, Victim, "guess-" + Guid.NewGuid());
        }));
        Assert.All(pages, p => Assert.True(p.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        // Every guess whose password was looked at (answered 200, not refused 429 beforehand) is counted: none on a stale count.
        var examined = pages.Count(p => p.StatusCode == HttpStatusCode.OK);
        Assert.True(examined >= 4, $"at least the free guesses are examined ({examined})");
        Assert.Equal(examined, await FailuresAsync($"pair:{Victim}|10.6.6.6"));
        Assert.Equal(examined, await FailuresAsync($"name:{Victim}"));

        // The guesser now waits, even with the right password; no password is checked meanwhile.
        var slowed = await SignInAsync(attacker, Victim, DemoAccounts.Secret);
        Assert.Equal(HttpStatusCode.TooManyRequests, slowed.StatusCode);
        Assert.NotNull(slowed.Headers.RetryAfter);

        // The officer is not locked out of their own browser.
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(officer, Victim, DemoAccounts.Secret)).StatusCode);
        Assert.Equal(0, await FailuresAsync($"name:{Victim}"));
    }

    [Fact]
    public async Task M2_AnUnknownNameIsAnsweredAndCountedLikeAKnownOne()
    {
        using var browser = From(_app, "10.2.2.2");
        var known = await SignInAsync(browser, Victim, "not-the-password");
        var unknown = await SignInAsync(browser, "nobody-" + Guid.NewGuid().ToString("N")[..8], "not-the-password");
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Contains("用户名或密码不正确", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await FailuresAsync("client:10.2.2.2"));
    }

    [Fact]
    public async Task M3_OneClientCannotStarveARegionOrTheTokenEndpoint()
    {
        await using var app = new OneGoApp(_database, importOnStartup: false, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:ClientPerSecond"] = "1", ["RateLimiting:ClientBurst"] = "3",
            ["RateLimiting:IdentityPerSecond"] = "1", ["RateLimiting:IdentityBurst"] = "2",
            // Nothing refills during the test: what is refused is refused because of the count, not the clock.
            ["RateLimiting:Period"] = "01:00:00",
        });
        using var flood = From(app, "10.3.3.3");
        using var neighbour = From(app, "10.4.4.4");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add((await flood.GetAsync("/api/t/330000/bundles")).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.Equal(HttpStatusCode.OK, (await neighbour.GetAsync("/api/t/330000/bundles")).StatusCode);

        // A claimed forwarded address is believed only from a configured proxy: the flood keeps its own bucket.
        using var spoof = new HttpRequestMessage(HttpMethod.Get, "/api/t/330000/bundles");
        spoof.Headers.Add("X-Forwarded-For", "10.9.9.9");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await flood.SendAsync(spoof)).StatusCode);

        // Token requests have their own bucket per address, counted before any secret is hashed.
        var tokens = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            tokens.Add((await flood.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "demo-editor@zhejiang", ["client_secret"] = "wrong",
            }))).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, tokens);
        Assert.False(string.IsNullOrEmpty(await Tokens.RequestAsync(neighbour, "demo-editor@zhejiang")));
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\nSet-Cookie: x=1")]
    [InlineData("/\u3000/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task M9_C6_AReturnAddressOffTheSiteIsRefusedBeforeSignIn(string returnUrl)
    {
        using var browser = From(_app, "10.5.5.5");
        var refused = await SignInAsync(browser, Victim, DemoAccounts.Secret, returnUrl);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);
        Assert.DoesNotContain(refused.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("onego.signin=", StringComparison.Ordinal));
        var tenants = new CurrentTenant();
        await using var scoped = _database.NewContext(tenants);
        using (tenants.Enter("zhejiang"))
        {
            Assert.False(await scoped.Set<OneGo.Server.Features.Audit.AuditEntry>().AnyAsync(e => e.Action == "signin.success" && e.Actor == Victim));
        }

        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, Victim, DemoAccounts.Secret, "/console/t/zhejiang")).StatusCode);
    }

    [Fact]
    public async Task L2_TheSignInPageCannotBeFramedOrKept()
    {
        var page = await _app.CreateClient().GetAsync("/account/signin");
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.True(page.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task TheSignInPageAskedForInEnglishSaysItsWordsInEnglish()
    {
        using var browser = From(_app, "10.9.1.1");
        var page = await browser.GetAsync("/account/signin?lang=en");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(["en"], page.Content.Headers.ContentLanguage);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>Sign in · OneGo</title>", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"userName\">User name</label>", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"password\">Password</label>", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\">Sign in</button>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("用户名", html, StringComparison.Ordinal);

        // The choice is remembered: the form posted back, refused, answers in English too.
        var refused = await SignInAsync(browser, Victim, "not-the-password");
        Assert.Contains("<p class=\"error\" role=\"alert\" id=\"error\">The user name or password is not right.</p>", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedSignInIsAnsweredByTheFormAgainWithItsErrorAsAPageNeverKept()
    {
        using var browser = From(_app, "10.9.2.2");
        var refused = await SignInAsync(browser, Victim, "not-the-password", "/console");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.CacheControl!.NoStore);
        Assert.Contains("frame-ancestors 'none'", refused.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"error\" role=\"alert\" id=\"error\">用户名或密码不正确。</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        // The form again, with a fresh antiforgery token and the same address to return to: it signs in.
        var fields = People.Hidden(html);
        Assert.Equal("/console", fields["returnUrl"]);
        Assert.True(fields.ContainsKey("__RequestVerificationToken"));
        fields["userName"] = Victim;
        fields["password"] = DemoAccounts.Secret;
        var signedIn = await browser.PostAsync("/account/signin", new FormUrlEncodedContent(fields));
        Assert.Equal("/console", signedIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task L12_APageElsewhereCannotSignAnOfficerOut()
    {
        using var browser = From(_app, "10.7.7.7");
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, Victim, DemoAccounts.Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password/change")).StatusCode);

        // A cross-site link (a GET with no id token of the person's) asks instead of signing out…
        var link = await browser.GetAsync("/connect/endsession");
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        Assert.Contains("/connect/endsession", await link.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // …in the page's language alone, and never kept.
        Assert.Contains("<button type=\"submit\">退出</button>", await link.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(link.Headers.CacheControl!.NoStore);
        // …and a forged POST without the page's antiforgery token changes nothing either.
        await browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password/change")).StatusCode);

        // The person's own confirmation signs them out.
        var confirm = People.Hidden(await link.Content.ReadAsStringAsync());
        await browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(confirm));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account/password/change")).StatusCode);
    }

    [Fact]
    public async Task AReviewerNeedsTheSecondFactorAndARecoveryCodeWorksOnce()
    {
        using var browser = From(_app, "10.8.8.8");
        var password = await SignInAsync(browser, "demo-reviewer@zhejiang", DemoAccounts.Secret, "/console");
        Assert.Equal("/account/second-factor?returnUrl=%2Fconsole", password.Headers.Location?.OriginalString);
        // Half signed in: the authorization endpoint still sends the reviewer to sign in.
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account/password/change")).StatusCode);

        async Task<HttpResponseMessage> SecondAsync(string? code, string? recovery)
        {
            var fields = People.Hidden(await browser.GetStringAsync("/account/second-factor?returnUrl=%2Fconsole"));
            fields["code"] = code ?? "";
            fields["recoveryCode"] = recovery ?? "";
            return await browser.PostAsync("/account/second-factor", new FormUrlEncodedContent(fields));
        }

        Assert.Equal(HttpStatusCode.OK, (await SecondAsync("000000", null)).StatusCode);
        var signedIn = await SecondAsync(Tokens.Totp(), null);
        Assert.Equal("/console", signedIn.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/password/change")).StatusCode);

        // Recovery codes of a person who enrolled: each works once.
        using var person = From(_app, "10.8.8.9");
        var name = "recovery-" + Guid.NewGuid().ToString("N")[..6];
        using var proposer = await _app.AsAsync(Roles.Admin, "zhejiang");
        using var approver = await _app.AsAsync(Roles.Admin, RegionRules.NationalId);
        // Without a mail server here: the link is issued to the queue; this test reads it from there as the mail would carry it.
        var email = People.Address(name);
        Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(proposer, "zhejiang", name, email, Roles.Reviewer)).StatusCode);
        Assert.All(await People.ApproveAllAsync(approver, "zhejiang", name), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var link = await Eventually.HoldsAsync(() => Task.FromResult(PickedUpLink(email)), l => l is not null, "the set-password mail in the pickup folder");
        Assert.Equal(HttpStatusCode.Redirect, (await People.SetPasswordAsync(person, link!, "quiet-river-stones")).StatusCode);
        var first = await SignInAsync(person, name, "quiet-river-stones");
        var enrol = await person.GetStringAsync(first.Headers.Location!.OriginalString);
        var key = Tokens.EnrolmentKey(enrol)!;
        var fields = People.Hidden(enrol);
        fields["code"] = Tokens.Totp(key);
        var codes = System.Text.RegularExpressions.Regex.Matches(await (await person.PostAsync("/account/second-factor", new FormUrlEncodedContent(fields))).Content.ReadAsStringAsync(), "<li>([A-Z0-9]{5}-[A-Z0-9]{5})</li>")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);

        using var later = From(_app, "10.8.8.10");
        async Task<HttpResponseMessage> RecoverAsync()
        {
            var again = await SignInAsync(later, name, "quiet-river-stones");
            var form = People.Hidden(await later.GetStringAsync(again.Headers.Location!.OriginalString));
            form["recoveryCode"] = codes[0];
            return await later.PostAsync("/account/second-factor", new FormUrlEncodedContent(form));
        }

        Assert.Equal(HttpStatusCode.Redirect, (await RecoverAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RecoverAsync()).StatusCode);
    }

    /// <summary>The set-password link of a mail written to the host's pickup folder (no mail server configured here).</summary>
    private string? PickedUpLink(string email)
    {
        var folder = Path.Combine(_app.BlobFolder, "mail");
        if (!Directory.Exists(folder))
        {
            return null;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.eml"))
        {
            var message = MimeKit.MimeMessage.Load(file);
            if (message.To.Mailboxes.Any(m => m.Address == email) &&
                System.Text.RegularExpressions.Regex.Match(message.TextBody ?? "", "https?://\\S+/account/password\\?link=\\S+") is { Success: true } link)
            {
                return new Uri(link.Value).PathAndQuery;
            }
        }

        return null;
    }

    /// <summary>Keeps cookies between requests, as a browser does.</summary>
    private sealed class CookieJar(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly CookieContainer _cookies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = new Uri("http://localhost" + request.RequestUri!.PathAndQuery);
            if (_cookies.GetCookieHeader(uri) is { Length: > 0 } header)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var cookie in set)
                {
                    _cookies.SetCookies(uri, cookie);
                }
            }

            return response;
        }
    }
}

public sealed class SignInTestsOnSqlite() : SignInTests(Provider.Sqlite);

public sealed class SignInTestsOnPostgres() : SignInTests(Provider.Postgres);
