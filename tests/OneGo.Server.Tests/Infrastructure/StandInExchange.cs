using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OneGo.Server.Hosting;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>How the stand-in answers for one dataset.</summary>
public enum ExchangeBehaviour
{
    /// <summary>The record of a known resident; 404 for anyone else.</summary>
    Answer,

    /// <summary>503 to every attempt: the exchange is down.</summary>
    Down,

    /// <summary>503 to the first attempt, the record to the next.</summary>
    FailOnce,

    /// <summary>Answers only after longer than any timeout the tests set.</summary>
    Slow,

    /// <summary>404: the department holds no record.</summary>
    NotHeld,
}

/// <summary>
/// A stand-in data exchange (共享交换平台) on a real loopback port (WireMock.Net), with synthetic residents: it checks
/// every request's signature (401 otherwise), answers each dataset as the test tells it, and keeps every request it
/// received. Its residents are the demo applicants and their children.
/// </summary>
public sealed class StandInExchange : IDisposable
{
    public const string Secret = "stand-in-exchange-secret-0001";

    /// <summary>张晓明, the demo applicant zhang, and his son.</summary>
    public static readonly IReadOnlyDictionary<string, string> Zhang = new Dictionary<string, string>
    {
        ["guardian-name"] = "张晓明", ["guardian-id-number"] = "350205198806121231", ["name"] = "张晓明", ["id-number"] = "350205198806121231",
        ["address"] = "厦门市海沧区沧林东路188号3幢1201室",
    };

    public static readonly IReadOnlyDictionary<string, string> ZhangsChild = new Dictionary<string, string>
    {
        ["child-name"] = "张小宇", ["child-id-number"] = "350205202005100034",
    };

    private readonly WireMockServer _server;

    public StandInExchange()
    {
        _server = WireMockServer.Start();
        _server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/datasets/.+/query$")).UsingPost())
            .RespondWith(Response.Create().WithCallback(AnswerAsync));
    }

    public string Url => _server.Url! + "/";

    /// <summary>Per dataset; <see cref="ExchangeBehaviour.Answer"/> unless set.</summary>
    public ConcurrentDictionary<string, ExchangeBehaviour> Behaviour { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request received: the dataset, whether its signature was right, and its body.</summary>
    public ConcurrentQueue<(string Dataset, bool Signed, JsonNode Body)> Requests { get; } = new();

    /// <summary>The settings that make every region fetch from this stand-in, retrying quickly.</summary>
    public Dictionary<string, string?> Settings(string region = "national") => new()
    {
        [$"DataExchange:Regions:{region}:Url"] = Url,
        [$"DataExchange:Regions:{region}:Secret"] = Secret,
        ["DataExchange:AllowedNetworks"] = "127.0.0.1/32",
        ["DataExchange:Timeout"] = "00:00:01",
        ["DataExchange:Retries"] = "2",
        ["DataExchange:RetryDelay"] = "00:00:00.050",
    };

    public int Attempts(string dataset) => Requests.Count(r => r.Dataset == dataset);

    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);

    private async Task<IResponseMessage> AnswerAsync(IRequestMessage request)
    {
        var dataset = Uri.UnescapeDataString(request.Path.Split('/')[2]);
        var body = request.Body ?? "";
        var signed = RequestSignature.Verify(Secret, Header(request, RequestSignature.TimestampHeader), Header(request, RequestSignature.SignatureHeader), Encoding.UTF8.GetBytes(body));
        var query = JsonNode.Parse(body.Length == 0 ? "{}" : body)!;
        Requests.Enqueue((dataset, signed, query));
        if (!signed)
        {
            return Json(401, new { title = "Unsigned" });
        }

        var attempt = _seen.AddOrUpdate(dataset, 1, (_, n) => n + 1);
        switch (Behaviour.GetValueOrDefault(dataset))
        {
            case ExchangeBehaviour.Down:
            case ExchangeBehaviour.FailOnce when attempt == 1:
                return Json(503, new { title = "Unavailable" });
            case ExchangeBehaviour.Slow:
                await Task.Delay(TimeSpan.FromSeconds(3));
                break;
            case ExchangeBehaviour.NotHeld:
                return Json(404, new { found = false });
        }

        if ((string?)query["subject"]?["idNumber"] != Zhang["id-number"])
        {
            return Json(404, new { found = false });
        }

        var fields = new Dictionary<string, string>(Zhang);
        if ((bool?)query["asGuardian"] == true)
        {
            foreach (var (code, value) in ZhangsChild)
            {
                fields[code] = value;
            }
        }

        return Json(200, new { reference = "SX-" + dataset.Length + "-" + attempt, fields });
    }

    private static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static ResponseMessage Json(int status, object body)
    {
        var response = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = JsonSerializer.Serialize(body), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        };
        response.AddHeader("Content-Type", "application/json");
        return response;
    }

    public void Dispose() => _server.Stop();
}
