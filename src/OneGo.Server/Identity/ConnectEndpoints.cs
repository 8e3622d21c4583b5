using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OneGo.Server.Data;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary>
/// The token, authorization and end-session endpoints. Every token is issued from the account as it is now:
/// a disabled account gets none, and a refresh re-reads the account's tenant and role.
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

    private static async Task<IResult> Token(HttpContext context, OneGoDbContext db)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        Account? account;
        ClaimsIdentity identity;
        if (request.IsClientCredentialsGrantType())
        {
            var clientId = request.ClientId!;
            if (clientId == DemoAccounts.ZoneReader || await IsIntegrationAsync(context, clientId))
            {
                identity = Identity(clientId, clientId);
                identity.SetScopes(request.GetScopes().Intersect([OneGoClaims.ZoneReadScope]));
                return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Server);
            }

            account = await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.UserName == clientId && a.Kind == AccountKind.Service);
        }
        else if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var previous = (await context.AuthenticateAsync(Server)).Principal;
            var subject = previous?.GetClaim(Claims.Subject);
            account = subject is null ? null : await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.UserName == subject && a.Kind == AccountKind.Person);
        }
        else
        {
            return Forbid(Errors.UnsupportedGrantType, "This grant type is not supported.");
        }

        if (account is null || account.Disabled)
        {
            return Forbid(Errors.InvalidGrant, "The account does not exist or is disabled.");
        }

        identity = FromAccount(account);
        var scopes = request.IsClientCredentialsGrantType()
            ? request.GetScopes().Intersect([OneGoClaims.ApiScope]).DefaultIfEmpty(OneGoClaims.ApiScope)
            : (await context.AuthenticateAsync(Server)).Principal!.GetScopes();
        identity.SetScopes(scopes);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Server);
    }

    private static async Task<bool> IsIntegrationAsync(HttpContext context, string clientId)
    {
        var applications = context.RequestServices.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(clientId);
        return application is not null && await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + OneGoClaims.ZoneReadScope);
    }

    private static async Task<IResult> Authorize(HttpContext context, OneGoDbContext db)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var signedIn = await context.AuthenticateAsync(IdentitySetup.CookieScheme);
        var account = signedIn.Succeeded
            ? await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.UserName == signedIn.Principal!.Identity!.Name && a.Kind == AccountKind.Person)
            : null;
        if (account is null || account.Disabled)
        {
            // Back here after signing in, with the same request.
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(
                context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList());
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentitySetup.CookieScheme]);
        }

        var identity = FromAccount(account);
        identity.SetScopes(request.GetScopes());
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: Server);
    }

    private static async Task<IResult> EndSession(HttpContext context)
    {
        await context.SignOutAsync(IdentitySetup.CookieScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [Server]);
    }

    private static ClaimsIdentity Identity(string subject, string name)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject).SetClaim(Claims.Name, name);
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    /// <summary>The claims of an account: who, which tenant, which roles — in the access token and the identity token.</summary>
    public static ClaimsIdentity FromAccount(Account account)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, OneGoClaims.Role);
        identity.SetClaim(Claims.Subject, account.UserName)
                .SetClaim(Claims.Name, account.DisplayName ?? account.UserName)
                .SetClaim(OneGoClaims.Tenant, account.TenantId)
                .SetClaims(OneGoClaims.Role, [.. account.RoleList]);
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Server]);
}
