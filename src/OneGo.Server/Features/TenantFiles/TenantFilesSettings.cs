using OneGo.Server.Data;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>Where the <c>tenants/</c> folder is and whether the server imports it when it starts.</summary>
public sealed class TenantFilesSettings : ISettings
{
    public static string Section => "TenantFiles";

    /// <summary>The folder; by default the nearest <c>tenants/</c> above the server's content root (the repository's).</summary>
    public string? Folder { get; set; }

    /// <summary>Import at start-up; by default on for the embedded default (SQLite) and off otherwise.</summary>
    public bool? ImportOnStartup { get; set; }

    /// <summary>The folder as a full path, or null when none is configured and none is found.</summary>
    public string? FolderIn(IHostEnvironment environment) =>
        Folder is { Length: > 0 } configured
            ? Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured))
            : FindRepositoryFolder(environment.ContentRootPath);

    public bool ImportsOnStartup(DatabaseSettings database) => ImportOnStartup ?? database.IsSqlite;

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
