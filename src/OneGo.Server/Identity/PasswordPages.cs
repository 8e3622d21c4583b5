using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Pages;
using OneGo.Tenancy;

namespace OneGo.Server.Identity;

/// <summary>
/// People own their passwords: a new person sets theirs through the one-time link mailed to them
/// once a second admin approved their role (an expired, used or replaced link shows a page saying so and changes
/// nothing); a signed-in person changes theirs. No admin ever chooses or sees one.
/// </summary>
public static class PasswordPages
{
    public const string SetPath = "/account/password";
    public const string ChangePath = "/account/password/change";

    public static void MapPasswordPages(this WebApplication app)
    {
        app.MapGet(SetPath, SetFormAsync).ExcludeFromDescription();
        app.MapPost(SetPath, SetAsync).ExcludeFromDescription();
        app.MapGet(ChangePath, ChangeFormAsync).ExcludeFromDescription();
        app.MapPost(ChangePath, ChangeAsync).ExcludeFromDescription();
    }

    private static IResult Unusable(HttpContext context, string refusal)
    {
        var page = PageRequest.Of(context);
        var (title, text) = refusal switch
        {
            "used" => (page.T("链接已使用", "This link was used"), page.T("这个链接已经用过了：密码已设置。请直接登录；忘记密码请联系管理员重新发送链接。", "This link has been used: the password is set. Sign in; if you forgot it, ask your administrator for a new link.")),
            "expired" => (page.T("链接已过期", "This link has expired"), page.T("这个链接已过期。请联系管理员重新发送链接。", "This link has expired. Ask your administrator for a new one.")),
            "replaced" => (page.T("链接已失效", "This link no longer works"), page.T("这个链接已被更新的链接取代，或账号已变更。请使用最新的邮件，或联系管理员。", "A newer link replaced this one, or the account changed since. Use the latest mail, or ask your administrator.")),
            _ => (page.T("链接无效", "This link is not valid"), page.T("这不是 OneGo 发出的有效链接。", "This is not a valid link from OneGo.")),
        };
        return IdentityPages.Page(context, title, Html.Of($"""
            <h1 id="link-state" data-state="{refusal}">{title}</h1>
            <p>{text}</p>
            <p><a href="{SignInPage.Path}">{page.T("登录", "Sign in")}</a></p>
            """), refusal is "used" or "expired" or "replaced" ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound);
    }

