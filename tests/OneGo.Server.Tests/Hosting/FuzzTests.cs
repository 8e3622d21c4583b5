using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using Xunit.Abstractions;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// A bounded, seeded fuzz run over every operation of the OpenAPI document: malformed, mistyped, oversized and deeply
/// nested bodies, odd path and query values, odd content types and preconditions, each sent as the demo account that
/// can reach the route (now and then as nobody, or with a broken token). No answer may be a 5xx, and every 4xx is
/// problem details. The seed is random unless <c>ONEGO_FUZZ_SEED</c> sets it; a failure names it, so that the same
/// requests can be sent again.
/// </summary>
public abstract partial class FuzzTests(Provider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string SeedVariable = "ONEGO_FUZZ_SEED";
    private const int Requests = 360;
    private const string Haicang = "fujian.xiamen.haicang";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _client = null!;
    private readonly Dictionary<string, string> _tokens = [];
    private readonly Dictionary<string, JsonNode> _templates = new(StringComparer.Ordinal);
    private int _serial;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database, settings: new Dictionary<string, string?> { ["Zone:RelayEnabled"] = "false" });
        // On a real port: paths and headers go over HTTP as a client sends them, and Kestrel refuses what it refuses.
        _app.UseKestrel(0);
        _app.StartServer();
        _client = _app.CreateClient();
        // Admins and auditors are people, signed in with their second factor; editors and reviewers their service accounts.
        foreach (var role in new[] { Roles.Admin, Roles.Editor, Roles.Reviewer, Roles.Auditor })
        {
            _tokens[role] = await Tokens.DemoTokenAsync(_client, () => Tokens.Browser(_client.BaseAddress!), role, Haicang);
        }

        _tokens["operator"] = await Tokens.DemoTokenAsync(_client, () => Tokens.Browser(_client.BaseAddress!), Roles.Admin, RegionRules.NationalId);
        _tokens["national-auditor"] = await Tokens.DemoTokenAsync(_client, () => Tokens.Browser(_client.BaseAddress!), Roles.Auditor, RegionRules.NationalId);
        _tokens["reader"] = await Tokens.RequestAsync(_client, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private sealed record Operation(string Method, string Path, IReadOnlyList<string> Query);

    [Fact]
    public async Task NoRequestToAnyOperationIsAnswered5xxAndEvery4xxIsProblemDetails()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } set ? int.Parse(set, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        var operations = await OperationsAsync();
        Assert.True(operations.Count >= 40, $"The OpenAPI document lists {operations.Count} operations");
        // Besides the document: the two form endpoints anyone can reach, whose form bodies every request's token lookup reads too.
        operations.AddRange([new Operation("POST", "/connect/token", []), new Operation("POST", "/account/signin", ["returnUrl"])]);
        operations = [.. operations.OrderBy(_ => random.Next())];

        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < Requests; i++)
        {
            // Round robin over a shuffled list: every operation gets its share of the requests.
            var operation = operations[i % operations.Count];
            using var request = await BuildAsync(operation, random);
            // A large body is sent as a careful client sends it: asking first (Expect: 100-continue), so that a body
            // over the limit is refused with its 413 before it is written, not by a connection closed under it.
            if (request.Content?.Headers.ContentLength > 64 * 1024)
            {
                request.Headers.ExpectContinue = true;
            }

            var sent = await DescribeAsync(request);
            HttpResponseMessage answer;
            try
            {
                answer = await _client.SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{operation.Method} {operation.Path}: {sent}\n    → no answer: {e.Message} {e.InnerException?.Message}");
                continue;
            }

            using var response = answer;
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var media = response.Content.Headers.ContentType?.MediaType;
            var body = await response.Content.ReadAsStringAsync();
            // The OAuth 2 endpoints answer errors as RFC 6749 says ({"error": …}), not as problem details; and Kestrel
            // refuses a request line or headers it cannot take (a NUL in the path, a line too long) before OneGo sees it.
            var oauth = operation.Path.StartsWith("/connect/", StringComparison.Ordinal) && media == "application/json" && body.Contains("\"error\"", StringComparison.Ordinal);
            var kestrel = status is 400 or 414 or 431 && media is null && body.Length == 0;
            if (status >= 500 || (status >= 400 && !oauth && !kestrel && media != "application/problem+json"))
            {
                failures.Add($"{operation.Method} {operation.Path}: {sent}\n    → {status} {media}: {Cut(body, 400)}");
            }
        }

        output.WriteLine($"Seed {seed}: {Requests} requests over {operations.Count} operations; answers {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}.");
        Assert.True(failures.Count == 0,
            $"Seed {seed} (run again with {SeedVariable}={seed}): {failures.Count} of {Requests} answers were a 5xx or a 4xx without problem details.\n" +
            string.Join("\n", failures.Take(15)));
        // The run reached past the checks: some requests were taken, some refused as invalid.
        Assert.True(statuses.Keys.Any(s => s is >= 200 and < 300) && statuses.ContainsKey(422),
            $"Seed {seed}: answers {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
    }

    private async Task<List<Operation>> OperationsAsync()
    {
        var document = JsonNode.Parse(await _client.GetStringAsync("/openapi/v1.json"))!;
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(o => Methods.Contains(o.Key)))
            {
                var parameters = (operation!["parameters"]?.AsArray() ?? []).Concat(item["parameters"]?.AsArray() ?? []);
                var query = parameters.Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).Distinct().ToList();
                operations.Add(new Operation(method.ToUpperInvariant(), path, query));
            }
        }

        return operations;
    }

    // ---- The request ----

    private async Task<HttpRequestMessage> BuildAsync(Operation operation, Random random)
    {
        var path = PathParameter().Replace(operation.Path, m => PathValue(m.Groups[1].Value, random));
        var query = new List<string>();
        foreach (var name in operation.Query.Where(_ => random.Next(2) == 0))
        {
            query.Add($"{name}={QueryValue(name, random)}");
            if (random.Next(10) == 0)
            {
                query.Add($"{name}={QueryValue(name, random)}");
            }
        }

        var url = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), url);
        var token = TokenFor(operation.Method, operation.Path, random);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        var writes = operation.Method is "POST" or "PUT" or "PATCH" or "DELETE";
        if (writes)
        {
            switch (random.Next(5))
            {
                case 0 or 1:
                    if (await ETagAsync(ReadPathOf(path), token) is { } etag)
                    {
                        request.Headers.TryAddWithoutValidation("If-Match", etag);
                    }

                    break;
                case 2:
                    request.Headers.TryAddWithoutValidation("If-Match", random.Next(2) == 0 ? "*" : "\"not-the-etag\"");
                    break;
            }
        }

        if (writes || random.Next(10) == 0)
        {
            var template = await TemplateAsync(operation.Method, operation.Path, path, token);
            var (body, contentType) = !operation.Path.StartsWith("/api/", StringComparison.Ordinal) && random.Next(4) > 0 ? Form(random) : Body(template, random);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }
        }

        return request;
    }

    private string? TokenFor(string method, string path, Random random)
    {
        switch (random.Next(25))
        {
            case 0:
                return null;
            case 1:
                return "not-a-token";
        }

        if (path.StartsWith("/api/zone/integrations", StringComparison.Ordinal) || path.StartsWith("/api/zone/dead-letters", StringComparison.Ordinal) ||
            path.StartsWith("/api/imports", StringComparison.Ordinal))
        {
            return _tokens["operator"];
        }

        if (path.StartsWith("/api/audit", StringComparison.Ordinal))
        {
            return _tokens["national-auditor"];
        }

        if (path.EndsWith("/audit", StringComparison.Ordinal))
        {
            return _tokens[Roles.Auditor];
        }

        if (path.StartsWith("/api/zone/feed", StringComparison.Ordinal) || path.StartsWith("/api/zone/publications", StringComparison.Ordinal))
        {
            return _tokens["reader"];
        }

        if (!path.StartsWith("/api/t/", StringComparison.Ordinal))
        {
            return random.Next(2) == 0 ? null : _tokens[Roles.Editor];
        }

        if (path.Contains("/accounts", StringComparison.Ordinal) || path.Contains("/account-changes", StringComparison.Ordinal) || path.Contains("/children", StringComparison.Ordinal) ||
            (path.EndsWith("/settings", StringComparison.Ordinal) && method == "PUT") || (path.Contains("/publishing-runs", StringComparison.Ordinal) && method == "POST"))
        {
            return _tokens[Roles.Admin];
        }

        return path.EndsWith("/approve", StringComparison.Ordinal) || path.EndsWith("/reject", StringComparison.Ordinal) ? _tokens[Roles.Reviewer] : _tokens[Roles.Editor];
    }

    private static readonly string[] OddSegments =
    [
        "..", "%2e%2e", "%00", "%2F", "a%2Fb", "%20", "%FF%FE", "%C0%AF", "%E5%8C%97%E4%BA%AC", "%3Cscript%3E", "'%20OR%201=1--", "-1", "0", "99999999999999999999",
        "NaN", "national", "jiangsu.nanjing.gulou", "350205", new string('x', 3000),
    ];

    private static string PathValue(string name, Random random)
    {
        var odd = random.Next(10) < 3;
        return name switch
        {
            "tenant" when !odd => random.Next(4) == 0 ? "350205" : Haicang,
            "code" when !odd => Pick(random, "enrolment", "newborn", "business-startup", "credit-repair", "nothing-here"),
            "n" or "version" when !odd => Pick(random, "1", "2", "0"),
            "id" when !odd => random.Next(2) == 0 ? Guid.CreateVersion7().ToString() : random.Next(1, 50).ToString(CultureInfo.InvariantCulture),
            // Never a demo account the run calls as: disabling it would end the run's reach.
            "userName" when !odd => "fuzz-account",
            _ => Pick(random, OddSegments),
        };
    }

    private static string QueryValue(string name, Random random)
    {
        if (random.Next(10) < 5)
        {
            return name switch
            {
                "limit" => random.Next(1, 20).ToString(CultureInfo.InvariantCulture),
                "q" => Uri.EscapeDataString(Pick(random, "出生", "结婚", "enrol")),
                "audience" => Pick(random, "personal", "enterprise"),
                "region" or "parent" => Pick(random, "350000", "fujian.xiamen", "national"),
                "status" => Pick(random, "draft", "submitted", "rejected"),
                "against" => Pick(random, "template", "live"),
                _ => "x",
            };
        }

        return Pick(random, "abc", "", "1.5", "1e3", "0x10", "-1", "0", "501", "2147483648", "%D9%A3", "%00", "%FF", "%E5%8C%97", "true", "null", "[]",
            Uri.EscapeDataString(new string('q', 5000)), "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "Zm9vYmFy", "a%26b%3Dc");
    }

    /// <summary>Where the version a write names is read: the working copy for a review move, the resource itself otherwise.</summary>
    private static string ReadPathOf(string path)
    {
        foreach (var move in new[] { "/draft/submit", "/draft/approve", "/draft/reject", "/draft/rebase" })
        {
            if (path.EndsWith(move, StringComparison.Ordinal))
            {
                return path[..^(move.Length - "/draft".Length)];
            }
        }

        return path.EndsWith("/withdrawal", StringComparison.Ordinal) ? path[..^"/withdrawal".Length] + "/draft" : path;
    }

    private async Task<string?> ETagAsync(string path, string? token)
    {
        using var read = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            read.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        using var response = await _client.SendAsync(read);
        return response.Headers.ETag?.ToString();
    }

    /// <summary>A body the route takes, to mutate: what a read of the same path returns for a PUT, a known body for a POST.</summary>
    private async Task<JsonNode> TemplateAsync(string method, string pattern, string path, string? token)
    {
        var serial = Interlocked.Increment(ref _serial);
        JsonNode? known = pattern switch
        {
            _ when pattern.EndsWith("/children", StringComparison.Ordinal) => JsonNode.Parse($$"""{"segment":"fuzz{{Letters(serial)}}","name":"模糊{{serial}}","level":"district","divisionCode":"3502{{90 + (serial % 10)}}"}"""),
            _ when pattern.EndsWith("/api/zone/integrations", StringComparison.Ordinal) => JsonNode.Parse($$"""{"name":"fuzz-{{serial}}","url":"https://203.0.113.{{serial % 250}}/hook","secret":"0123456789abcdef0123","regions":["350000"]}"""),
            _ when pattern.EndsWith("/accounts", StringComparison.Ordinal) => JsonNode.Parse($$"""{"userName":"fuzz-{{serial}}","roles":["editor"],"kind":"service","secret":"0123456789abcdef0123"}"""),
            _ when pattern.EndsWith("/guide", StringComparison.Ordinal) => JsonNode.Parse("""{"answers":{"guide":"haicang-hukou"}}"""),
            _ when pattern.EndsWith("/bundles", StringComparison.Ordinal) && method == "POST" => JsonNode.Parse("""{"adopts":{"tenant":"national","code":"credit-repair","version":1},"changes":[{"op":"setHours","hours":"工作日 9:00-17:00"}]}"""),
            _ when pattern.EndsWith("/submit", StringComparison.Ordinal) || pattern.EndsWith("/approve", StringComparison.Ordinal) ||
                   pattern.EndsWith("/reject", StringComparison.Ordinal) || pattern.EndsWith("/withdrawal", StringComparison.Ordinal) => JsonNode.Parse("""{"comment":"模糊测试"}"""),
            _ => null,
        };
        if (known is not null)
        {
            return known;
        }

        if (method == "PUT")
        {
            if (_templates.TryGetValue(path, out var cached))
            {
                return cached.DeepClone();
            }

            using var read = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null)
            {
                read.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            }

            using var response = await _client.SendAsync(read);
            if (response.IsSuccessStatusCode && (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) ?? false))
            {
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                var document = body["document"] ?? body;
                if (path.EndsWith("/settings", StringComparison.Ordinal) && document is JsonObject view)
                {
                    // The settings as a change: the view's names and contact, its schedule by its field name.
                    document = new JsonObject
                    {
                        ["name"] = view["name"]?.DeepClone(), ["nameEn"] = view["nameEn"]?.DeepClone(), ["displayName"] = view["displayName"]?.DeepClone(),
                        ["contact"] = view["contact"]?.DeepClone(), ["publishingSchedule"] = view["publishing"]?["schedule"]?.DeepClone(),
                    };
                }

                _templates[path] = document.DeepClone();
                return document;
            }
        }

        return new JsonObject();
    }

    private static string Letters(int serial) => new([.. serial.ToString(CultureInfo.InvariantCulture).Select(c => (char)('a' + (c - '0')))]);

    // ---- The body ----

    private static readonly string[] Fields =
    [
        "name", "nameEn", "displayName", "displayNameEn", "contact", "phone", "email", "address", "hours", "publishingSchedule", "segment", "level", "divisionCode",
        "url", "secret", "regions", "userName", "roles", "kind", "password", "comment", "answers", "adopts", "tenant", "code", "version", "changes", "op",
        "matters", "materials", "text", "extra", "__proto__", "$type",
    ];

    /// <summary>JSON values as text, including what JsonNode cannot hold (an unpaired surrogate).</summary>
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e308", "-1e308", "9223372036854775808", "\"\"", "\"x\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"",
        "\"* * * * * ?\"", "\"0 0 0 31 2 ?\"", "\"0 0 0 1 1 ? 1999\"", "\"http://127.0.0.1:5080/\"", "\"http://169.254.169.254/\"", "\"../../etc/passwd\"",
        "\"<script>alert(1)</script>\"", "\"北京\"", "\"robot\"", "\"bogus\"", "123", "[]", "{}", "[1,\"a\",null]", "{\"op\":\"bogus\"}", "{\"hours\":\"x\"}",
        "\"national\"", "\"350000\"", "[\"350000\",\"nowhere\"]", "\"\\r\\nSet-Cookie: x=1\"",
    ];

    private static (byte[]? Body, string? ContentType) Body(JsonNode template, Random random)
    {
        string text;
        switch (random.Next(20))
        {
            case 0:
                return ([], "application/json");
            case 1:
                text = Pick(random, "{", "[", "{\"a\":}", "{\"a\" 1}", "{'a':1}", "{\"a\":1,}", "\u0000", "{\"a\":1}{", "nul", "{\"a\":\"unterminated}");
                break;
            case 2:
                text = Pick(random, "[]", "1", "null", "\"s\"", "true", "[{}]");
                break;
            case 3:
                text = Nested(random.Next(2) == 0 ? 70 : 1500, random);
                break;
            case 4:
                text = "{\"" + Pick(random, Fields) + "\":" + Nested(random.Next(65, 200), random) + "}";
                break;
            case 5:
                var field = template is JsonObject o && o.Count > 0 ? o.First().Key : Pick(random, Fields);
                text = template.ToJsonString().TrimEnd('}') + (template is JsonObject { Count: > 0 } ? "," : "") + $"\"{field}\":{Pick(random, Values)}}}";
                break;
            case 6:
                text = "{\"name\":\"" + new string('长', random.Next(2) == 0 ? 100_000 : 300_000) + "\"}";
                break;
            case 7 when random.Next(4) == 0:
                // Over the 1 MiB limit.
                text = "{\"name\":\"" + new string('x', (1 << 20) + 10) + "\"}";
                break;
            case 8:
                return Form(random);
            case 9:
                text = RandomObject(random, 0);
                break;
            default:
                text = Mutate(template, random);
                break;
        }

        var contentType = random.Next(6) == 0
            ? Pick(random, null, "text/plain", "application/json; charset=utf-16", "application/json; charset=bogus", "application/merge-patch+json",
                "multipart/form-data", "multipart/form-data; boundary=x", "*/*", "garbage", "application/xml", "application/x-www-form-urlencoded")
            : "application/json";
        return (Encoding.UTF8.GetBytes(text), contentType);
    }

    private static (byte[] Body, string ContentType) Form(Random random)
    {
        var body = random.Next(5) switch
        {
            0 => Encoding.ASCII.GetBytes(Pick(random, "access_token=%00", "a=%00b", "returnUrl=%2F%00", "grant_type=client_credentials&client_id=%00")),
            1 => [0x61, 0x3D, 0xFF, 0xFE, 0x00, 0xC3],
            2 => Encoding.ASCII.GetBytes(string.Join('&', Enumerable.Range(0, random.Next(1, 3000)).Select(i => $"k{i}=v"))),
            3 => Encoding.ASCII.GetBytes(Pick(random, "grant_type=client_credentials&client_id=demo-editor%40fujian.xiamen.haicang&client_secret=wrong",
                "grant_type=password&username=x&password=y", "userName=demo-editor%40fujian.xiamen.haicang&password=demo-secret&returnUrl=%2F%0D%0Ax",
                "grant_type=refresh_token&refresh_token=" + new string('r', 5000))),
            _ => Encoding.ASCII.GetBytes("name=x&comment=%E6%A8%A1%E7%B3%8A"),
        };
        return (body, random.Next(5) == 0 ? "multipart/form-data; boundary=----x" : "application/x-www-form-urlencoded");
    }

    private static string Nested(int depth, Random random) =>
        random.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static string RandomObject(Random random, int depth)
    {
        var members = Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
            $"\"{Pick(random, Fields)}\":{(depth < 3 && random.Next(4) == 0 ? RandomObject(random, depth + 1) : Pick(random, Values))}");
        return "{" + string.Join(',', members) + "}";
    }

    /// <summary>The template with one to three of its values replaced, removed or doubled, or a field added.</summary>
    private static string Mutate(JsonNode template, Random random)
    {
        var copy = template.DeepClone();
        var raw = new Dictionary<string, string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var leaves = Walk(copy).ToList();
            var (parent, key) = leaves.Count == 0 ? ((JsonNode?)null, (object?)null) : leaves[random.Next(leaves.Count)];
            // ASCII only: the serializer escapes anything else, and the marker must be found again as written.
            var marker = $"__raw{raw.Count}__";
            raw[marker] = Pick(random, Values);
            switch (parent, key, random.Next(3))
            {
                case (JsonObject obj, string name, 0):
                    obj.Remove(name);
                    break;
                case (JsonObject obj, string name, _):
                    obj[name] = marker;
                    break;
                case (JsonArray array, int index, 0):
                    array.RemoveAt(index);
                    break;
                case (JsonArray array, int index, _):
                    array[index] = marker;
                    break;
                default:
                    if (copy is JsonObject root)
                    {
                        root[Pick(random, Fields)] = marker;
                    }

                    break;
            }
        }

        var text = copy.ToJsonString();
        foreach (var (marker, value) in raw)
        {
            text = text.Replace($"\"{marker}\"", value, StringComparison.Ordinal);
        }

        return text;
    }

    private static IEnumerable<(JsonNode Parent, object Key)> Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    yield return (obj, name);
                    foreach (var inner in Walk(child))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, i);
                    foreach (var inner in Walk(array[i]))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    // ---- Reporting ----

    private static async Task<string> DescribeAsync(HttpRequestMessage request)
    {
        var body = request.Content is null ? "" : Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync());
        var contentType = request.Content?.Headers.ContentType?.ToString() ?? (request.Content is null ? "" : "(none)");
        var ifMatch = request.Headers.TryGetValues("If-Match", out var values) ? " If-Match: " + string.Join(",", values) : "";
        return $"{Cut(request.RequestUri!.ToString(), 200)} [{contentType}]{ifMatch} {Cut(body, 300)}";
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length] + $"…({text.Length:N0} characters)";

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    [GeneratedRegex(@"\{(\w+)(?::[^}]*)?\}")]
    private static partial Regex PathParameter();
}

public sealed class FuzzTestsOnSqlite(ITestOutputHelper output) : FuzzTests(Provider.Sqlite, output);

public sealed class FuzzTestsOnPostgres(ITestOutputHelper output) : FuzzTests(Provider.Postgres, output);
