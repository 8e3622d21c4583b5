using System.Collections.Concurrent;

namespace OneGo.Catalogue;

/// <summary>
/// Dictionary codes (of materials and form fields) as small integers, so that merging the matters of a bundle
/// indexes arrays instead of hashing strings. Each distinct code gets an id the first time it is seen, for the
/// life of the process: codes come from the shared material and field dictionaries, so there are few of them.
/// <see cref="Ranks"/> orders the ids as their codes sort (ordinal), so merged items sort by an integer.
/// </summary>
internal static class Codes
{
    private static readonly ConcurrentDictionary<string, int> Ids = new(StringComparer.Ordinal);
    private static readonly object Gate = new();
    private static string[] s_codes = new string[64];
    private static int s_count;
    private static int[] s_ranks = [];

    public static int Count => Volatile.Read(ref s_count);

    /// <summary>
    /// Ordinal equality for codes and names compared many times over: codes of one length (m001, m017) and short
    /// names (受理, 审查) mostly differ in their first or last character, so those are compared before the rest.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Same(string? a, string? b) =>
        ReferenceEquals(a, b)
        || (a is not null && b is not null && a.Length == b.Length && (a.Length == 0 || (a[0] == b[0] && a[^1] == b[^1])) && string.Equals(a, b));

    public static int IdOf(string code)
    {
        if (Ids.TryGetValue(code, out var id)) return id;
        lock (Gate)
        {
            if (Ids.TryGetValue(code, out id)) return id;
            id = s_count;
            if (id == s_codes.Length) Array.Resize(ref s_codes, id * 2);
            s_codes[id] = code;
            Volatile.Write(ref s_count, id + 1);
            Ids[code] = id;
            return id;
        }
    }

    /// <summary>Per id below <paramref name="count"/> (or more), its position among all codes sorted ordinally.</summary>
    public static int[] Ranks(int count)
    {
        var ranks = Volatile.Read(ref s_ranks);
        if (ranks.Length >= count) return ranks;
        lock (Gate)
        {
            if (s_ranks.Length >= count) return s_ranks;
            var n = s_count;
            var order = new int[n];
            for (var i = 0; i < n; i++) order[i] = i;
            var codes = s_codes;
            Array.Sort(order, (a, b) => string.CompareOrdinal(codes[a], codes[b]));
            ranks = new int[n];
            for (var r = 0; r < n; r++) ranks[order[r]] = r;
            Volatile.Write(ref s_ranks, ranks);
            return ranks;
        }
    }
}
