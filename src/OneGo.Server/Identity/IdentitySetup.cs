using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
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
    public static readonly TimeSpan DefaultAccessTokenLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(30);

    public static WebApplicationBuilder AddOneGoIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var environment = builder.Environment;
        var configuration = builder.Configuration;
        var demo = DemoAccounts.Enabled(configuration, environment);
        if (demo && environment.IsProduction())
        {
            throw new InvalidOperationException(
                "Demo:Enabled is true in Production: demo accounts with a published secret must never exist there. Set Demo:Enabled=false.");
        }

        if (environment.IsProduction() && configuration["Identity:Issuer"] is not { Length: > 0 })
        {
            throw new InvalidOperationException(
                "Identity:Issuer is not set. In Production every node must name the same public issuer (e.g. https://onego.example.gov.cn), never one taken from a request's Host header.");
        }

        var secureCookies = !AllowsHttp(configuration, environment);
        var idle = configuration.GetValue("Identity:IdleTimeout", DefaultIdleTimeout);
        var (certificate, previous) = KeyProtection.Load(configuration, environment);
        services.AddDataProtection().SetApplicationName("OneGo").PersistKeysToDbContext<OneGoDbContext>()
            .ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate([certificate, .. previous]);

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
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = configuration.GetValue("Identity:PasswordLinkLifetime", Credentials.DefaultLinkLifetime));
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
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, OneGoClaims.ApiScope, OneGoClaims.ZoneReadScope);
                // Short-lived by design (Identity:AccessTokenLifetime, 5 minutes): people keep working through refresh tokens.
                server.SetAccessTokenLifetime(configuration.GetValue("Identity:AccessTokenLifetime", DefaultAccessTokenLifetime));
                // A session ends a working day after sign-in, however busy: refreshing does not extend it (finding L10).
                server.SetRefreshTokenLifetime(configuration.GetValue("Identity:SessionLifetime", TimeSpan.FromHours(10)));
                server.DisableSlidingRefreshTokenExpiration();
                if (configuration["Identity:Issuer"] is { Length: > 0 } issuer)
                {
                    // Behind a load balancer every node must name the same issuer, whatever address a request reached.
                    server.SetIssuer(new Uri(issuer));
                }

                var aspNetCore = server.UseAspNetCore()
                      .EnableTokenEndpointPassthrough()
                      .EnableAuthorizationEndpointPassthrough()
                      .EnableEndSessionEndpointPassthrough();
                if (AllowsHttp(configuration, environment))
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
            cookie.ExpireTimeSpan = idle;
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
        services.AddScoped<AccountRoles>();
        services.AddScoped<SignInThrottle>();
        services.AddScoped<Credentials>();
        services.AddScoped<Bootstrap>();
        services.AddScoped<Mailer>();
        var mail = configuration.GetSection("Mail").Get<MailOptions>() ?? new MailOptions();
        if (mail.Host is not { Length: > 0 } && !environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
        {
            throw new InvalidOperationException("Mail:Host is not set. Set-password links and account notices go by mail only: name the SMTP server (Mail:Host, Mail:Port, Mail:From).");
        }

        services.AddSingleton(mail);
        services.AddSingleton<MailRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<MailRelay>());
        services.AddRecurringJob<PruneTokensJob>(PruneTokensJob.Name, PruneTokensJob.ScheduleSetting, PruneTokensJob.DefaultSchedule);
        return builder;
    }

    /// <summary>Plain HTTP is allowed outside Production only: by default in Development and Testing, or by <c>Identity:AllowHttp</c>.</summary>
    public static bool AllowsHttp(IConfiguration configuration, IHostEnvironment environment) =>
        !environment.IsProduction() && configuration.GetValue("Identity:AllowHttp", environment.IsDevelopment() || environment.IsEnvironment("Testing"));

    public static WebApplication UseOneGoIdentity(this WebApplication app)
    {
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapConnectEndpoints();
        app.MapSignInPage();
        app.MapPasswordPages();
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
