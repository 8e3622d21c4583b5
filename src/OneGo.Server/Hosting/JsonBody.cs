using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using OneGo.Catalogue;

namespace OneGo.Server.Hosting;

/// <summary>
/// Reads a request body as JSON the way every write route does: only JSON in UTF-8 (415 otherwise), and a body that
/// does not fit its document — malformed, a value of the wrong kind, a field that is not one, a key sent twice, a
/// change without its <c>op</c>, nested too deep — is a 422 naming where.
/// </summary>
public static partial class JsonBody
{
    /// <summary>
    /// The longest text any field of a body may hold; a field kept in a column of its own, or a rule of its document,
    /// allows fewer (and says so). The longest text in the repository's catalogue is under 500 characters.
    /// </summary>
    public const int MaxTextLength = 10_000;

    private const string TooLong = " characters; a text here has at most ";

    // No database OneGo runs on keeps U+0000 in a text column (PostgreSQL refuses it): a body holding it is a 422 here.
    private const string HoldsNul = "This text holds the character U+0000 (NUL), which no text here may hold.";

    /// <summary>
    /// The catalogue's rules (unknown fields refused, enums by name only), every key at most once per object, and no
    /// text longer than <see cref="MaxTextLength"/>.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static readonly ConcurrentDictionary<Type, (string Name, IReadOnlyList<string> Values)?> Discriminators = new();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(CatalogueJson.Options) { AllowDuplicateProperties = false };
        options.Converters.Add(new BoundedText());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Reads a text, or its name as a key, refusing one longer than <see cref="MaxTextLength"/> or holding U+0000.</summary>
    private sealed class BoundedText : System.Text.Json.Serialization.JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? Bounded(reader.GetString()!) : throw new JsonException();

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Bounded(reader.GetString()!);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

