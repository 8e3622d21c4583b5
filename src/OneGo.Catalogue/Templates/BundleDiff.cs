using System.Text.Json;
using System.Text.Json.Nodes;

namespace OneGo.Catalogue;

public enum DifferenceKind { Added, Removed, Changed }

/// <summary>One field that differs, with its pointer (scheme: <see cref="Pointer"/>) and both values as JSON.</summary>
public sealed record FieldDifference
{
    public required string Pointer { get; init; }
    public required DifferenceKind Kind { get; init; }
    public JsonNode? Before { get; init; }
    public JsonNode? After { get; init; }
}

/// <summary>
/// Field-by-field differences between two versions of a bundle: what an adopter changes against its
/// standard, what a new standard version changes against the old, or a draft against its live version.
/// Items with codes or ids are matched by them, so a reordered list is not a change; other lists are
/// compared whole.
/// </summary>
public static class BundleDiff
{
    public static IReadOnlyList<FieldDifference> Compare(BundleDefinition before, BundleDefinition after) =>
        Compare(JsonSerializer.SerializeToNode(before, CatalogueJson.Options), JsonSerializer.SerializeToNode(after, CatalogueJson.Options));

    public static IReadOnlyList<FieldDifference> Compare(EffectiveBundle before, EffectiveBundle after) =>
        Compare(JsonNode.Parse(CanonicalJson.Serialize(before)), JsonNode.Parse(CanonicalJson.Serialize(after)));

    public static IReadOnlyList<FieldDifference> Compare(JsonNode? before, JsonNode? after)
    {
        var differences = new List<FieldDifference>();
        Walk("", before, after, differences);
        return differences;
    }

    private static void Walk(string at, JsonNode? before, JsonNode? after, List<FieldDifference> differences)
    {
        if (JsonNode.DeepEquals(before, after)) return;
        switch (before, after)
        {
            case (null, _):
                differences.Add(new() { Pointer = at, Kind = DifferenceKind.Added, After = after!.DeepClone() });
                return;
            case (_, null):
                differences.Add(new() { Pointer = at, Kind = DifferenceKind.Removed, Before = before.DeepClone() });
                return;
            case (JsonObject b, JsonObject a) when !IsText(b) && !IsText(a):
                foreach (var (name, value) in b) Walk(at + "/" + Pointer.Escape(name), value, a[name], differences);
                foreach (var (name, value) in a)
                {
                    if (!b.ContainsKey(name)) Walk(at + "/" + Pointer.Escape(name), null, value, differences);
                }
                return;
            case (JsonArray b, JsonArray a) when Keyed(b) && Keyed(a):
                var afterByKey = a.ToDictionary(n => Key(n!), StringComparer.Ordinal);
                var beforeKeys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in b)
                {
                    var key = Key(item!);
                    beforeKeys.Add(key);
                    Walk(at + "/" + Pointer.Escape(key), item, afterByKey.GetValueOrDefault(key), differences);
                }
                foreach (var item in a)
                {
                    if (!beforeKeys.Contains(Key(item!))) Walk(at + "/" + Pointer.Escape(Key(item!)), null, item, differences);
                }
                return;
            default:
                differences.Add(new() { Pointer = at, Kind = DifferenceKind.Changed, Before = before.DeepClone(), After = after.DeepClone() });
                return;
        }
    }

    // A text is one value whether written as a string or as {zh, en}.
    private static bool IsText(JsonObject o) => o.ContainsKey("zh") && o.Count <= 2 && (o.Count == 1 || o.ContainsKey("en"));

    private static bool Keyed(JsonArray array)
    {
        if (array.Count == 0) return true;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in array)
        {
            if (item is not JsonObject o || KeyOrNull(o) is not { } key || !keys.Add(key)) return false;
        }
        return true;
    }

    private static string Key(JsonNode item) => KeyOrNull((JsonObject)item)!;

    private static string? KeyOrNull(JsonObject item) =>
        (item["code"] ?? item["id"]) is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
