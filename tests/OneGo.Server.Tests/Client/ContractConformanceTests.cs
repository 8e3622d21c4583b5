using System.Net;
using System.Text;
using OneGo.Server.Tests.Infrastructure;
using Xunit.Sdk;

namespace OneGo.Server.Tests.Client;

/// <summary>
/// The check the journeys rely on can fail: answers the server would not give, fed to it as if it had, are each named
/// with the operation and what departs from the committed document.
/// </summary>
public sealed class ContractConformanceTests
{
    private const string Publication = "/api/zone/publications/0f8fad5b-d9cb-469f-a165-70867728950e";

    [Fact]
    public async Task ABodyThatBreaksItsSchemaAnUndeclaredStatusAndAnUnknownPathAreEachNamed()
    {
        var operation = ResponseContract.Committed.OperationId(HttpMethod.Get, new Uri("http://onego.invalid" + Publication));
        Assert.NotNull(operation);
        var conformance = new ContractConformance(ResponseContract.Committed, new Canned(
            // A publication whose id is a number and whose sequence is text, missing everything else.
            Answer(HttpStatusCode.OK, """{"id": 7, "sequence": "first"}"""),
            Answer((HttpStatusCode)418, ""),
            Answer(HttpStatusCode.OK, "{}")));
        using var http = new HttpClient(conformance) { BaseAddress = new Uri("http://onego.invalid") };

        await http.GetAsync(Publication);
        await http.GetAsync(Publication);
        await http.GetAsync("/api/zone/nowhere");

        var failure = Assert.Throws<FailException>(conformance.AssertEveryResponseDescribed);
        var exchanges = conformance.Exchanges;
        Assert.All(exchanges, e => Assert.NotEmpty(e.Problems));
        var body = Assert.Single(exchanges[0].Problems);
        Assert.StartsWith($"{operation} 200: the body (application/json) is not valid against", body, StringComparison.Ordinal);
        Assert.Contains("at /id ", body, StringComparison.Ordinal);
        Assert.Equal($"status 418 is not declared for {operation}", Assert.Single(exchanges[1].Problems).Split(" (declared")[0]);
        Assert.Equal("the document has no path /api/zone/nowhere", Assert.Single(exchanges[2].Problems));
        Assert.Contains("3 of 3 responses are not described", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>An answer with the headers a publication is sent with, so that only its status or body departs.</summary>
    private static HttpResponseMessage Answer(HttpStatusCode status, string json)
    {
        var answer = new HttpResponseMessage(status) { Content = json.Length == 0 ? new ByteArrayContent([]) : new StringContent(json, Encoding.UTF8, "application/json") };
        answer.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0f8fad5b\"");
        answer.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365) };
        return answer;
    }

    /// <summary>Answers the given responses in turn, in place of a server.</summary>
    private sealed class Canned(params HttpResponseMessage[] answers) : HttpMessageHandler
    {
        private int _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var answer = answers[_next++];
            answer.RequestMessage = request;
            return Task.FromResult(answer);
        }
    }
}
