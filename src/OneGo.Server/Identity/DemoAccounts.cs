using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Tenancy;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Identity;

/// <summary><c>Demo:Enabled</c>: whether the demo accounts (below) exist; unset, in Development and Testing only.</summary>
public sealed class DemoSettings : ISettings
{
    public static string Section => "Demo";

    public bool? Enabled { get; set; }

    public bool EnabledIn(IHostEnvironment environment) =>
        Enabled ?? (environment.IsDevelopment() || environment.IsEnvironment("Testing"));

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        EnabledIn(environment) && environment.IsProduction()
            ? ["Demo:Enabled is true in Production: demo accounts with a published secret must never exist there. Set Demo:Enabled=false."]
            : [];
}

/// <summary>
/// Demo mode: for every region and every role, the person <c>demo-{role}@{tenant}</c> with the password
/// <c>demo-secret</c> — admins, reviewers, auditors and officers enrolled with the published authenticator key
/// <see cref="AuthenticatorKey"/>, an officer working at its region's comprehensive window (national, which has none,
/// has no demo officer), and <c>demo-officer-education@{tenant}</c>, <c>demo-officer-health@{tenant}</c> and
/// <c>demo-officer-public-security@{tenant}</c>, officers of those departments where the region defines them — and the OAuth client <c>demo-{role}@{tenant}</c> / <c>demo-secret</c>, whose service
/// account is <c>svc-demo-{role}@{tenant}</c>; the integration client <c>demo-zone-reader</c>; and the demo applicants
/// (<see cref="Applicants"/>), people bound to no tenant who are also clients with scope apply. On by default in
/// Development and Testing; the server refuses to start in Production with it on. Whenever demo mode is off, every
/// demo account is disabled and every demo client removed, so none survives into a deployment.
/// </summary>
public sealed class DemoAccounts(
    OneGoDbContext db, CurrentTenant tenants, IOpenIddictApplicationManager applications, Features.Applicants.ApplicantIdNumbers idNumbers, TimeProvider clock,
    ILogger<DemoAccounts> logger)
{
    public const string Secret = "demo-secret";
    public const string ZoneReader = "demo-zone-reader";
    public const string CreatedBy = "demo";

    /// <summary>The demo people's TOTP key (base32), published so that anyone trying OneGo can add it to an authenticator.</summary>
    public const string AuthenticatorKey = "ONEGODEMOAUTHENTICATORKEYSECRET2";

    /// <summary>The demo person of a role in a tenant, and the client id of its service account.</summary>
    public static string UserName(string role, string tenant) => $"demo-{role}@{tenant}";

    /// <summary>The departments whose demo officer each region defining them has, beside its window's: they decide the cases of 入园入学 and 出生一件事.</summary>
    public static readonly IReadOnlyList<string> OfficerDepartments = ["education", "health", "public-security"];

    /// <summary>The demo officer of a department of a tenant (a person only, with no service account).</summary>
    public static string DepartmentOfficer(string department, string tenant) => $"demo-officer-{department}@{tenant}";

    /// <summary>The user name of the service account behind the demo client <see cref="UserName"/>.</summary>
    public static string ServiceUserName(string role, string tenant) => "svc-" + UserName(role, tenant);

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
        }, cancellationToken);

        var regions = await db.Regions.AsNoTracking().Select(r => r.Id).ToListAsync(cancellationToken);
        // A demo officer works at its region's comprehensive window; a region without one (national) has no demo officer.
        var windows = (await db.Departments.AsNoTracking().Where(d => d.Kind == OneGo.Catalogue.DepartmentKind.Window)
            .Select(d => new { d.RegionId, d.Code }).ToListAsync(cancellationToken))
            .GroupBy(d => d.RegionId).ToDictionary(g => g.Key, g => g.Min(d => d.Code)!, StringComparer.Ordinal);
        // A region's education and health departments each have a demo officer too, where the region defines them.
        var departments = (await db.Departments.AsNoTracking().Where(d => OfficerDepartments.Contains(d.Code))
            .Select(d => new { d.RegionId, d.Code }).ToListAsync(cancellationToken))
            .GroupBy(d => d.RegionId).ToDictionary(g => g.Key, g => g.Select(d => d.Code).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var existing = (await db.Set<Account>().AsNoTracking().Select(a => a.NormalizedUserName!).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var clients = (await db.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking().Select(a => a.ClientId!).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        string? hash = null;
        var created = 0;
        foreach (var tenant in regions)
        {
            var accounts = new List<Account>();
            var serviceClients = new List<OpenIddictEntityFrameworkCoreApplication>();
            var grants = new Dictionary<Guid, (string Role, string? Department)>();
            foreach (var department in departments.GetValueOrDefault(tenant, []))
            {
                var name = DepartmentOfficer(department, tenant);
                if (!existing.Contains(name.ToUpperInvariant()))
                {
                    hash ??= new PasswordHasher<Account>().HashPassword(null!, Secret);
                    var email = DemoEmail($"officer-{department}", tenant);
                    var account = new Account
                    {
                        Id = Guid.NewGuid(), UserName = name, NormalizedUserName = name.ToUpperInvariant(), TenantId = tenant, Kind = AccountKind.Person,
                        Email = email, NormalizedEmail = email.ToUpperInvariant(), EmailConfirmed = true,
                        PasswordHash = hash, SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(),
                        TwoFactorEnabled = true, CreatedAt = clock.Now(), CreatedBy = CreatedBy,
                    };
                    accounts.Add(account);
                    grants[account.Id] = (Roles.Officer, department);
                }
            }

            foreach (var role in Roles.All.Where(r => r != Roles.Officer || windows.ContainsKey(tenant)))
            {
                var name = UserName(role, tenant);
                var now = clock.Now();
                if (!existing.Contains(name.ToUpperInvariant()))
                {
                    // Every demo person has the same published password: hashing it once keeps start-up quick.
                    hash ??= new PasswordHasher<Account>().HashPassword(null!, Secret);
                    accounts.Add(new Account
                    {
                        Id = Guid.NewGuid(), UserName = name, NormalizedUserName = name.ToUpperInvariant(), TenantId = tenant, Kind = AccountKind.Person,
                        Email = DemoEmail(role, tenant), NormalizedEmail = DemoEmail(role, tenant).ToUpperInvariant(), EmailConfirmed = true,
                        PasswordHash = hash, SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(),
                        TwoFactorEnabled = Roles.NeedSecondFactor.Contains(role), CreatedAt = now, CreatedBy = CreatedBy,
                    });
                }

                var service = ServiceUserName(role, tenant);
                if (!existing.Contains(service.ToUpperInvariant()))
                {
                    if (!clients.Contains(name) && await ServiceClientEntityAsync(name, cancellationToken) is { } client)
                    {
                        serviceClients.Add(client);
                    }

                    accounts.Add(new Account
                    {
                        Id = Guid.NewGuid(), UserName = service, NormalizedUserName = service.ToUpperInvariant(), TenantId = tenant, Kind = AccountKind.Service,
                        ClientId = name, Email = DemoEmail(role, tenant), NormalizedEmail = DemoEmail(role, tenant).ToUpperInvariant(),
                        SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(), CreatedAt = now, CreatedBy = CreatedBy,
                    });
                }
            }

            if (accounts.Count > 0)
            {
                // Each tenant's accounts and their approved grants are recorded in its own audit log.
                using (tenants.Enter(tenant))
                {
                    db.AddRange(serviceClients);
                    db.Set<Account>().AddRange(accounts);
                    foreach (var account in accounts)
                    {
                        var role = account.Name.Split('@')[0].Split('-')[^1];
                        var (granted, department) = grants.TryGetValue(account.Id, out var grant) ? grant : (role, role == Roles.Officer ? windows[tenant] : null);
                        db.Add(new AccountChange
                        {
                            AccountId = account.Id, Kind = AccountChangeKind.GrantRole, Role = granted, State = AccountChangeState.Approved,
                            Department = department,
                            ProposedBy = "system:demo", ProposedAt = account.CreatedAt, DecidedBy = "system:demo", DecidedAt = account.CreatedAt, Revision = 1,
                        });
                        if (account.TwoFactorEnabled)
                        {
                            db.Add(new IdentityUserToken<Guid> { UserId = account.Id, LoginProvider = "[AspNetUserStore]", Name = "AuthenticatorKey", Value = AuthenticatorKey });
                        }
                    }

                    db.Audit(new AuditEvent("system:demo", "account.create", $"tenant/{tenant}",
                        new { accounts = accounts.Select(a => new { userName = a.Name, kind = a.Kind }) }, "demo mode"));
                    await db.SaveChangesAsync(cancellationToken);
                    // A nation has thousands of tenants: each save compares only its own tenant's rows.
                    db.ChangeTracker.Clear();
                }

                created += accounts.Count;
            }
        }

        created += await EnsureApplicantsAsync(existing, cancellationToken);
        if (created > 0)
        {
            logger.LogInformation("Demo mode: {Count} demo accounts created (password and client secret '{Secret}', authenticator key {Key})", created, Secret, AuthenticatorKey);
        }
    }

    /// <summary>
    /// Demo mode is off: disables every demo account (audited in its tenant's log) and removes every demo client, so that a
    /// database first brought up in Development or Testing never carries a published password into a deployment.
    /// </summary>
    public async Task RetireAsync(CancellationToken cancellationToken)
    {
        var demo = await db.Set<Account>().Where(a => a.CreatedBy == CreatedBy && !a.Disabled).ToListAsync(cancellationToken);
        foreach (var tenant in demo.GroupBy(a => a.AuditTenantId))
        {
            using (tenants.Enter(tenant.Key))
            {
                foreach (var account in tenant)
                {
                    account.Disabled = true;
                    account.SecurityStamp = Guid.NewGuid().ToString("N");
                }

                db.Audit(new AuditEvent("system:demo", "account.disable", $"tenant/{tenant.Key}",
                    new { accounts = tenant.Select(a => a.AuditName) }, "demo mode is off: demo accounts never survive into a deployment"));
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        var removed = 0;
        foreach (var clientId in demo.Where(a => a.ClientId is not null).Select(a => a.ClientId!).Append(ZoneReader))
        {
            if (await applications.FindByClientIdAsync(clientId, cancellationToken) is { } client)
            {
                await applications.DeleteAsync(client, cancellationToken);
                removed++;
            }
        }

        if (demo.Count > 0 || removed > 0)
        {
            logger.LogWarning("Demo mode is off: {Accounts} demo account(s) disabled and {Clients} demo client(s) removed", demo.Count, removed);
        }
    }

    /// <summary>
    /// The demo applicants: synthetic people of Haicang (their ID numbers pass the GB 11643 check and belong to nobody),
    /// one acting for a synthetic enterprise. Each signs in with <see cref="Secret"/> and is also the client-credentials
    /// client of the same name with scope apply, so that scripts can act as an applicant. They are real-name verified by
    /// <see cref="DemoVerifier"/>, the demo's stand-in for the national unified identity service, so that data sharing
    /// (which needs a verified person) can be tried; a person who registers stays not verified.
    /// </summary>
    public static readonly IReadOnlyList<(string UserName, string Name, string IdNumber, string? CreditCode, string? EnterpriseName)> Applicants =
    [
        ("demo-applicant-zhang", "张晓明", "350205198806121231", null, null),
        ("demo-applicant-chen", "陈静", "35020519920318246X", "91350205MA31RKQ2CH", "厦门海沧示例科技有限公司"),
    ];

    /// <summary>Who vouches for the demo applicants' names and ID numbers: a stand-in, in demo mode only.</summary>
    public const string DemoVerifier = "demo (stand-in for the national unified identity service)";

    private async Task<int> EnsureApplicantsAsync(HashSet<string> existing, CancellationToken cancellationToken)
    {
        var missing = Applicants.Where(a => !existing.Contains(a.UserName.ToUpperInvariant())).ToList();
        foreach (var (userName, _, _, _, _) in missing)
        {
            // OpenIddict saves each client on its own: all of them before the accounts join the tracked changes.
            await EnsureClientAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = userName,
                ClientSecret = Secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Demo applicant",
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + OneGoClaims.ApplyScope },
            }, cancellationToken);
        }

        var added = new List<Account>();
        foreach (var (userName, name, idNumber, creditCode, enterpriseName) in missing)
        {
            var now = clock.Now();
            var account = new Account
            {
                Id = Guid.NewGuid(), UserName = userName, NormalizedUserName = userName.ToUpperInvariant(), TenantId = null, Kind = AccountKind.Person,
                DisplayName = name, ClientId = userName, PasswordHash = new PasswordHasher<Account>().HashPassword(null!, Secret),
                SecurityStamp = Guid.NewGuid().ToString("N"), ConcurrencyStamp = Guid.NewGuid().ToString(), CreatedAt = now, CreatedBy = CreatedBy,
            };
            db.Set<Account>().Add(account);
            db.Add(new Features.Applicants.Applicant
            {
                AccountId = account.Id, Name = name, IdNumberProtected = idNumbers.Protect(idNumber), IdNumberMasked = Features.Applicants.ResidentIdNumber.Mask(idNumber),
                CreditCode = creditCode, EnterpriseName = enterpriseName, RegisteredAt = now, VerifiedBy = DemoVerifier, VerifiedAt = now,
            });
            added.Add(account);
        }

        // Demo applicants made before the stand-in vouched for them are vouched for now.
        var names = Applicants.Where(a => !missing.Contains(a)).Select(a => a.UserName).ToList();
        var unverified = names.Count == 0 ? [] : await db.Set<Features.Applicants.Applicant>()
            .Where(p => p.VerifiedBy == null && db.Set<Account>().Any(a => a.Id == p.AccountId && names.Contains(a.UserName!)))
            .ToListAsync(cancellationToken);
        foreach (var applicant in unverified)
        {
            (applicant.VerifiedBy, applicant.VerifiedAt) = (DemoVerifier, clock.Now());
        }

        if (added.Count > 0 || unverified.Count > 0)
        {
            using (tenants.Enter(RegionRules.NationalId))
            {
                if (added.Count > 0)
                {
                    db.Audit(new AuditEvent("system:demo", "applicant.register", "applicants", new { applicants = added.Select(a => a.AuditName) }, "demo mode"));
                }

                if (unverified.Count > 0)
                {
                    db.Audit(new AuditEvent("system:demo", "applicant.verify", "applicants", new { verifiedBy = DemoVerifier, count = unverified.Count }, "demo mode"));
                }

                await db.SaveChangesAsync(cancellationToken);
            }
        }

        return added.Count;
    }

    private static string DemoEmail(string role, string tenant) => $"demo-{role}.{tenant}@demo.onego.invalid";

    /// <summary>The OAuth client of a service account: client credentials at the token endpoint, scope api.</summary>
    public static OpenIddictApplicationDescriptor ServiceClient(string clientId, string? secret) => new()
    {
        ClientId = clientId,
        ClientSecret = secret,
        ClientType = ClientTypes.Confidential,
        Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, Permissions.Prefixes.Scope + OneGoClaims.ApiScope },
    };

    /// <summary>
    /// The hash of <see cref="Secret"/> as OpenIddict stores a client secret, made once: every demo client has that same
    /// published secret, and hashing it for each of a nation's tens of thousands of clients would keep a first start
    /// waiting for about half an hour.
    /// </summary>
    private string? _clientSecretHash;

    /// <summary>
    /// A demo service client. The first is created and saved by OpenIddict, which hashes the secret (null is returned);
    /// the others are filled in by it from the same descriptor, given that hash, and returned to be saved with their
    /// tenant's accounts.
    /// </summary>
    private async Task<OpenIddictEntityFrameworkCoreApplication?> ServiceClientEntityAsync(string clientId, CancellationToken cancellationToken)
    {
        if (_clientSecretHash is null)
        {
            // Before any account of the tenant is tracked: OpenIddict saves the client on its own.
            await applications.CreateAsync(ServiceClient(clientId, Secret), cancellationToken);
            var stored = (OpenIddictEntityFrameworkCoreApplication)(await applications.FindByClientIdAsync(clientId, cancellationToken))!;
            _clientSecretHash = stored.ClientSecret;
            return null;
        }

        var client = new OpenIddictEntityFrameworkCoreApplication();
        await applications.PopulateAsync(client, ServiceClient(clientId, secret: null), cancellationToken);
        client.ClientSecret = _clientSecretHash;
        return client;
    }

    private async Task EnsureClientAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
    }
}
