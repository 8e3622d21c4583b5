using System.Net.Mail;
using System.Text.RegularExpressions;
using OneGo.Server.Hosting;

namespace OneGo.Server.Identity;

/// <summary>
/// What an account may be called and hold: user names in one lowercase form that routes, logs and the audit log can
/// all carry (no '/', no lookalike case variants), names OneGo's own actors keep for themselves, e-mail addresses, and
/// the separation of duties (等保 2.0 三员管理): whoever holds admin or auditor holds no other role.
/// </summary>
public static partial class AccountRules
{
    public const int MaxUserName = 64;

    /// <summary>The names OneGo writes into the audit log for its own work; no account may take them.</summary>
    private static readonly string[] Reserved = ["import", "anonymous", "system", "migration", "demo", "onego", "onego-console", "onego-apply", "admin", "root"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{2,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserNamePattern();

    /// <summary>Why a user name is not allowed, or null.</summary>
    public static string? CheckUserName(string? userName)
    {
        if (string.IsNullOrEmpty(userName))
        {
            return "A user name is required.";
        }

        if (!UserNamePattern().IsMatch(userName))
        {
            return $"A user name is 3 to {MaxUserName} characters: lowercase letters a–z, digits, '.', '_', '@' and '-', starting with a letter or digit; it was '{userName}'.";
        }

        if (Reserved.Contains(userName) || userName.StartsWith("system", StringComparison.Ordinal))
        {
            return $"'{userName}' is a name OneGo keeps for its own work in the audit log; choose another.";
        }

        return null;
    }

    /// <summary>Why an e-mail address is not allowed, or null.</summary>
    public static string? CheckEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return "An e-mail address is required: the set-password link and every notice about the account go there.";
        }

        if (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal))
        {
            return $"'{email}' is not an e-mail address (name@example.gov.cn).";
        }

        return null;
    }

    /// <summary>
    /// The first pair of roles that may not be held together, or null: admin and auditor are each held alone. Roles
    /// are checked in the order given, so the error names the role asked for last against the one held.
    /// </summary>
    public static (string Held, string Asked)? Conflict(IReadOnlyList<string> roles)
    {
        for (var i = 0; i < roles.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (roles[i] != roles[j] && (Roles.HeldAlone.Contains(roles[i]) || Roles.HeldAlone.Contains(roles[j])))
                {
                    return (roles[j], roles[i]);
                }
            }
        }

        return null;
    }

    /// <summary>The 422 error for a broken separation of duties, naming both roles.</summary>
    public static ApiError ConflictError(string pointer, (string Held, string Asked) conflict) => ApiError.At(pointer, "separation-of-duties",
        $"'{conflict.Asked}' cannot be held together with '{conflict.Held}': whoever holds admin or auditor holds no other role (三员管理).");

    /// <summary>An address as a list may show it: the first letter of the name and the domain (z***@example.gov.cn).</summary>
    public static string? Mask(string? email)
    {
        if (email is null)
        {
            return null;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : email[..1] + "***" + email[at..];
    }
}
