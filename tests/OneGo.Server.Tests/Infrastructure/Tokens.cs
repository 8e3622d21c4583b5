using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using OneGo.Server.Identity;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>Access tokens of the demo accounts, obtained from the server's own token endpoint (client credentials).</summary>
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

    /// <summary>A client that calls as the demo account of a role in a tenant.</summary>
    public static async Task<HttpClient> AsAsync(this WebApplicationFactory<Program> app, string role, string tenant)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await client.TokenAsync(DemoAccounts.UserName(role, tenant)));
        return client;
    }
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
