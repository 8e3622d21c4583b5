using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Pages;
using OneGo.Server.Pages.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Identity;

/// <summary>
/// Signing people in: user name and password, then — for admins, reviewers and auditors — a TOTP
/// code from their authenticator (RFC 6238), enrolled at the first sign-in with recovery codes shown once. Guessing is
/// slowed by <see cref="SignInThrottle"/>, never answered with a lock; unknown names cost the same work as known ones.
/// Every success and failure is in the account's tenant's audit log. The pages sign the person into Identity's
/// cookie, which only <c>/connect/authorize</c> reads; the API itself takes tokens only.
/// </summary>
public static class SignInPage
{
    public const string Path = "/account/signin";
    public const string SecondFactorPath = "/account/second-factor";

    // The same PBKDF2 work for a name nobody has, so the answer's time does not say which names exist.
    private static readonly Lazy<string> UnknownHash = new(() => new PasswordHasher<Account>().HashPassword(null!, Guid.NewGuid().ToString()));

    public static void MapSignInPage(this WebApplication app)
    {
        app.MapGet(Path, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            PasswordForm(context, antiforgery, LocalReturn(returnUrl) ?? "/", null)).ExcludeFromDescription();
        app.MapPost(Path, SignInAsync).ExcludeFromDescription();
        app.MapGet(SecondFactorPath, SecondFactorFormAsync).ExcludeFromDescription();
        app.MapPost(SecondFactorPath, SecondFactorAsync).ExcludeFromDescription();
    }

    /// <summary>
    /// A return address OneGo will redirect to after sign-in: a path on this site, in plain visible ASCII — no
    /// scheme, no '//' or '/\' (another host), no TAB, CR, LF or other control or non-ASCII character that a browser
    /// would strip or Kestrel refuse. Null when it is not one.
    /// </summary>
    public static string? LocalReturn(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "/";
        }

        if (url.Length > 2048 || url[0] != '/' || (url.Length > 1 && (url[1] == '/' || url[1] == '\\')) || url.Any(c => c <= ' ' || c >= '\u007f' || c == '\\'))
        {
            return null;
        }

