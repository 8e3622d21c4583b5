using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OneGo.Server.Hosting;

/// <summary>
/// Examples of what integrators read most, as OneGo answered them for the repository's real catalogue: Chongqing's
/// 驾驶证换证一件事 (renewing a driving licence) live, in a feed page and as a publication, and Haicang's
/// 入园入学一件事 guide for a child with a Haicang household register (海沧区户籍). They are kept in
/// <c>Hosting/Examples/</c>; Redocly checks each against its schema.
/// </summary>
internal static class OpenApiExamples
{
    private const string LiveBundle = "live-bundle";
    private const string Guide = "guide";
    private const string FeedPage = "feed-page";
    public const string Publication = "publication";

    private static readonly (string Name, string Summary)[] Examples =
    [
        (LiveBundle, "Chongqing: 驾驶证换证一件事, renewing a driving licence"),
        (Guide, "Haicang: 入园入学一件事, for a child with a Haicang household register (every material fetched for the applicant)"),
        (FeedPage, "A page of one publication: Chongqing's 驾驶证换证一件事, version 1"),
        (Publication, "Chongqing's 驾驶证换证一件事, version 1"),
    ];

    /// <summary>Which operation's response (or request) shows which example.</summary>
    private static readonly Dictionary<string, string> Responses = new(StringComparer.Ordinal)
    {
        ["getLiveBundle"] = LiveBundle,
        ["getBundleVersion"] = LiveBundle,
        ["evaluateGuide"] = Guide,
        ["readZoneFeed"] = FeedPage,
        ["getPublication"] = Publication,
    };

    public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (operation.OperationId == "evaluateGuide" && operation.RequestBody?.Content?.TryGetValue(MediaTypes.Json, out var request) == true)
        {
            request.Examples = new Dictionary<string, IOpenApiExample>
            {
                ["haicang-hukou"] = new OpenApiExample
                {
                    Summary = "The answer of a child with a Haicang household register",
                    Value = new JsonObject { ["answers"] = new JsonObject { ["guide"] = "haicang-hukou" } },
                },
            };
        }

        if (operation.OperationId is { } id && Responses.TryGetValue(id, out var name) &&
            operation.Responses?.TryGetValue("200", out var response) == true && response.Content?.TryGetValue(MediaTypes.Json, out var media) == true)
        {
            media.Examples = Named(name);
        }
    }

    /// <summary>The example of that name, as a media type's examples.</summary>
    public static Dictionary<string, IOpenApiExample> Named(string name)
    {
        var summary = Examples.Single(e => e.Name == name).Summary;
        using var stream = typeof(OpenApiExamples).Assembly.GetManifestResourceStream($"OneGo.Server.Examples.{name}.json")
            ?? throw new InvalidOperationException($"The example {name}.json is not embedded.");
        return new Dictionary<string, IOpenApiExample> { [name] = new OpenApiExample { Summary = summary, Value = JsonNode.Parse(stream) } };
    }
}
