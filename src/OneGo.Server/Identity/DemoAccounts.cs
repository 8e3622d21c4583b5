using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;
using OneGo.Server.Hosting;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary>
/// Demo mode: for every region and every role, a person and a service account <c>demo-{role}@{tenant}</c> with the
/// password and secret <c>demo-secret</c>, and the integration client <c>demo-zone-reader</c> (the console's own client
/// is <see cref="ConsoleUi.ConsoleClient"/>). On by default in Development and Testing; the server refuses to start in Production with it on.
/// </summary>
public sealed class DemoAccounts(OneGoDbContext db, CurrentTenant tenants, IOpenIddictApplicationManager applications, TimeProvider clock, ILogger<DemoAccounts> logger)
{
    public const string Secret = "demo-secret";
    public const string ZoneReader = "demo-zone-reader";

    public static bool Enabled(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue("Demo:Enabled", environment.IsDevelopment() || environment.IsEnvironment("Testing"));

    public static string UserName(string role, string tenant) => $"demo-{role}@{tenant}";

    /// <summary>Creates what is missing; an existing account or client is left as it is.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await EnsureClientAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ZoneReader,
            ClientSecret = Secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = "Demo integration reading the national zone",
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + OneGoClaims.ZoneReadScope },
        }, [], cancellationToken);

        var regions = await db.Regions.AsNoTracking().Select(r => r.Id).ToListAsync(cancellationToken);
        var existing = (await db.Set<Account>().AsNoTracking().Select(a => a.UserName + "|" + a.Kind).ToListAsync(cancellationToken)).ToHashSet();
        string? hash = null;
        var created = 0;
        foreach (var tenant in regions)
        {
            var accounts = new List<Account>();
            foreach (var role in Roles.All)
            {
                var name = UserName(role, tenant);
                if (!existing.Contains(name + "|" + AccountKind.Person))
                {
                    // Every demo person has the same published password: hashing it once keeps start-up quick.
                    hash ??= new PasswordHasher<Account>().HashPassword(null!, Secret);
                    accounts.Add(new Account { UserName = name, TenantId = tenant, Roles = role, Kind = AccountKind.Person, PasswordHash = hash, CreatedAt = clock.Now(), CreatedBy = "demo" });
                }

                if (!existing.Contains(name + "|" + AccountKind.Service))
                {
                    // The OAuth client is saved on its own by OpenIddict, before the account joins the tracked changes.
                    await EnsureClientAsync(ServiceClient(name, Secret), [], cancellationToken);
                    accounts.Add(new Account { UserName = name, TenantId = tenant, Roles = role, Kind = AccountKind.Service, CreatedAt = clock.Now(), CreatedBy = "demo" });
                }
            }

            if (accounts.Count > 0)
            {
                // Each tenant's accounts are recorded in its own audit log.
                using (tenants.Enter(tenant))
                {
                    db.Set<Account>().AddRange(accounts);
                    db.Audit(new AuditEvent("system:demo", "account.create", $"tenant/{tenant}",
                        new { accounts = accounts.Select(a => new { a.UserName, kind = a.Kind, roles = a.RoleList }) }, "demo mode"));
                    await db.SaveChangesAsync(cancellationToken);
                }

                created += accounts.Count;
            }
        }

        if (created > 0)
        {
            logger.LogInformation("Demo mode: {Count} demo accounts created (password and client secret '{Secret}')", created, Secret);
        }
    }

    /// <summary>The OAuth client of a service account: client credentials at the token endpoint, scope api.</summary>
    public static OpenIddictApplicationDescriptor ServiceClient(string clientId, string secret) => new()
    {
        ClientId = clientId,
        ClientSecret = secret,
        ClientType = ClientTypes.Confidential,
        Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + OneGoClaims.ApiScope },
    };

    private async Task EnsureClientAsync(OpenIddictApplicationDescriptor descriptor, IEnumerable<string> redirectUris, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is not null)
        {
            return;
        }

        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri));
        }

        await applications.CreateAsync(descriptor, cancellationToken);
    }
}
