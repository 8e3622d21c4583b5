using System.Net;
using System.Text.RegularExpressions;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// A person's browser on the console of a real server process, without script: it keeps cookies, signs in through
/// OneGo's own sign-in page (authorization code with PKCE, the code exchanged by the server), and posts forms with the
/// antiforgery token the console's pages carry — or, as another site would, without it.
/// </summary>
public sealed partial class ConsoleSession : IDisposable
{
    private ConsoleSession(Uri address)
    {
        Client = new HttpClient(new Cookies { InnerHandler = new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false } })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public HttpClient Client { get; }

    /// <summary>A visitor who has not signed in.</summary>
    public static ConsoleSession Anonymous(Uri address) => new(address);

    /// <summary>
    /// Signs <paramref name="userName"/> in to the console — or, with <paramref name="site"/> <c>/apply</c>, to the
    /// applicants' pages — as a person at a browser does.
    /// </summary>
    public static async Task<ConsoleSession> SignInAsync(Uri address, string userName, string password, string site = "/console")
    {
        var session = new ConsoleSession(address);
        var response = await session.Client.GetAsync($"{site}/signin?returnUrl={site}");
        for (var hops = 0; hops < 12; hops++)
        {
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
            {
                var location = response.Headers.Location!;
                var next = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
                if (next.StartsWith(site + "/t/", StringComparison.Ordinal) || (site != "/console" && next == site))
                {
                    return session;
                }

                response = await session.Client.GetAsync(next);
                continue;
            }

            var page = await response.Content.ReadAsStringAsync();
            var path = response.RequestMessage!.RequestUri!.AbsolutePath;
            if (path == "/account/signin" && response.StatusCode == HttpStatusCode.OK && !page.Contains("role=\"alert\"", StringComparison.Ordinal))
            {
                var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
                fields["userName"] = userName;
                fields["password"] = password;
                response = await session.Client.PostAsync(response.RequestMessage.RequestUri.PathAndQuery, new FormUrlEncodedContent(fields));
                continue;
            }

            if (path == "/account/second-factor" && response.StatusCode == HttpStatusCode.OK && !page.Contains("role=\"alert\"", StringComparison.Ordinal))
            {
                // Admins, reviewers and auditors: the code of the published demo authenticator, computed by Otp.NET.
                var fields = HiddenField().Matches(page).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
                fields["code"] = Tokens.Totp();
                response = await session.Client.PostAsync("/account/second-factor", new FormUrlEncodedContent(fields));
                continue;
            }

            break;
        }

        session.Dispose();
        throw new InvalidOperationException($"{userName} could not sign in to {site}: {(int)response.StatusCode} at {response.RequestMessage?.RequestUri}");
    }

    /// <summary>The antiforgery token of the console's forms for this person, read from a page as the browser has it.</summary>
    public async Task<string> AntiforgeryTokenAsync(string page)
    {
        var html = await Client.GetStringAsync(page);
        var token = HiddenField().Matches(html).FirstOrDefault(m => m.Groups[1].Value == "__RequestVerificationToken")
            ?? throw new InvalidOperationException($"{page} carries no form with an antiforgery token.");
        return WebUtility.HtmlDecode(token.Groups[2].Value);
    }

    /// <summary>Posts a form; with <paramref name="antiforgery"/> null it is what another site's page would post.</summary>
    public Task<HttpResponseMessage> PostAsync(string url, IDictionary<string, string> fields, string? antiforgery)
    {
        var all = new Dictionary<string, string>(fields);
        if (antiforgery is not null)
        {
            all["__RequestVerificationToken"] = antiforgery;
        }

        return Client.PostAsync(url, new FormUrlEncodedContent(all));
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    /// <summary>
    /// The browser's cookie jar for one loopback origin. Browsers treat 127.0.0.1 as a secure context and send its
    /// Secure cookies (the sign-in's correlation and nonce cookies are SameSite=None, hence Secure) over plain HTTP;
    /// .NET's CookieContainer does not, so the jar is kept here: by name, dropped when the server expires them.
    /// </summary>
    private sealed class Cookies : DelegatingHandler
    {
        private readonly Dictionary<string, string> _jar = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_jar)
            {
                if (_jar.Count > 0)
                {
                    request.Headers.Add("Cookie", string.Join("; ", _jar.Select(c => $"{c.Key}={c.Value}")));
                }
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                lock (_jar)
                {
                    foreach (var cookie in set)
                    {
                        var parts = cookie.Split(';', StringSplitOptions.TrimEntries);
                        var (name, value) = (parts[0][..parts[0].IndexOf('=', StringComparison.Ordinal)], parts[0][(parts[0].IndexOf('=', StringComparison.Ordinal) + 1)..]);
                        var expired = parts.Any(p => p.StartsWith("expires=", StringComparison.OrdinalIgnoreCase)
                            && DateTimeOffset.TryParse(p["expires=".Length..], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                            && at < DateTimeOffset.UtcNow);
                        if (expired || value.Length == 0)
                        {
                            _jar.Remove(name);
                        }
                        else
                        {
                            _jar[name] = value;
                        }
                    }
                }
            }

            return response;
        }
    }
}
