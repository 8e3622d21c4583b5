using Microsoft.Kiota.Abstractions.Authentication;

namespace OneGo.Client;

/// <summary>
/// The access token of whoever calls — a signed-in person's, or an integration's from <see cref="ClientCredentials"/> —
/// for Kiota's bearer authentication, sent only to the OneGo node's own host, so that a link to another host in a
/// response never carries it away.
/// </summary>
public sealed class BearerToken(Uri baseAddress, Func<CancellationToken, Task<string>> accessToken) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new([baseAddress.Host]);

    public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        AllowedHostsValidator.IsUrlHostValid(uri) ? await accessToken(cancellationToken).ConfigureAwait(false) : string.Empty;
}
