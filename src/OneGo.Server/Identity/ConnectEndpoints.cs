using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OneGo.Server.Data;
using OneGo.Server.Pages;
using OneGo.Server.Pages.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary>
/// The token, authorization and end-session endpoints. Every token is issued from the account as it is now: a
/// disabled account gets none, a refresh re-reads the account's tenant and roles, and a person whose roles need a
/// second factor gets tokens only from a sign-in that used one. The subject is the account's immutable id.
/// </summary>
internal static class ConnectEndpoints
{
    private const string Server = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static void MapConnectEndpoints(this WebApplication app)
    {
        var connect = app.MapGroup("/connect").ExcludeFromDescription();
        connect.MapPost("/token", Token).DisableAntiforgery();
        connect.MapMethods("/authorize", ["GET", "POST"], (Delegate)Authorize).DisableAntiforgery();
        connect.MapMethods("/endsession", ["GET", "POST"], (Delegate)EndSession).DisableAntiforgery();
    }

    private static async Task<IResult> Token(HttpContext context, OneGoDbContext db, AccountRoles held, IOpenIddictApplicationManager applications)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType())
        {
            var clientId = request.ClientId!;
            var application = await applications.FindByClientIdAsync(clientId);
            if (application is not null && await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + OneGoClaims.ApplyScope))
            {
                // An applicant's own client (the demo applicants'): it acts as that applicant, with scope apply only.
                var applicant = await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.ClientId == clientId && a.TenantId == null);
                if (applicant is null || applicant.Disabled)
                {
                    return Forbid(Errors.InvalidGrant, "The applicant does not exist or is disabled.");
                }

                var acting = FromApplicant(applicant, [], await RealNameAsync(db, applicant, context.RequestAborted));
                acting.SetScopes(OneGoClaims.ApplyScope);
                return Results.SignIn(new ClaimsPrincipal(acting), authenticationScheme: Server);
            }

            if (application is not null && await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + OneGoClaims.ZoneReadScope))
            {
                // An integration: it reads the national zone and nothing else.
                var integration = Identity(clientId);
                integration.SetScopes(request.GetScopes().Intersect([OneGoClaims.ZoneReadScope]));
                return Results.SignIn(new ClaimsPrincipal(integration), authenticationScheme: Server);
            }

            var service = await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.ClientId == clientId && a.Kind == AccountKind.Service);
            if (service is null || service.Disabled)
            {
                return Forbid(Errors.InvalidGrant, "The service account does not exist or is disabled.");
            }

            var roles = await held.HeldAsync(service, context.RequestAborted);
            if (roles.Count == 0)
            {
                return Forbid(Errors.InvalidGrant, "The service account holds no approved role yet.");
            }

            var department = await held.DepartmentAsync(service, roles, context.RequestAborted);
            var identity = FromAccount(service, roles, [], department, await held.AtWindowAsync(service, department, context.RequestAborted));
            identity.SetScopes(request.GetScopes().Intersect([OneGoClaims.ApiScope]).DefaultIfEmpty(OneGoClaims.ApiScope));
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Server);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var previous = (await context.AuthenticateAsync(Server)).Principal;
            var person = Guid.TryParse(previous?.GetClaim(Claims.Subject), out var id)
                ? await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.Kind == AccountKind.Person)
                : null;
            if (person is null || person.Disabled)
            {
                return Forbid(Errors.InvalidGrant, "The account does not exist or is disabled.");
            }

            var roles = await held.HeldAsync(person, context.RequestAborted);
            var methods = previous!.GetClaims(OneGoClaims.AuthenticationMethod).ToList();
            var scopes = previous!.GetScopes();
            if (AccountRoles.NeedSecondFactor(roles) && !methods.Contains("mfa"))
            {
                // A role needing a second factor was granted after this sign-in: sign in again, with it.
                return Forbid(Errors.InvalidGrant, "The account's roles need a sign-in with a second factor.");
            }

            var identity = await PersonAsync(db, held, person, roles, methods, context.RequestAborted);
            identity.SetScopes(scopes);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Server);
        }

        return Forbid(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> Authorize(HttpContext context, OneGoDbContext db, UserManager<Account> users, AccountRoles held)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var signedIn = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var person = signedIn.Succeeded ? await users.GetUserAsync(signedIn.Principal!) : null;
        var roles = person is null ? [] : await held.HeldAsync(person, context.RequestAborted);
        var methods = signedIn.Principal?.FindAll(OneGoClaims.AuthenticationMethod).Select(c => c.Value).ToList() ?? [];
        if (person is null || person.Disabled || person.Kind != AccountKind.Person || (AccountRoles.NeedSecondFactor(roles) && !methods.Contains("mfa")))
        {
            // Back here after signing in (again, with a second factor where the roles need one), with the same request.
            await context.SignOutAsync(IdentityConstants.ApplicationScheme);
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(
                context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList());
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentityConstants.ApplicationScheme]);
        }

        // Applicants apply and staff work: a token carries the scopes of its holder's kind only, whatever was asked.
        var identity = await PersonAsync(db, held, person, roles, methods, context.RequestAborted);
        identity.SetScopes(request.GetScopes().Where(s => person.IsApplicant ? s != OneGoClaims.ApiScope : s != OneGoClaims.ApplyScope));
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Server);
    }

    /// <summary>
    /// Signs out when the request proves it comes from the person's own client — a GET carrying the id token it was
    /// given (OpenIddict checks the hint), or the confirmation form posted with its antiforgery token — so that a page
    /// elsewhere cannot sign an officer out with a link or an image.
    /// </summary>
    private static async Task<IResult> EndSession(HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var confirmed = HttpMethods.IsPost(context.Request.Method) && await antiforgery.IsRequestValidAsync(context);
        if (string.IsNullOrEmpty(request.IdTokenHint) && !confirmed)
        {
            var page = PageRequest.Of(context);
            return IdentityPages.Show<SignOutPage>(page, new { Page = page, Antiforgery = antiforgery.GetAndStoreTokens(context) });
        }

        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [Server]);
    }

    private static ClaimsIdentity Identity(string clientId)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId).SetClaim(Claims.Name, clientId);
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    /// <summary>
    /// The claims of an account: its immutable id as the subject, its user name, which tenant, which roles, whether
    /// a person or a service, and how the person signed in — in the access token and the identity token.
    /// </summary>
    public static ClaimsIdentity FromAccount(Account account, IReadOnlyList<string> roles, IReadOnlyList<string> methods, string? department, bool atWindow = false)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, OneGoClaims.Role);
        identity.SetClaim(Claims.Subject, account.Id.ToString())
                .SetClaim(OneGoClaims.UserName, account.Name)
                .SetClaim(Claims.Name, account.DisplayName ?? account.Name)
                .SetClaim(OneGoClaims.Tenant, account.TenantId)
                .SetClaim(OneGoClaims.Kind, account.Kind == AccountKind.Person ? Capabilities.KindPerson : Capabilities.KindService)
                .SetClaims(OneGoClaims.Role, [.. roles])
                .SetClaims(OneGoClaims.AuthenticationMethod, [.. methods]);
        if (department is not null)
        {
            identity.SetClaim(OneGoClaims.Department, department);
        }

        if (atWindow)
        {
            identity.SetClaim(OneGoClaims.AtWindow, "true");
        }

        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    /// <summary>
    /// The claims of an applicant: the immutable subject and nothing that identifies the person in the access token —
    /// no user name, no ID or phone number, no tenant, no role — and whether a federated provider verified their real
    /// name; their name goes into the identity token only, for the portal that greets them.
    /// </summary>
    public static ClaimsIdentity FromApplicant(Account account, IReadOnlyList<string> methods, bool realNameVerified)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, OneGoClaims.Role);
        identity.SetClaim(Claims.Subject, account.Id.ToString())
                .SetClaim(Claims.Name, account.DisplayName ?? account.Id.ToString())
                .SetClaim(OneGoClaims.Kind, Capabilities.KindApplicant)
                .SetClaim(OneGoClaims.RealName, realNameVerified ? "verified" : "unverified")
                .SetClaims(OneGoClaims.AuthenticationMethod, [.. methods]);
        identity.SetDestinations(claim => claim.Type == Claims.Name ? [Destinations.IdentityToken] : [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    /// <summary>The claims of a person signing in: an applicant's, or a staff account's with its roles and an officer's department.</summary>
    private static async Task<ClaimsIdentity> PersonAsync(
        OneGoDbContext db, AccountRoles held, Account person, IReadOnlyList<string> roles, IReadOnlyList<string> methods, CancellationToken cancellationToken)
    {
        if (person.IsApplicant)
        {
            return FromApplicant(person, methods, await RealNameAsync(db, person, cancellationToken));
        }

        var department = await held.DepartmentAsync(person, roles, cancellationToken);
        return FromAccount(person, roles, methods, department, await held.AtWindowAsync(person, department, cancellationToken));
    }

    private static Task<bool> RealNameAsync(OneGoDbContext db, Account applicant, CancellationToken cancellationToken) =>
        db.Set<Features.Applicants.Applicant>().AnyAsync(a => a.AccountId == applicant.Id && a.VerifiedBy != null, cancellationToken);

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Server]);
}
