using Microsoft.Extensions.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Identity;

/// <summary>The key-protection certificate as a deployment provides it: a PKCS#12 file, or its base64 text as a secret mounted from Key Vault holds it.</summary>
public sealed class KeyProtectionTests
{
    private sealed class Production(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "OneGo.Server";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    [Fact]
    public void TheCertificateIsReadFromItsFileOrFromItsBase64Text()
    {
        using var folder = new TempFolder("keys");
        var environment = new Production(folder.Path);
        var original = KeyProtection.Load(new KeyProtectionSettings { Certificate = TestKeys.Certificate }, new Production(folder.Path) { EnvironmentName = "Testing" }).Current;

        var mounted = folder.File("key-protection.pfx");
        File.WriteAllText(mounted, Convert.ToBase64String(File.ReadAllBytes(TestKeys.Certificate)) + "\n");
        var fromVault = KeyProtection.Load(new KeyProtectionSettings { Certificate = mounted }, environment).Current;
        Assert.Equal(original.Thumbprint, fromVault.Thumbprint);
        Assert.True(fromVault.HasPrivateKey);

        File.WriteAllText(mounted, "not a certificate");
        var refused = Assert.Throws<InvalidOperationException>(() => KeyProtection.Load(new KeyProtectionSettings { Certificate = mounted }, environment));
        Assert.Contains("PKCS#12", refused.Message, StringComparison.Ordinal);
    }
}
