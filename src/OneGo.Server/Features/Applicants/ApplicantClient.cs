using OneGo.Server.ConsoleUi;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Features.Applicants;

/// <summary><c>Applicants</c>: where applicants' portals and apps receive the sign-in.</summary>
internal sealed class ApplicantSettings : ISettings
{
    public static string Section => "Applicants";

    /// <summary>
    /// The redirect addresses of the portals and apps that sign applicants in with the public client
    /// <c>onego-apply</c> (a region's service portal, say); unset, only the demo tool redirect in demo mode.
    /// </summary>
    [WebAddress]
    public string[] RedirectUris { get; set; } = [];
}

/// <summary>
/// The applicants' OAuth client, <c>onego-apply</c>: public, authorization code with PKCE, refresh tokens, scope
/// <c>apply</c>. Standard OpenID Connect, so that a region's portal or app signs applicants in as any relying party
/// would — and so that, once a region federates with the national unified identity service, nothing changes for it.
/// </summary>
internal static class ApplicantClient
{
    public const string ClientId = "onego-apply";

    public static OpenIddict.Abstractions.OpenIddictApplicationDescriptor Descriptor(ApplicantSettings settings, bool demo, IEnumerable<string> origins)
    {
        var descriptor = new OpenIddict.Abstractions.OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "OneGo applicants",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Prefixes.Scope + OneGoClaims.ApplyScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in settings.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        // OneGo's own applicants' pages, at the origins people open OneGo at.
        foreach (var origin in origins)
        {
            descriptor.RedirectUris.Add(new Uri(origin + Apply.ApplySetup.SignIn.CallbackPath));
            descriptor.PostLogoutRedirectUris.Add(new Uri(origin + Apply.ApplySetup.SignIn.SignedOutCallbackPath));
        }

        if (demo)
        {
            descriptor.RedirectUris.Add(new Uri(ConsoleClient.ToolRedirect));
        }

        return descriptor;
    }
}
