using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Server.Identity;
using OneGo.Testing;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// Access tokens of the demo accounts, from the server's own endpoints: client credentials for service accounts, and
/// for people the authorization code flow with PKCE through the real sign-in pages — password, then a TOTP code
/// computed here with Otp.NET from the published demo authenticator key (never with the server's own provider).
/// Admins and auditors act as people: an admin service account may only import.
/// </summary>
public static class Tokens
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

    /// <inheritdoc cref="PersonSignIn.ToolRedirect"/>
    public const string ToolRedirect = PersonSignIn.ToolRedirect;

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

    /// <inheritdoc cref="PersonSignIn.Totp"/>
    public static string Totp(string key = DemoAccounts.AuthenticatorKey) => PersonSignIn.Totp(key);

    /// <summary>Signs a demo person in through the real sign-in pages (<see cref="PersonSignIn.PersonAsync"/>). Returns the access token.</summary>
    public static Task<string> PersonAsync(Func<HttpClient> browser, string userName, string password = DemoAccounts.Secret, string? authenticatorKey = DemoAccounts.AuthenticatorKey) =>
        PersonSignIn.PersonAsync(browser, userName, password, authenticatorKey);

    /// <inheritdoc cref="PersonSignIn.SendAsync"/>
    public static Task<HttpResponseMessage> SendAsync(HttpClient http, CookieContainer cookies, HttpMethod method, string path, HttpContent? content) =>
        PersonSignIn.SendAsync(http, cookies, method, path, content);

    /// <inheritdoc cref="PersonSignIn.EnrolmentKey"/>
    public static string? EnrolmentKey(string page) => PersonSignIn.EnrolmentKey(page);

    /// <inheritdoc cref="PersonSignIn.HiddenFields"/>
    public static Dictionary<string, string> HiddenFields(string page) => PersonSignIn.HiddenFields(page);
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
