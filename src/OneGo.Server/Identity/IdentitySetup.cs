using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Scheduling;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary>
/// OneGo is its own OpenID Connect provider (OpenIddict): authorization code with PKCE for people, client
/// credentials for service accounts and integrations, refresh tokens; access tokens live five minutes.
/// </summary>
internal static class IdentitySetup
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public static readonly TimeSpan DefaultAccessTokenLifetime = TimeSpan.FromMinutes(5);

    public static WebApplicationBuilder AddOneGoIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var environment = builder.Environment;
        var demo = DemoAccounts.Enabled(builder.Configuration, environment);
        if (demo && environment.IsProduction())
        {
            throw new InvalidOperationException(
                "Demo:Enabled is true in Production: demo accounts with a published secret must never exist there. Set Demo:Enabled=false.");
        }

        services.AddDataProtection().SetApplicationName("OneGo").PersistKeysToDbContext<OneGoDbContext>();
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
                server.SetAccessTokenLifetime(builder.Configuration.GetValue("Identity:AccessTokenLifetime", DefaultAccessTokenLifetime));
                if (builder.Configuration["Identity:Issuer"] is { Length: > 0 } issuer)
                {
                    // Behind a load balancer every node must name the same issuer, whatever address a request reached.
                    server.SetIssuer(new Uri(issuer));
                }

                var aspNetCore = server.UseAspNetCore()
                      .EnableTokenEndpointPassthrough()
                      .EnableAuthorizationEndpointPassthrough()
                      .EnableEndSessionEndpointPassthrough();
                if (AllowsHttp(builder.Configuration, environment))
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

        services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.LoginPath = "/account/signin";
                cookie.Cookie.Name = "onego.signin";
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            });
        services.AddAuthorization();
        services.AddAntiforgery();
        services.AddScoped<DemoAccounts>();
        services.AddRecurringJob<PruneTokensJob>(PruneTokensJob.Name, PruneTokensJob.ScheduleSetting, PruneTokensJob.DefaultSchedule);
        return builder;
    }

    /// <summary>Plain HTTP is allowed outside Production only: by default in Development and Testing, or by <c>Identity:AllowHttp</c>.</summary>
    public static bool AllowsHttp(IConfiguration configuration, IHostEnvironment environment) =>
        !environment.IsProduction() && configuration.GetValue("Identity:AllowHttp", environment.IsDevelopment() || environment.IsEnvironment("Testing"));

    public static WebApplication UseOneGoIdentity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapConnectEndpoints();
        app.MapSignInPage();
        app.MapAccountsApi();
        return app;
    }
}
