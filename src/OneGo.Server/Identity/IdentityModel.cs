using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneGo.Tenancy;

namespace OneGo.Server.Identity;

/// <summary>
/// The identity tables: accounts (Identity's user columns and OneGo's), Identity's claims, logins and tokens
/// (authenticator keys, recovery codes), the four-eyes account changes, set-password links, the mail queue and the
/// sign-in failure counts — as <c>IdentityUserContext</c> would map them, on OneGo's own context.
/// </summary>
internal static class IdentityModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Account>(account =>
        {
            account.ToTable("Accounts");
            account.HasKey(a => a.Id);
            account.Property(a => a.UserName).HasMaxLength(AccountRules.MaxUserName);
            // One namespace for people and service accounts, compared without case: a name is one subject's only.
            account.Property(a => a.NormalizedUserName).HasMaxLength(AccountRules.MaxUserName);
            account.HasIndex(a => a.NormalizedUserName).IsUnique();
            account.Property(a => a.Email).HasMaxLength(256);
            account.Property(a => a.NormalizedEmail).HasMaxLength(256);
            account.HasIndex(a => a.NormalizedEmail);
            account.Property(a => a.ConcurrencyStamp).IsConcurrencyToken().HasMaxLength(64);
            account.Property(a => a.SecurityStamp).HasMaxLength(64);
            account.Property(a => a.PasswordHash).HasMaxLength(256);
            account.Property(a => a.PhoneNumber).HasMaxLength(32);
            account.Property(a => a.TenantId).HasMaxLength(TenancyModel.TenantIdMaxLength);
            account.HasIndex(a => a.TenantId);
            account.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
            account.Property(a => a.DisplayName).HasMaxLength(100);
            account.Property(a => a.ClientId).HasMaxLength(AccountRules.MaxUserName);
            account.HasIndex(a => a.ClientId).IsUnique();
            account.Property(a => a.CreatedBy).HasMaxLength(200);
            account.Ignore(a => a.Name);
        });
        modelBuilder.Entity<IdentityUserClaim<Guid>>(claim =>
        {
            claim.ToTable("AccountClaims");
            claim.HasKey(c => c.Id);
            claim.Property(c => c.ClaimType).HasMaxLength(256);
            claim.Property(c => c.ClaimValue).HasMaxLength(1024);
            claim.HasOne<Account>().WithMany().HasForeignKey(c => c.UserId).IsRequired();
        });
        modelBuilder.Entity<IdentityUserLogin<Guid>>(login =>
        {
            login.ToTable("AccountLogins");
            login.HasKey(l => new { l.LoginProvider, l.ProviderKey });
            login.Property(l => l.LoginProvider).HasMaxLength(128);
            login.Property(l => l.ProviderKey).HasMaxLength(128);
            login.Property(l => l.ProviderDisplayName).HasMaxLength(128);
            login.HasOne<Account>().WithMany().HasForeignKey(l => l.UserId).IsRequired();
        });
        modelBuilder.Entity<IdentityUserToken<Guid>>(token =>
        {
            token.ToTable("AccountTokens");
            token.HasKey(t => new { t.UserId, t.LoginProvider, t.Name });
            token.Property(t => t.LoginProvider).HasMaxLength(128);
            token.Property(t => t.Name).HasMaxLength(128);
            token.Property(t => t.Value).HasMaxLength(2048);
            token.HasOne<Account>().WithMany().HasForeignKey(t => t.UserId).IsRequired();
        });
        modelBuilder.Entity<AccountChange>(change =>
        {
            change.ToTable("AccountChanges");
            change.HasIndex(c => c.AccountId);
            change.HasOne<Account>().WithMany().HasForeignKey(c => c.AccountId).OnDelete(DeleteBehavior.Restrict);
            change.Property(c => c.Kind).HasConversion<string>().HasMaxLength(32);
            change.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
            change.Property(c => c.Role).HasMaxLength(16);
            change.Property(c => c.Email).HasMaxLength(256);
            change.Property(c => c.ProposedBy).HasMaxLength(200);
            change.Property(c => c.DecidedBy).HasMaxLength(200);
            change.Property(c => c.Comment).HasMaxLength(2000);
            change.Property(c => c.Revision).IsConcurrencyToken();
        });
        modelBuilder.Entity<CredentialLink>(link =>
        {
            link.ToTable("CredentialLinks");
            link.HasKey(l => l.Id);
            link.HasIndex(l => l.AccountId);
            link.HasOne<Account>().WithMany().HasForeignKey(l => l.AccountId);
        });
        modelBuilder.Entity<OutgoingMail>(mail =>
        {
            mail.ToTable("OutgoingMail");
            mail.Property(m => m.To).HasMaxLength(256);
            mail.Property(m => m.Subject).HasMaxLength(300);
            mail.Property(m => m.LastError).HasMaxLength(200);
            mail.HasIndex(m => new { m.SentAt, m.NextAttemptAt });
        });
        modelBuilder.Entity<SignInFailures>(failures =>
        {
            failures.ToTable("SignInFailures");
            failures.HasKey(f => f.Key);
            failures.Property(f => f.Key).HasMaxLength(300);
        });
    }
}