        private static string Bounded(string text) =>
            text.Length > MaxTextLength ? throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"This text has {text.Length:N0}{TooLong}{MaxTextLength:N0}."))
            : text.Contains('\0', StringComparison.Ordinal) ? throw new JsonException(HoldsNul)
            : text;
    }

    public static async Task<(T? Value, BodyProblem? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (UnsupportedMediaType(request.ContentType) is { } refused)
        {
            return (null, new BodyProblem(refused));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null
                ? (null, new BodyProblem(ApiProblems.Validation([ApiError.At("", "required", "The body is empty; send the document as JSON.")])))
                : (value, null);
        }
        catch (JsonException error)
        {
            return (null, new BodyProblem(Problem(error, typeof(T))));
        }
        catch (NotSupportedException error) when (DiscriminatorPath(error) is { } path)
        {
            // System.Text.Json refuses a polymorphic object without its discriminator this way, not as a JsonException.
            return (null, new BodyProblem(MissingDiscriminator(path, typeof(T))));
        }
    }

    /// <summary>A 415 unless the body is declared as JSON (<c>application/json</c> or <c>…+json</c>) in UTF-8.</summary>
    public static ProblemHttpResult? UnsupportedMediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return MediaTypeProblem("The body has no Content-Type; send it as JSON with 'Content-Type: application/json'.");
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !IsJson(media))
        {
            return MediaTypeProblem($"The body is sent as '{Shorten(contentType)}'; this route reads JSON: send it with 'Content-Type: application/json'.");
        }

        return UnsupportedCharset(contentType);
    }

    /// <summary>A 415 when the body is declared as JSON in a charset other than UTF-8 (JSON travels in UTF-8, RFC 8259).</summary>
    public static ProblemHttpResult? UnsupportedCharset(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && IsJson(media) &&
        media.Charset.HasValue && !HeaderUtilities.RemoveQuotes(media.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            ? MediaTypeProblem($"The body is declared as charset={Shorten(media.Charset.ToString())}; OneGo reads JSON in UTF-8 only.")
            : null;

    private static bool IsJson(MediaTypeHeaderValue media) =>
        media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
        (media.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static ProblemHttpResult MediaTypeProblem(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: detail,
        type: "https://onego.gov.cn/problems/media-type");

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";

    /// <summary>The 422 for a body System.Text.Json could not read into <paramref name="document"/>, at the pointer where it stopped.</summary>
    public static ProblemHttpResult Problem(JsonException error, Type? document)
    {
        var pointer = ToPointer(error.Path);
        var message = Explain(error);
        if (IsUnknownDiscriminator(error) && document is not null && Discriminator(document) is { } discriminator)
        {
            pointer += "/" + Pointer.Escape(discriminator.Name);
            var value = Quoted().Match(error.Message) is { Success: true } quoted ? quoted.Groups[1].Value : "";
            message = $"'{value}' is not a kind of change OneGo knows; '{discriminator.Name}' is one of {string.Join(", ", discriminator.Values)}.";
        }

        return ApiProblems.Validation([ApiError.At(pointer, Rule(error), message)]);
    }

    private static ProblemHttpResult MissingDiscriminator(string path, Type document)
    {
        var discriminator = Discriminator(document);
        var name = discriminator?.Name ?? "op";
        var allowed = discriminator is null ? "" : $": one of {string.Join(", ", discriminator.Value.Values)}";
        return ApiProblems.Validation([ApiError.At(ToPointer(path) + "/" + Pointer.Escape(name), "required",
            $"This change has no '{name}'; name what it does{allowed}.")]);
    }

    private static bool IsUnknownDiscriminator(JsonException error) =>
        error.Message.Contains("type discriminator", StringComparison.OrdinalIgnoreCase);

    /// <summary>The JSON path of a NotSupportedException about a missing type discriminator, from its message.</summary>
    private static string? DiscriminatorPath(NotSupportedException error) =>
        error.Message.Contains("type discriminator", StringComparison.OrdinalIgnoreCase) && PathInMessage().Match(error.Message) is { Success: true } match
            ? match.Groups[1].Value
            : null;

    /// <summary>
    /// The discriminator of the polymorphic types a document holds (overlay changes: <c>op</c>) and its values, found
    /// in the serializer's own contract so that a new kind of change is listed without touching this file.
    /// </summary>
    private static (string Name, IReadOnlyList<string> Values)? Discriminator(Type document) =>
        Discriminators.GetOrAdd(document, type =>
        {
            var seen = new HashSet<Type>();
            var pending = new Stack<Type>([type]);
            while (pending.TryPop(out var current))
            {
                if (!seen.Add(current) || current == typeof(string) || current.IsPrimitive)
                {
                    continue;
                }

                JsonTypeInfo info;
                try
                {
                    info = Options.GetTypeInfo(current);
                }
                catch (NotSupportedException)
                {
                    continue;
                }

                if (info.PolymorphismOptions is { } polymorphism)
                {
                    return (polymorphism.TypeDiscriminatorPropertyName,
                        polymorphism.DerivedTypes.Select(d => d.TypeDiscriminator?.ToString()).OfType<string>().ToList());
                }

                foreach (var next in info.Properties.Select(p => p.PropertyType).Append(info.ElementType).Append(info.KeyType).OfType<Type>())
                {
                    pending.Push(next);
                }
            }

            return null;
        });

    private static string Rule(JsonException error)
    {
        var message = error.Message;
        return message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) ? "unknown-field"
            : message.Contains(TooLong, StringComparison.Ordinal) ? "length"
            : message.Contains(HoldsNul, StringComparison.Ordinal) ? "character"
            : message.Contains("Duplicate property", StringComparison.Ordinal) ? "duplicate-key"
            : message.Contains("maximum configured depth", StringComparison.Ordinal) ? "depth"
            : "shape";
    }

    /// <summary>Turns System.Text.Json's <c>$.a.b[2]</c> into the RFC 6901 pointer <c>/a/b/2</c>.</summary>
    public static string ToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }

        var pointer = new StringBuilder();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                pointer.Append('/').Append(Pointer.Escape(path[(i + 1)..end]));
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    break;
                }

                var inner = path[(i + 1)..end].Trim('\'');
                pointer.Append('/').Append(Pointer.Escape(inner));
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return pointer.ToString();
    }

    /// <summary>System.Text.Json's message, in words a user of the API can act on.</summary>
    public static string Explain(JsonException error)
    {
        var message = error.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var start = message.IndexOf('\'', StringComparison.Ordinal) + 1;
            var name = start > 0 ? message[start..message.IndexOf('\'', start)] : "this field";
            return $"'{Shorten(name)}' is not a field here.";
        }

        if (message.Contains("Duplicate property", StringComparison.Ordinal))
        {
            var name = Quoted().Match(message) is { Success: true } quoted ? quoted.Groups[1].Value : "this field";
            return $"'{name}' appears more than once in the same object; send each field once.";
        }

        if (message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return $"The document is nested more than {(Options.MaxDepth == 0 ? 64 : Options.MaxDepth)} levels deep.";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var start = message.IndexOf("including: ", StringComparison.Ordinal);
            return start > 0 ? $"A required field is missing: {message[(start + 11)..].TrimEnd('.')}." : "A required field is missing.";
        }

        if (error.InnerException is InvalidOperationException inner && inner.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase))
        {
            return "This text holds an unpaired surrogate (\\uD800–\\uDFFF alone), which is not a character.";
        }

        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return "This value is not of the kind expected here (text, number, yes/no, list or block of fields), or is not one of the allowed words.";
        }

        if (IsUnknownDiscriminator(error) || message.Contains("'op'", StringComparison.Ordinal))
        {
            return "This change has no 'op', or an 'op' OneGo does not know. " + message;
        }

        return message;
    }

    [GeneratedRegex(@"Path: (\$[^ ]*)", RegexOptions.CultureInvariant)]
    private static partial Regex PathInMessage();

    [GeneratedRegex("'([^']*)'", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();
}
