using System.Security.Cryptography;
using System.Text;

namespace OneGo.Server.Hosting;

/// <summary>
/// How OneGo signs what it sends to a system it shares a secret with (the zone's pushes, data-exchange queries):
/// <c>X-OneGo-Timestamp</c> (Unix seconds) and <c>X-OneGo-Signature: sha256=</c> hex HMAC-SHA256 with the secret over
/// <c>"{timestamp}.{body}"</c>.
/// </summary>
public static class RequestSignature
{
    public const string TimestampHeader = "X-OneGo-Timestamp";
    public const string SignatureHeader = "X-OneGo-Signature";

    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>Whether <paramref name="header"/> (<c>sha256=…</c>) signs <paramref name="body"/> at <paramref name="timestamp"/>, compared in constant time.</summary>
    public static bool Verify(string secret, string? timestamp, string? header, ReadOnlySpan<byte> body) =>
        timestamp is not null && header is { Length: > 7 } && header.StartsWith("sha256=", StringComparison.Ordinal)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(header[7..]), Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)));
}
