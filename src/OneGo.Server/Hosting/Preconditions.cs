using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using OneGo.Catalogue;

namespace OneGo.Server.Hosting;

/// <summary>
/// Strong ETags (the hash of the bytes sent) and the conditional requests built on them: 304 for a reader that
/// has the current bytes, 428 for a write that names no version, 412 for a write against a stale one.
/// </summary>
public static class Preconditions
{
    public static string ETagOf(ReadOnlySpan<byte> bytes) => CanonicalJson.ETag(bytes);

    /// <summary>True when If-None-Match names the current ETag (or is <c>*</c>).</summary>
    public static bool NotModified(HttpRequest request, string etag) =>
        request.Headers.IfNoneMatch.Count > 0 &&
        EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags) &&
        tags.Any(t => t.Tag == "*" || (!t.IsWeak && t.Tag == etag) || (t.IsWeak && t.Tag == etag));

    /// <summary>The ETag a write names in If-Match, or a 428 problem when it names none.</summary>
    public static (string? ETag, ProblemHttpResult? Problem) RequireIfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status428PreconditionRequired,
                title: "If-Match is required",
                detail: "Send the ETag of what you read in an If-Match header, so that a change made meanwhile by someone else is not overwritten.",
                type: "https://onego.gov.cn/problems/if-match-required"));
        }

        return (value.Trim(), null);
    }

    /// <summary>A 412 when the If-Match value is not the current ETag.</summary>
    public static ProblemHttpResult? CheckIfMatch(string ifMatch, string current) =>
        ifMatch == "*" || ifMatch == current || ifMatch.Split(',').Select(v => v.Trim()).Contains(current)
            ? null
            : Stale(current);

    /// <summary>
    /// A 412: the If-Match named an older version. <paramref name="current"/> is the current ETag when it is known,
    /// or null when another write won the race between the check and the save.
    /// </summary>
    public static ProblemHttpResult Stale(string? current) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "Changed since you read it",
        detail: (current is null
            ? "Someone else's change was saved while yours was on its way. "
            : $"Someone changed this after you read it; its ETag is now {current}. ")
            + "Read it again, apply your change to the current content and send it with the new ETag. Nothing of yours was saved.",
        type: "https://onego.gov.cn/problems/stale",
        extensions: new Dictionary<string, object?> { ["currentETag"] = current });

    /// <summary>JSON bytes with their strong ETag, or 304 when the reader already has them.</summary>
    public static Conditional<T> Json<T>(byte[] bytes, string etag, bool immutable = false) => new(bytes, etag, immutable);
}
