using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneGo.Catalogue;

/// <summary>
/// A text written in Chinese, optionally with its English translation. Every text of the catalogue
/// is one of these. It is written <c>{"zh": "…", "en": "…"}</c>, <c>en</c> left out when there is no
/// translation, as <see cref="CanonicalJson"/> writes it: one shape in every response. It is read from that
/// object or from a plain string (Chinese only), as the <c>tenants/</c> files and older clients write it.
/// </summary>
[JsonConverter(typeof(TextJsonConverter))]
public sealed record Text
{
    public required string Zh { get; init; }
    public string? En { get; init; }

    public static implicit operator Text(string zh) => new() { Zh = zh };

    public static Text From(string zh) => new() { Zh = zh };

    public static Text Of(string zh, string? en) => new() { Zh = zh, En = en };

    public override string ToString() => En is null ? Zh : $"{Zh} ({En})";
}

internal sealed class TextJsonConverter : JsonConverter<Text>
{
    public override Text? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new Text { Zh = reader.GetString()! };
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A text is a string or an object with \"zh\" and optionally \"en\".");
        }
        string? zh = null, en = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            var value = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
            if (string.Equals(name, "zh", StringComparison.OrdinalIgnoreCase)) zh = value;
            else if (string.Equals(name, "en", StringComparison.OrdinalIgnoreCase)) en = value;
            else throw new JsonException($"A text has only \"zh\" and \"en\", not \"{name}\".");
        }
        // An empty zh is left for validation to report with its pointer.
        return new Text { Zh = zh ?? "", En = en };
    }

    public override void Write(Utf8JsonWriter writer, Text value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("zh", value.Zh);
        if (value.En is not null) writer.WriteString("en", value.En);
        writer.WriteEndObject();
    }
}
