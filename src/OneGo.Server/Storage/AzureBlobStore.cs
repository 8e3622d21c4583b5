using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OneGo.Server.Storage;

/// <summary>
/// Blobs in one Azure Blob Storage container, created (private) on first use when missing. A single Put Blob
/// replaces a blob whole; create-only is the service's own condition (<c>If-None-Match: *</c>), so two nodes
/// publishing the same version cannot both write it.
/// </summary>
internal sealed class AzureBlobStore(BlobContainerClient container) : IBlobStore
{
    // Set once the container is known to exist; creating it again is harmless, so a race needs no lock.
    private volatile bool _containerExists;

    public async Task<bool> PutAsync(string path, ReadOnlyMemory<byte> content, string contentType, BlobWrite write = BlobWrite.Overwrite, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(BlobPath.Validate(path));
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        await EnsureContainerAsync(cancellationToken);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            Conditions = write == BlobWrite.CreateOnly ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null,
        };

        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (write == BlobWrite.CreateOnly && AlreadyExists(e))
        {
            return false;
        }
    }

    // Azure answers 409 BlobAlreadyExists to a create-only Put Blob; a 412 is the same refusal through the
    // generic condition check.
    private static bool AlreadyExists(RequestFailedException e) =>
        (e.Status == StatusCodes.Status409Conflict && e.ErrorCode == BlobErrorCode.BlobAlreadyExists) ||
        (e.Status == StatusCodes.Status412PreconditionFailed && e.ErrorCode is { } code && (code == BlobErrorCode.BlobAlreadyExists || code == BlobErrorCode.ConditionNotMet));

    public async Task<byte[]?> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(BlobPath.Validate(path));
        try
        {
            var download = await blob.DownloadContentAsync(cancellationToken);
            return download.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            // BlobNotFound, or ContainerNotFound before anything was written: absent either way.
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(BlobPath.Validate(path));
        try
        {
            return (await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            // ContainerNotFound: nothing was ever written, so there is nothing to delete.
            return false;
        }
    }

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = BlobPath.Folder(prefix);
        return List(folder, cancellationToken);
    }

    private async IAsyncEnumerable<string> List(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        // The service lists a flat namespace in name order, page by page.
        var options = new GetBlobsOptions { Prefix = folder.Length == 0 ? null : folder };
        await foreach (var item in container.GetBlobsAsync(options, cancellationToken))
        {
            yield return item.Name;
        }
    }

    public async Task<HealthCheckResult> CheckReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureContainerAsync(cancellationToken);
            // A round trip every time, so that readiness notices a service that went away after start-up.
            await container.GetPropertiesAsync(cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy($"the container '{container.Name}' at {container.Uri} answers");
        }
        catch (RequestFailedException e) when (e.Status != 0)
        {
            return HealthCheckResult.Unhealthy(
                $"The container '{container.Name}' at {container.Uri} answered {e.Status} {e.ErrorCode}; check Blobs:ConnectionString and Blobs:Container.", e);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException)
        {
            // No answer at all (status 0): the client's transport error, wrapped in an AggregateException after retries.
            return HealthCheckResult.Unhealthy(
                $"The container '{container.Name}' at {container.Uri} could not be reached: {e.Message.Split('\n')[0].Trim()}", e);
        }
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerExists)
        {
            return;
        }

        await container.CreateIfNotExistsAsync(PublicAccessType.None, cancellationToken: cancellationToken);
        _containerExists = true;
    }
}
