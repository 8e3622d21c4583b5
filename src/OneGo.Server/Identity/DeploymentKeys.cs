using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace OneGo.Server.Identity;

/// <summary>
/// Gives OpenIddict the deployment's signing and encryption keys, read from the database — encrypted there through
/// the data-protection ring, which <see cref="KeyProtection"/>'s certificate protects — so that every node issues and
/// accepts the same tokens, across restarts, and a copy of the database alone forges none. Keys rotate
/// (<c>Identity:KeyRotation</c>, 90 days): the newest key signs and encrypts, the ones before it still validate tokens
/// until they are twice that old; nodes read the keys again every <c>Identity:KeyRefresh</c> (an hour), and a new key
/// signs only once it is older than that, so every node knows it before any token carries it. No development
/// certificate is ever used.
/// </summary>
public sealed class DeploymentKeys(IServiceScopeFactory scopes, IDataProtectionProvider protection, IOptions<IdentitySettings> settings, TimeProvider clock)
    : IConfigureOptions<OpenIddictServerOptions>, IOptionsChangeTokenSource<OpenIddictServerOptions>, IOptionsChangeTokenSource<OpenIddictValidationOptions>, IDisposable
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";
    private const string Purpose = "OneGo.DeploymentKeys";

    private CancellationTokenSource _refresh = new();
    private ITimer? _timer;

    /// <summary>
    /// True when the keys had to be made up because the database was not migrated yet: this node's tokens are
    /// then its own, and readiness says the node must be restarted once the database is migrated.
    /// </summary>
    public bool Ephemeral { get; private set; }

    public TimeSpan Rotation => settings.Value.KeyRotation;

    public TimeSpan Refresh => settings.Value.KeyRefresh;

    string IOptionsChangeTokenSource<OpenIddictServerOptions>.Name => Options.DefaultName;

    string IOptionsChangeTokenSource<OpenIddictValidationOptions>.Name => Options.DefaultName;

    public IChangeToken GetChangeToken()
    {
        _timer ??= clock.CreateTimer(_ => Interlocked.Exchange(ref _refresh, new CancellationTokenSource()).Cancel(), null, Refresh, Refresh);
        return new CancellationChangeToken(_refresh.Token);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _refresh.Dispose();
    }

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

        // The first key listed signs (or encrypts); the others are kept to read what they signed before.
        foreach (var key in Load(db, Signing))
        {
            options.SigningCredentials.Add(new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        }

        foreach (var key in Load(db, Encryption))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(key, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }

    /// <summary>The keys of one use that are still good, the one to use first: made when the newest is due for rotation.</summary>
    private List<RsaSecurityKey> Load(OneGoDbContext db, string use)
    {
        var now = clock.GetUtcNow();
        var rows = Rows(db, use);
        if (rows.Count == 0 || now - rows[0].CreatedAt >= Rotation)
        {
            using var created = RSA.Create(2048);
            db.Set<DeploymentKey>().Add(new DeploymentKey { Use = use, PrivateKey = Protect(created.ExportPkcs8PrivateKeyPem()), CreatedAt = clock.Now() });
            try
            {
                db.SaveChanges();
            }
            catch (DbUpdateException)
            {
                // Another node created one at the same moment: theirs is as good.
                db.ChangeTracker.Clear();
            }

            rows = Rows(db, use);
        }

        // A key younger than one refresh may be unknown to a node that has not read the keys since: it waits a round, unless it is the only one.
        var settled = rows.Where(r => now - r.CreatedAt >= Refresh).ToList();
        var order = settled.Count > 0 ? settled.Concat(rows.Except(settled)) : rows;
        return order.Where(r => now - r.CreatedAt < 2 * Rotation || r == rows[0]).Select(r => Key(db, use, r)).ToList();
    }

    private static List<DeploymentKey> Rows(OneGoDbContext db, string use) =>
        [.. db.Set<DeploymentKey>().AsNoTracking().Where(k => k.Use == use).AsEnumerable().OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)];

    private RsaSecurityKey Key(OneGoDbContext db, string use, DeploymentKey row)
    {
        var pem = row.PrivateKey;
        if (pem.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            // Written in clear by an older version: encrypted in place now.
            db.Set<DeploymentKey>().Where(k => k.Id == row.Id).ExecuteUpdate(s => s.SetProperty(k => k.PrivateKey, Protect(pem)));
        }
        else
        {
            pem = protection.CreateProtector(Purpose).Unprotect(pem);
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new RsaSecurityKey(rsa) { KeyId = $"{use}-{row.Id}" };
    }

    private string Protect(string pem) => protection.CreateProtector(Purpose).Protect(pem);
}
