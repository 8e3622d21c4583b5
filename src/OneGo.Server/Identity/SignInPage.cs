using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;
using OneGo.Server.Hosting;

namespace OneGo.Server.Identity;

/// <summary>
/// The sign-in page for people: user name and password, bilingual, with lockout after repeated failures. It
/// signs the person into a cookie that only <c>/connect/authorize</c> reads; the API itself only takes tokens.
/// </summary>
public static class SignInPage
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    public static void MapSignInPage(this WebApplication app)
    {
        app.MapGet("/account/signin", (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Page(context, antiforgery, returnUrl, null)).ExcludeFromDescription();
        app.MapPost("/account/signin", SignIn).ExcludeFromDescription();
    }

    private static async Task<IResult> SignIn(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, TimeProvider clock,
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl)
    {
        var account = userName is null ? null : await db.Set<Account>().SingleOrDefaultAsync(a => a.UserName == userName && a.Kind == AccountKind.Person);
        var now = clock.Now();
        if (account is null || account.Disabled || account.PasswordHash is null)
        {
            return Page(context, antiforgery, returnUrl, "用户名或密码不正确。 The user name or password is not right.");
        }

        if (account.LockedUntil > now)
        {
            return Page(context, antiforgery, returnUrl, $"多次登录失败，账号已锁定至 {account.LockedUntil:HH:mm} (UTC)。 Too many failed attempts: the account is locked until {account.LockedUntil:HH:mm} UTC.");
        }

        var verified = new PasswordHasher<Account>().VerifyHashedPassword(account, account.PasswordHash, password ?? "");
        if (verified == PasswordVerificationResult.Failed)
        {
            account.FailedSignIns++;
            if (account.FailedSignIns >= MaxFailures)
            {
                account.LockedUntil = now + Lockout;
                account.FailedSignIns = 0;
                using (tenants.Enter(account.TenantId))
                {
                    db.Audit(new AuditEvent("system:sign-in", "account.lock", $"account/{account.UserName}", new { lockedUntil = account.LockedUntil },
                        $"{MaxFailures} failed sign-ins in a row"));
                    await db.SaveChangesAsync();
                }
            }
            else
            {
                await db.SaveChangesAsync();
            }

            return Page(context, antiforgery, returnUrl, "用户名或密码不正确。 The user name or password is not right.");
        }

        account.FailedSignIns = 0;
        account.LockedUntil = null;
        await db.SaveChangesAsync();
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, account.UserName)], IdentitySetup.CookieScheme);
        await context.SignInAsync(IdentitySetup.CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var html = $$"""
            <!doctype html>
            <html lang="zh-CN">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>登录 Sign in · OneGo 一件事一次办</title>
            <style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}</style>
            </head>
            <body>
            <h1>登录 <small>Sign in</small></h1>
            {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{E(error)}</p>")}}
            <form method="post" action="/account/signin">
              <input type="hidden" name="{{E(tokens.FormFieldName)}}" value="{{E(tokens.RequestToken)}}">
              <input type="hidden" name="returnUrl" value="{{E(returnUrl)}}">
              <label for="userName">用户名 User name</label>
              <input id="userName" name="userName" autocomplete="username" required autofocus>
              <label for="password">密码 Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>
              <button type="submit">登录 Sign in</button>
            </form>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: 200);
    }
}
