using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Storage;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Audit;

/// <summary>The head of one tenant's chain at a checkpoint: how many entries, and the last one's hash.</summary>
public sealed record CheckpointHead(string Tenant, long Sequence, string Hash);

/// <summary>The checkpoint another one extends: its number, and the hash of its bytes as they were stored.</summary>
public sealed record CheckpointLink(long Number, string Hash);

/// <summary>
/// The heads of every chain at one moment, kept outside the database: numbered 1, 2, 3 … each naming the one before,
/// with the hash algorithm of the chains it vouches for.
/// </summary>
public sealed record AuditCheckpoint(long Number, DateTimeOffset At, CheckpointLink? Previous, string HashAlgorithm, IReadOnlyList<CheckpointHead> Chains);

/// <summary>What vouches for a checkpoint: the algorithm, the public id of the key and the signature of the checkpoint's bytes.</summary>
public sealed record CheckpointSignature(string Algorithm, string Key, string Value);

/// <summary>Where the series of checkpoints breaks, and how.</summary>
public sealed record CheckpointBreak(long Number, CheckpointBreakKind Kind, string Detail);

public enum CheckpointBreakKind
{
    /// <summary>A checkpoint of the series is not in blob storage: deleted, or never where its successor says.</summary>
    Missing,

    /// <summary>The checkpoint's bytes are not the ones signed, cannot be read, or are not the ones its successor names.</summary>
    Altered,

    /// <summary>The checkpoint carries no signature.</summary>
    Unsigned,

    /// <summary>The checkpoint is signed, but not with this deployment's key.</summary>
    SignedWithAnotherKey,

    /// <summary>The checkpoint was made with a hash or signature algorithm this server does not use.</summary>
    Unverifiable,

    /// <summary>The checkpoint does not name the checkpoint before it.</summary>
    Unlinked,

    /// <summary>A chain's head in the checkpoint is behind, or differs from, the head an earlier checkpoint recorded.</summary>
    Backwards,
}

/// <summary>What a checkpoint run did: wrote the next checkpoint, found nothing moved, or refused because something broke.</summary>
internal enum CheckpointOutcome
{
    Written,
    Unchanged,
    Refused,
}

/// <summary>
/// A checkpoint run's result: the checkpoint written (or the latest one, when nothing was written), and when it refused,
/// what broke.
/// </summary>
internal sealed record CheckpointRun(
    CheckpointOutcome Outcome, AuditCheckpoint? Checkpoint, string? Path, IReadOnlyList<ChainBreak> ChainBreaks, IReadOnlyList<CheckpointBreak> CheckpointBreaks);

/// <summary>One checkpoint as read from blob storage, and whether this deployment's key vouches for it.</summary>
internal sealed record StoredCheckpoint(long Number, string Path, string Hash, AuditCheckpoint? Checkpoint, CheckpointBreak? Problem)
{
    /// <summary>Read, signed with this deployment's key, and as signed.</summary>
    public bool Trusted => Checkpoint is not null && Problem is null;
}

/// <summary>The newest checkpoint number this node has seen, so that a run reads forward from it instead of listing them all.</summary>
internal sealed class CheckpointsSeen
{
    private long _latest = -1;

    /// <summary>The newest number seen, or null before the first run of this node.</summary>
    public long? Latest => Interlocked.Read(ref _latest) is var latest and >= 0 ? latest : null;

