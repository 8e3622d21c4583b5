using Microsoft.Net.Http.Headers;

namespace OneGo.Server.Hosting;

/// <summary>
/// Picks the media type of a response from the request's <c>Accept</c> (RFC 9110 §12.5.1): the offered type with the
/// highest quality, where a range that names the type exactly outranks <c>type/*</c>, which outranks <c>*/*</c>; on a
/// tie the type the request names exactly wins, then the route's own order. No <c>Accept</c> is the route's first
/// offer; nothing acceptable is null, which a route answers with 406.
/// </summary>
public static class ContentNegotiation
{
    public static string? Choose(HttpRequest request, params string[] offered)
    {
        var header = request.Headers.Accept;
        if (header.Count == 0 || string.IsNullOrWhiteSpace(header.ToString()))
        {
            return offered[0];
        }

        if (!MediaTypeHeaderValue.TryParseList(header, out var ranges) || ranges.Count == 0)
        {
            // An Accept nobody can read asks for nothing in particular.
            return offered[0];
        }

        string? best = null;
        (double Quality, int Specificity) bestRank = (0, -1);
        foreach (var type in offered)
        {
            var rank = Rank(type, ranges);
            if (rank.Quality > 0 && (rank.Quality > bestRank.Quality || (rank.Quality == bestRank.Quality && rank.Specificity > bestRank.Specificity)))
            {
                (best, bestRank) = (type, rank);
            }
        }

        return best;
    }

    /// <summary>The quality the most specific range matching <paramref name="type"/> gives it, and how specific that range is.</summary>
    private static (double Quality, int Specificity) Rank(string type, IList<MediaTypeHeaderValue> ranges)
    {
        var offered = new MediaTypeHeaderValue(type);
        (double Quality, int Specificity) rank = (0, -1);
        foreach (var range in ranges)
        {
            int specificity;
            if (range.MatchesAllTypes)
            {
                specificity = 0;
            }
            else if (range.MatchesAllSubTypes && range.Type.Equals(offered.Type, StringComparison.OrdinalIgnoreCase))
            {
                specificity = 1;
            }
            else if (range.Type.Equals(offered.Type, StringComparison.OrdinalIgnoreCase) && range.SubType.Equals(offered.SubType, StringComparison.OrdinalIgnoreCase))
            {
                specificity = 2;
            }
            else
            {
                continue;
            }

            if (specificity > rank.Specificity)
            {
                rank = (range.Quality ?? 1.0, specificity);
            }
        }

        return rank;
    }
}
