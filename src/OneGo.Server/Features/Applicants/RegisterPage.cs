using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Pages.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Applicants;

/// <summary>What a person typed into the registration form, kept to show the form again beside its errors (never the passwords).</summary>
public sealed record Registration(string UserName, string Name, string IdNumber, string CreditCode, string EnterpriseName);

/// <summary>
/// <c>/account/register</c>: a person registers as an applicant — a user name, their name, their 居民身份证号 (GB 11643
/// check character) and a password under the password policy; someone acting for an enterprise adds its
/// 统一社会信用代码 (GB 32100 check character) and name. Every field that is wrong is named at once, in the page's
/// language, and nothing is kept. The account is bound to no tenant and marked not real-name verified: a name and an
/// ID number typed in prove nothing (only a federated identity provider can vouch for them). Registered, the person is
/// signed in and sent back where they came from — the authorization request of the portal or app that sent them.
/// Registrations from one address are slowed by the identity routes' rate limit.
/// </summary>
public static class RegisterPage
{
    public const string Path = "/account/register";

    /// <summary>Who the audit log says created self-registered accounts.</summary>
    public const string CreatedBy = "self-registration";

    public static void Map(WebApplication app)
    {
        app.MapGet(Path, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Form(context, antiforgery, SignInPage.LocalReturn(returnUrl), new Registration("", "", "", "", ""), new Dictionary<string, string>())).ExcludeFromDescription();
        app.MapPost(Path, RegisterAsync).ExcludeFromDescription();
    }

    private static IResult Form(HttpContext context, IAntiforgery antiforgery, string? back, Registration typed, IReadOnlyDictionary<string, string> errors)
    {
        var page = PageRequest.Of(context);
        if (back is null)
        {
            return IdentityPages.Show<BadReturnPage>(page, new { Page = page }, StatusCodes.Status400BadRequest);
        }

        return IdentityPages.Show<RegisterForm>(page, new { Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context), ReturnUrl = back, Typed = typed, Errors = errors },
            errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, IAntiforgery antiforgery, OneGoDbContext db, CurrentTenant tenants, UserManager<Account> users, SignInManager<Account> signIns,
        OpenIddict.Abstractions.IOpenIddictApplicationManager applications, ApplicantIdNumbers idNumbers, TimeProvider clock, IStringLocalizer<IdentityPages> identityWords,
        [FromForm] string? userName, [FromForm] string? name, [FromForm] string? idNumber, [FromForm] string? creditCode, [FromForm] string? enterpriseName,
        [FromForm] string? newPassword, [FromForm] string? repeat, [FromForm] string? returnUrl)
    {
        // Resolved here: the request delegates are generated at build, before Razor's types exist.
        var words = context.RequestServices.GetRequiredService<IStringLocalizer<RegisterForm>>();
        var back = SignInPage.LocalReturn(returnUrl);
        // The page's language, which the words of the errors are read in.
        _ = PageRequest.Of(context);
        var typed = new Registration(
            (userName ?? "").Trim().ToLowerInvariant(), (name ?? "").Trim(), ResidentIdNumber.Normalise(idNumber ?? ""),
            (creditCode ?? "").Trim().ToUpperInvariant(), (enterpriseName ?? "").Trim());
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var cancellationToken = context.RequestAborted;

        if (AccountRules.CheckUserName(typed.UserName) is not null)
        {
            errors["userName"] = words["Error.userName"];
        }
        else if (!typed.UserName.Any(char.IsAsciiLetterLower))
        {
            // All digits would invite a phone or ID number, which must never become the name the records know someone by.
            errors["userName"] = words["Error.userName.letter"];
        }
        else if (await AccountsApi.NameTakenAsync(db, applications, typed.UserName, cancellationToken))
        {
            errors["userName"] = words["Error.userName.taken"];
        }

        if (typed.Name.Length is 0 or > Applicant.MaxName || typed.Name.Any(char.IsControl))
        {
            errors["name"] = words["Error.name", Applicant.MaxName];
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (ResidentIdNumber.Check(typed.IdNumber, today) is { } badId)
        {
            errors["idNumber"] = words[$"Error.idNumber.{badId.Rule}"];
        }

        if (typed.CreditCode.Length > 0 && OneGo.Catalogue.NationalCodes.CheckCreditCode(typed.CreditCode) is { } badCredit)
        {
            errors["creditCode"] = words[badCredit.Rule == OneGo.Catalogue.ErrorRule.CreditCodeCheck ? "Error.creditCode.check" : "Error.creditCode"];
        }

        if (typed.CreditCode.Length > 0 != typed.EnterpriseName.Length > 0 || typed.EnterpriseName.Length > Applicant.MaxEnterpriseName || typed.EnterpriseName.Any(char.IsControl))
        {
            errors[typed.CreditCode.Length > 0 ? "enterpriseName" : "creditCode"] = words["Error.enterprise", Applicant.MaxEnterpriseName];
        }

        var password = newPassword ?? "";
        if (password != repeat)
        {
            errors["newPassword"] = identityWords["PasswordsDiffer"];
        }
        else if (typed.IdNumber.Length == 18 && (password.Contains(typed.IdNumber[^6..], StringComparison.OrdinalIgnoreCase) || password.Contains(typed.IdNumber.Substring(6, 8), StringComparison.Ordinal)))
        {
            errors["newPassword"] = words["Error.password.idNumber"];
        }

        if (back is null || errors.Count > 0)
        {
            return Form(context, antiforgery, back, typed, errors);
        }

        var now = clock.Now();
        var account = new Account
        {
            Id = Guid.NewGuid(), UserName = typed.UserName, TenantId = null, Kind = AccountKind.Person, DisplayName = typed.Name,
            CreatedAt = now, CreatedBy = CreatedBy,
        };
        // Validates the name and the password policy and adds the account; Identity's store saves nothing by itself.
        var created = await users.CreateAsync(account, password);
        if (!created.Succeeded)
        {
            db.ChangeTracker.Clear();
            errors[created.Errors.Any(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? "newPassword" : "userName"] = PasswordPages.Explain(identityWords, created);
            return Form(context, antiforgery, back, typed, errors);
        }

        db.Add(new Applicant
        {
            AccountId = account.Id, Name = typed.Name, IdNumberProtected = idNumbers.Protect(typed.IdNumber), IdNumberMasked = ResidentIdNumber.Mask(typed.IdNumber),
            CreditCode = typed.CreditCode.Length > 0 ? typed.CreditCode : null, EnterpriseName = typed.EnterpriseName.Length > 0 ? typed.EnterpriseName : null,
            RegisteredAt = now,
        });
        // Applicants belong to no region: the platform operator's log records them, by subject — never by name or ID number.
        using (tenants.Enter(RegionRules.NationalId))
        {
            db.Audit(new AuditEvent(account.Id.ToString(), "applicant.register", $"applicant/{account.Id}",
                new { client = SignInThrottle.ClientOf(context), realName = "unverified", forEnterprise = typed.CreditCode.Length > 0 }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                // Someone took the name between the check and the save: the unique index refused it; nothing was kept.
                db.ChangeTracker.Clear();
                errors["userName"] = words["Error.userName.taken"];
                return Form(context, antiforgery, back, typed, errors);
            }
        }

        await signIns.SignInWithClaimsAsync(account, isPersistent: false, [new Claim(OneGoClaims.AuthenticationMethod, "pwd")]);
        return Results.Redirect(back);
    }
}