    public void Saw(long number)
    {
        for (var seen = Interlocked.Read(ref _latest); number > seen; seen = Interlocked.Read(ref _latest))
        {
            if (Interlocked.CompareExchange(ref _latest, number, seen) == seen)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Checkpoints of the audit chains' heads in blob storage, outside the database: <c>audit/checkpoints/000000000001.json</c>,
/// <c>…0002.json</c> …, each written once (create-only), signed with a key that is not in the database, and naming the
/// one before it by number and hash. The next checkpoint is written only over chains that extend the latest: every
/// chain still holds the entry it recorded, with the hash it recorded, and is intact from there to its head. A
/// rewritten or truncated chain is therefore never re-anchored: the run refuses and writes nothing. Written by a
/// scheduled job every minute (<c>Audit:CheckpointInterval</c>); nothing is written while no chain has moved.
/// </summary>
internal sealed partial class AuditCheckpoints(OneGoDbContext db, CurrentTenant tenants, IBlobStore blobs, AuditCheckpointKey key, CheckpointsSeen seen, TimeProvider clock)
{
    public const string Folder = "audit/checkpoints";

    /// <summary>How often a run starts again after another node wrote the number it wanted.</summary>
    private const int Attempts = 5;

    /// <summary>Zero-padded, so that names sort in number order and two nodes writing the same number write the same name.</summary>
    public static string PathOf(long number) => $"{Folder}/{number.ToString("D12", CultureInfo.InvariantCulture)}.json";

    /// <summary>The number a checkpoint's path names, or null for any other blob in the folder.</summary>
    public static long? NumberOf(string path) =>
        CheckpointName().Match(path) is { Success: true } match ? long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;

    /// <summary>The paths of every checkpoint, in number order.</summary>
    public async Task<List<string>> ListAsync(CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        await foreach (var path in blobs.ListAsync(Folder, cancellationToken))
        {
            if (NumberOf(path) is not null)
            {
                paths.Add(path);
            }
        }

        // The store lists in name order, which the zero padding makes number order.
        return paths;
    }

    /// <summary>Reads the checkpoint at <paramref name="path"/>, or null when there is none.</summary>
    public async Task<StoredCheckpoint?> ReadAsync(string path, CancellationToken cancellationToken) =>
        await blobs.GetAsync(path, cancellationToken) is { } bytes ? Read(path, bytes) : null;

    /// <summary>The newest checkpoint, read and checked; null when none has been written.</summary>
    public async Task<StoredCheckpoint?> LatestAsync(CancellationToken cancellationToken) =>
        (await FindLatestAsync(cancellationToken)).Latest;

    /// <summary>
    /// Writes the next checkpoint of every chain's head, unless nothing moved since the latest, or a chain does not
    /// extend it, or the latest is not a checkpoint this deployment signed: then nothing is written and the run says why.
    /// </summary>
    public async Task<CheckpointRun> WriteAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var (latest, gone) = await FindLatestAsync(cancellationToken);
            if (gone is not null)
            {
                return new CheckpointRun(CheckpointOutcome.Refused, latest?.Checkpoint, latest?.Path, [], [gone]);
            }

            if (latest is { Problem: { } problem })
            {
                return new CheckpointRun(CheckpointOutcome.Refused, latest.Checkpoint, latest.Path, [], [problem]);
            }

            var (heads, breaks) = await ExtendAsync(latest?.Checkpoint, cancellationToken);
            if (breaks.Count > 0)
            {
                return new CheckpointRun(CheckpointOutcome.Refused, latest?.Checkpoint, latest?.Path, breaks, []);
            }

            if (latest?.Checkpoint is { } last && last.Chains.SequenceEqual(heads))
            {
                return new CheckpointRun(CheckpointOutcome.Unchanged, last, latest.Path, [], []);
            }

            var number = (latest?.Number ?? 0) + 1;
            var checkpoint = new AuditCheckpoint(number, clock.Now(), latest is null ? null : new CheckpointLink(latest.Number, latest.Hash),
                AuditCryptography.HashAlgorithm, heads);
            var path = PathOf(number);
            if (await blobs.PutAsync(path, Sign(checkpoint), "application/json", BlobWrite.CreateOnly, cancellationToken))
            {
                seen.Saw(number);
                return new CheckpointRun(CheckpointOutcome.Written, checkpoint, path, [], []);
            }

            // Another node wrote this number first: its checkpoint is now the latest, and this run starts again from it.
        }

        throw new InvalidOperationException($"Another writer took the next checkpoint number {Attempts} times in a row; the next run tries again.");
    }

    /// <summary>The bytes stored for <paramref name="checkpoint"/>: its JSON, exactly as signed, and the signature.</summary>
    public byte[] Sign(AuditCheckpoint checkpoint)
    {
        var content = JsonSerializer.SerializeToUtf8Bytes(checkpoint, CatalogueJson.Options);
        return Document(content, new CheckpointSignature(AuditCryptography.SignatureAlgorithm, key.Id, key.Sign(content)));
    }

    /// <summary>A checkpoint document: <c>{"checkpoint": …, "signature": …}</c>, the checkpoint's bytes kept as they are.</summary>
    public static byte[] Document(ReadOnlySpan<byte> content, CheckpointSignature? signature)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("checkpoint");
            writer.WriteRawValue(content, skipInputValidation: true);
            if (signature is not null)
            {
                writer.WritePropertyName("signature");
                JsonSerializer.Serialize(writer, signature, CatalogueJson.Options);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a checkpoint document and checks it on its own: its number, its algorithms, its signature.</summary>
    public StoredCheckpoint Read(string path, byte[] bytes)
    {
        var number = NumberOf(path) ?? throw new ArgumentException($"'{path}' is not a checkpoint's path.", nameof(path));
        var hash = AuditCryptography.Hash(bytes);
        StoredCheckpoint Broken(CheckpointBreakKind kind, string detail, AuditCheckpoint? checkpoint = null) =>
            new(number, path, hash, checkpoint, new CheckpointBreak(number, kind, detail));

        AuditCheckpoint checkpoint;
        byte[] content;
        CheckpointSignature? signature;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (!document.RootElement.TryGetProperty("checkpoint", out var element))
            {
                return Broken(CheckpointBreakKind.Altered, $"Checkpoint #{number} ({path}) holds no checkpoint: it was replaced.");
            }

            // Exactly the bytes that were signed, not a re-serialisation of them.
            content = JsonMarshal.GetRawUtf8Value(element).ToArray();
            checkpoint = JsonSerializer.Deserialize<AuditCheckpoint>(content, CatalogueJson.Options)
                ?? throw new JsonException("The checkpoint is null.");
            signature = document.RootElement.TryGetProperty("signature", out var signed)
                ? signed.Deserialize<CheckpointSignature>(CatalogueJson.Options)
                : null;
        }
        catch (JsonException e)
        {
            return Broken(CheckpointBreakKind.Altered, $"Checkpoint #{number} ({path}) cannot be read as a checkpoint ({e.Message}): it was altered.");
        }

        if (checkpoint.Number != number)
        {
            return Broken(CheckpointBreakKind.Altered, $"Checkpoint #{number} ({path}) says it is checkpoint #{checkpoint.Number}: it was copied or altered.", checkpoint);
        }

        // Read from outside: members the types declare required may still be missing.
        if (signature?.Value is null)
        {
            return Broken(CheckpointBreakKind.Unsigned, $"Checkpoint #{number} ({path}) carries no signature.", checkpoint);
        }

        if (signature.Algorithm != AuditCryptography.SignatureAlgorithm || checkpoint.HashAlgorithm != AuditCryptography.HashAlgorithm)
        {
            return Broken(CheckpointBreakKind.Unverifiable,
                $"Checkpoint #{number} ({path}) was made with {checkpoint.HashAlgorithm} and {signature.Algorithm}; this server uses {AuditCryptography.HashAlgorithm} and {AuditCryptography.SignatureAlgorithm}.", checkpoint);
        }

        if (!key.Verifies(content, signature.Value))
        {
            return signature.Key != key.Id
                ? Broken(CheckpointBreakKind.SignedWithAnotherKey,
                    $"Checkpoint #{number} ({path}) is signed with another key ({signature.Key}) than this deployment's ({key.Id}).", checkpoint)
                : Broken(CheckpointBreakKind.Altered,
                    $"Checkpoint #{number} ({path}) does not match its signature: it was changed after it was signed.", checkpoint);
        }

        return new StoredCheckpoint(number, path, hash, checkpoint, null);
    }

    /// <summary>
    /// The newest checkpoint: from the newest this node has seen, reading forward while a next one exists (another node
    /// may have written it); on a node's first run, by listing them. A checkpoint this node saw that is gone is reported.
    /// </summary>
    private async Task<(StoredCheckpoint? Latest, CheckpointBreak? Gone)> FindLatestAsync(CancellationToken cancellationToken)
    {
        StoredCheckpoint? latest = null;
        var known = seen.Latest ?? ((await ListAsync(cancellationToken)) is { Count: > 0 } paths ? NumberOf(paths[^1]) : 0);

        if (known > 0)
        {
            latest = await ReadAsync(PathOf(known.Value), cancellationToken);
            if (latest is null)
            {
                return (null, new CheckpointBreak(known.Value, CheckpointBreakKind.Missing,
                    $"Checkpoint #{known} ({PathOf(known.Value)}), which this node read or wrote before, is no longer in blob storage: it was deleted."));
            }
        }

        while (await ReadAsync(PathOf((latest?.Number ?? 0) + 1), cancellationToken) is { } next)
        {
            latest = next;
        }

        if (latest is not null)
        {
            seen.Saw(latest.Number);
        }

        return (latest, null);
    }

    /// <summary>
    /// Every chain's head, each checked to extend <paramref name="previous"/>: it still holds the entry the checkpoint
    /// recorded, with the hash recorded, and from there to its head each entry is intact and linked to the one before.
    /// A chain the checkpoint does not know is checked from its first entry.
    /// </summary>
    private async Task<(List<CheckpointHead> Heads, List<ChainBreak> Breaks)> ExtendAsync(AuditCheckpoint? previous, CancellationToken cancellationToken)
    {
        var heads = new List<CheckpointHead>();
        var breaks = new List<ChainBreak>();
        var anchors = previous?.Chains.ToDictionary(c => c.Tenant, StringComparer.Ordinal) ?? [];
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            var last = db.Set<AuditEntry>().AsNoTracking()
                .GroupBy(e => e.TenantId)
                .Select(g => new { Tenant = g.Key, Sequence = g.Max(e => e.Sequence) });
            var now = (await db.Set<AuditEntry>().AsNoTracking()
                    .Join(last, e => new { Tenant = e.TenantId, e.Sequence }, h => new { h.Tenant, h.Sequence }, (e, _) => new CheckpointHead(e.TenantId, e.Sequence, e.Hash))
                    .ToListAsync(cancellationToken))
                .ToDictionary(h => h.Tenant, StringComparer.Ordinal);

            foreach (var tenant in now.Keys.Union(anchors.Keys).Order(StringComparer.Ordinal))
            {
                var anchor = anchors.GetValueOrDefault(tenant);
                var head = now.GetValueOrDefault(tenant);
                if (anchor is not null && anchor == head)
                {
                    heads.Add(anchor);
                    continue;
                }

                if (anchor is not null && (head?.Sequence ?? 0) < anchor.Sequence)
                {
                    breaks.Add(AuditVerifier.CutShort(tenant, head?.Sequence ?? 0, anchor.Sequence, previous!.Number));
                    continue;
                }

                var from = anchor?.Sequence ?? 1;
                var entries = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.TenantId == tenant && e.Sequence >= from)
                    .OrderBy(e => e.Sequence).ThenBy(e => e.Id).ToListAsync(cancellationToken);
                if (AuditVerifier.Walk(tenant, entries, anchor, previous?.Number) is { } broken)
                {
                    breaks.Add(broken);
                }
                else if (entries.Count > 0)
                {
                    heads.Add(new CheckpointHead(tenant, entries[^1].Sequence, entries[^1].Hash));
                }
            }
        }

        return (heads, breaks);
    }

    [GeneratedRegex(@"^audit/checkpoints/(\d{12})\.json$")]
    private static partial Regex CheckpointName();
}
