using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OneGo.Server.Storage;

/// <summary>
/// Where OneGo keeps JSON snapshots — publications at <c>{tenant}/{bundle}/{version}.json</c>, audit checkpoints — and
/// applicants' material files (<c>{tenant}/applications/…</c>):
/// a folder in the embedded default, an Azure Blob Storage container in production (<c>Blobs:Provider</c>).
/// Paths are <c>/</c>-separated relative names (see <see cref="BlobPath"/>); a bad one is an <see cref="ArgumentException"/>.
/// </summary>
internal interface IBlobStore
{
    /// <summary>
    /// Writes <paramref name="content"/> at <paramref name="path"/>, whole or not at all. With
    /// <see cref="BlobWrite.CreateOnly"/> an existing blob is kept and the answer is <c>false</c>; otherwise <c>true</c>.
    /// </summary>
    Task<bool> PutAsync(string path, ReadOnlyMemory<byte> content, string contentType, BlobWrite write = BlobWrite.Overwrite, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes, or <c>null</c> when there is none at <paramref name="path"/>.</summary>
    Task<byte[]?> GetAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob at <paramref name="path"/>; <c>false</c> when there was none.</summary>
    Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// The paths of every blob below the folder <paramref name="prefix"/> (<c>""</c> for all), at any depth, in ordinal
    /// order of their names — so <c>10.json</c> comes before <c>9.json</c>: callers that want versions in number
    /// order sort them.
    /// </summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Whether the store can be written now, for <c>/health/ready</c>.</summary>
    Task<HealthCheckResult> CheckReadyAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a write does to an existing blob.</summary>
internal enum BlobWrite
{
    /// <summary>Replace it.</summary>
    Overwrite,

    /// <summary>Keep it and report that nothing was written: snapshots are immutable once published.</summary>
    CreateOnly,
}
