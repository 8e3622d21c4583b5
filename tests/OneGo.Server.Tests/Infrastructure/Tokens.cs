using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Server.Identity;
using OtpNet;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// Access tokens of the demo accounts, from the server's own endpoints: client credentials for service accounts, and
/// for people the authorization code flow with PKCE through the real sign-in pages — password, then a TOTP code
/// computed here with Otp.NET from the published demo authenticator key (never with the server's own provider).
/// Admins and auditors act as people: an admin service account may only import.
/// </summary>
public static partial class Tokens
{
    // Per client object: each test host has its own database and keys, so tokens never travel between hosts.
    private static readonly ConcurrentDictionary<(HttpClient Server, string Client), Task<string>> Cache = new();

    public static Task<string> TokenAsync(this HttpClient anonymous, string clientId, string secret = DemoAccounts.Secret, string? scope = null) =>
        Cache.GetOrAdd((anonymous, clientId), _ => RequestAsync(anonymous, clientId, secret, scope));

    public static async Task<string> RequestAsync(HttpClient anonymous, string clientId, string secret = DemoAccounts.Secret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        var response = await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (string?)body["access_token"] ?? throw new InvalidOperationException($"No token for {clientId}: {body.ToJsonString()}");
    }

    /// <summary>The loopback redirect of tools that sign a person in, which the console's client accepts in demo mode.</summary>
    public const string ToolRedirect = "http://127.0.0.1/oidc-callback";

    /// <summary>Roles whose demo account the tests use as a person (signed in with a second factor), not as a service account.</summary>
    public static bool ActsAsPerson(string role) => role is Roles.Admin or Roles.Auditor or Roles.Officer;

    /// <summary>A token for the demo account of a role in a tenant: a person's for admins, auditors and officers (a window officer checks identity cards in person), the service account's otherwise.</summary>
    public static Task<string> DemoTokenAsync(HttpClient anonymous, Func<HttpClient> browser, string role, string tenant) =>
        ActsAsPerson(role)
            ? Cache.GetOrAdd((anonymous, "person:" + DemoAccounts.UserName(role, tenant)), _ => PersonAsync(browser, DemoAccounts.UserName(role, tenant)))
            : anonymous.TokenAsync(DemoAccounts.UserName(role, tenant));

