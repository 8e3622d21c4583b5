using Microsoft.Extensions.Options;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.ConsoleUi;

/// <summary><c>Console</c>: where people open the console.</summary>
internal sealed class ConsoleSettings : ISettings
{
    public static string Section => "Console";

    /// <summary>The origins people open the console at (behind a load balancer, the public one); unset, the addresses in <c>urls</c>.</summary>
    [WebAddress]
    public string[] Origins { get; set; } = [];
}

/// <summary>
/// The console's OAuth client, <c>onego-console</c>: public, authorization code with PKCE, refresh tokens. Its
/// redirect addresses are its callback at each of <c>Console:Origins</c> when set (behind a load balancer: the public
/// origin, e.g. https://onego.example.gov.cn), else at each address the
/// server is told to listen on (<c>urls</c>, a wildcard host read as localhost and 127.0.0.1). Made at every start,
/// and brought up to date when those addresses change; in demo mode it also accepts the loopback redirect
/// <c>http://127.0.0.1/oidc-callback</c> of tools that sign a person in. Beside it, the applicants' client
/// <see cref="ApplicantClient"/>, made and brought up to date the same way, whose redirect addresses include the applicants' pages at the same origins.
/// </summary>
internal sealed class ConsoleClient(
    IOpenIddictApplicationManager applications, IOptions<ConsoleSettings> console, IOptions<ServerSettings> server, IOptions<DemoSettings> demo,
    IOptions<ApplicantSettings> applicants, IHostEnvironment environment)
{
    public const string ToolRedirect = "http://127.0.0.1/oidc-callback";

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = ConsoleSetup.ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "OneGo console",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Prefixes.Scope + OneGoClaims.ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var origin in Origins())
        {
            descriptor.RedirectUris.Add(new Uri(origin + ConsoleSetup.CallbackPath));
            descriptor.PostLogoutRedirectUris.Add(new Uri(origin + ConsoleSetup.SignedOutCallbackPath));
        }

        if (demo.Value.EnabledIn(environment))
        {
            descriptor.RedirectUris.Add(new Uri(ToolRedirect));
        }

        await SaveAsync(descriptor, cancellationToken);
        await SaveAsync(ApplicantClient.Descriptor(applicants.Value, demo.Value.EnabledIn(environment), Origins()), cancellationToken);
    }

    /// <summary>
    /// Ensures the client in a scope of its own; when another node starting at the same moment wrote it first (a
    /// concurrency or unique-key conflict), reads what it wrote in a fresh scope and brings it in step.
    /// </summary>
    public static async Task EnsureAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ConsoleClient>().EnsureAsync(cancellationToken);
        }
        catch (Exception race) when (race is OpenIddictExceptions.ConcurrencyException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ConsoleClient>().EnsureAsync(cancellationToken);
        }
    }

    private async Task SaveAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is { } existing)
        {
            var current = new OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(current, existing, cancellationToken);
            if (current.RedirectUris.SetEquals(descriptor.RedirectUris) && current.PostLogoutRedirectUris.SetEquals(descriptor.PostLogoutRedirectUris)
                && current.Permissions.SetEquals(descriptor.Permissions))
            {
                return;
            }

            await applications.UpdateAsync(existing, descriptor, cancellationToken);
            return;
        }

        await applications.CreateAsync(descriptor, cancellationToken);
    }

    /// <summary>The origins people reach the console at.</summary>
    private IEnumerable<string> Origins()
    {
        if (console.Value.Origins is { Length: > 0 } configured)
        {
            return configured.Select(u => new Uri(u).GetLeftPart(UriPartial.Authority));
        }

        var urls = (server.Value.Urls ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return urls.SelectMany(u =>
        {
            var local = ConsoleSetup.Loopback(u);
            return local.Contains("://localhost:", StringComparison.Ordinal) ? [local, local.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal)] : new[] { local };
        }).Distinct(StringComparer.Ordinal);
    }
}
