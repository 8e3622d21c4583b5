using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using OneGo.Client;
using OneGo.Client.Models;
using OneGo.Server.Hosting;
using JsonNode = System.Text.Json.Nodes.JsonNode;
using Problem = OneGo.Client.Models.Problem;
using OneGo.Server.Identity;

namespace OneGo.Server.ConsoleUi;

/// <summary>One error of a 422: the JSON pointer (or parameter) it names, the rule broken, and the sentence to show.</summary>
public sealed record FieldError(string? Pointer, string? Rule, string Message);

/// <summary>What the API answered: the status, the JSON body, the ETag and Location headers.</summary>
public sealed record ApiAnswer(int Status, JsonNode? Body, string? ETag, string? Location)
{
    /// <summary>What the generated client raised, as the answer it was: its status, and its problem's title and detail.</summary>
    public static ApiAnswer Of(ApiException refused) => new(refused.ResponseStatusCode, refused is Problem problem
        ? new JsonObject { ["title"] = problem.Title, ["detail"] = problem.Detail }
        : null, null, null);

    public bool Ok => Status is >= 200 and < 300;

    public string Title => Body?["title"]?.GetValue<string>() ?? $"HTTP {Status}";

    public string? Detail => Body?["detail"]?.GetValue<string>();

    /// <summary>The errors of a 422, each naming the field it is about.</summary>
    public IReadOnlyList<FieldError> Errors => Body?["errors"] is JsonArray errors
        ? errors.Select(e => new FieldError(
            e?["pointer"]?.GetValue<string>() ?? e?["parameter"]?.GetValue<string>(), e?["rule"]?.GetValue<string>(), e?["message"]?.GetValue<string>() ?? "")).ToList()
        : [];

}

/// <summary>A working copy as a page shows it: the typed record, its document as the API keeps it, and its ETag.</summary>
public sealed record WorkingCopy<TView>(TView View, JsonNode Document, string ETag);

