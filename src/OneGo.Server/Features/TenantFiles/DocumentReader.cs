using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// Reads the fields of a document held as JSON and collects, for each field that is missing, unknown or of the
/// wrong kind, a problem at its JSON pointer in words an administrator understands.
/// </summary>
internal sealed class DocumentReader(YamlSource source)
{
    private readonly List<FileProblem> _problems = [];

    public IReadOnlyList<FileProblem> Problems => _problems;

    public void Report(string pointer, string message, bool atKey = false) => _problems.Add(source.At(pointer, message, atKey));

    /// <summary>The node as a block of fields, or a problem.</summary>
    public JsonObject? Fields(JsonNode? node, string pointer, string what)
    {
        if (node is JsonObject obj)
        {
            return obj;
        }

        Report(pointer, node is null
            ? $"{what} is empty; it needs its fields, one per line as 'name: value'."
            : $"{what} must be a block of fields ('name: value' lines), not {Describe(node)}.");
        return null;
    }

    /// <summary>Reports every field that is not one of <paramref name="known"/>, naming the ones that are.</summary>
    public void OnlyKnownFields(JsonObject obj, string pointer, string what, IReadOnlyCollection<string> known)
    {
        foreach (var (name, _) in obj)
        {
            if (!known.Contains(name))
            {
                var close = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase) ||
                                                      (k.Length > 3 && name.StartsWith(k[..3], StringComparison.OrdinalIgnoreCase)));
                var hint = close is null ? "" : $" Did you mean '{close}'?";
                Report(pointer + "/" + YamlSource.Escape(name),
                    $"'{name}' is not a field of {what}.{hint} The fields are: {string.Join(", ", known)}.", atKey: true);
            }
        }
    }

    public string? Text(JsonObject obj, string pointer, string field, bool required, int maxLength = 500)
    {
        var at = pointer + "/" + field;
        if (!obj.TryGetPropertyValue(field, out var node) || node is null)
        {
            if (required)
            {
                Report(obj.ContainsKey(field) ? at : pointer, $"'{field}' is required and is missing.", atKey: obj.ContainsKey(field));
            }

            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>().Trim();
            if (text.Length == 0 && required)
            {
                Report(at, $"'{field}' is required and is empty.");
                return null;
            }

            if (text.Length > maxLength)
            {
                Report(at, $"'{field}' is {text.Length} characters long; at most {maxLength} are allowed.");
                return null;
            }

            return text.Length == 0 ? null : text;
        }

        Report(at, $"'{field}' must be text, not {Describe(node)}. Put it in quotes if it should be read as text.");
        return null;
    }

    /// <summary>A code made of digits, written with or without quotes (<c>350205</c> or <c>"350205"</c>).</summary>
    public string? Digits(JsonObject obj, string pointer, string field)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.Number when value.TryGetValue<long>(out var number):
                    return number.ToString(CultureInfo.InvariantCulture);
                case JsonValueKind.String:
                    return value.GetValue<string>().Trim();
            }
        }

        Report(pointer + "/" + field, $"'{field}' must be a code made of digits, not {Describe(node)}.");
        return null;
    }

    /// <summary>A yes/no value written <c>true</c> or <c>false</c>; false when the field is absent.</summary>
    public bool Flag(JsonObject obj, string pointer, string field)
    {
        if (!obj.TryGetPropertyValue(field, out var node) || node is null)
        {
            return false;
        }

        if (node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetValue<bool>();
        }

        Report(pointer + "/" + field, $"'{field}' is true or false, not {Describe(node)}.");
        return false;
    }

    /// <summary>One of the allowed words; reports the allowed ones otherwise.</summary>
    public string? OneOf(JsonObject obj, string pointer, string field, bool required, IReadOnlyCollection<string> allowed)
    {
        var text = Text(obj, pointer, field, required);
        if (text is null)
        {
            return null;
        }

        if (allowed.Contains(text))
        {
            return text;
        }

        Report(pointer + "/" + field, $"'{field}' is '{text}', which is not allowed here; use one of: {string.Join(", ", allowed)}.");
        return null;
    }

    public static string Describe(JsonNode node) => node switch
    {
        JsonObject => "a block of fields",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.Number => $"the number {v.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the yes/no value {v.ToJsonString()}",
            JsonValueKind.String => $"the text \"{v.GetValue<string>()}\"",
            _ => "an empty value",
        },
        _ => "an empty value",
    };
}
