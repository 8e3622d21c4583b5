using System.Text;
using System.Text.Json.Nodes;

namespace OneGo.Catalogue;

/// <summary>
/// <para>The one pointer scheme of the catalogue. Every error, overlay change, diff entry and rebase
/// conflict names a place with an RFC 6901 JSON pointer into the document the user submitted, with one
/// refinement: an array item is named by its key rather than its position wherever it has one.</para>
/// <list type="bullet">
/// <item>Property segments are the camelCase JSON names: <c>/promisedDays</c>, <c>/serviceLocation/address</c>.</item>
/// <item>An array item is named by its <c>code</c> when items have codes (matters, matter steps, materials,
/// form fields), else by its <c>id</c> when they have ids (questions, options, rules given an id), else by
/// its zero-based index (<c>/rules/3</c>, <c>/matters/birth/after/0</c>, <c>/changes/2</c>, <c>/conditions/1</c>).</item>
/// <item>Segments are escaped as RFC 6901 says: <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>.</item>
/// <item>An empty pointer is the whole document.</item>
/// </list>
/// <para>Document roots: a matter (<c>/department</c>, <c>/materials/household-register/source/dataset</c>); a bundle
/// (<c>/matters/vaccination-check/after/0</c>, <c>/scenarios/guide/options/points</c>, <c>/rules/3/include/matters/0</c>);
/// a <see cref="CatalogueDocument"/> holding a tenant's matters and bundles (<c>/matters/birth-certificate/promisedDays</c>,
/// <c>/bundles/enrolment/rules/2/when/option</c>); an overlay (<c>/changes/4</c>, with the change's target in the bundle
/// as <see cref="CatalogueError.Target"/>); guide answers (<c>/answers/{questionId}</c>).</para>
/// <para><see cref="ToIndexPointer"/> turns such a pointer into a plain positional RFC 6901 pointer for a given
/// document, which is what a YAML or JSON reader needs to find line and column.</para>
/// </summary>
public static class Pointer
{
    /// <summary>Builds a pointer from unescaped segments.</summary>
    public static string Of(params ReadOnlySpan<string> segments)
    {
        // The usual pointer has a few segments and nothing to escape: one concatenation.
        var plain = true;
        foreach (var segment in segments) plain &= segment is not null && segment.AsSpan().IndexOfAny('~', '/') < 0;
        if (plain)
        {
            switch (segments.Length)
            {
                case 1: return string.Concat("/", segments[0]);
                case 2: return string.Concat("/", segments[0], "/", segments[1]);
                case 3: return string.Concat(["/", segments[0], "/", segments[1], "/", segments[2]]);
                case 4: return string.Concat(["/", segments[0], "/", segments[1], "/", segments[2], "/", segments[3]]);
            }
        }
        var sb = new StringBuilder();
        foreach (var segment in segments) sb.Append('/').Append(Escape(segment));
        return sb.ToString();
    }

    public static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Unescape(string segment) => segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>The unescaped segments of a pointer.</summary>
    public static IReadOnlyList<string> Segments(string pointer)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new ArgumentException($"'{pointer}' is not a JSON pointer: it must start with '/'.", nameof(pointer));
        return pointer[1..].Split('/').Select(Unescape).ToArray();
    }

    /// <summary>True when <paramref name="pointer"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsAtOrBelow(string pointer, string ancestor) =>
        ancestor.Length == 0
        || pointer == ancestor
        || (pointer.StartsWith(ancestor, StringComparison.Ordinal) && pointer[ancestor.Length] == '/');

    /// <summary>
    /// The positional RFC 6901 pointer of the same place in <paramref name="document"/> (array items by index),
    /// as far as the document goes: a pointer to something missing (a required property) stops at its parent
    /// and keeps the rest by name, which is still the right place to report.
    /// </summary>
    public static string ToIndexPointer(JsonNode? document, string pointer)
    {
        var sb = new StringBuilder();
        var node = document;
        foreach (var segment in Segments(pointer))
        {
            switch (node)
            {
                case JsonObject obj:
                    sb.Append('/').Append(Escape(segment));
                    node = obj.TryGetPropertyValue(segment, out var child) ? child : null;
                    break;
                case JsonArray array:
                    var index = FindItem(array, segment);
                    sb.Append('/').Append(index >= 0 ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : Escape(segment));
                    node = index >= 0 ? array[index] : null;
                    break;
                default:
                    sb.Append('/').Append(Escape(segment));
                    node = null;
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The node a pointer of this scheme names in <paramref name="document"/>, or null when there is none.</summary>
    public static JsonNode? Find(JsonNode? document, string pointer)
    {
        var node = document;
        foreach (var segment in Segments(pointer))
        {
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(segment, out var child) ? child : null,
                JsonArray array => FindItem(array, segment) is >= 0 and var i ? array[i] : null,
                _ => null,
            };
            if (node is null) return null;
        }
        return node;
    }

    private static int FindItem(JsonArray array, string segment)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject item && (KeyOf(item, "code") ?? KeyOf(item, "id")) == segment) return i;
        }
        // An item without a code or id is named by its index.
        return int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            && index < array.Count
            && !(array[index] is JsonObject o && (KeyOf(o, "code") ?? KeyOf(o, "id")) is { Length: > 0 })
                ? index
                : -1;
    }

    private static string? KeyOf(JsonObject item, string name) =>
        item.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The key of an array item in pointers: its code or id when it has one, else its index.</summary>
    internal static string Key(string? codeOrId, int index) =>
        string.IsNullOrWhiteSpace(codeOrId) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : codeOrId;
}