    /// <summary>A client that calls as the demo account of a role in a tenant.</summary>
    public static async Task<HttpClient> AsAsync(this WebApplicationFactory<Program> app, string role, string tenant)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await DemoTokenAsync(client, () => Browser(app), role, tenant));
        return client;
    }

    /// <summary>A client that calls as the demo officer of a department of a tenant (<see cref="DemoAccounts.DepartmentOfficer"/>), signed in as a person.</summary>
    public static async Task<HttpClient> OfficerOfAsync(this WebApplicationFactory<Program> app, string department, string tenant)
    {
        var client = app.CreateClient();
        var name = DemoAccounts.DepartmentOfficer(department, tenant);
        var token = await Cache.GetOrAdd((client, "person:" + name), _ => PersonAsync(() => Browser(app), name));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An HTTP client that does not follow redirects, on a test host, as a browser's first hop.</summary>
    public static HttpClient Browser(WebApplicationFactory<Program> app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://localhost") });

    /// <summary>An HTTP client that does not follow redirects, on a server listening at <paramref name="address"/>.</summary>
    public static HttpClient Browser(Uri address) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The current TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of an authenticator key, computed by Otp.NET.</summary>
    public static string Totp(string key = DemoAccounts.AuthenticatorKey) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    /// <summary>
    /// Signs a person in as a browser would — the authorization request, the sign-in form, the second-factor form when
    /// the server asks for it — and exchanges the code for tokens (the demo tool redirect, PKCE). Returns the access token.
    /// </summary>
    public static async Task<string> PersonAsync(Func<HttpClient> browser, string userName, string password = DemoAccounts.Secret, string? authenticatorKey = DemoAccounts.AuthenticatorKey)
    {
        using var http = browser();
        var cookies = new CookieContainer();
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        var authorize = "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = "onego-console", ["redirect_uri"] = ToolRedirect, ["response_type"] = "code",
            ["scope"] = "openid profile offline_access api", ["code_challenge"] = challenge, ["code_challenge_method"] = "S256",
            ["state"] = Guid.NewGuid().ToString("N"), ["nonce"] = Guid.NewGuid().ToString("N"),
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        var response = await SendAsync(http, cookies, HttpMethod.Get, authorize, null);
        string? code = null;
        for (var hops = 0; hops < 12 && code is null; hops++)
        {
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther))
            {
                throw new InvalidOperationException($"Signing {userName} in stopped at {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            var location = response.Headers.Location!;
            var target = location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location);
            if (target.AbsoluteUri.StartsWith(ToolRedirect, StringComparison.Ordinal))
            {
                code = System.Web.HttpUtility.ParseQueryString(target.Query)["code"];
                break;
            }

            var path = target.PathAndQuery;
            if (target.AbsolutePath is "/account/signin" or "/account/second-factor")
            {
                var page = await (await SendAsync(http, cookies, HttpMethod.Get, path, null)).Content.ReadAsStringAsync();
                var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
                if (target.AbsolutePath == "/account/signin")
                {
                    fields["userName"] = userName;
                    fields["password"] = password;
                }
                else if (EnrolmentKey(page) is { } shown)
                {
                    // First sign-in: the person adds the key the page shows to their authenticator, and enters its code.
                    fields["code"] = Totp(shown);
                }
                else
                {
                    fields["code"] = Totp(authenticatorKey ?? throw new InvalidOperationException($"{userName} needs a second factor, and no authenticator key was given."));
                }

                response = await SendAsync(http, cookies, HttpMethod.Post, target.AbsolutePath, new FormUrlEncodedContent(fields));
                if (response.StatusCode == HttpStatusCode.OK && ContinueLink().Match(await response.Content.ReadAsStringAsync()) is { Success: true } next)
                {
                    // Enrolled: the recovery codes are shown once, then the person continues where they were going.
                    response = await SendAsync(http, cookies, HttpMethod.Get, WebUtility.HtmlDecode(next.Groups[1].Value), null);
                }

                continue;
            }

            response = await SendAsync(http, cookies, HttpMethod.Get, path, null);
        }

        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code ?? throw new InvalidOperationException($"Signing {userName} in gave no code."),
            ["redirect_uri"] = ToolRedirect, ["client_id"] = "onego-console", ["code_verifier"] = verifier,
        }));
        var body = JsonNode.Parse(await token.Content.ReadAsStringAsync())!;
        return (string?)body["access_token"] ?? throw new InvalidOperationException($"No token for {userName}: {body.ToJsonString()}");
    }

    /// <summary>One request as a browser sends it: the cookies it holds for the address, and those the answer sets kept.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, CookieContainer cookies, HttpMethod method, string path, HttpContent? content)
    {
        var uri = new Uri(http.BaseAddress!, path);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (cookies.GetCookieHeader(uri) is { Length: > 0 } header)
        {
            request.Headers.Add("Cookie", header);
        }

        var response = await http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var set))
        {
            foreach (var cookie in set)
            {
                cookies.SetCookies(uri, cookie);
            }
        }

        return response;
    }

    /// <summary>The authenticator key an enrolment page shows, or null on any other page.</summary>
    public static string? EnrolmentKey(string page) =>
        EnrolmentKeyPattern().Match(page) is { Success: true } match ? match.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal) : null;

    [GeneratedRegex("<a id=\"continue\" href=\"([^\"]+)\"")]
    private static partial Regex ContinueLink();

    [GeneratedRegex("id=\"authenticator-key\">([A-Z2-7 ]+)<")]
    private static partial Regex EnrolmentKeyPattern();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The hidden fields of a form page (the antiforgery token, the return address), by name.</summary>
    public static Dictionary<string, string> HiddenFields(string page) =>
        HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();
}

/// <summary>
/// For tests of the catalogue's behaviour rather than of authorization: each request to <c>/api/t/{tenant}/…</c>
/// goes out with the token of that tenant's demo editor — or reviewer, for a review transition.
/// </summary>
public sealed class ActAsTenantStaff(HttpClient anonymous) : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, string> _ids = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > 2 && segments[0] == "api" && segments[1] == "t" && request.Headers.Authorization is null)
        {
            var tenant = await TenantIdAsync(segments[2]);
            var role = segments[^1] is "approve" or "reject" ? Roles.Reviewer : Roles.Editor;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await anonymous.TokenAsync(DemoAccounts.UserName(role, tenant)));
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> TenantIdAsync(string idOrCode)
    {
        if (_ids.TryGetValue(idOrCode, out var id))
        {
            return id;
        }

        var tenant = JsonNode.Parse(await anonymous.GetStringAsync($"/api/tenants/{idOrCode}"))!;
        return _ids[idOrCode] = (string)tenant["id"]!;
    }

    public static HttpClient For(WebApplicationFactory<Program> app) => app.CreateDefaultClient(new ActAsTenantStaff(app.CreateClient()));

    public static HttpClient For(Uri address) =>
        new(new ActAsTenantStaff(new HttpClient { BaseAddress = address }) { InnerHandler = new HttpClientHandler() }) { BaseAddress = address };
}
