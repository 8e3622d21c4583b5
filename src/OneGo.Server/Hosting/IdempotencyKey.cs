using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OneGo.Server.Hosting;

/// <summary>
/// The Idempotency-Key of the routes that create something once (submitting an application, giving a rating): a key of
/// 1 to <see cref="MaxLength"/> visible ASCII characters; the body is read once, kept for the route's own JSON reading,
/// and hashed, so that a retry with the same key and the same body is answered as the first time and one with another
/// body is told apart.
/// </summary>
internal static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    /// <summary>The longest key kept (the stored column's length).</summary>
    public const int MaxLength = 100;

    /// <summary>The key the request sent, or "" without one.</summary>
    public static string Of(HttpRequest request) => request.Headers[Header].ToString();

    public static bool IsValid(string key) => key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>400: the key is missing or malformed. <paramref name="action"/> names the request ("A rating"), <paramref name="same"/> what a retry returns.</summary>
    public static ProblemHttpResult Needed(string action, string same) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key needed",
            detail: $"{action} needs an Idempotency-Key header of 1 to {MaxLength} visible ASCII characters: retrying with the same key and body returns {same}.");

    /// <summary>Reads the whole body, and leaves it readable again for the route's JSON reading.</summary>
    public static async Task<byte[]> BufferBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        request.Body = new MemoryStream(body);
        return body;
    }

    /// <summary>What is kept of a body to recognise it again: its SHA-256, in lower-case hex.</summary>
    public static string Hash(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
