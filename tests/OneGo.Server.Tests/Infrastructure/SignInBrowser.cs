using System.Net;
using System.Text.RegularExpressions;
using Duende.IdentityModel.OidcClient.Browser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// A person at a browser: follows the authorization request to OneGo's sign-in page, fills in the form, and
/// follows the redirects back to the client's callback — what an OIDC client library hands its browser.
/// </summary>
public sealed partial class SignInBrowser(WebApplicationFactory<Program> app, string userName, string password, string? authenticatorKey = OneGo.Server.Identity.DemoAccounts.AuthenticatorKey) : IBrowser
{
    private readonly CookieContainer _cookies = new();

    public async Task<BrowserResult> InvokeAsync(BrowserOptions options, CancellationToken cancellationToken = default)
    {
        using var client = app.CreateDefaultClient(new Uri("http://localhost"), new Cookies(_cookies));
        var response = await client.GetAsync(options.StartUrl, cancellationToken);
        for (var hops = 0; hops < 10 && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found; hops++)
        {
            var location = response.Headers.Location!;
            var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost"), location);
            if (absolute.AbsoluteUri.StartsWith(options.EndUrl, StringComparison.Ordinal))
            {
                return new BrowserResult { ResultType = BrowserResultType.Success, Response = absolute.AbsoluteUri };
            }

            if (absolute.AbsolutePath is "/account/signin" or "/account/second-factor")
            {
                var page = await client.GetStringAsync(absolute.PathAndQuery, cancellationToken);
                var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
                if (absolute.AbsolutePath == "/account/signin")
                {
                    fields["userName"] = userName;
                    fields["password"] = password;
                }
                else
                {
                    // The code a person reads off their authenticator, computed here with Otp.NET.
                    fields["code"] = authenticatorKey is null ? "000000" : Tokens.Totp(authenticatorKey);
                }

                response = await client.PostAsync(absolute.AbsolutePath, new FormUrlEncodedContent(fields), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    // The form again, with its error: the person could not sign in.
                    return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = "refused: " + await response.Content.ReadAsStringAsync(cancellationToken) };
                }

                continue;
            }

            response = await client.GetAsync(absolute.PathAndQuery, cancellationToken);
        }

        return new BrowserResult { ResultType = BrowserResultType.UnknownError, Error = $"ended at {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}" };
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    /// <summary>Keeps the sign-in cookie between the requests, as a browser does.</summary>
    private sealed class Cookies(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = new Uri("http://localhost" + request.RequestUri!.PathAndQuery);
            if (cookies.GetCookieHeader(uri) is { Length: > 0 } header)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var cookie in set)
                {
                    cookies.SetCookies(uri, cookie);
                }
            }

            return response;
        }
    }
}
