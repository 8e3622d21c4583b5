using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Audit;

/// <summary>Where a chain breaks: the first entry (by sequence) that is not as it was written, and how.</summary>
public sealed record ChainBreak(string Tenant, long Sequence, ChainBreakKind Kind, string Detail);

public enum ChainBreakKind
{
    /// <summary>The entry's content no longer matches its hash.</summary>
    Altered,

    /// <summary>An entry is missing: the sequence jumps, or the chain is shorter than a checkpoint recorded.</summary>
    Removed,

    /// <summary>The entry is intact but sits at another place in the chain than the one it was written at.</summary>
    Reordered,

    /// <summary>The chain is consistent in itself but differs from a checkpoint: rewritten before it was taken.</summary>
    Rewritten,
}

/// <summary>One chain's verdict: its length and head, the checkpoint it was held against, and its first break.</summary>
public sealed record ChainReport(string Tenant, long Entries, string? Head, long? CheckpointSequence, ChainBreak? Break);

/// <summary>The whole verification: every chain, against the latest checkpoint, and what it cannot cover.</summary>
public sealed record AuditVerification(
    DateTimeOffset VerifiedAt, bool Intact, int Chains, long Entries, AuditCheckpoint? Checkpoint, IReadOnlyList<ChainBreak> Breaks,
    IReadOnlyList<ChainReport> ChainReports, string Window);

/// <summary>
/// Walks every tenant's chain from its first entry: sequence without gaps, each entry naming its predecessor's
/// hash, each hash matching its content; then holds each chain against the latest checkpoint of the heads.
/// A consistent rewrite of a whole chain passes the first walk but not the checkpoint; entries written after the
/// checkpoint are covered by the chain alone — the window the README states.
/// </summary>
internal sealed class AuditVerifier(OneGoDbContext db, CurrentTenant tenants, AuditCheckpoints checkpoints, TimeProvider clock)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.LatestAsync(cancellationToken);
        var reports = new List<ChainReport>();
        // The verifier reads every tenant's chain: a scope reading from national down.
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            var chains = await db.Set<AuditEntry>().AsNoTracking().Select(e => e.TenantId).Distinct().ToListAsync(cancellationToken);
            foreach (var tenant in chains.Union(checkpoint?.Chains.Select(c => c.Tenant) ?? []).Order(StringComparer.Ordinal))
            {
                var entries = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.TenantId == tenant).OrderBy(e => e.Sequence).ThenBy(e => e.Id).ToListAsync(cancellationToken);
                reports.Add(Verify(tenant, entries, checkpoint?.Chains.FirstOrDefault(c => c.Tenant == tenant)));
            }
        }

        var breaks = reports.Where(r => r.Break is not null).Select(r => r.Break!).ToList();
        var window = checkpoint is null
            ? "No checkpoint has been written yet: every entry is covered by its chain alone."
            : $"Entries written after the checkpoint of {checkpoint.At:yyyy-MM-dd HH:mm:ss} UTC are covered by their chain alone, until the next checkpoint.";
        return new AuditVerification(clock.GetUtcNow(), breaks.Count == 0, reports.Count, reports.Sum(r => r.Entries), checkpoint, breaks, reports, window);
    }

    /// <summary>Verifies one chain, read in sequence order, against its head in the checkpoint (if any).</summary>
    public static ChainReport Verify(string tenant, IReadOnlyList<AuditEntry> entries, CheckpointHead? checkpoint)
    {
        var written = entries.GroupBy(e => e.Hash).ToDictionary(g => g.Key, g => g.First());
        var previous = AuditEntry.Genesis;
        ChainBreak? found = null;
        for (var i = 0; i < entries.Count && found is null; i++)
        {
            var entry = entries[i];
            var expected = i + 1L;
            if (entry.Sequence != expected && entry.ComputeHash() == entry.Hash)
            {
                found = new ChainBreak(tenant, expected, ChainBreakKind.Removed,
                    $"Entry {expected} is missing: after entry {expected - 1} comes entry {entry.Sequence}.");
            }
            else if (entry.ComputeHash() != entry.Hash)
            {
                found = MovedFrom(tenant, entry, expected, entries.Count, written) ?? new ChainBreak(tenant, expected, ChainBreakKind.Altered,
                    $"Entry {expected} ({entry.Action} {entry.Subject} by {entry.Actor} at {entry.At:yyyy-MM-dd HH:mm:ss}) does not match its hash: it was changed after it was written.");
            }
            else if (entry.PreviousHash != previous)
            {
                found = written.ContainsKey(entry.PreviousHash)
                    ? new ChainBreak(tenant, expected, ChainBreakKind.Reordered, $"Entry {expected} was written after another entry than the one now before it.")
                    : new ChainBreak(tenant, expected, ChainBreakKind.Removed, $"The entry written before entry {expected} is no longer in the chain.");
            }

            previous = entry.Hash;
        }

        if (found is null && checkpoint is not null)
        {
            if (entries.Count < checkpoint.Sequence)
            {
                found = new ChainBreak(tenant, entries.Count + 1, ChainBreakKind.Removed,
                    $"The chain ends at entry {entries.Count}, but the checkpoint recorded {checkpoint.Sequence} entries: the entries after {entries.Count} were removed.");
            }
            else if (entries[(int)checkpoint.Sequence - 1].Hash != checkpoint.Hash)
            {
                found = new ChainBreak(tenant, checkpoint.Sequence, ChainBreakKind.Rewritten,
                    $"The chain is consistent in itself, but entry {checkpoint.Sequence} differs from the checkpoint: the chain was rewritten at or before entry {checkpoint.Sequence}.");
            }
        }

        return new ChainReport(tenant, entries.Count, entries.Count == 0 ? null : entries[^1].Hash, checkpoint?.Sequence, found);
    }

    /// <summary>An intact entry at the wrong place: its content hashes true at another sequence number, the one it was written at.</summary>
    private static ChainBreak? MovedFrom(string tenant, AuditEntry entry, long position, int length, Dictionary<string, AuditEntry> written)
    {
        var probe = new AuditEntry
        {
            TenantId = entry.TenantId, At = entry.At, Actor = entry.Actor, Action = entry.Action, Subject = entry.Subject,
            Comment = entry.Comment, Changes = entry.Changes, PreviousHash = entry.PreviousHash,
        };
        for (var original = 1L; original <= length + 1; original++)
        {
            probe.Sequence = original;
            if (original != position && probe.ComputeHash() == entry.Hash)
            {
                // Its predecessor still in the chain means it was moved; gone means entries before it were removed and the rest renumbered.
                return written.ContainsKey(entry.PreviousHash) || entry.PreviousHash == AuditEntry.Genesis
                    ? new ChainBreak(tenant, position, ChainBreakKind.Reordered, $"Entry {position} holds the entry written as number {original}: the entries were reordered.")
                    : new ChainBreak(tenant, position, ChainBreakKind.Removed, $"Entry {position} holds the entry written as number {original}: the entries between were removed and the rest renumbered.");
            }
        }

        return null;
    }
}
