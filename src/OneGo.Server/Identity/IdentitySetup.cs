using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Scheduling;
using OpenIddict.Server;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary>
/// Who people and services are. ASP.NET Core Identity keeps people's passwords, security stamps, authenticator keys
/// and recovery codes on OneGo's own DbContext (its lockout off: <see cref="SignInThrottle"/> slows guessing
/// instead); roles are OneGo's own tenant-bound, four-eyes grants (<see cref="AccountChange"/>), not Identity's global
/// roles. OneGo is its own OpenID Connect provider (OpenIddict): authorization code with PKCE for people, client
/// credentials for service accounts and integrations, refresh tokens for at most a working day (absolute, not
/// sliding); access tokens live five minutes.
/// </summary>
internal static class IdentitySetup
{
    public static WebApplicationBuilder AddOneGoIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var environment = builder.Environment;
        // Read now: the cookies, the token server and the data-protection ring are set up as they are registered.
        var settings = builder.ReadSettings<IdentitySettings>();
        services.AddSettings<DemoSettings>();
        services.AddSettings<MailSettings>();
        var secureCookies = !settings.AllowsHttpIn(environment);
        var dataProtection = services.AddDataProtection().SetApplicationName("OneGo").PersistKeysToDbContext<OneGoDbContext>();
        // Without a certificate outside Development and Testing the server does not start (IdentitySettings says why).
        if (settings.KeyProtection.Certificate is { Length: > 0 } || environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        {
            var (certificate, previous) = KeyProtection.Load(settings.KeyProtection, environment);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate([certificate, .. previous]);
        }

        services.AddIdentityCore<Account>(identity =>
            {
                identity.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789._@-";
                identity.User.RequireUniqueEmail = false;
                identity.Password.RequiredLength = 12;
                identity.Password.RequiredUniqueChars = 4;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                // No lockout anyone could trigger against an officer: SignInThrottle slows guessing instead.
                identity.Lockout.AllowedForNewUsers = false;
                identity.SignIn.RequireConfirmedAccount = false;
            })
            .AddSignInManager<OneGoSignInManager>()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PasswordPolicy>();
        // The store saves nothing by itself: each change is saved by its caller together with its audit entry.
        services.AddScoped<IUserStore<Account>>(sp => new UserOnlyStore<Account, OneGoDbContext, Guid>(
            sp.GetRequiredService<OneGoDbContext>(), sp.GetService<IdentityErrorDescriber>()) { AutoSaveChanges = false });
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = settings.PasswordLinkLifetime);
        // A disabled account, a reset authenticator or a changed password ends the person's sign-in within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<OneGoDbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("/connect/token")
                      .SetAuthorizationEndpointUris("/connect/authorize")
                      .SetEndSessionEndpointUris("/connect/endsession");
                server.AllowClientCredentialsFlow()
                      .AllowAuthorizationCodeFlow()
                      .RequireProofKeyForCodeExchange()
                      .AllowRefreshTokenFlow();
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, OneGoClaims.ApiScope, OneGoClaims.ZoneReadScope, OneGoClaims.ApplyScope);
                // Short-lived by design (Identity:AccessTokenLifetime, 5 minutes): people keep working through refresh tokens.
                server.SetAccessTokenLifetime(settings.AccessTokenLifetime);
                // A session ends a working day after sign-in, however busy: refreshing does not extend it (finding L10).
                server.SetRefreshTokenLifetime(settings.SessionLifetime);
                server.DisableSlidingRefreshTokenExpiration();
                if (Uri.TryCreate(settings.Issuer, UriKind.Absolute, out var issuer))
                {
                    // Behind a load balancer every node must name the same issuer, whatever address a request reached.
                    server.SetIssuer(issuer);
                }

                var aspNetCore = server.UseAspNetCore()
                      .EnableTokenEndpointPassthrough()
                      .EnableAuthorizationEndpointPassthrough()
                      .EnableEndSessionEndpointPassthrough();
                if (settings.AllowsHttpIn(environment))
                {
                    // Plain HTTP on localhost for development and the test host; production runs behind TLS.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
                // A disabled account's access tokens stop working at once when their entry is revoked.
                validation.EnableTokenEntryValidation();
            });
        services.AddSingleton<DeploymentKeys>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>>(sp => sp.GetRequiredService<DeploymentKeys>());
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(sp => sp.GetRequiredService<DeploymentKeys>());
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>>(sp => sp.GetRequiredService<DeploymentKeys>());

        services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = SignInPage.Path;
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Cookie.Name = "onego.signin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            // Idle for Identity:IdleTimeout (30 minutes) and the person signs in again.
            cookie.ExpireTimeSpan = settings.IdleTimeout;
            cookie.SlidingExpiration = true;
        });
        services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, cookie =>
        {
            cookie.Cookie.Name = "onego.second-factor";
            cookie.Cookie.SecurePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });
        services.AddAuthorization();
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.SecurePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);

        services.AddScoped<DemoAccounts>();
        services.AddSingleton<Features.Applicants.ApplicantIdNumbers>();
        services.AddScoped<AccountRoles>();
        services.AddScoped<SignInThrottle>();
        services.AddScoped<Credentials>();
        services.AddScoped<Bootstrap>();
        services.AddScoped<Mailer>();
        services.AddSingleton<MailRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<MailRelay>());
        services.AddRecurringJob<PruneTokensJob>(PruneTokensJob.Name, PruneTokensJob.ScheduleSetting,
            sp => sp.GetRequiredService<IOptions<IdentitySettings>>().Value.PruneSchedule, PruneTokensJob.DefaultSchedule);
        return builder;
    }

    public static WebApplication UseOneGoIdentity(this WebApplication app)
    {
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseRefusedForms();
        app.MapConnectEndpoints();
        app.MapSignInPage();
        app.MapPasswordPages();
        Features.Applicants.RegisterPage.Map(app);
        Features.Applicants.MeApi.Map(app);
        app.MapAccountsApi();
        return app;
    }
}

/// <summary>Identity's sign-in, for OneGo's people only: a disabled account or a service account never gets a cookie.</summary>
internal sealed class OneGoSignInManager(
    UserManager<Account> users, IHttpContextAccessor context, IUserClaimsPrincipalFactory<Account> claims, IOptions<IdentityOptions> options,
    ILogger<SignInManager<Account>> logger, Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider schemes, IUserConfirmation<Account> confirmation)
    : SignInManager<Account>(users, context, claims, options, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(Account user) =>
        !user.Disabled && user.Kind == AccountKind.Person && await base.CanSignInAsync(user);
}
