using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OtpNet;

namespace OneGo.Testing;

/// <summary>
/// A person signed in to OneGo as a browser would — the authorization request, the sign-in form, the second-factor
/// form when the server asks for it — and the code exchanged for tokens (the tools' loopback redirect, PKCE), with the
/// TOTP code computed here by Otp.NET (never by the server's own provider). Shared by the tests and the benchmarks,
/// which act as admins: an admin service account may only import.
/// </summary>
internal static partial class PersonSignIn
{
    /// <summary>The loopback redirect of tools that sign a person in, which the console's client accepts in demo mode.</summary>
    public const string ToolRedirect = "http://127.0.0.1/oidc-callback";

    /// <summary>The current TOTP code (RFC 6238: SHA-1, 6 digits, 30 s) of an authenticator key, computed by Otp.NET.</summary>
    public static string Totp(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    /// <summary>
    /// Signs a person in as a browser would — the authorization request, the sign-in form, the second-factor form when
    /// the server asks for it — and exchanges the code for tokens (the demo tool redirect, PKCE). Returns the access token.
    /// </summary>
    public static async Task<string> PersonAsync(Func<HttpClient> browser, string userName, string password, string? authenticatorKey)
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
                var fields = HiddenFields(page);
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
