using System.Reflection;
using Microsoft.AspNetCore.Identity;

namespace OneGo.Server.Identity;

/// <summary>
/// The password policy beyond Identity's length rule (12 characters, set in <see cref="IdentitySetup"/>): a password
/// is not the user name or the display name (nor contains them), and not one of the common passwords shipped in
/// <c>Identity/common-passwords.txt</c> — which holds the usual ones of Chinese leaks (123456, 5201314, woaini1314 …)
/// and their longer forms. Compared without regard to case.
/// </summary>
public sealed class PasswordPolicy : IPasswordValidator<Account>
{
    private static readonly Lazy<HashSet<string>> Common = new(Load);

    public static bool IsCommon(string password) => Common.Value.Contains(password.Trim().ToLowerInvariant());

    public Task<IdentityResult> ValidateAsync(UserManager<Account> manager, Account user, string? password)
    {
        var errors = new List<IdentityError>();
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        var lower = password.ToLowerInvariant();
        foreach (var name in new[] { user.UserName, user.UserName?.Split('@')[0], user.DisplayName })
        {
            if (name is { Length: >= 3 } && lower.Contains(name.ToLowerInvariant(), StringComparison.Ordinal))
            {
                errors.Add(new IdentityError { Code = "PasswordContainsName", Description = "The password may not contain the user name or the display name." });
                break;
            }
        }

        if (IsCommon(password))
        {
            errors.Add(new IdentityError { Code = "PasswordCommon", Description = "This password is among the most common ones that attackers try first; choose another." });
        }

        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OneGo.Server.Identity.common-passwords.txt")
            ?? throw new InvalidOperationException("The list of common passwords is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }

        return set;
    }
}
