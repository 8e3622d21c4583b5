using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// OneGo in a test host, on a given database and <c>tenants/</c> folder, connected as production connects (on
/// PostgreSQL as the application's role, migrating through the owner's connection).
/// </summary>
public sealed class OneGoApp(TestDatabase database, string? tenantsFolder = null, bool? importOnStartup = null, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    /// <summary>The key that signs the audit checkpoints of every test deployment (<c>Audit:CheckpointKey</c>): 32 bytes, base64.</summary>
    public static string CheckpointKey { get; } = Convert.ToBase64String("OneGo tests sign checkpoints 32B"u8);

    public TestDatabase Database => database;

    /// <summary>The host's own blob folder (the file-system store), unless the settings name another store.</summary>
    public string BlobFolder { get; } = Path.Combine(Path.GetTempPath(), "onego-blobs-" + Guid.NewGuid().ToString("N")[..12]);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(BlobFolder))
        {
            Directory.Delete(BlobFolder, recursive: true);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in database.HostSettings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("TenantFiles:Folder", tenantsFolder ?? RepositoryTenants.Folder);
        // A copy of the seeded database holds the repository's catalogue already: importing it again at start would change
        // nothing (a restart changes no row, TenantImportTests) and cost every host a second; any other folder is imported.
        var import = importOnStartup ?? !(database.HoldsTheRepositoryCatalogue && tenantsFolder is null);
        builder.UseSetting("TenantFiles:ImportOnStartup", import ? "true" : "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Blobs:Path", BlobFolder);
        builder.UseSetting("Identity:KeyProtection:Certificate", TestKeys.Certificate);
        builder.UseSetting("Mail:PickupFolder", Path.Combine(BlobFolder, "mail"));
        builder.UseSetting("Audit:CheckpointKey", CheckpointKey);
        // Every request of an in-memory test host comes from one unknown address: tests of the limits set their own.
        builder.UseSetting("RateLimiting:ClientPerSecond", "100000");
        builder.UseSetting("RateLimiting:ClientBurst", "100000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>A host that refuses to start for its settings, and what it says.</summary>
public static class SettingsRefusal
{
    /// <summary>Starts <paramref name="app"/>, which must refuse its settings; returns every failure, one a line.</summary>
    public static string Of(WebApplicationFactory<Program> app)
    {
        var error = Record.Exception(() => app.Services);
        List<OptionsValidationException> refusals = error switch
        {
            OptionsValidationException one => [one],
            AggregateException many => [.. many.InnerExceptions.OfType<OptionsValidationException>()],
            _ => [],
        };
        Assert.True(refusals.Count > 0, $"The host was to refuse its settings as it started; it {(error is null ? "started" : $"failed otherwise: {error}")}");
        return string.Join("\n", refusals.SelectMany(r => r.Failures));
    }
}

/// <summary>
/// The certificate that protects the test databases' keys at rest: one file for every test host and server process of
/// a run (a seeded database is copied, keys and all, so every host reading it needs the same one), made by the first.
/// </summary>
public static class TestKeys
{
    public static string Certificate { get; } = Path.Combine(Path.GetTempPath(), "onego-test-key-protection.pfx");
}

/// <summary>The repository's own <c>tenants/</c> folder, and throwaway copies of it for tests that change files.</summary>
public static class RepositoryTenants
{
    public static string Folder { get; } = Find();

    /// <summary>How many regions the repository's folder describes.</summary>
    public static int RegionCount => Directory.EnumerateFiles(Folder, "tenant.yaml", SearchOption.AllDirectories).Count();

    /// <summary>How many files an import of a folder reads.</summary>
    public static int FileCount(string folder) => Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Count();

    /// <summary>
    /// A throwaway copy of the regions (every <c>tenant.yaml</c>) with the content of Xiamen and its districts only, and
    /// what they stand on: the national matters their matters claim (the basic catalogue, <c>matters/</c>) and the
    /// national standards Xiamen's adopt (<c>bundles/</c>), and the holiday calendar. Small enough to import in every test that changes files.
    /// </summary>
    public static TempFolder Copy()
    {
        var copy = new TempFolder("tenants");
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(f) == "tenant.yaml"
                         || Path.GetRelativePath(Folder, f).StartsWith("fujian/xiamen/", StringComparison.Ordinal)
                         || Path.GetRelativePath(Folder, f).StartsWith("matters/", StringComparison.Ordinal)
                         || Path.GetRelativePath(Folder, f).StartsWith("bundles/", StringComparison.Ordinal)
                         || Path.GetRelativePath(Folder, f).StartsWith("calendar/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(copy.Path, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tenants");
            if (File.Exists(Path.Combine(candidate, "tenant.yaml")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The repository's tenants/ folder was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A folder under the temp directory, named <c>…/{name}</c>, removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    private readonly string _parent = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "onego-" + Guid.NewGuid().ToString("N")[..12]);

    public TempFolder(string name)
    {
        Path = System.IO.Path.Combine(_parent, name);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public void Write(string relative, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(File(relative))!);
        System.IO.File.WriteAllText(File(relative), text);
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);
}
