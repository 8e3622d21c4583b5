using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OpenIddict.Server;

namespace OneGo.Server.Identity;

/// <summary>
/// Gives OpenIddict the deployment's signing and encryption keys, read from the database (created there by the
/// first node that needs them), so that every node issues and accepts the same tokens, across restarts. No
/// development certificate is ever used.
/// </summary>
public sealed class DeploymentKeys(IServiceScopeFactory scopes, TimeProvider clock) : IConfigureOptions<OpenIddictServerOptions>
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    /// <summary>
    /// True when the keys had to be made up because the database was not migrated yet: this node's tokens are
    /// then its own, and readiness says the node must be restarted once the database is migrated.
    /// </summary>
    public bool Ephemeral { get; private set; }

    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        if (db.Database.GetPendingMigrations().Any())
        {
            // Without the schema there are no shared keys to load; the accounts are not there either, so no token
            // can be issued meanwhile. Readiness stays red until the node restarts on a migrated database.
            Ephemeral = true;
            options.SigningCredentials.Add(new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaSha256));
            options.EncryptionCredentials.Add(new EncryptingCredentials(new RsaSecurityKey(RSA.Create(2048)), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
            return;
        }

        options.SigningCredentials.Add(new SigningCredentials(Load(db, Signing), SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(Load(db, Encryption), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    private RsaSecurityKey Load(OneGoDbContext db, string use)
    {
        var row = db.Set<DeploymentKey>().AsNoTracking().Where(k => k.Use == use).OrderBy(k => k.Id).FirstOrDefault();
        if (row is null)
        {
            using var created = RSA.Create(2048);
            db.Set<DeploymentKey>().Add(new DeploymentKey { Use = use, PrivateKey = created.ExportPkcs8PrivateKeyPem(), CreatedAt = clock.Now() });
            try
            {
                db.SaveChanges();
            }
            catch (DbUpdateException)
            {
                // Another node created it at the same moment: use theirs.
                db.ChangeTracker.Clear();
            }

            row = db.Set<DeploymentKey>().AsNoTracking().Where(k => k.Use == use).OrderBy(k => k.Id).First();
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(row.PrivateKey);
        return new RsaSecurityKey(rsa) { KeyId = $"{use}-{row.Id}" };
    }
}
