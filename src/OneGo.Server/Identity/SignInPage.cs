using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Pages;
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
            PasswordForm(context, antiforgery, LocalReturn(returnUrl) ?? "/", null, null)).ExcludeFromDescription();
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

    private static IResult BadReturn(HttpContext context) => IdentityPages.Page(context, "登录 Sign in", Html.Of($"""
        <h1>{PageRequest.Of(context).T("无法登录", "Cannot sign in")}</h1>
        {IdentityPages.Error(PageRequest.Of(context).T("登录后要前往的地址不是本站地址，已拒绝。请从 OneGo 的页面重新登录。", "The address to return to after signing in is not one of OneGo's own, so it was refused. Start again from a OneGo page."))}
        <p><a href="/">{PageRequest.Of(context).T("返回首页", "Home")}</a></p>
        """), StatusCodes.Status400BadRequest);

    private static IResult PasswordForm(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error, string? notice, int status = StatusCodes.Status200OK)
    {
        if (returnUrl is null)
        {
            return BadReturn(context);
        }

        var page = PageRequest.Of(context);
        return IdentityPages.Page(context, page.T("登录", "Sign in"), Html.Of($"""
            <h1>{page.T("登录", "Sign in")}</h1>
            {(notice is null ? Html.Empty : Html.Of($"<p class=\"notice\" role=\"status\">{notice}</p>"))}
            {IdentityPages.Error(error)}
            <form method="post" action="{Path}">
            {IdentityPages.Antiforgery(context, antiforgery)}
            <input type="hidden" name="returnUrl" value="{returnUrl}">
            <label for="userName">{page.T("用户名", "User name")}</label>
            <input id="userName" name="userName" autocomplete="username" required autofocus>
            <label for="password">{page.T("密码", "Password")}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">{page.T("登录", "Sign in")}</button>
            </form>
            """), status);
    }

    private static IResult Throttled(HttpContext context, IAntiforgery antiforgery, string returnUrl, TimeSpan wait)
    {
        var page = PageRequest.Of(context);
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return PasswordForm(context, antiforgery, returnUrl,
            page.T($"尝试次数过多，请 {seconds} 秒后再试。", $"Too many attempts: try again in {seconds} seconds."), null, StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users,
        SignInManager<Account> signIns, IPasswordHasher<Account> hasher, SignInThrottle throttle, AccountRoles held,
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl)
    {
        // Refused before anything is checked: a sign-in never ends on a redirect somewhere else.
        var back = LocalReturn(returnUrl);
        if (back is null)
        {
            return BadReturn(context);
        }

        var page = PageRequest.Of(context);
        var name = (userName ?? "").Trim().ToLowerInvariant();
        var client = SignInThrottle.ClientOf(context);
        var cancellationToken = context.RequestAborted;
        if (await throttle.WaitAsync(name, client, cancellationToken, SignInThrottle.KnownDevice(context, name)) is { } wait && wait > TimeSpan.Zero)
        {
            return Throttled(context, antiforgery, back, wait);
        }

        var account = name.Length is > 0 and <= 256 ? await users.FindByNameAsync(name) : null;
        var usable = account is { Kind: AccountKind.Person, Disabled: false, PasswordHash: not null };
        var verified = hasher.VerifyHashedPassword(account!, usable ? account!.PasswordHash! : UnknownHash.Value, password ?? "") != PasswordVerificationResult.Failed;
        if (!usable || !verified)
        {
            await throttle.FailedAsync(name, client, cancellationToken);
            await AuditAsync(db, tenants, account, name, "signin.fail", new { client, reason = account is null ? "unknown name" : !usable ? "no usable password" : "wrong password" }, cancellationToken);
            return PasswordForm(context, antiforgery, back, page.T("用户名或密码不正确。", "The user name or password is not right."), null);
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
            using (tenants.Enter(account.TenantId))
            {
                db.Audit(new AuditEvent(account.Name, "account.authenticator-issue", $"account/{account.Name}", null, "a new authenticator key to enrol"));
                await db.SaveChangesAsync(context.RequestAborted);
            }
        }

        return await SecondFactorForm(context, antiforgery, users, account, back, null);
    }

    private static async Task<IResult> SecondFactorForm(HttpContext context, IAntiforgery antiforgery, UserManager<Account> users, Account account, string back, string? error, int status = StatusCodes.Status200OK)
    {
        var page = PageRequest.Of(context);
        var form = Html.Of($"""
            <form method="post" action="{SecondFactorPath}">
            {IdentityPages.Antiforgery(context, antiforgery)}
            <input type="hidden" name="returnUrl" value="{back}">
            <label for="code">{page.T("验证码（身份验证器中的 6 位数字）", "Code (the 6 digits in your authenticator)")}</label>
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" autofocus>
            {(account.TwoFactorEnabled ? Html.Of($"""
                <label for="recoveryCode">{page.T("或一个恢复码", "Or a recovery code")}</label>
                <input id="recoveryCode" name="recoveryCode" autocomplete="off">
                """) : Html.Empty)}
            <button type="submit">{page.T("验证", "Verify")}</button>
            </form>
            """);
        if (account.TwoFactorEnabled)
        {
            return IdentityPages.Page(context, page.T("两步验证", "Second factor"), Html.Of($"""
                <h1>{page.T("两步验证", "Second factor")}</h1>
                {IdentityPages.Error(error)}
                <p>{page.T("请输入身份验证器中显示的验证码。", "Enter the code your authenticator shows.")}</p>
                {form}
                """), status);
        }

        var key = (await users.GetAuthenticatorKeyAsync(account))!;
        var uri = $"otpauth://totp/{Uri.EscapeDataString("OneGo:" + account.Name)}?secret={key}&issuer=OneGo&digits=6&period=30";
        var grouped = string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - (i * 4)))));
        return IdentityPages.Page(context, page.T("设置身份验证器", "Set up your authenticator"), Html.Of($"""
            <h1>{page.T("设置身份验证器", "Set up your authenticator")}</h1>
            {IdentityPages.Error(error)}
            <p>{page.T("管理员、审核员和审计员登录时需要第二个因素。用身份验证器应用扫描二维码，或手动输入密钥，然后输入它显示的验证码。", "Admins, reviewers and auditors sign in with a second factor. Scan the code with an authenticator app, or type the key in, then enter the code it shows.")}</p>
            {IdentityPages.QrCode(uri, page.T("身份验证器二维码", "Authenticator QR code"))}
            <p>{page.T("密钥", "Key")}: <span class="secret" id="authenticator-key">{grouped}</span></p>
            {form}
            """), status);
    }

    private static async Task<IResult> SecondFactorAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users,
        SignInManager<Account> signIns, SignInThrottle throttle,
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

        var page = PageRequest.Of(context);
        var client = SignInThrottle.ClientOf(context);
        var key = "2fa/" + account.Id.ToString("N");
        var cancellationToken = context.RequestAborted;
        if (await throttle.WaitAsync(key, client, cancellationToken) is { } wait && wait > TimeSpan.Zero)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await SecondFactorForm(context, antiforgery, users, account, back,
                page.T($"尝试次数过多，请 {Math.Ceiling(wait.TotalSeconds)} 秒后再试。", $"Too many attempts: try again in {Math.Ceiling(wait.TotalSeconds)} seconds."), StatusCodes.Status429TooManyRequests);
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
            return await SecondFactorForm(context, antiforgery, users, account, back, page.T("验证码不正确。", "The code is not right."));
        }

        await throttle.SucceededAsync(key, client, cancellationToken);
        IEnumerable<string>? recoveryCodes = null;
        using (tenants.Enter(account.TenantId))
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

        return IdentityPages.Page(context, page.T("恢复码", "Recovery codes"), Html.Of($"""
            <h1>{page.T("身份验证器已设置", "Your authenticator is set up")}</h1>
            <p>{page.T("请把下面的恢复码保存在安全的地方：手机丢失时，每个恢复码可代替验证码使用一次。它们只显示这一次。", "Keep these recovery codes somewhere safe: if you lose your phone, each one works once instead of a code. They are shown only now.")}</p>
            <ul class="codes" id="recovery-codes">{recoveryCodes.Select(c => Html.Of($"<li>{c}</li>"))}</ul>
            <p><a id="continue" href="{back}">{page.T("继续", "Continue")}</a></p>
            """));
    }

    /// <summary>A security event in the account's tenant's audit log; a name nobody has goes to the national log.</summary>
    internal static async Task AuditAsync(OneGoDbContext db, CurrentTenant tenants, Account? account, string name, string action, object details, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        using (tenants.Enter(account?.TenantId ?? RegionRules.NationalId))
        {
            var shown = name.Length > 64 ? name[..64] : name;
            db.Audit(new AuditEvent(account?.Name ?? "anonymous", action, $"account/{(account?.Name ?? shown)}", details));
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