/// <summary>
/// The console's way to everything: the API of this same node, called with the signed-in person's access token.
/// The console therefore holds no rule of its own — the API decides, with the same authorization, tenant
/// isolation, validation and preconditions as for any client — and shows what it answered.
/// </summary>
internal sealed class ConsoleApi(
    IHttpClientFactory clients, IHttpMessageHandlerFactory handlers, IHttpContextAccessor accessor, IServer server, IOptions<IdentitySettings> settings)
{
    public const string ClientName = "onego-console-api";

    private OneGoApiClient? _client;

    private HttpContext Context => accessor.HttpContext ?? throw new InvalidOperationException("The console calls the API within a request.");

    /// <summary>The cookie holding the person's tokens: the site's whose route this is (the applicants' pages name theirs), else the console's.</summary>
    private string CookieScheme => Context.GetEndpoint()?.Metadata.GetMetadata<PageSignIn>()?.CookieScheme ?? ConsoleSetup.CookieScheme;

    /// <summary>
    /// The applicant a window officer acts for (their subject): sent as <c>X-OneGo-Applicant</c> on the calls made
    /// through <see cref="SendAsync(HttpMethod, string, HttpContent?, string?, IReadOnlyDictionary{string, string}?)"/>, so the API
    /// answers in that applicant's scope, and refuses an officer who may not serve them.
    /// </summary>
    public string? ActingFor { get; set; }

    /// <summary>
    /// The API through the client generated from its OpenAPI document: typed records, the person's own access token,
    /// and no retry (a person is waiting for the page; a 429 is shown, not waited out). An answer that is not a success
    /// is raised as <see cref="ApiException"/> (<see cref="Problem"/> when it carries problem details).
    /// </summary>
    public OneGoApiClient Client => _client ??= OneGoApiClient.Create(
        ConsoleSetup.Authority(server, settings.Value),
        async _ => await Context.GetTokenAsync(CookieScheme, "access_token") ?? "",
        handlers.CreateHandler(ClientName),
        [new RetryHandlerOption { MaxRetry = 0 }]);

    /// <summary>The region's working copies — of one kind, in one state, when named — every page of them.</summary>
    public Task<List<DraftItem>> DraftsAsync(string tenant, string? kind = null, string? status = null) => AllAsync(async next =>
    {
        var page = await Client.Api.T[tenant].Drafts.GetAsync(
            q => (q.QueryParameters.Kind, q.QueryParameters.Status, q.QueryParameters.Limit, q.QueryParameters.Cursor) = (kind, status, Paging.MaxLimit, next), Context.RequestAborted);
        return (page?.Items, page?.Next);
    });

    /// <summary>The region's live bundles, every page of them.</summary>
    public Task<List<LiveBundleItem>> LiveAsync(string tenant) => AllAsync(async next =>
    {
        var page = await Client.Api.T[tenant].Bundles.GetAsync(q => (q.QueryParameters.Limit, q.QueryParameters.Cursor) = (Paging.MaxLimit, next), Context.RequestAborted);
        return (page?.Items, page?.Next);
    });

    /// <summary>Where each of the region's live bundles stands, every page of it.</summary>
    public Task<List<LiveStanding>> StandingAsync(string tenant) => AllAsync(async next =>
    {
        var page = await Client.Api.T[tenant].LiveStanding.GetAsync(q => (q.QueryParameters.Limit, q.QueryParameters.Cursor) = (Paging.MaxLimit, next), Context.RequestAborted);
        return (page?.Items, page?.Next);
    });

    /// <summary>The region's live matters, every page of them.</summary>
    public Task<List<MatterItem>> MattersAsync(string tenant) => AllAsync(async next =>
    {
        var page = await Client.Api.T[tenant].Matters.GetAsync(q => (q.QueryParameters.Limit, q.QueryParameters.Cursor) = (Paging.MaxLimit, next), Context.RequestAborted);
        return (page?.Items, page?.Next);
    });

    /// <summary>The standards the region offers, every page of them.</summary>
    public Task<List<TemplateItem>> TemplatesAsync(string tenant) => AllAsync(async next =>
    {
        var page = await Client.Api.T[tenant].Templates.GetAsync(q => (q.QueryParameters.Limit, q.QueryParameters.Cursor) = (Paging.MaxLimit, next), Context.RequestAborted);
        return (page?.Items, page?.Next);
    });

    /// <summary>Every item of a paged list read through <see cref="Client"/>, following its cursors 500 at a time.</summary>
    public static async Task<List<TItem>> AllAsync<TItem>(Func<string?, Task<(List<TItem>? Items, string? Next)>> page)
    {
        var items = new List<TItem>();
        string? next = null;
        do
        {
            var (some, after) = await page(next);
            items.AddRange(some ?? []);
            next = after;
        }
        while (next is not null);
        return items;
    }

    /// <summary>
    /// A working copy (at <paramref name="path"/>, a <c>…/draft</c> route) as the typed record the page shows, with the
    /// ETag a form sends back as If-Match, and its document as the JSON the API keeps: a person edits that JSON, and a
    /// model would reorder it and drop what it does not know. An answer that is not a success is raised.
    /// </summary>
    public async Task<WorkingCopy<TView>> WorkingCopyAsync<TView>(string path, Microsoft.Kiota.Abstractions.Serialization.ParsableFactory<TView> view)
        where TView : Microsoft.Kiota.Abstractions.Serialization.IParsable
    {
        var answer = await GetAsync(path);
        if (!answer.Ok || answer.Body is not JsonObject body)
        {
            throw new ConsoleApiException(answer);
        }

        return new WorkingCopy<TView>(Typed(body, view), body["document"] ?? new JsonObject(), answer.ETag ?? "");
    }

    /// <summary>A typed record read from JSON the page also keeps as the API wrote it (one read, two views of it).</summary>
    public static T Typed<T>(JsonNode node, Microsoft.Kiota.Abstractions.Serialization.ParsableFactory<T> factory)
        where T : Microsoft.Kiota.Abstractions.Serialization.IParsable
    {
        using var json = System.Text.Json.JsonDocument.Parse(node.ToJsonString());
        return new Microsoft.Kiota.Serialization.Json.JsonParseNode(json.RootElement).GetObjectValue(factory)!;
    }

    public Task<ApiAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null, null);

    public Task<ApiAnswer> PostAsync(string path, JsonNode? body = null, string? ifMatch = null) => SendAsync(HttpMethod.Post, path, body?.ToJsonString(), ifMatch);

    public Task<ApiAnswer> PutAsync(string path, JsonNode body, string? ifMatch) => SendAsync(HttpMethod.Put, path, body.ToJsonString(), ifMatch);

    /// <summary>Sends JSON as a person typed it: whether it is JSON at all is the API's to say, as for any client.</summary>
    public Task<ApiAnswer> PutAsync(string path, string json, string? ifMatch) => SendAsync(HttpMethod.Put, path, json, ifMatch);

    public Task<ApiAnswer> SendAsync(HttpMethod method, string path, string? json, string? ifMatch) =>
        SendAsync(method, path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"), ifMatch);

    /// <summary>Sends any body (a file as it was uploaded), with the headers a route asks for (an Idempotency-Key).</summary>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content, string? ifMatch, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var response = await RequestAsync(method, path, content, ifMatch, headers);
        return await AnswerAsync(response);
    }

    /// <summary>A file the API gives (an electronic result): its bytes and type, or the API's refusal as the page's notice.</summary>
    public async Task<(byte[] Bytes, string ContentType)> FileAsync(string path)
    {
        using var response = await RequestAsync(HttpMethod.Get, path, null, null, null);
        if (!response.IsSuccessStatusCode)
        {
            throw new ConsoleApiException(await AnswerAsync(response));
        }

        return (await response.Content.ReadAsByteArrayAsync(Context.RequestAborted), response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream");
    }

    private async Task<HttpResponseMessage> RequestAsync(HttpMethod method, string path, HttpContent? content, string? ifMatch, IReadOnlyDictionary<string, string>? headers)
    {
        var context = Context;
        using var request = new HttpRequestMessage(method, new Uri(ConsoleSetup.Authority(server, settings.Value), path)) { Content = content };
        var token = await context.GetTokenAsync(CookieScheme, "access_token");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ActingFor is not null)
        {
            request.Headers.TryAddWithoutValidation(Features.Applicants.OnBehalf.Header, ActingFor);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await clients.CreateClient(ClientName).SendAsync(request, context.RequestAborted);
    }

    private async Task<ApiAnswer> AnswerAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Context.RequestAborted);
        JsonNode? answered = null;
        if (text.Length > 0 && (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) ?? false))
        {
            answered = JsonNode.Parse(text);
        }

        var answer = new ApiAnswer((int)response.StatusCode, answered, response.Headers.ETag?.ToString(), response.Headers.Location?.ToString());
        // No page can go on without a valid token: the session ends (ConsolePages.RunAsync).
        return answer.Status == StatusCodes.Status401Unauthorized ? throw new ConsoleApiException(answer) : answer;
    }
}

/// <summary>An API answer the page cannot do without (its tenant unknown, the person without the right): shown as the page.</summary>
internal sealed class ConsoleApiException(ApiAnswer answer) : Exception(answer.Detail ?? answer.Title)
{
    public ApiAnswer Answer { get; } = answer;
}
