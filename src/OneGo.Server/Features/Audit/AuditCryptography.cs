using System.Security.Cryptography;
using System.Text;

namespace OneGo.Server.Features.Audit;

/// <summary>
/// The audit log's two algorithms, named here and nowhere else: the hash that chains the entries and fingerprints a
/// checkpoint, and the keyed signature over a checkpoint. 商用密码 (SM3 for the hash, SM2 or an SM3-HMAC for the
/// signature, GB/T 39786-2021) replaces them here; each checkpoint records the names it was made with.
/// </summary>
internal static class AuditCryptography
{
    public const string HashAlgorithm = "SHA-256";

    public const string SignatureAlgorithm = "HMAC-SHA256";

    /// <summary>The shortest signing key accepted: as long as the hash, as RFC 2104 advises.</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>The hash of <paramref name="data"/>, lowercase hex.</summary>
    public static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The signature of <paramref name="data"/> with <paramref name="key"/>, lowercase hex.</summary>
    public static string Sign(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => Convert.ToHexStringLower(HMACSHA256.HashData(key, data));

    /// <summary>Whether <paramref name="signature"/> is <paramref name="key"/>'s signature of <paramref name="data"/>, compared in constant time.</summary>
    public static bool Verifies(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, data)), Encoding.ASCII.GetBytes(signature));

    /// <summary>
    /// A short public name for a key, so that a checkpoint signed with another key says so: a signature of a fixed
    /// text, which reveals nothing of the key.
    /// </summary>
    public static string KeyId(ReadOnlySpan<byte> key) => Sign(key, "OneGo audit checkpoint key"u8)[..16];
}
