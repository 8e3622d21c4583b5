using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace OneGo.Client;

/// <summary>
/// An integration's access token by the OAuth 2 client credentials grant at the node's <c>/connect/token</c>, kept until
/// a minute before it expires (access tokens live five minutes), then asked for again. Pass <see cref="TokenAsync"/>
/// to <see cref="OneGoApiClient.Create"/>.
/// </summary>
public sealed class ClientCredentials(HttpClient tokenEndpoint, string clientId, string clientSecret, string scope, TimeProvider? time = null)
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Token, DateTimeOffset Until)? _current;

    /// <summary>How many tokens were asked for: one per lifetime, not one per request.</summary>
    public int Requested { get; private set; }

    public async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } current && _time.GetUtcNow() < current.Until)
            {
                return current.Token;
            }

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = clientSecret, ["scope"] = scope,
            });
            using var response = await tokenEndpoint.PostAsync(new Uri("/connect/token", UriKind.Relative), form, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || body?.AccessToken is not { Length: > 0 } token)
            {
                throw new HttpRequestException($"The token endpoint refused {clientId}: {(int)response.StatusCode} {body?.Error} {body?.ErrorDescription}".TrimEnd(), null, response.StatusCode);
            }

            Requested++;
            _current = (token, _time.GetUtcNow() + TimeSpan.FromSeconds(body.ExpiresIn) - Margin);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
