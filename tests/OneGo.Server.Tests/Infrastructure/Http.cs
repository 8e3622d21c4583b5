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

    /// <summary>Asserts the status of a response, showing its body when it is another: the problem says what went wrong.</summary>
    public static async Task<HttpResponseMessage> ExpectAsync(this Task<HttpResponseMessage> sending, System.Net.HttpStatusCode status)
    {
        var response = await sending;
        if (response.StatusCode != status)
        {
            Xunit.Assert.Fail($"Expected {(int)status} {status} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response;
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

    /// <summary>
    /// Review as two people do it: the editor submits the working copy named by <paramref name="etag"/>, then the
    /// reviewer approves what was submitted (through <see cref="ActAsTenantStaff"/>, which picks the role by route).
    /// Returns the first answer that is not a 200.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitAndApproveAsync(this HttpClient client, string draftUrl, string etag)
    {
        var submitted = await client.SendJsonAsync(HttpMethod.Post, draftUrl + "/submit", ifMatch: etag);
        return submitted.StatusCode != System.Net.HttpStatusCode.OK
            ? submitted
            : await client.SendJsonAsync(HttpMethod.Post, draftUrl + "/approve", ifMatch: submitted.ETag());
    }

    /// <summary>Review by two named clients: <paramref name="editor"/> submits, <paramref name="reviewer"/> approves; asserts both succeed.</summary>
    public static async Task<HttpResponseMessage> SubmitAndApproveWithAsync(this HttpClient editor, HttpClient reviewer, string draftUrl, string etag)
    {
        var submitted = await editor.SendJsonAsync(HttpMethod.Post, draftUrl + "/submit", ifMatch: etag);
        Xunit.Assert.Equal(System.Net.HttpStatusCode.OK, submitted.StatusCode);
        var approved = await reviewer.SendJsonAsync(HttpMethod.Post, draftUrl + "/approve", ifMatch: submitted.ETag());
        Xunit.Assert.Equal(System.Net.HttpStatusCode.OK, approved.StatusCode);
        return approved;
    }

    /// <summary>
    /// A matter's next live revision as review makes it: the editor writes its working copy (If-Match of the copy
    /// read, none for a new code) and submits it, then <paramref name="reviewer"/> — or, through
    /// <see cref="ActAsTenantStaff"/>, the tenant's reviewer — approves it. Returns the first answer that is not a success.
    /// </summary>
    public static async Task<HttpResponseMessage> ReviseMatterAsync(this HttpClient editor, string tenant, JsonNode matter, HttpClient? reviewer = null)
    {
        var draft = $"/api/t/{tenant}/matters/{Uri.EscapeDataString((string)matter["code"]!)}/draft";
        var read = await editor.GetAsync(draft);
        var saved = await editor.SendJsonAsync(HttpMethod.Put, draft, matter, read.IsSuccessStatusCode ? read.ETag() : null);
        if (!saved.IsSuccessStatusCode)
        {
            return saved;
        }

        var submitted = await editor.SendJsonAsync(HttpMethod.Post, draft + "/submit", ifMatch: saved.ETag());
        return !submitted.IsSuccessStatusCode ? submitted : await (reviewer ?? editor).SendJsonAsync(HttpMethod.Post, draft + "/approve", ifMatch: submitted.ETag());
    }

    public static MediaTypeHeaderValue? MediaType(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}