        return url;
    }

    private static IResult BadReturn(HttpContext context)
    {
        var page = PageRequest.Of(context);
        return IdentityPages.Show<BadReturnPage>(page, new { Page = page }, StatusCodes.Status400BadRequest);
    }

    private static IResult PasswordForm(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error, int status = StatusCodes.Status200OK)
    {
        if (returnUrl is null)
        {
            return BadReturn(context);
        }

        var page = PageRequest.Of(context);
        return IdentityPages.Show<SignInForm>(page, new { Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context), ReturnUrl = returnUrl, Error = error }, status);
    }

    private static IResult Throttled(HttpContext context, IAntiforgery antiforgery, IStringLocalizer<IdentityPages> words, string returnUrl, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return PasswordForm(context, antiforgery, returnUrl, words["TooManyAttempts", seconds], StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users,
        SignInManager<Account> signIns, IPasswordHasher<Account> hasher, SignInThrottle throttle, AccountRoles held, IStringLocalizer<IdentityPages> words,
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl)
    {
        // Refused before anything is checked: a sign-in never ends on a redirect somewhere else.
        var back = LocalReturn(returnUrl);
        if (back is null)
        {
            return BadReturn(context);
        }

        // The page's language, which the words of an error are read in.
        _ = PageRequest.Of(context);
        var name = (userName ?? "").Trim().ToLowerInvariant();
        var client = SignInThrottle.ClientOf(context);
        var cancellationToken = context.RequestAborted;
        if (await throttle.WaitAsync(name, client, cancellationToken, SignInThrottle.KnownDevice(context, name)) is { } wait && wait > TimeSpan.Zero)
        {
            return Throttled(context, antiforgery, words, back, wait);
        }

        var account = name.Length is > 0 and <= 256 ? await users.FindByNameAsync(name) : null;
        var usable = account is { Kind: AccountKind.Person, Disabled: false, PasswordHash: not null };
        var verified = hasher.VerifyHashedPassword(account!, usable ? account!.PasswordHash! : UnknownHash.Value, password ?? "") != PasswordVerificationResult.Failed;
        if (!usable || !verified)
        {
            await throttle.FailedAsync(name, client, cancellationToken);
            await AuditAsync(db, tenants, account, name, "signin.fail", new { client, reason = account is null ? "unknown name" : !usable ? "no usable password" : "wrong password" }, cancellationToken);
            return PasswordForm(context, antiforgery, back, words["WrongNameOrPassword"]);
        }

        await throttle.SucceededAsync(name, client, cancellationToken);
        SignInThrottle.RememberDevice(context, name);
        var roles = await held.HeldAsync(account!, cancellationToken);
        if (AccountRoles.NeedSecondFactor(roles))
        {
            // Half signed in: the second-factor page knows who, for five minutes, and nothing else does.
            var pending = new ClaimsIdentity([new Claim(ClaimTypes.Name, account!.Id.ToString())], IdentityConstants.TwoFactorUserIdScheme);
            await context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(pending));
            return Results.Redirect($"{SecondFactorPath}?returnUrl={Uri.EscapeDataString(back)}");
        }

        await signIns.SignInWithClaimsAsync(account!, isPersistent: false, [new Claim(OneGoClaims.AuthenticationMethod, "pwd")]);
        await AuditAsync(db, tenants, account, name, "signin.success", new { client, methods = new[] { "pwd" } }, cancellationToken);
        return Results.Redirect(back);
    }

    private static async Task<Account?> PendingAsync(HttpContext context, UserManager<Account> users)
    {
        var pending = await context.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        return pending.Succeeded && Guid.TryParse(pending.Principal!.FindFirstValue(ClaimTypes.Name), out var id)
            ? await users.FindByIdAsync(id.ToString()) is { Disabled: false, Kind: AccountKind.Person } account ? account : null
            : null;
    }

    private static async Task<IResult> SecondFactorFormAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users, string? returnUrl)
    {
        var back = LocalReturn(returnUrl);
        if (back is null)
        {
            return BadReturn(context);
        }

        var account = await PendingAsync(context, users);
        if (account is null)
        {
            return Results.Redirect($"{Path}?returnUrl={Uri.EscapeDataString(back)}");
        }

        if (!account.TwoFactorEnabled && await users.GetAuthenticatorKeyAsync(account) is null)
        {
            // The key the person's authenticator will share; enrolment completes only when a code from it is entered.
            await users.ResetAuthenticatorKeyAsync(account);
            using (tenants.Enter(account.AuditTenantId))
            {
                db.Audit(new AuditEvent(account.Name, "account.authenticator-issue", $"account/{account.Name}", null, "a new authenticator key to enrol"));
                await db.SaveChangesAsync(context.RequestAborted);
            }
        }

        return await SecondFactorForm(context, antiforgery, users, account, back, null);
    }

    private static async Task<IResult> SecondFactorForm(HttpContext context, IAntiforgery antiforgery, UserManager<Account> users, Account account, string back, string? error, int status = StatusCodes.Status200OK)
    {
        AuthenticatorEnrolment? enrolment = null;
        if (!account.TwoFactorEnabled)
        {
            var key = (await users.GetAuthenticatorKeyAsync(account))!;
            var uri = $"otpauth://totp/{Uri.EscapeDataString("OneGo:" + account.Name)}?secret={key}&issuer=OneGo&digits=6&period=30";
            var grouped = string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - (i * 4)))));
            enrolment = new AuthenticatorEnrolment(uri, grouped);
        }

        var page = PageRequest.Of(context);
        return IdentityPages.Show<SecondFactorForm>(page, new
        {
            Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context), ReturnUrl = back, Enrolment = enrolment, Error = error,
        }, status);
    }

    private static async Task<IResult> SecondFactorAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users,
        SignInManager<Account> signIns, SignInThrottle throttle, IStringLocalizer<IdentityPages> words,
        [FromForm] string? code, [FromForm] string? recoveryCode, [FromForm] string? returnUrl)
    {
        var back = LocalReturn(returnUrl);
        if (back is null)
        {
            return BadReturn(context);
        }

        var account = await PendingAsync(context, users);
        if (account is null)
        {
            return Results.Redirect($"{Path}?returnUrl={Uri.EscapeDataString(back)}");
        }

        // The page's language, which the words of an error are read in.
        var page = PageRequest.Of(context);
        var client = SignInThrottle.ClientOf(context);
        var key = "2fa/" + account.Id.ToString("N");
        var cancellationToken = context.RequestAborted;
        if (await throttle.WaitAsync(key, client, cancellationToken) is { } wait && wait > TimeSpan.Zero)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await SecondFactorForm(context, antiforgery, users, account, back, words["TooManyAttempts", seconds], StatusCodes.Status429TooManyRequests);
        }

        var enrolling = !account.TwoFactorEnabled;
        var totp = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        bool ok;
        string method;
        if (!enrolling && string.IsNullOrEmpty(totp) && !string.IsNullOrWhiteSpace(recoveryCode))
        {
            method = "recovery-code";
            ok = (await users.RedeemTwoFactorRecoveryCodeAsync(account, recoveryCode.Trim())).Succeeded;
        }
        else
        {
            method = "otp";
            ok = totp.Length == 6 && totp.All(char.IsAsciiDigit) && await users.VerifyTwoFactorTokenAsync(account, TokenOptions.DefaultAuthenticatorProvider, totp);
        }

        if (!ok)
        {
            db.ChangeTracker.Clear();
            await throttle.FailedAsync(key, client, cancellationToken);
            await AuditAsync(db, tenants, account, account.Name, "signin.second-factor-fail", new { client, method }, cancellationToken);
            return await SecondFactorForm(context, antiforgery, users, account, back, words["WrongCode"]);
        }

        await throttle.SucceededAsync(key, client, cancellationToken);
        IEnumerable<string>? recoveryCodes = null;
        using (tenants.Enter(account.AuditTenantId))
        {
            if (enrolling)
            {
                // One update of the account (Identity's store saves nothing itself): the codes, and the second factor on.
                account.TwoFactorEnabled = true;
                recoveryCodes = await users.GenerateNewTwoFactorRecoveryCodesAsync(account, 10);
                db.Audit(new AuditEvent(account.Name, "account.second-factor-enrol", $"account/{account.Name}", new { client }, "authenticator enrolled; 10 recovery codes issued"));
            }
            else if (method == "recovery-code")
            {
                db.Audit(new AuditEvent(account.Name, "account.recovery-code-use", $"account/{account.Name}", new { client, left = await users.CountRecoveryCodesAsync(account) }));
            }

            db.Audit(new AuditEvent(account.Name, "signin.success", $"account/{account.Name}", new { client, methods = new[] { "pwd", method, "mfa" } }));
            await db.SaveChangesAsync(cancellationToken);
        }

        await context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signIns.SignInWithClaimsAsync(account, isPersistent: false,
            [new Claim(OneGoClaims.AuthenticationMethod, "pwd"), new Claim(OneGoClaims.AuthenticationMethod, "otp"), new Claim(OneGoClaims.AuthenticationMethod, "mfa")]);
        if (recoveryCodes is null)
        {
            return Results.Redirect(back);
        }

        return IdentityPages.Show<RecoveryCodesPage>(page, new { Page = page, Codes = recoveryCodes.ToList(), ReturnUrl = back });
    }

    /// <summary>A security event in the account's tenant's audit log; an applicant's, and a name nobody has, go to the national log.</summary>
    internal static async Task AuditAsync(OneGoDbContext db, CurrentTenant tenants, Account? account, string name, string action, object details, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        using (tenants.Enter(account?.TenantId ?? RegionRules.NationalId))
        {
            var shown = name.Length > 64 ? name[..64] : name;
            // An applicant is named by their subject alone, in the platform operator's log.
            db.Audit(account is { IsApplicant: true }
                ? new AuditEvent(account.Id.ToString(), action, $"applicant/{account.Id}", details)
                : new AuditEvent(account?.Name ?? "anonymous", action, $"account/{(account?.Name ?? shown)}", details));
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}

/// <summary>
/// What a person enrolling their authenticator is shown: the <c>otpauth:</c> address its QR code holds, and the key in
/// groups of four for typing it in.
/// </summary>
public sealed record AuthenticatorEnrolment(string Uri, string Key);
