using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using OneGo.Server.Data;

namespace OneGo.Server.Storage;

/// <summary>Where OneGo keeps its blobs: <c>Blobs:Provider</c>, <c>Blobs:Path</c>, <c>Blobs:ConnectionString</c>, <c>Blobs:Container</c>.</summary>
public sealed class BlobOptions
{
    public const string Section = "Blobs";

    /// <summary><c>FileSystem</c> (the default) or <c>Azure</c>.</summary>
    public string Provider { get; set; } = "FileSystem";

    /// <summary>
    /// FileSystem: the folder, relative to the content root. By default a <c>blobs</c> folder beside the SQLite file
    /// of the embedded default, otherwise <c>App_Data/blobs</c> under the content root.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Azure: the storage account's connection string (required).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Azure: the container, created when missing.</summary>
    public string Container { get; set; } = "onego";
}

internal static partial class BlobSetup
{
    public static IServiceCollection AddOneGoBlobs(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(BlobOptions.Section).Get<BlobOptions>() ?? new BlobOptions();
        switch (options.Provider.Trim().ToLowerInvariant())
        {
            case "filesystem":
                // The default folder follows the database, which is only known once its services are.
                services.AddSingleton<IBlobStore>(provider => new FileSystemBlobStore(Folder(options, environment, provider), provider.GetRequiredService<TimeProvider>()));
                break;
            case "azure":
                // Checked here, so that a misconfigured node fails at start-up rather than at its first publication.
                services.AddSingleton<IBlobStore>(new AzureBlobStore(Container(options)));
                break;
            default:
                throw new InvalidOperationException($"Blobs:Provider is '{options.Provider}'; it must be FileSystem or Azure.");
        }

        return services;
    }

    private static BlobContainerClient Container(BlobOptions options)
    {
        if (options.ConnectionString is not { Length: > 0 } connectionString)
        {
            throw new InvalidOperationException(
                "Blobs:ConnectionString is required when Blobs:Provider is 'Azure': the storage account's connection string " +
                "(DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net), e.g. from Blobs__ConnectionString.");
        }

        if (!ContainerName().IsMatch(options.Container))
        {
            throw new InvalidOperationException(
                $"Blobs:Container is '{options.Container}'; a container name is 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
        }

        try
        {
            return new BlobContainerClient(connectionString, options.Container);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Names the setting but not its value: that holds the account key.
            throw new InvalidOperationException($"Blobs:ConnectionString is not a storage account connection string: {e.Message}", e);
        }
    }

    private static string Folder(BlobOptions options, IHostEnvironment environment, IServiceProvider services)
    {
        if (options.Path is { Length: > 0 } configured)
        {
            return Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        }

        // The embedded default keeps everything it stores in one folder: the blobs beside the SQLite file.
        return Path.Combine(DatabaseSetup.EmbeddedFolder(services, environment), "blobs");
    }

    [GeneratedRegex("^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}
