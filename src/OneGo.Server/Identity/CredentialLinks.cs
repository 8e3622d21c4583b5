using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Hosting;

namespace OneGo.Server.Identity;

/// <summary>
/// A one-time set-password link sent to a person: it carries Identity's password-reset token (bound to the person's
/// security stamp, so setting a password or a newer link voids it) and is remembered here so that the page can say
/// whether a link expired or was used — and change nothing either way. Never shown to an admin.
/// </summary>
public sealed class CredentialLink
{
    public Guid Id { get; set; }

    public Guid AccountId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>Issues set-password links (for people) and client secrets (for service accounts), and mails them to the account's address.</summary>
public sealed class Credentials(
    OneGoDbContext db, UserManager<Account> users, Mailer mailer, TimeProvider clock, IOptions<IdentitySettings> settings,
    OpenIddict.Abstractions.IOpenIddictApplicationManager applications)
{
    /// <summary>How long a set-password link lives: <c>Identity:PasswordLinkLifetime</c>, three days by default.</summary>
    public TimeSpan LinkLifetime => settings.Value.PasswordLinkLifetime;

    /// <summary>
    /// Queues a set-password link for the person in the context's pending changes; any earlier link stops working
    /// because the security stamp moves. The caller saves (with its audit entry).
    /// </summary>
    public async Task IssueLinkAsync(Account person, string origin, CancellationToken cancellationToken)
    {
        // A new stamp voids every earlier link and signs the person out everywhere.
        person.SecurityStamp = Guid.NewGuid().ToString("N");
        var token = await users.GeneratePasswordResetTokenAsync(person);
        var now = clock.Now();
        var link = new CredentialLink { Id = Guid.NewGuid(), AccountId = person.Id, CreatedAt = now, ExpiresAt = now + LinkLifetime };
        db.Add(link);
        var url = $"{origin.TrimEnd('/')}/account/password?link={link.Id:N}&token={Uri.EscapeDataString(token)}";
        mailer.Queue(person.Email!, "OneGo 一件事一次办：设置密码 Set your password",
            $"""
            {person.DisplayName ?? person.UserName}，您好：

            您的 OneGo 账号 {person.UserName}（{person.TenantId}）已开通。请在 {link.ExpiresAt:yyyy-MM-dd HH:mm} (UTC) 之前打开下面的链接设置密码；链接只能使用一次。
            Your OneGo account {person.UserName} ({person.TenantId}) is ready. Open this link before {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC to set your password; it works once.

            {url}

            如果这不是您申请的，请忽略本邮件并告知您的管理员。 If you did not expect this, ignore it and tell your administrator.
            """);
    }

    /// <summary>Makes or replaces a service account's OAuth client with a new secret, and mails the secret to its address.</summary>
    public async Task IssueSecretAsync(Account service, CancellationToken cancellationToken)
    {
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var client = await applications.FindByClientIdAsync(service.ClientId!, cancellationToken);
        if (client is null)
        {
            await applications.CreateAsync(DemoAccounts.ServiceClient(service.ClientId!, secret), cancellationToken);
        }
        else
        {
            var descriptor = new OpenIddict.Abstractions.OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(descriptor, client, cancellationToken);
            descriptor.ClientSecret = secret;
            await applications.UpdateAsync(client, descriptor, cancellationToken);
        }

        mailer.Queue(service.Email!, "OneGo 一件事一次办：服务账号密钥 A service account's client secret",
            $"""
            OneGo 服务账号 {service.UserName}（{service.TenantId}）的客户端凭据如下，之前的密钥已失效。
            The client credentials of the OneGo service account {service.UserName} ({service.TenantId}); any earlier secret no longer works.

            client_id:     {service.ClientId}
            client_secret: {secret}

            以 client_credentials 方式向 /connect/token 申请令牌。 Ask /connect/token for a token with grant_type=client_credentials.
            """);
    }

    /// <summary>Queues a notice to an address: what changed on the account, and who did it.</summary>
    public void Notify(Account account, string to, string what)
    {
        mailer.Queue(to, "OneGo 一件事一次办：账号变更通知 A change to your account",
            $"""
            OneGo 账号 {account.UserName}（{account.TenantId}）：{what}
            If you did not expect this change, tell your administrator at once.
            """);
    }

    /// <summary>What a link is now: usable (with its account), or why not.</summary>
    public async Task<(CredentialLink? Link, Account? Account, string? Refusal)> OpenAsync(Guid id, CancellationToken cancellationToken)
    {
        var link = await db.Set<CredentialLink>().SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (link is null)
        {
            return (null, null, "unknown");
        }

        if (link.UsedAt is not null)
        {
            return (link, null, "used");
        }

        if (link.ExpiresAt <= clock.Now())
        {
            return (link, null, "expired");
        }

        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.Id == link.AccountId, cancellationToken);
        return account is null || account.Disabled ? (link, null, "disabled") : (link, account, null);
    }
}
