using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Storage;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Audit;

/// <summary>The head of one tenant's chain at a checkpoint: how many entries, and the last one's hash.</summary>
public sealed record CheckpointHead(string Tenant, long Sequence, string Hash);

/// <summary>The heads of every chain at one moment, kept outside the database.</summary>
public sealed record AuditCheckpoint(DateTimeOffset At, IReadOnlyList<CheckpointHead> Chains);

/// <summary>
/// Checkpoints of the audit chains' heads in blob storage, outside the database: <c>audit/checkpoints/{time}.json</c>
/// for the record and <c>audit/checkpoints/latest.json</c> for the verifier. A rewrite of a chain before a
/// checkpoint no longer matches it. Written by a scheduled job every minute (<c>Audit:CheckpointInterval</c>);
/// nothing is written while no chain has moved.
/// </summary>
internal sealed class AuditCheckpoints(OneGoDbContext db, CurrentTenant tenants, IBlobStore blobs, TimeProvider clock)
{
    public const string Folder = "audit/checkpoints";
    private const string Latest = Folder + "/latest.json";

    public async Task<AuditCheckpoint?> LatestAsync(CancellationToken cancellationToken) =>
        await blobs.GetAsync(Latest, cancellationToken) is { } bytes
            ? JsonSerializer.Deserialize<AuditCheckpoint>(bytes, CatalogueJson.Options)
            : null;

    /// <summary>Writes a checkpoint of every chain's head; returns it, or null when nothing moved since the last one.</summary>
    public async Task<AuditCheckpoint?> WriteAsync(CancellationToken cancellationToken)
    {
        List<CheckpointHead> heads;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            var last = db.Set<AuditEntry>().AsNoTracking()
                .GroupBy(e => e.TenantId)
                .Select(g => new { Tenant = g.Key, Sequence = g.Max(e => e.Sequence) });
            heads = await db.Set<AuditEntry>().AsNoTracking()
                .Join(last, e => new { Tenant = e.TenantId, e.Sequence }, h => new { h.Tenant, h.Sequence }, (e, _) => new CheckpointHead(e.TenantId, e.Sequence, e.Hash))
                .ToListAsync(cancellationToken);
        }

        heads.Sort((a, b) => string.CompareOrdinal(a.Tenant, b.Tenant));
        var previous = await LatestAsync(cancellationToken);
        if (previous is not null && previous.Chains.SequenceEqual(heads))
        {
            return null;
        }

        var checkpoint = new AuditCheckpoint(clock.Now(), heads);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(checkpoint, CatalogueJson.Options);
        await blobs.PutAsync($"{Folder}/{checkpoint.At.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}.json", bytes, "application/json", BlobWrite.CreateOnly, cancellationToken);
        await blobs.PutAsync(Latest, bytes, "application/json", BlobWrite.Overwrite, cancellationToken);
        return checkpoint;
    }
}
