using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Hosting;

namespace OneGo.Server.Storage;

/// <summary>Where OneGo keeps its blobs: <c>Blobs:Provider</c>, <c>Blobs:Path</c>, <c>Blobs:ConnectionString</c>, <c>Blobs:Container</c>.</summary>
public sealed partial class BlobSettings : ISettings
{
    public static string Section => "Blobs";

    /// <summary><c>FileSystem</c> (the default) or <c>Azure</c>.</summary>
    [OneOf("FileSystem", "Azure")]
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

    public bool IsAzure => OneOfAttribute.Is(Provider, "Azure");

    // Checked at start, so that a misconfigured node fails there rather than at its first publication.
    IEnumerable<string> ISettings.Problems(IHostEnvironment environment)
    {
        if (!IsAzure)
        {
            return [];
        }

        if (ConnectionString is not { Length: > 0 })
        {
            return ["Blobs:ConnectionString is required when Blobs:Provider is 'Azure': the storage account's connection string " +
                    "(DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net), e.g. from Blobs__ConnectionString."];
        }

        if (!ContainerName().IsMatch(Container))
        {
            return [$"Blobs:Container is '{Container}'; a container name is 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."];
        }

        try
        {
            _ = new BlobContainerClient(ConnectionString, Container);
            return [];
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Names the setting but not its value: that holds the account key.
            return [$"Blobs:ConnectionString is not a storage account connection string: {e.Message}"];
        }
    }

    [GeneratedRegex("^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}

internal static class BlobSetup
{
    public static IServiceCollection AddOneGoBlobs(this IServiceCollection services)
    {
        services.AddSettings<BlobSettings>();
        services.AddSingleton<IBlobStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<BlobSettings>>().Value;
            // The default folder follows the database, which is only known once its services are.
            return options.IsAzure
                ? new AzureBlobStore(new BlobContainerClient(options.ConnectionString, options.Container))
                : new FileSystemBlobStore(Folder(options, provider.GetRequiredService<IHostEnvironment>(), provider), provider.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    private static string Folder(BlobSettings options, IHostEnvironment environment, IServiceProvider services)
    {
        if (options.Path is { Length: > 0 } configured)
        {
            return Path.GetFullPath(Path.Combine(environment.ContentRootPath, configured));
        }

        // The embedded default keeps everything it stores in one folder: the blobs beside the SQLite file.
        return Path.Combine(DatabaseSetup.EmbeddedFolder(services, environment), "blobs");
    }
}
