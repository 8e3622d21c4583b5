using OneGo.Server.Data;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>Where the <c>tenants/</c> folder is and whether the server imports it when it starts.</summary>
public sealed class TenantFilesOptions
{
    public const string Section = "TenantFiles";

    /// <summary>The folder; by default the nearest <c>tenants/</c> above the server's content root (the repository's).</summary>
    public string? Folder { get; set; }

    /// <summary>Import at start-up; by default on for the embedded default (SQLite) and off otherwise.</summary>
    public bool? ImportOnStartup { get; set; }

    internal static TenantFilesOptions Read(IConfiguration configuration, IHostEnvironment environment, DatabaseOptions database)
    {
        var options = configuration.GetSection(Section).Get<TenantFilesOptions>() ?? new TenantFilesOptions();
        options.ImportOnStartup ??= database.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase);
        options.Folder = options.Folder is { Length: > 0 } configured
            ? Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured))
            : FindRepositoryFolder(environment.ContentRootPath);
        return options;
    }

    private static string? FindRepositoryFolder(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tenants");
            if (File.Exists(Path.Combine(candidate, TenantFolder.RegionFileName)))
            {
                return candidate;
            }
        }

        return null;
    }
}
