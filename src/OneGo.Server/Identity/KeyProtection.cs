using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OneGo.Server.Identity;

/// <summary>
/// The certificate that protects OneGo's keys at rest (finding M6): the data-protection key ring (cookies,
/// antiforgery, mail bodies, webhook secrets) is encrypted with it, and the token signing and encryption keys are
/// encrypted through that ring — so a copy of the database alone (a backup, a replica, a DBA) forges no cookie and no
/// token. <c>Identity:KeyProtection:Certificate</c> names a PKCS#12 file (<c>…:Password</c> its password) kept outside
/// the database — a mounted secret, or a file an HSM/KMS provides. Required outside Development and Testing; there,
/// a self-signed one is made once at <c>App_Data/keys/key-protection.pfx</c>. <c>…:Previous</c> lists older files
/// that still decrypt keys written before a certificate rotation.
/// </summary>
public static class KeyProtection
{
    public const string DefaultFile = "App_Data/keys/key-protection.pfx";

    /// <summary>The certificates <paramref name="settings"/> name; outside Development and Testing one is required (see <see cref="IdentitySettings"/>).</summary>
    public static (X509Certificate2 Current, X509Certificate2[] Previous) Load(KeyProtectionSettings settings, IHostEnvironment environment)
    {
        var configured = settings.Certificate is { Length: > 0 } certificate ? certificate : DefaultFile;
        var path = Path.IsPathRooted(configured) ? configured : Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        if (!File.Exists(path) && (environment.IsDevelopment() || environment.IsEnvironment("Testing")))
        {
            CreateSelfSigned(path, settings.Password);
        }

        return (Open(path, settings.Password), settings.Previous.Select(p => Open(p, settings.Password)).ToArray());
    }

    /// <summary>
    /// The PKCS#12 file, or its base64 text: a Key Vault certificate's secret is the file in base64, and that text is
    /// what a secret mounted from the vault holds (Azure Container Apps' secret volumes, infra/azure).
    /// </summary>
    private static X509Certificate2 Open(string path, string? password)
    {
        var content = File.ReadAllBytes(path);
        // A PKCS#12 file is a DER SEQUENCE; base64 text never starts with that byte.
        if (content is not [0x30, ..])
        {
            try
            {
                content = Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(content));
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{path} is neither a PKCS#12 file nor one in base64: Identity:KeyProtection:Certificate must name the certificate's PKCS#12 file.");
            }
        }

        return X509CertificateLoader.LoadPkcs12(content, password, X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable);
    }

    /// <summary>Made once, atomically: nodes and test hosts starting together all end up with the same file.</summary>
    private static void CreateSelfSigned(string path, string? password)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=OneGo key protection (development)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temporary, certificate.Export(X509ContentType.Pkcs12, password));
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException)
        {
            // Another process made it first: use theirs.
            File.Delete(temporary);
        }
    }
}
