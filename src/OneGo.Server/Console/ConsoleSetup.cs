using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The console signs people in through OneGo's own OpenID Connect endpoints, as any client would: authorization
/// code with PKCE by the public client <c>onego-console</c>, the code exchanged over the back channel. The person's
/// tokens are kept in the console's cookie; every page calls the API with the person's own access token
/// (<see cref="ConsoleApi"/>), so the console can do exactly what the person may do and no more, and the API's
/// answers — its 422s, 409s, 412s, four eyes — are what the console shows. The applicants' pages sign in the same way
/// with their own cookie and client (<see cref="Apply.ApplySetup"/>); both are a <see cref="PageSignIn"/>.
/// </summary>
internal static class ConsoleSetup
{
    public const string CookieScheme = "console";
    public const string SignInScheme = "console-oidc";
    public const string ClientId = "onego-console";

    /// <summary>The console's sign-in: its cookie on /console, the public client <c>onego-console</c>, scope <c>api</c>.</summary>
    public static readonly PageSignIn SignIn = new(CookieScheme, "onego.console", SignInScheme, ClientId, "/console", OneGoClaims.ApiScope);

    public static string CallbackPath => SignIn.CallbackPath;

    public static string SignedOutPath => SignIn.SignedOutPath;

    public static string SignedOutCallbackPath => SignIn.SignedOutCallbackPath;

    public static WebApplicationBuilder AddOneGoConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.Services.AddSettings<ConsoleSettings>();
        builder.Services.AddSettings<Features.Applicants.ApplicantSettings>();
        builder.Services.AddSettings<ServerSettings>();
        builder.AddPageSignIn(SignIn);
        builder.AddPageSignIn(Apply.ApplySetup.SignIn);
        services.AddHttpContextAccessor();
        services.AddHttpClient(ConsoleApi.ClientName);
        services.AddScoped<ConsoleApi>();
        services.AddScoped<ConsoleClient>();
        return builder;
    }

    /// <summary>
    /// A site of pages whose people sign in through OneGo's own OpenID Connect endpoints (the console, the applicants'
    /// pages): its cookie on its own path, its public client with PKCE, and the policy of its name that its routes require.
    /// </summary>
    private static void AddPageSignIn(this WebApplicationBuilder builder, PageSignIn site)
    {
        var services = builder.Services;
        var identity = builder.ReadSettings<IdentitySettings>();
        var allowHttp = identity.AllowsHttpIn(builder.Environment);
        services.AddAuthentication()
            .AddCookie(site.CookieScheme, cookie =>
            {
                cookie.Cookie.Name = site.CookieName;
                cookie.Cookie.Path = site.PathBase;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SecurePolicy = allowHttp ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                // A site left idle for Identity:IdleTimeout (30 minutes) asks for the sign-in again (等保 2.0: session timeout).
                cookie.ExpireTimeSpan = identity.IdleTimeout;
                cookie.SlidingExpiration = true;
                // An anonymous visitor is sent to sign in through /connect/authorize, and comes back where they were.
                cookie.LoginPath = site.LoginPath;
                cookie.ReturnUrlParameter = "returnUrl";
                cookie.Events.OnValidatePrincipal = context => ConsoleTokens.RefreshWhenDueAsync(context, site);
            })
            .AddOpenIdConnect(site.SignInScheme, oidc =>
            {
                oidc.SignInScheme = site.CookieScheme;
                oidc.ClientId = site.ClientId;
                oidc.ResponseType = ResponseTypes.Code;
                oidc.UsePkce = true;
                // The code comes back in the query: no auto-posting form, so the pages need no script.
                oidc.ResponseMode = OpenIdConnectResponseMode.Query;
                oidc.Scope.Clear();
                foreach (var scope in (string[])[Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, site.Scope])
                {
                    oidc.Scope.Add(scope);
                }

                oidc.CallbackPath = site.CallbackPath;
                oidc.SignedOutCallbackPath = site.SignedOutCallbackPath;
                oidc.SignedOutRedirectUri = site.SignedOutPath;
                oidc.SaveTokens = true;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.TokenValidationParameters.NameClaimType = Claims.Name;
                oidc.TokenValidationParameters.RoleClaimType = OneGoClaims.Role;
                oidc.RequireHttpsMetadata = !allowHttp;
                oidc.Events.OnRedirectToIdentityProvider = context =>
                {
                    // The sign-in page speaks the site's language.
                    context.ProtocolMessage.UiLocales = context.Request.Cookies[Pages.PageRequest.LanguageCookie] == "en" ? "en" : "zh-CN";
                    return Task.CompletedTask;
                };
            });

        // The authority is OneGo itself: the configured issuer behind a load balancer, else this node's own address,
        // which is only known once the server listens — options are built at the first sign-in, after that.
        services.AddOptions<OpenIdConnectOptions>(site.SignInScheme).Configure<IServer, IOptions<IdentitySettings>, TimeProvider>((oidc, server, settings, clock) =>
        {
            oidc.Authority = Authority(server, settings.Value).ToString().TrimEnd('/');
            // Under Clock:Start the identity token, OneGo's own, is stamped on the server's clock, while the sign-in's
            // correlation and nonce cookies expire on the browser's, the machine's: each is checked against its own.
            if (clock != TimeProvider.System)
            {
                oidc.TimeProvider = TimeProvider.System;
                oidc.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
                {
                    var now = clock.GetUtcNow().UtcDateTime;
                    return (notBefore is null || notBefore <= now + parameters.ClockSkew) && (expires is null || expires >= now - parameters.ClockSkew);
                };
            }
        });
        services.AddAuthorizationBuilder().AddPolicy(site.CookieScheme, policy =>
            policy.AddAuthenticationSchemes(site.CookieScheme).RequireAuthenticatedUser());
    }

    /// <summary>Maps a site's sign-in (<c>{base}/signin?returnUrl=</c>), its sign-out form's target and where signing out ends.</summary>
    public static void MapPageSignIn(this IEndpointRouteBuilder app, PageSignIn site)
    {
        app.MapGet(site.LoginPath, (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = site.LocalPath(returnUrl) }, [site.SignInScheme])).ExcludeFromDescription();
        app.MapPost(site.PathBase + "/signout", (HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) => SignOutAsync(context, antiforgery, site))
            .ExcludeFromDescription().RequireAuthorization(site.CookieScheme);
        app.MapGet(site.SignedOutPath, () => Results.Redirect("/")).ExcludeFromDescription();
    }

    /// <summary>Where this node reaches OneGo's own endpoints: <c>Identity:Issuer</c> when set, else the first address it listens on.</summary>
    public static Uri Authority(IServer server, IdentitySettings settings)
    {
        if (settings.Issuer is { Length: > 0 } issuer)
        {
            return new Uri(issuer);
        }

        // A host without addresses (an in-memory test host) has no loopback to call: it serves no console sign-in.
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
        return new Uri(Loopback(address));
    }

    /// <summary>A listening address as a client can call it: a wildcard host (*, +, 0.0.0.0, [::]) becomes localhost.</summary>
    public static string Loopback(string address)
    {
        foreach (var wildcard in (string[])["://*:", "://+:", "://0.0.0.0:", "://[::]:"])
        {
            address = address.Replace(wildcard, "://localhost:", StringComparison.Ordinal);
        }

        return address.TrimEnd('/');
    }

    public static IEndpointRouteBuilder MapOneGoConsole(this IEndpointRouteBuilder app)
    {
        app.MapPageSignIn(SignIn);
        ConsolePages.Map(app);
        return app;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, PageSignIn site)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        return Results.SignOut(new AuthenticationProperties { RedirectUri = site.SignedOutPath }, [site.CookieScheme, site.SignInScheme]);
    }
}

