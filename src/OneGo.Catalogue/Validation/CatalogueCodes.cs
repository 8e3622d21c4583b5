using System.Text.RegularExpressions;

namespace OneGo.Catalogue;

/// <summary>
/// The shape of a bundle's or a matter's code. Codes end up in addresses, blob paths, audit subjects and log lines,
/// so they are kept to what every catalogue of <c>tenants/</c> already uses: lowercase letters, digits and hyphens.
/// A basic code (基本编码) written in digits fits too.
/// </summary>
public static partial class CatalogueCodes
{
    public const int MaxLength = 64;

    /// <summary>The rule a refused code breaks, as 422 answers name it.</summary>
    public const string Rule = "code-format";

    /// <summary>Null for a good code; otherwise the sentence that says what is allowed.</summary>
    public static string? Check(string code) =>
        CodePattern().IsMatch(code)
            ? null
            : $"'{Shown(code)}' is not a valid code: use 1 to {MaxLength} lowercase letters (a–z), digits and hyphens, starting with a letter or a digit, for example 'newborn' or 'birth-certificate'.";

    // A refused code may hold control characters; the message shows them escaped rather than raw.
    private static string Shown(string code) =>
        string.Concat(code.Take(MaxLength + 1).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}
