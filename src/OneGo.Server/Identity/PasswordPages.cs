using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Pages;
using OneGo.Server.Pages.Identity;
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
        return IdentityPages.Show<LinkRefusedPage>(page, new { Page = page, State = refusal },
            refusal is "used" or "expired" or "replaced" ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound);
    }

    private static IResult SetForm(HttpContext context, IAntiforgery antiforgery, Account account, string link, string token, string? error)
    {
        var page = PageRequest.Of(context);
        return IdentityPages.Show<SetPasswordForm>(page, new
        {
            Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context), AccountName = account.Name, Link = link, Token = token, Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

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
        IStringLocalizer<IdentityPages> words, [FromForm] string? link, [FromForm] string? token, [FromForm] string? newPassword, [FromForm] string? repeat)
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

        // The page's language, which the words of an error are read in.
        _ = PageRequest.Of(context);
        if (newPassword != repeat)
        {
            return SetForm(context, antiforgery, account!, link!, token, words["PasswordsDiffer"]);
        }

        if (!await users.VerifyUserTokenAsync(account!, users.Options.Tokens.PasswordResetTokenProvider, UserManager<Account>.ResetPasswordTokenPurpose, token))
        {
            return Unusable(context, "replaced");
        }

        var result = await users.ResetPasswordAsync(account!, token, newPassword ?? "");
        if (!result.Succeeded)
        {
            db.ChangeTracker.Clear();
            return SetForm(context, antiforgery, account!, link!, token, Explain(words, result));
        }

        row!.UsedAt = clock.Now();
        using (tenants.Enter(account!.AuditTenantId))
        {
            db.Audit(new AuditEvent(account.Name, "account.password-set", $"account/{account.Name}", new { link = row.Id }, "through the mailed link"));
            await db.SaveChangesAsync(context.RequestAborted);
        }

        return Results.Redirect($"{SignInPage.Path}?set=1");
    }

    /// <summary>
    /// Identity's refusals in the page's words (length, the name, a common password, the current password), from
    /// <c>Refusal.&lt;code&gt;</c> in the resources; a refusal they do not name in Identity's own words.
    /// </summary>
    internal static string Explain(IStringLocalizer<IdentityPages> words, IdentityResult result) =>
        string.Join(" ", result.Errors.Select(e => words[$"Refusal.{e.Code}"] is { ResourceNotFound: false } said ? said.Value : e.Description));

    private static async Task<Account?> SignedInAsync(HttpContext context, UserManager<Account> users)
    {
        var signedIn = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return signedIn.Succeeded && await users.GetUserAsync(signedIn.Principal!) is { Disabled: false, Kind: AccountKind.Person } account ? account : null;
    }

    private static IResult ChangeForm(HttpContext context, IAntiforgery antiforgery, Account account, string back, string? error, bool changed = false)
    {
        var page = PageRequest.Of(context);
        return IdentityPages.Show<ChangePasswordForm>(page, new
        {
            Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context), AccountName = account.Name, ReturnUrl = back, Error = error, Changed = changed,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
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
        SignInThrottle throttle, IStringLocalizer<IdentityPages> words, [FromForm] string? currentPassword, [FromForm] string? newPassword, [FromForm] string? repeat, [FromForm] string? returnUrl)
    {
        var back = SignInPage.LocalReturn(returnUrl) ?? "/";
        var account = await SignedInAsync(context, users);
        if (account is null)
        {
            return Results.Redirect(SignInPage.Path);
        }

        // The page's language, which the words of an error are read in.
        _ = PageRequest.Of(context);
        var client = SignInThrottle.ClientOf(context);
        if (await throttle.WaitAsync(account.Name, client, context.RequestAborted) is { } wait && wait > TimeSpan.Zero)
        {
            return ChangeForm(context, antiforgery, account, back, words["TooManyAttempts", (int)Math.Ceiling(wait.TotalSeconds)]);
        }

        if (newPassword != repeat)
        {
            return ChangeForm(context, antiforgery, account, back, words["NewPasswordsDiffer"]);
        }

        var result = await users.ChangePasswordAsync(account, currentPassword ?? "", newPassword ?? "");
        if (!result.Succeeded)
        {
            db.ChangeTracker.Clear();
            if (result.Errors.Any(e => e.Code == "PasswordMismatch"))
            {
                await throttle.FailedAsync(account.Name, client, context.RequestAborted);
            }

            return ChangeForm(context, antiforgery, account, back, Explain(words, result));
        }

        using (tenants.Enter(account.AuditTenantId))
        {
            db.Audit(new AuditEvent(account.AuditName, "account.password-change", account.IsApplicant ? $"applicant/{account.Id}" : $"account/{account.Name}", new { client }));
            await db.SaveChangesAsync(context.RequestAborted);
        }

        // The new security stamp ends the person's other sessions; this one carries on, as strongly signed in as it was.
        var methods = (await context.AuthenticateAsync(IdentityConstants.ApplicationScheme)).Principal?.FindAll(OneGoClaims.AuthenticationMethod).ToList() ?? [];
        await signIns.SignInWithClaimsAsync(account, isPersistent: false, methods.Select(m => new System.Security.Claims.Claim(m.Type, m.Value)));
        return ChangeForm(context, antiforgery, account, back, null, changed: true);
    }
}
