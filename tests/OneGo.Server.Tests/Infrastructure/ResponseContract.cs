using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// The committed OpenAPI document (<c>openapi/v1.json</c>) as the judge of what the server answers: for one exchange it
/// names every way the response departs from what the document says that operation answers — a path or method the
/// document does not have, a status it does not declare, a required header missing or a declared header's value off its
/// schema, an ETag or Location the document does not declare, a content type it does not declare, a body where it
/// declares none, and a body that is not valid against the declared schema. The document is read with Microsoft.OpenApi;
/// bodies are validated with JsonSchema.Net as JSON Schema 2020-12 (OpenAPI 3.1's dialect), each <c>$ref</c> resolved
/// in the document itself.
/// </summary>
public sealed class ResponseContract
{
    private const string Json = "application/json";

    // Headers a client acts on (If-Match, following what was created): sent, they must be in the document.
    private static readonly string[] HeadersThatMustBeDeclared = ["ETag", "Location"];

    /// <summary>The repository's <c>openapi/v1.json</c>.</summary>
    public static string CommittedPath { get; } = Path.Combine(Path.GetDirectoryName(RepositoryTenants.Folder)!, "openapi", "v1.json");

    private static readonly Lazy<ResponseContract> CommittedDocument = new(() => Load(CommittedPath));

    private readonly Uri _documentUri = new("https://onego.invalid/openapi/v1.json");
    private readonly BuildOptions _build = new() { Dialect = Dialect.Draft202012, SchemaRegistry = new SchemaRegistry() };
    private readonly EvaluationOptions _evaluate = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly List<(string Template, string[] Segments, IOpenApiPathItem Item)> _paths;

    private ResponseContract(string text)
    {
        var read = OpenApiDocument.Parse(text, OpenApiConstants.Json, new OpenApiReaderSettings());
        if (read.Document is null || read.Diagnostic?.Errors.Count > 0)
        {
            throw new InvalidOperationException("The OpenAPI document does not read: " + string.Join("; ", read.Diagnostic?.Errors.Select(e => e.ToString()) ?? []));
        }

        _paths = [.. (read.Document.Paths ?? []).Select(p => (p.Key, p.Key.Trim('/').Split('/'), p.Value))];
        // The whole document is the base every $ref of a schema resolves against (#/components/schemas/…).
        JsonSchema.Build(JsonDocument.Parse(text).RootElement, _build, _documentUri);
    }

    /// <summary>The committed document, read once per test run.</summary>
    public static ResponseContract Committed => CommittedDocument.Value;

    public static ResponseContract Load(string path) => new(File.ReadAllText(path));

    /// <summary>The operation id the document gives a request's method and path, or null when it has none.</summary>
    public string? OperationId(HttpMethod method, Uri uri) => Find(method, uri) is { Operation: { } operation } ? operation.OperationId : null;

    /// <summary>Every way the response to <paramref name="request"/> departs from the document; none when it is described.</summary>
    public IReadOnlyList<string> Check(HttpRequestMessage request, HttpResponseMessage response, byte[] body)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("A request without an address.");
        var (template, operation) = Find(request.Method, uri);
        if (template is null)
        {
            return [$"the document has no path {uri.AbsolutePath}"];
        }

        if (operation is null)
        {
            return [$"the document has no {request.Method} for {template}"];
        }

        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var responses = operation.Responses ?? [];
        var key = responses.ContainsKey(status) ? status
            : responses.ContainsKey(status[0] + "XX") ? status[0] + "XX"
            : responses.ContainsKey("default") ? "default"
            : null;
        if (key is null)
        {
            return [$"status {status} is not declared for {operation.OperationId} (declared: {string.Join(", ", responses.Keys)})"];
        }

