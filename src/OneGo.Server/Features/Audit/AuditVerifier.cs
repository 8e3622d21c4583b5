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

/// <summary>One chain's verdict: its length and head, the latest checkpoint's record of it, and its first break.</summary>
public sealed record ChainReport(string Tenant, long Entries, string? Head, long? CheckpointSequence, ChainBreak? Break);

/// <summary>
/// The whole verification: every chain, held against every checkpoint; the series of checkpoints itself; and what
/// it cannot cover. <see cref="Checkpoint"/> is the latest checkpoint this deployment's key vouches for.
/// </summary>
public sealed record AuditVerification(
    DateTimeOffset VerifiedAt, bool Intact, int Chains, long Entries, AuditCheckpoint? Checkpoint, IReadOnlyList<ChainBreak> Breaks,
    IReadOnlyList<ChainReport> ChainReports, string Window, int Checkpoints, IReadOnlyList<CheckpointBreak> CheckpointBreaks);

/// <summary>
/// Walks every checkpoint in number order — each signed with this deployment's key, each naming the one before by
/// number and hash, no chain's head ever going back — then every tenant's chain from its first entry: sequence without
/// gaps, each entry naming its predecessor's hash, each hash matching its content; and holds each chain against every
/// head any checkpoint recorded. A consistent rewrite passes the walk but not the checkpoints taken after the entry it
/// changed; entries written after the latest checkpoint are covered by the chain alone — the window the README states.
/// </summary>
internal sealed class AuditVerifier(OneGoDbContext db, CurrentTenant tenants, AuditCheckpoints checkpoints, TimeProvider clock)
{
    /// <summary>A head recorded by a checkpoint: the first checkpoint that recorded it.</summary>
    private sealed record RecordedHead(long Sequence, string Hash, long Checkpoint, DateTimeOffset At);

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var (walked, latest, recorded, checkpointBreaks) = await WalkCheckpointsAsync(cancellationToken);
        var reports = new List<ChainReport>();
        // The verifier reads every tenant's chain: a scope reading from national down.
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            var chains = await db.Set<AuditEntry>().AsNoTracking().Select(e => e.TenantId).Distinct().ToListAsync(cancellationToken);
            foreach (var tenant in chains.Union(recorded.Keys).Order(StringComparer.Ordinal))
            {
                var entries = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.TenantId == tenant).OrderBy(e => e.Sequence).ThenBy(e => e.Id).ToListAsync(cancellationToken);
                var heads = recorded.GetValueOrDefault(tenant) ?? [];
                var found = Walk(tenant, entries, anchor: null, checkpoint: null) ?? HoldAgainst(tenant, entries, heads);
                reports.Add(new ChainReport(tenant, entries.Count, entries.Count == 0 ? null : entries[^1].Hash,
                    latest?.Chains.FirstOrDefault(c => c.Tenant == tenant)?.Sequence, found));
            }
        }

        var breaks = reports.Where(r => r.Break is not null).Select(r => r.Break!).ToList();
        var window = latest is null
            ? "No checkpoint has been written yet: every entry is covered by its chain alone."
            : $"Entries written after checkpoint #{latest.Number} of {latest.At:yyyy-MM-dd HH:mm:ss} UTC are covered by their chain alone, until the next checkpoint; everything before it is anchored by the {walked} checkpoint(s).";
        return new AuditVerification(clock.GetUtcNow(), breaks.Count == 0 && checkpointBreaks.Count == 0, reports.Count, reports.Sum(r => r.Entries),
            latest, breaks, reports, window, walked, checkpointBreaks);
    }

    /// <summary>
    /// Reads every checkpoint in number order and checks the series; returns how many there are, the latest trusted
    /// one, every distinct head the trusted ones recorded per chain (in order), and the series' breaks.
    /// </summary>
    private async Task<(int Walked, AuditCheckpoint? Latest, Dictionary<string, List<RecordedHead>> Recorded, List<CheckpointBreak> Breaks)> WalkCheckpointsAsync(
        CancellationToken cancellationToken)
    {
        var breaks = new List<CheckpointBreak>();
        var recorded = new Dictionary<string, List<RecordedHead>>(StringComparer.Ordinal);
        StoredCheckpoint? before = null;
        AuditCheckpoint? trusted = null;
        var walked = 0;
        var expected = 1L;
        foreach (var path in await checkpoints.ListAsync(cancellationToken))
        {
            var number = AuditCheckpoints.NumberOf(path)!.Value;
            if (number > expected)
            {
                breaks.Add(new CheckpointBreak(expected, CheckpointBreakKind.Missing, number - 1 == expected
                    ? $"Checkpoint #{expected} ({AuditCheckpoints.PathOf(expected)}) is missing: after #{expected - 1} comes #{number}."
                    : $"Checkpoints #{expected} to #{number - 1} are missing: after #{expected - 1} comes #{number}."));
            }

            expected = number + 1;
            if (await checkpoints.ReadAsync(path, cancellationToken) is not { } stored)
            {
                breaks.Add(new CheckpointBreak(number, CheckpointBreakKind.Missing, $"Checkpoint #{number} ({path}) was deleted while it was being verified."));
                before = null;
                continue;
            }

            walked++;
            if (stored.Problem is not null)
            {
                breaks.Add(stored.Problem);
            }

            if (stored.Checkpoint is { } checkpoint)
            {
                if (Unlinked(checkpoint, before) is { } unlinked)
                {
                    breaks.Add(new CheckpointBreak(number, CheckpointBreakKind.Unlinked, unlinked));
                }

                if (stored.Trusted)
                {
                    breaks.AddRange(Backwards(trusted, checkpoint));
                    Record(recorded, checkpoint);
                    trusted = checkpoint;
                }
            }

            before = stored;
        }

        return (walked, trusted, recorded, breaks);
    }

    /// <summary>Why <paramref name="checkpoint"/> does not name <paramref name="before"/>, the checkpoint stored before it; null when it does.</summary>
    private static string? Unlinked(AuditCheckpoint checkpoint, StoredCheckpoint? before)
    {
        var number = checkpoint.Number;
        if (checkpoint.Previous is not { } previous)
        {
            return number == 1 ? null : $"Checkpoint #{number} names no checkpoint before it, but it is not the first.";
        }

        if (previous.Number != number - 1)
        {
            return $"Checkpoint #{number} names #{previous.Number} as the one before it, not #{number - 1}.";
        }

        // A missing predecessor is reported as missing; its successor cannot be held against it.
        return before is not null && before.Number == previous.Number && before.Hash != previous.Hash
            ? $"Checkpoint #{number} names checkpoint #{previous.Number} with the hash {previous.Hash}, but #{previous.Number} as stored hashes to {before.Hash}: one of them was replaced."
            : null;
    }

    /// <summary>Each chain whose head in <paramref name="checkpoint"/> is behind, or differs from, its head in <paramref name="earlier"/>.</summary>
    private static IEnumerable<CheckpointBreak> Backwards(AuditCheckpoint? earlier, AuditCheckpoint checkpoint)
    {
        if (earlier is null)
        {
            yield break;
        }

        var now = checkpoint.Chains.ToDictionary(c => c.Tenant, StringComparer.Ordinal);
        foreach (var head in earlier.Chains)
        {
            var later = now.GetValueOrDefault(head.Tenant);
            if (later is null || later.Sequence < head.Sequence)
            {
                yield return new CheckpointBreak(checkpoint.Number, CheckpointBreakKind.Backwards,
                    $"Checkpoint #{checkpoint.Number} records {later?.Sequence ?? 0} entries of {head.Tenant}, but checkpoint #{earlier.Number} recorded {head.Sequence}: a chain's head went back.");
            }
            else if (later.Sequence == head.Sequence && later.Hash != head.Hash)
            {
                yield return new CheckpointBreak(checkpoint.Number, CheckpointBreakKind.Backwards,
                    $"Checkpoint #{checkpoint.Number} records another entry {head.Sequence} of {head.Tenant} than checkpoint #{earlier.Number}: the chain was re-anchored.");
            }
        }
    }

    /// <summary>Keeps each chain's heads as the checkpoints recorded them, each distinct head once, with the first checkpoint that recorded it.</summary>
    private static void Record(Dictionary<string, List<RecordedHead>> recorded, AuditCheckpoint checkpoint)
    {
        foreach (var head in checkpoint.Chains)
        {
            if (!recorded.TryGetValue(head.Tenant, out var heads))
            {
                recorded[head.Tenant] = heads = [];
            }

            if (heads.Count == 0 || heads[^1].Sequence != head.Sequence || heads[^1].Hash != head.Hash)
            {
                heads.Add(new RecordedHead(head.Sequence, head.Hash, checkpoint.Number, checkpoint.At));
            }
        }
    }

    /// <summary>
    /// Holds a chain that is intact in itself (read from its first entry) against every head the checkpoints recorded,
    /// in order; names the first one it no longer holds.
    /// </summary>
    private static ChainBreak? HoldAgainst(string tenant, IReadOnlyList<AuditEntry> entries, IReadOnlyList<RecordedHead> heads)
    {
        RecordedHead? held = null;
        foreach (var head in heads)
        {
            if (entries.Count < head.Sequence)
            {
                return CutShort(tenant, entries.Count, head.Sequence, head.Checkpoint);
            }

            if (entries[(int)head.Sequence - 1].Hash != head.Hash)
            {
                var since = held is null ? "" : $", after entry {held.Sequence}, which checkpoint #{held.Checkpoint} recorded and the chain still holds";
                return new ChainBreak(tenant, head.Sequence, ChainBreakKind.Rewritten,
                    $"The chain is consistent in itself, but entry {head.Sequence} differs from checkpoint #{head.Checkpoint} of {head.At:yyyy-MM-dd HH:mm:ss} UTC: the chain was rewritten at or before entry {head.Sequence}{since}.");
            }

            held = head;
        }

        return null;
    }

    /// <summary>A chain that ends at entry <paramref name="end"/> where a checkpoint recorded <paramref name="recorded"/> entries.</summary>
    public static ChainBreak CutShort(string tenant, long end, long recorded, long checkpoint) =>
        new(tenant, end + 1, ChainBreakKind.Removed, end == 0
            ? $"The chain has no entry left, but checkpoint #{checkpoint} recorded {recorded}: every entry was removed."
            : $"The chain ends at entry {end}, but checkpoint #{checkpoint} recorded {recorded} entries: the entries after {end} were removed.");

    /// <summary>
    /// Walks a chain, read in sequence order, and returns its first break. From its first entry when
    /// <paramref name="anchor"/> is null; otherwise <paramref name="entries"/> start at the entry the checkpoint
    /// (number <paramref name="checkpoint"/>) recorded, which must still be there with the hash recorded.
    /// </summary>
    public static ChainBreak? Walk(string tenant, IReadOnlyList<AuditEntry> entries, CheckpointHead? anchor, long? checkpoint)
    {
        var written = entries.GroupBy(e => e.Hash).ToDictionary(g => g.Key, g => g.First());
        var previous = AuditEntry.Genesis;
        var first = 0;
        var start = 1L;
        if (anchor is not null)
        {
            if (entries.Count == 0 || entries[0].Sequence != anchor.Sequence)
            {
                return new ChainBreak(tenant, anchor.Sequence, ChainBreakKind.Removed,
                    $"Entry {anchor.Sequence}, which checkpoint #{checkpoint} recorded, is missing: it was removed.");
            }

            var recorded = entries[0];
            if (recorded.ComputeHash() != recorded.Hash)
            {
                return new ChainBreak(tenant, anchor.Sequence, ChainBreakKind.Altered,
                    $"Entry {anchor.Sequence} ({recorded.Action} {recorded.Subject} by {recorded.Actor} at {recorded.At:yyyy-MM-dd HH:mm:ss}) does not match its hash: it was changed after it was written.");
            }

            if (recorded.Hash != anchor.Hash)
            {
                return new ChainBreak(tenant, anchor.Sequence, ChainBreakKind.Rewritten,
                    $"The chain is consistent in itself, but entry {anchor.Sequence} differs from checkpoint #{checkpoint}: the chain was rewritten at or before entry {anchor.Sequence}.");
            }

            previous = recorded.Hash;
            first = 1;
            start = anchor.Sequence;
        }

        for (var i = first; i < entries.Count; i++)
        {
            var entry = entries[i];
            var expected = start + i;
            if (entry.Sequence != expected && entry.ComputeHash() == entry.Hash)
            {
                return new ChainBreak(tenant, expected, ChainBreakKind.Removed,
                    $"Entry {expected} is missing: after entry {expected - 1} comes entry {entry.Sequence}.");
            }

            if (entry.ComputeHash() != entry.Hash)
            {
                return MovedFrom(tenant, entry, expected, start + entries.Count - 1, written) ?? new ChainBreak(tenant, expected, ChainBreakKind.Altered,
                    $"Entry {expected} ({entry.Action} {entry.Subject} by {entry.Actor} at {entry.At:yyyy-MM-dd HH:mm:ss}) does not match its hash: it was changed after it was written.");
            }

            if (entry.PreviousHash != previous)
            {
                return written.ContainsKey(entry.PreviousHash)
                    ? new ChainBreak(tenant, expected, ChainBreakKind.Reordered, $"Entry {expected} was written after another entry than the one now before it.")
                    : new ChainBreak(tenant, expected, ChainBreakKind.Removed, $"The entry written before entry {expected} is no longer in the chain.");
            }

            previous = entry.Hash;
        }

        return null;
    }

    /// <summary>An intact entry at the wrong place: its content hashes true at another sequence number, the one it was written at.</summary>
    private static ChainBreak? MovedFrom(string tenant, AuditEntry entry, long position, long length, Dictionary<string, AuditEntry> written)
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