/// <summary>How a site of pages signs a person in: its cookie, its OpenID Connect client and scope, and its paths under <paramref name="PathBase"/>.</summary>
internal sealed record PageSignIn(string CookieScheme, string CookieName, string SignInScheme, string ClientId, string PathBase, string Scope)
{
    public string LoginPath => PathBase + "/signin";

    public string CallbackPath => PathBase + "/signin-oidc";

    public string SignedOutPath => PathBase + "/signed-out";

    public string SignedOutCallbackPath => PathBase + "/signout-callback-oidc";

    /// <summary>
    /// Runs a page of this site. A 401 — the person's tokens revoked or expired, their account disabled — ends the
    /// session and sends them to sign in again, back to this page (a form's, to <paramref name="returnTo"/>); another
    /// API answer the page cannot do without is shown as the page's <paramref name="notice"/>.
    /// </summary>
    public async Task<IResult> RunAsync(HttpContext context, string returnTo, Func<Task<IResult>> page, Func<ApiAnswer, IResult> notice)
    {
        try
        {
            return await page();
        }
        catch (Exception refused) when (ConsolePages.Refusal(refused) is { Status: StatusCodes.Status401Unauthorized })
        {
            await context.SignOutAsync(CookieScheme);
            return Results.Redirect(LoginPath + "?returnUrl=" + Uri.EscapeDataString(context.Request.Method == "GET" ? context.Request.Path + context.Request.QueryString : returnTo));
        }
        catch (Exception refused) when (ConsolePages.Refusal(refused) is { } answer)
        {
            return notice(answer);
        }
    }

    /// <summary>Where to come back after signing in: a path of this site, else its start.</summary>
    public string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith(PathBase, StringComparison.Ordinal) && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            ? returnUrl
            : PathBase;
}

/// <summary>Keeps the person's five-minute access token fresh with the refresh token; a refused refresh (a disabled account) signs the person out.</summary>
internal static class ConsoleTokens
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(60);

    public static async Task RefreshWhenDueAsync(CookieValidatePrincipalContext context, PageSignIn site)
    {
        var expiresAt = context.Properties.GetTokenValue("expires_at");
        var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        if (expiresAt is null || !DateTimeOffset.TryParse(expiresAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var expires)
            || expires - Margin > clock.GetUtcNow())
        {
            return;
        }

        var refreshed = await RefreshAsync(context.HttpContext, site, context.Properties.GetTokenValue("refresh_token"));
        if (refreshed is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(site.CookieScheme);
            return;
        }

        var (access, refresh, lifetime) = refreshed.Value;
        context.Properties.UpdateTokenValue("access_token", access);
        if (refresh is not null)
        {
            context.Properties.UpdateTokenValue("refresh_token", refresh);
        }

        context.Properties.UpdateTokenValue("expires_at", clock.GetUtcNow().AddSeconds(lifetime).ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        context.ShouldRenew = true;
    }

    private static async Task<(string Access, string? Refresh, int Lifetime)?> RefreshAsync(HttpContext context, PageSignIn site, string? refreshToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            return null;
        }

        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(site.SignInScheme);
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
        using var response = await options.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.RefreshToken,
            ["client_id"] = site.ClientId,
            ["refresh_token"] = refreshToken,
        }), context.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(context.RequestAborted));
        return body?["access_token"]?.GetValue<string>() is { } access
            ? (access, body["refresh_token"]?.GetValue<string>(), body["expires_in"]?.GetValue<int>() ?? 300)
            : null;
    }
}