        var declared = responses[key];
        var place = $"{operation.OperationId} {key}";
        var problems = new List<string>();
        CheckHeaders(place, declared, response, problems);
        CheckBody(place, declared, request, response, body, problems);
        return problems;
    }

    private void CheckHeaders(string place, IOpenApiResponse declared, HttpResponseMessage response, List<string> problems)
    {
        var headers = declared.Headers ?? new Dictionary<string, IOpenApiHeader>();
        foreach (var (name, header) in headers)
        {
            // OpenAPI: a Content-Type header definition is ignored; the media types say it.
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = HeaderValue(response, name);
            if (value is null)
            {
                if (header.Required)
                {
                    problems.Add($"{place}: the required header {name} is missing");
                }

                continue;
            }

            if (header.Schema is { } schema && !HeaderFits(SchemaFor(schema), value))
            {
                problems.Add($"{place}: the header {name}: {value} does not fit its schema {Serialize(schema)}");
            }
        }

        foreach (var name in HeadersThatMustBeDeclared)
        {
            if (HeaderValue(response, name) is not null && !headers.Keys.Any(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{place}: the header {name} is sent but not declared");
            }
        }
    }

    private void CheckBody(string place, IOpenApiResponse declared, HttpRequestMessage request, HttpResponseMessage response, byte[] body, List<string> problems)
    {
        var content = declared.Content ?? new Dictionary<string, OpenApiMediaType>();
        if (body.Length == 0)
        {
            if (content.Count > 0 && request.Method != HttpMethod.Head)
            {
                problems.Add($"{place}: no body, where the document declares {string.Join(", ", content.Keys)}");
            }

            return;
        }

        if (content.Count == 0)
        {
            problems.Add($"{place}: a body ({response.Content.Headers.ContentType}) where the document declares none");
            return;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var match = mediaType is null ? null : content.Keys.Where(k => MediaTypeMatches(k, mediaType)).OrderBy(k => k.Contains('*', StringComparison.Ordinal)).FirstOrDefault();
        if (match is null)
        {
            problems.Add($"{place}: the content type {mediaType ?? "(none)"} is not declared (declared: {string.Join(", ", content.Keys)})");
            return;
        }

        if (content[match].Schema is not { } schema || !IsJson(mediaType!))
        {
            return;
        }

        JsonDocument instance;
        try
        {
            instance = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            problems.Add($"{place}: the body is not JSON ({e.Message})");
            return;
        }

        using (instance)
        {
            var result = SchemaFor(schema).Evaluate(instance.RootElement, _evaluate);
            if (!result.IsValid)
            {
                var errors = (result.Details ?? []).Where(d => d.Errors is not null)
                    .SelectMany(d => d.Errors!.Select(e => $"at {Pointer(d.InstanceLocation.ToString())} ({Relative(d.SchemaLocation)}): {e.Key}: {e.Value}"))
                    .Distinct(StringComparer.Ordinal).ToList();
                problems.Add($"{place}: the body ({match}) is not valid against {Serialize(schema)}:\n    " +
                             string.Join("\n    ", errors.Take(12)) + (errors.Count > 12 ? $"\n    … and {errors.Count - 12} more" : ""));
            }
        }
    }

    private (string? Template, OpenApiOperation? Operation) Find(HttpMethod method, Uri uri)
    {
        var segments = uri.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        // A concrete segment wins over a templated one, segment by segment from the left (OpenAPI's path matching).
        var candidate = _paths
            .Where(p => p.Segments.Length == segments.Length && p.Segments.Zip(segments).All(s => IsParameter(s.First) ? s.Second.Length > 0 : s.First == s.Second))
            .OrderBy(p => string.Concat(p.Segments.Select(s => IsParameter(s) ? '1' : '0')), StringComparer.Ordinal)
            .Select(p => ((string, IOpenApiPathItem)?)(p.Template, p.Item))
            .FirstOrDefault();
        if (candidate is not { } found)
        {
            return (null, null);
        }

        return (found.Item1, found.Item2.Operations?.GetValueOrDefault(method));
    }

    private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');

    private static bool MediaTypeMatches(string declared, string actual)
    {
        var type = declared.Split(';')[0].Trim();
        return type == "*/*" || type.Equals(actual, StringComparison.OrdinalIgnoreCase)
               || (type.EndsWith("/*", StringComparison.Ordinal) && actual.StartsWith(type[..^1], StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsJson(string mediaType) => mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    // A header is a string on the wire; a schema may call it a number (Retry-After) or a string (an ETag's pattern).
    private bool HeaderFits(JsonSchema schema, string value)
    {
        using var asString = JsonDocument.Parse(JsonSerializer.Serialize(value));
        if (schema.Evaluate(asString.RootElement, _evaluate).IsValid)
        {
            return true;
        }

        if (!decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return false;
        }

        using var asNumber = JsonDocument.Parse(value);
        return schema.Evaluate(asNumber.RootElement, _evaluate).IsValid;
    }

    /// <summary>A schema of the document as JSON Schema, its local references pointing into the document.</summary>
    private JsonSchema SchemaFor(IOpenApiSchema schema) =>
        _schemas.GetOrAdd(Serialize(schema), json =>
        {
            var node = JsonNode.Parse(json)!;
            Anchor(node);
            return JsonSchema.Build(JsonDocument.Parse(node.ToJsonString()).RootElement, _build);
        });

    private void Anchor(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target) && target.StartsWith('#'))
                {
                    obj["$ref"] = _documentUri + target;
                }

                foreach (var (_, child) in obj.ToList())
                {
                    Anchor(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Anchor(child);
                }

                break;
        }
    }

    private static string Serialize(IOpenApiSchema schema)
    {
        var text = new StringWriter();
        schema.SerializeAsV31(new OpenApiJsonWriter(text, new OpenApiJsonWriterSettings { InlineLocalReferences = false }));
        return JsonNode.Parse(text.ToString())!.ToJsonString();
    }

    private string Relative(Uri location) => location.ToString().Replace(_documentUri.ToString(), "", StringComparison.Ordinal) is { Length: > 0 } relative ? relative : location.ToString();

    private static string Pointer(string location) => location.Length == 0 ? "/" : location;
}

/// <summary>
/// Records every exchange of an HTTP client and checks each response against <see cref="ResponseContract"/>: put it as the
/// transport under a generated client, run a journey, then <see cref="AssertEveryResponseDescribed"/>.
/// </summary>
public sealed class ContractConformance(ResponseContract contract, HttpMessageHandler? transport = null) : DelegatingHandler(transport ?? new HttpClientHandler { AllowAutoRedirect = false })
{
    private readonly List<Exchange> _exchanges = [];

    public sealed record Exchange(string Method, string Address, int Status, string? OperationId, IReadOnlyList<string> Problems)
    {
        public override string ToString() => $"{Method} {Address} → {Status}" + (Problems.Count == 0 ? "" : "\n  " + string.Join("\n  ", Problems));
    }

    public IReadOnlyList<Exchange> Exchanges
    {
        get
        {
            lock (_exchanges)
            {
                return [.. _exchanges];
            }
        }
    }

    /// <summary>The operation ids of the exchanges so far, in order.</summary>
    public IReadOnlyList<string?> Operations => [.. Exchanges.Select(e => e.OperationId)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        // Buffered, so that the caller reads the same bytes after they were checked.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var exchange = new Exchange(request.Method.Method, request.RequestUri!.PathAndQuery, (int)response.StatusCode,
            contract.OperationId(request.Method, request.RequestUri), contract.Check(request, response, body));
        lock (_exchanges)
        {
            _exchanges.Add(exchange);
        }

        return response;
    }

    /// <summary>Fails, naming each exchange and how it departs, unless every response so far is described by the document.</summary>
    public void AssertEveryResponseDescribed()
    {
        var exchanges = Exchanges;
        Assert.True(exchanges.Count > 0, "No exchange went through the contract check.");
        var departing = exchanges.Where(e => e.Problems.Count > 0).ToList();
        if (departing.Count > 0)
        {
            Assert.Fail($"{departing.Count} of {exchanges.Count} responses are not described by {ResponseContract.CommittedPath}:\n" +
                        string.Join("\n", departing) + "\n\nThe journey, in order:\n" + string.Join("\n", exchanges.Select(e => $"  {e.Method} {e.Address} → {e.Status} ({e.OperationId ?? "no operation"})")));
        }
    }

    /// <summary>
    /// Runs a journey and then checks every response, so that a journey stopped by a response the client could not read
    /// still reports how the responses departed from the document.
    /// </summary>
    public async Task RunAsync(Func<Task> journey)
    {
        try
        {
            await journey();
        }
        catch (Exception e) when (Exchanges.Any(x => x.Problems.Count > 0))
        {
            try
            {
                AssertEveryResponseDescribed();
            }
            catch (Exception contract)
            {
                throw new AggregateException("The journey stopped, and responses departed from the document.", contract, e);
            }
        }

        AssertEveryResponseDescribed();
    }
}
