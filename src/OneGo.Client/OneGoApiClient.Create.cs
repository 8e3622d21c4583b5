using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace OneGo.Client;

public partial class OneGoApiClient
{
    /// <summary>
    /// A client of the OneGo node at <paramref name="baseAddress"/>, sending <paramref name="accessToken"/>'s bearer token
    /// (none for the public routes) with each request to that node's host and to no other. Kiota's own handlers — retry
    /// of 429/503 honouring Retry-After, redirects, the user agent — sit above <paramref name="transport"/>, set by
    /// <paramref name="handlerOptions"/> where given (a page a person waits for retries nothing, say).
    /// </summary>
    public static OneGoApiClient Create(
        Uri baseAddress, Func<CancellationToken, Task<string>>? accessToken = null, HttpMessageHandler? transport = null, IRequestOption[]? handlerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        IAuthenticationProvider authentication = accessToken is null
            ? new AnonymousAuthenticationProvider()
            : new BaseBearerTokenAuthenticationProvider(new BearerToken(baseAddress, accessToken));
        var http = KiotaClientFactory.Create(transport ?? KiotaClientFactory.GetDefaultHttpMessageHandler(), handlerOptions);
        http.BaseAddress = baseAddress;
        var adapter = new HttpClientRequestAdapter(authentication, httpClient: http)
        {
            BaseUrl = baseAddress.GetLeftPart(UriPartial.Authority) + baseAddress.AbsolutePath.TrimEnd('/'),
        };
        return new OneGoApiClient(adapter);
    }
}
