using Microsoft.AspNetCore.Http;
using OneGo.Server.Hosting;

namespace OneGo.Server.Tests.Hosting;

/// <summary>Which of a route's media types a request's Accept header gets: quality first, then the most specific range.</summary>
public sealed class ContentNegotiationTests
{
    private const string Json = "application/json";
    private const string JsonLd = "application/ld+json";

    [Theory]
    [InlineData(null, Json)]
    [InlineData("", Json)]
    [InlineData("*/*", Json)]
    [InlineData("application/*", Json)]
    [InlineData("application/ld+json", JsonLd)]
    [InlineData("application/ld+json, application/json", Json)]
    [InlineData("application/json;q=0.9, application/ld+json", JsonLd)]
    [InlineData("application/ld+json, */*;q=0.1", JsonLd)]
    [InlineData("application/json;q=0, */*", JsonLd)]
    [InlineData("text/html, application/xhtml+xml, */*;q=0.8", Json)]
    [InlineData("text/turtle", null)]
    [InlineData("application/json;q=0, application/ld+json;q=0", null)]
    [InlineData("*/*;q=0", null)]
    public void ThePublicationGetsTheBestAcceptableTypeOrNone(string? accept, string? chosen)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        Assert.Equal(chosen, ContentNegotiation.Choose(context.Request, Json, JsonLd));
    }
}