    private static IResult SetForm(HttpContext context, IAntiforgery antiforgery, Account account, string link, string token, string? error)
    {
        var page = PageRequest.Of(context);
        return IdentityPages.Page(context, page.T("设置密码", "Set your password"), Html.Of($"""
            <h1>{page.T("设置密码", "Set your password")}</h1>
            <p>{page.T("账号", "Account")}: <strong id="account-name">{account.Name}</strong></p>
            {IdentityPages.Error(error)}
            <form method="post" action="{SetPath}">
            {IdentityPages.Antiforgery(context, antiforgery)}
            <input type="hidden" name="link" value="{link}">
            <input type="hidden" name="token" value="{token}">
            {NewPasswordFields(page)}
            <button type="submit">{page.T("设置密码", "Set password")}</button>
            </form>
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private static Html NewPasswordFields(PageRequest page) => Html.Of($"""
        <p class="meta" id="password-rules">{page.T("至少 12 个字符；不能包含用户名，也不能是常见密码。", "At least 12 characters; not containing your user name, and not a common password.")}</p>
        <label for="newPassword">{page.T("新密码", "New password")}</label>
        <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required aria-describedby="password-rules">
        <label for="repeat">{page.T("再次输入新密码", "New password again")}</label>
        <input id="repeat" name="repeat" type="password" autocomplete="new-password" required>
        """);

    private static async Task<IResult> SetFormAsync(HttpContext context, IAntiforgery antiforgery, Credentials credentials, string? link, string? token)
    {
        if (!Guid.TryParse(link, out var id) || string.IsNullOrEmpty(token))
        {
            return Unusable(context, "unknown");
        }

        var (_, account, refusal) = await credentials.OpenAsync(id, context.RequestAborted);
        return refusal is not null ? Unusable(context, refusal) : SetForm(context, antiforgery, account!, link!, token, null);
    }

    private static async Task<IResult> SetAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, Credentials credentials, UserManager<Account> users, TimeProvider clock,
        [FromForm] string? link, [FromForm] string? token, [FromForm] string? newPassword, [FromForm] string? repeat)
    {
        if (!Guid.TryParse(link, out var id) || string.IsNullOrEmpty(token))
        {
            return Unusable(context, "unknown");
        }

        var (row, account, refusal) = await credentials.OpenAsync(id, context.RequestAborted);
        if (refusal is not null)
        {
            return Unusable(context, refusal);
        }

        var page = PageRequest.Of(context);
        if (newPassword != repeat)
        {
            return SetForm(context, antiforgery, account!, link!, token, page.T("两次输入的密码不一致。", "The two passwords differ."));
        }

        if (!await users.VerifyUserTokenAsync(account!, users.Options.Tokens.PasswordResetTokenProvider, UserManager<Account>.ResetPasswordTokenPurpose, token))
        {
            return Unusable(context, "replaced");
        }

        var result = await users.ResetPasswordAsync(account!, token, newPassword ?? "");
        if (!result.Succeeded)
        {
            db.ChangeTracker.Clear();
            return SetForm(context, antiforgery, account!, link!, token, Explain(page, result));
        }

        row!.UsedAt = clock.Now();
        using (tenants.Enter(account!.TenantId))
        {
            db.Audit(new AuditEvent(account.Name, "account.password-set", $"account/{account.Name}", new { link = row.Id }, "through the mailed link"));
            await db.SaveChangesAsync(context.RequestAborted);
        }

        return Results.Redirect($"{SignInPage.Path}?set=1");
    }

    /// <summary>Identity's refusals in the page's words (length, the name, a common password).</summary>
    private static string Explain(PageRequest page, IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Code switch
    {
        "PasswordTooShort" => page.T("密码至少要 12 个字符。", "A password has at least 12 characters."),
        "PasswordContainsName" => page.T("密码不能包含用户名或显示名。", "The password may not contain the user name or the display name."),
        "PasswordCommon" => page.T("这是最常见的密码之一，攻击者会首先尝试它，请另选一个。", "This is one of the most common passwords, which attackers try first; choose another."),
        "PasswordRequiresUniqueChars" => page.T("密码中不同的字符太少。", "The password has too few different characters."),
        "PasswordMismatch" => page.T("当前密码不正确。", "The current password is not right."),
        _ => e.Description,
    }));

    private static async Task<Account?> SignedInAsync(HttpContext context, UserManager<Account> users)
    {
        var signedIn = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return signedIn.Succeeded && await users.GetUserAsync(signedIn.Principal!) is { Disabled: false, Kind: AccountKind.Person } account ? account : null;
    }

    private static IResult ChangeForm(HttpContext context, IAntiforgery antiforgery, Account account, string back, string? error, string? done = null)
    {
        var page = PageRequest.Of(context);
        return IdentityPages.Page(context, page.T("修改密码", "Change your password"), Html.Of($"""
            <h1>{page.T("修改密码", "Change your password")}</h1>
            <p>{page.T("账号", "Account")}: <strong>{account.Name}</strong></p>
            {IdentityPages.Error(error)}
            {(done is null ? Html.Empty : Html.Of($"<p class=\"notice\" role=\"status\" id=\"changed\">{done}</p>"))}
            <form method="post" action="{ChangePath}">
            {IdentityPages.Antiforgery(context, antiforgery)}
            <input type="hidden" name="returnUrl" value="{back}">
            <label for="currentPassword">{page.T("当前密码", "Current password")}</label>
            <input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" required>
            {NewPasswordFields(page)}
            <button type="submit">{page.T("修改密码", "Change password")}</button>
            </form>
            <p><a href="{back}">{page.T("返回", "Back")}</a></p>
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> ChangeFormAsync(HttpContext context, IAntiforgery antiforgery, UserManager<Account> users, string? returnUrl)
    {
        var back = SignInPage.LocalReturn(returnUrl) ?? "/";
        var account = await SignedInAsync(context, users);
        return account is null
            ? Results.Redirect($"{SignInPage.Path}?returnUrl={Uri.EscapeDataString(ChangePath + "?returnUrl=" + Uri.EscapeDataString(back))}")
            : ChangeForm(context, antiforgery, account, back, null);
    }

    private static async Task<IResult> ChangeAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users, SignInManager<Account> signIns,
        SignInThrottle throttle, [FromForm] string? currentPassword, [FromForm] string? newPassword, [FromForm] string? repeat, [FromForm] string? returnUrl)
    {
        var back = SignInPage.LocalReturn(returnUrl) ?? "/";
        var account = await SignedInAsync(context, users);
        if (account is null)
        {
            return Results.Redirect(SignInPage.Path);
        }

        var page = PageRequest.Of(context);
        var client = SignInThrottle.ClientOf(context);
        if (await throttle.WaitAsync(account.Name, client, context.RequestAborted) is { } wait && wait > TimeSpan.Zero)
        {
            return ChangeForm(context, antiforgery, account, back, page.T($"尝试次数过多，请 {Math.Ceiling(wait.TotalSeconds)} 秒后再试。", $"Too many attempts: try again in {Math.Ceiling(wait.TotalSeconds)} seconds."));
        }

        if (newPassword != repeat)
        {
            return ChangeForm(context, antiforgery, account, back, page.T("两次输入的新密码不一致。", "The two new passwords differ."));
        }

        var result = await users.ChangePasswordAsync(account, currentPassword ?? "", newPassword ?? "");
        if (!result.Succeeded)
        {
            db.ChangeTracker.Clear();
            if (result.Errors.Any(e => e.Code == "PasswordMismatch"))
            {
                await throttle.FailedAsync(account.Name, client, context.RequestAborted);
            }

            return ChangeForm(context, antiforgery, account, back, Explain(page, result));
        }

        using (tenants.Enter(account.TenantId))
        {
            db.Audit(new AuditEvent(account.Name, "account.password-change", $"account/{account.Name}", new { client }));
            await db.SaveChangesAsync(context.RequestAborted);
        }

        // The new security stamp ends the person's other sessions; this one carries on, as strongly signed in as it was.
        var methods = (await context.AuthenticateAsync(IdentityConstants.ApplicationScheme)).Principal?.FindAll(OneGoClaims.AuthenticationMethod).ToList() ?? [];
        await signIns.SignInWithClaimsAsync(account, isPersistent: false, methods.Select(m => new System.Security.Claims.Claim(m.Type, m.Value)));
        return ChangeForm(context, antiforgery, account, back, null, page.T("密码已修改。", "Your password was changed."));
    }
}
