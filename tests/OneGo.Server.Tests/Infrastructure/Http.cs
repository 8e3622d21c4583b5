using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>Small conveniences for calling the API as a client would.</summary>
public static class Http
{
    public static async Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            var json = body switch
            {
                string text => text,
                JsonNode node => node.ToJsonString(),
                _ => JsonSerializer.Serialize(body),
            };
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    public static string ETag(this HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new InvalidOperationException($"No ETag on {(int)response.StatusCode} {response.RequestMessage?.RequestUri}");

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("empty body");

    /// <summary>The pointers (or parameter names) of a 422 problem's errors.</summary>
    public static async Task<List<string>> ErrorPlacesAsync(this HttpResponseMessage response)
    {
        var problem = await response.JsonAsync();
        return problem["errors"]!.AsArray().Select(e => (string?)e!["pointer"] ?? (string)e!["parameter"]!).ToList();
    }

    public static MediaTypeHeaderValue? MediaType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}
