using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OneGo.Server.Storage;

/// <summary>
/// Blobs as files under one folder, the embedded default. A write goes to a hidden partial file beside its target and
/// is then renamed, so a reader sees the old content or the new, never half of it. The file system keeps no content
/// type: the snapshots say what they are.
/// </summary>
internal sealed class FileSystemBlobStore(string root, TimeProvider? clock = null) : IBlobStore
{
    /// <summary>A claim older than this without its blob was left by a writer that died; it no longer holds the name.</summary>
    private static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(1);

    /// <summary>How often readiness writes a probe file; probes in between only look for the folder.</summary>
    public static readonly TimeSpan WriteProbeInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private DateTimeOffset? _lastWritten;

    public string Root { get; } = Path.GetFullPath(root);

    public async Task<bool> PutAsync(string path, ReadOnlyMemory<byte> content, string contentType, BlobWrite write = BlobWrite.Overwrite, CancellationToken cancellationToken = default)
    {
        var target = FileOf(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);

        // Beside the target, so that the rename stays on one volume and is atomic; the leading '.' keeps it out of
        // listings and out of any blob path's reach.
        var partial = Path.Combine(folder, $".{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, cancellationToken);
                // A snapshot reported as written must still be there after a crash: on disk before it gets its name.
                file.Flush(flushToDisk: true);
            }

            if (write == BlobWrite.Overwrite)
            {
                File.Move(partial, target, overwrite: true);
                return true;
            }

            // Who writes a create-only blob is decided by a claim file created exclusively (O_CREAT|O_EXCL) beside
            // it: a rename without overwrite is not atomic on every file system .NET runs on, an exclusive create is.
            var claim = Path.Combine(folder, "." + Path.GetFileName(target) + ".claim");
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (File.Exists(target))
                {
                    return false;
                }

                try
                {
                    await using (new FileStream(claim, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                    {
                    }
                }
                catch (IOException) when (File.Exists(claim))
                {
                    // Another writer holds it — unless it died between claiming and naming its blob long ago.
                    if (File.Exists(target) || DateTime.UtcNow - File.GetLastWriteTimeUtc(claim) < StaleClaim)
                    {
                        return false;
                    }

                    File.Delete(claim);
                    continue;
                }

                File.Move(partial, target, overwrite: true);
                return true;
            }

            return false;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public async Task<byte[]?> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = FileOf(path);
        // A folder is not a blob (Azure has no folders): absent, like a missing file.
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return await File.ReadAllBytesAsync(file, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = FileOf(path);
        if (!File.Exists(file))
        {
            return Task.FromResult(false);
        }

        File.Delete(file);
        return Task.FromResult(true);
    }

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var folder = BlobPath.Folder(prefix);
        return List(Path.Combine(Root, folder), cancellationToken);
    }

    private async IAsyncEnumerable<string> List(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The walk blocks on the disk; sorting needs every name first anyway.
        var names = await Task.Run(() => Names(folder), cancellationToken);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    private List<string> Names(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var names = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true })
            .Select(file => Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(name => !name.Split('/').Any(segment => segment.StartsWith('.')))
            .ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public async Task<HealthCheckResult> CheckReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(Root);
            // Probes come every few seconds from every load balancer: the folder is written to at most once a minute.
            var now = _clock.GetUtcNow();
            if (_lastWritten is not { } last || now - last >= WriteProbeInterval)
            {
                var probe = Path.Combine(Root, $".ready-{Guid.NewGuid():N}");
                await File.WriteAllBytesAsync(probe, [], cancellationToken);
                File.Delete(probe);
                _lastWritten = now;
            }

            return HealthCheckResult.Healthy($"the folder {Root} can be written");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _lastWritten = null;
            return HealthCheckResult.Unhealthy($"The blob folder {Root} cannot be written ({e.Message}); set Blobs:Path to a folder OneGo may write.", e);
        }
    }

    private string FileOf(string path) => Path.Combine(Root, BlobPath.Validate(path).Replace('/', Path.DirectorySeparatorChar));
}
