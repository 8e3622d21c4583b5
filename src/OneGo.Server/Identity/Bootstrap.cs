using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Identity;

/// <summary>
/// <c>accounts bootstrap user:email …</c>: the first national admins of a deployment, before there is any admin to
/// propose or approve them — the one path to a role without four eyes, taken once, on the command line, by whoever
/// runs the deployment. Each gets the admin role of national and a set-password link at their own address; nobody
/// running the command sees a password. Refused once national has an admin who is not a demo account.
/// </summary>
internal sealed class Bootstrap(OneGoDbContext db, CurrentTenant tenants, AccountRoles roles, UserManager<Account> users, Credentials credentials, MailRelay relay, IOptions<IdentitySettings> settings, TimeProvider clock)
{
    public const string Actor = "system:bootstrap";

    public async Task<int> RunAsync(IReadOnlyList<string> people, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!await db.Regions.AnyAsync(r => r.Id == RegionRules.NationalId, cancellationToken))
        {
            error.WriteLine("There is no region 'national' yet: import the tenants/ folder first ('tenants import').");
            return 1;
        }

        var admins = await roles.NationalAdminsAsync(cancellationToken);
        if (admins.Count > 0)
        {
            error.WriteLine($"national already has an admin ({string.Join(", ", admins)}): further admins are proposed in the console and approved by a second admin.");
            return 1;
        }

        var wanted = new List<(string UserName, string Email)>();
        foreach (var person in people)
        {
            var parts = person.Split(':', 2);
            var problem = parts.Length != 2 ? $"'{person}' is not user:email." : AccountRules.CheckUserName(parts[0]) ?? AccountRules.CheckEmail(parts[1]);
            if (problem is not null)
            {
                error.WriteLine(problem);
                return 2;
            }

            wanted.Add((parts[0], parts[1]));
        }

        if (settings.Value.Issuer is not { Length: > 0 } origin)
        {
            error.WriteLine("Identity:Issuer is not set: the mailed links would not know where OneGo is. Pass --Identity:Issuer=https://onego.example.gov.cn.");
            return 2;
        }

        using (tenants.Enter(RegionRules.NationalId))
        {
            foreach (var (userName, email) in wanted)
            {
                var now = clock.Now();
                var account = new Account
                {
                    Id = Guid.NewGuid(), UserName = userName, TenantId = RegionRules.NationalId, Kind = AccountKind.Person, Email = email,
                    SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAt = now, CreatedBy = Actor,
                };
                var created = await users.CreateAsync(account);
                if (!created.Succeeded)
                {
                    error.WriteLine($"{userName}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
                    return 1;
                }

                db.Add(new AccountChange
                {
                    AccountId = account.Id, Kind = AccountChangeKind.GrantRole, Role = Roles.Admin, State = AccountChangeState.Approved,
                    ProposedBy = Actor, ProposedAt = now, DecidedBy = Actor, DecidedAt = now, Revision = 1,
                });
                await credentials.IssueLinkAsync(account, origin, cancellationToken);
                db.Audit(new AuditEvent(Actor, "account.bootstrap", $"account/{userName}",
                    new { userName, email = AccountRules.Mask(email), roles = new[] { Roles.Admin } }, "the deployment's first national admins, on the command line"));
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                error.WriteLine("A user name is taken already; nothing was created.");
                return 1;
            }
        }

        await relay.SendDueAsync(cancellationToken);
        foreach (var (userName, email) in wanted)
        {
            output.WriteLine($"{userName}: national admin; the set-password link went to {AccountRules.Mask(email)}.");
        }

        return 0;
    }
}
