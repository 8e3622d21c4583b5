using System.Text.Json;
using System.Text.Json.Nodes;
using OneGo.Catalogue;

namespace OneGo.Server.Features.Audit;

/// <summary>One field that differs between two documents: its JSON pointer, the value before and after (absent = null).</summary>
public sealed record FieldChange(string Path, JsonNode? Before, JsonNode? After);

/// <summary>
/// What changed between two JSON documents, field by field, for the audit log. Arrays whose items all carry a
/// <c>code</c> (or an <c>id</c>) are compared by it, so pointers name codes rather than positions, as the API's do.
/// </summary>
public static class JsonChanges
{
    public static IReadOnlyList<FieldChange> Between<T>(T? before, T? after) =>
        Between(before is null ? null : JsonSerializer.SerializeToNode(before, CatalogueJson.Options),
                after is null ? null : JsonSerializer.SerializeToNode(after, CatalogueJson.Options));

    public static IReadOnlyList<FieldChange> Between(JsonNode? before, JsonNode? after)
    {
        var changes = new List<FieldChange>();
        Compare("", before, after, changes);
        return changes;
    }

    private static void Compare(string path, JsonNode? before, JsonNode? after, List<FieldChange> changes)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        if (before is JsonObject b && after is JsonObject a)
        {
            foreach (var name in b.Select(p => p.Key).Union(a.Select(p => p.Key), StringComparer.Ordinal))
            {
                Compare(path + "/" + Escape(name), b[name], a[name], changes);
            }

            return;
        }

        if (before is JsonArray ba && after is JsonArray aa && KeyOf(ba) is { } key && KeyOf(aa) == key)
        {
            var beforeItems = ba.ToDictionary(i => (string)i![key]!, StringComparer.Ordinal);
            var afterItems = aa.ToDictionary(i => (string)i![key]!, StringComparer.Ordinal);
            foreach (var code in beforeItems.Keys.Union(afterItems.Keys, StringComparer.Ordinal))
            {
                Compare(path + "/" + Escape(code), beforeItems.GetValueOrDefault(code), afterItems.GetValueOrDefault(code), changes);
            }

            return;
        }

        if (before is JsonArray bl && after is JsonArray al)
        {
            // Without codes, items are compared by position: an overlay's changes keep their order.
            for (var i = 0; i < Math.Max(bl.Count, al.Count); i++)
            {
                Compare(path + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), i < bl.Count ? bl[i] : null, i < al.Count ? al[i] : null, changes);
            }

            return;
        }

        changes.Add(new FieldChange(path.Length == 0 ? "/" : path, before?.DeepClone(), after?.DeepClone()));
    }

    /// <summary>The member that identifies the array's items, when every item is an object with a distinct one.</summary>
    private static string? KeyOf(JsonArray array)
    {
        foreach (var key in (string[])["code", "id"])
        {
            var values = array.Select(i => i is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToList();
            if (values.Count > 0 && values.All(v => v is not null) && values.Distinct(StringComparer.Ordinal).Count() == values.Count)
            {
                return key;
            }
        }

        // An empty array has no key of its own; it takes the other side's.
        return array.Count == 0 ? "code" : null;
    }

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
