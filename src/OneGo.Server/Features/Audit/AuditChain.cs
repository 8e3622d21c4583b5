using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Audit;

/// <summary>
/// How audit entries join their tenant's chain when they are saved, and the rule that no change to an audited
/// row is saved without one. <see cref="OneGoDbContext"/> calls it from SaveChanges, so no feature can forget.
/// </summary>
internal static class AuditChain
{
    /// <summary>Identity's bookkeeping that moves with every save of an account (its lockout stays off, so the counters never count).</summary>
    private static readonly HashSet<string> Unaudited = [nameof(Account.ConcurrencyStamp), nameof(Account.AccessFailedCount), nameof(Account.LockoutEnd)];

    /// <summary>Records <paramref name="change"/> in the current tenant's audit log when the context is next saved.</summary>
    public static AuditEntry Audit(this OneGoDbContext db, AuditEvent change)
    {
        // The application's clock, so tests that move time move the log's too; a context made outside DI has none.
        var clock = db.GetService<IDbContextOptions>().FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()?
            .ApplicationServiceProvider?.GetService<TimeProvider>() ?? TimeProvider.System;
        var entry = new AuditEntry
        {
            Actor = change.Actor,
            Action = change.Action,
            Subject = change.Subject,
            Comment = change.Comment,
            Changes = change.Changes is null ? null : JsonSerializer.Serialize(change.Changes, CatalogueJson.Options),
            At = clock.Now(),
        };
        db.PendingAudit.Add(entry);
        db.Add(entry);
        return entry;
    }

    /// <summary>
    /// Checks the pending changes and returns the audit entries to link, in the order they were recorded.
    /// Refuses a change to an audited row that comes without an entry, and any change to an existing entry.
    /// </summary>
    public static List<AuditEntry> Prepare(OneGoDbContext db)
    {
        db.ChangeTracker.DetectChanges();
        var added = new List<AuditEntry>();
        string? unaudited = null;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }

            if (entry.Entity is AuditEntry audit)
            {
                if (entry.State != EntityState.Added)
                {
                    throw new InvalidOperationException($"The audit log is append-only: refused to {(entry.State == EntityState.Deleted ? "delete" : "change")} entry {audit.Sequence} of {audit.TenantId}.");
                }

                added.Add(audit);
            }
            else if ((entry.Entity is IAudited or IdentityUserToken<Guid>) &&
                     !(entry.State == EntityState.Modified && entry.Properties.Where(p => p.IsModified).All(p => Unaudited.Contains(p.Metadata.Name))))
            {
                unaudited ??= entry.Metadata.ClrType.Name;
            }
        }

        if (unaudited is not null && added.Count == 0)
        {
            throw new UnauditedChangeException($"Refused to save a change to a {unaudited} without an audit entry: record it with db.Audit(…) in the same save.");
        }

        var pending = db.PendingAudit;
        return added.OrderBy(e => pending.IndexOf(e) is var i and >= 0 ? i : int.MaxValue).ToList();
    }

    /// <summary>Gives each entry its place in its tenant's chain: the next sequence numbers after the head, and the hashes.</summary>
    public static async Task LinkAsync(OneGoDbContext db, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var chain in entries.GroupBy(e => e.TenantId.Length > 0 ? e.TenantId : db.ScopeTenantId ?? ""))
        {
            if (chain.Key.Length == 0)
            {
                // Outside any tenant scope: the write guard refuses the save with its own message.
                continue;
            }

            var head = await HeadAsync(db, chain.Key, cancellationToken);
            var (sequence, previous) = head ?? (0, AuditEntry.Genesis);
            foreach (var entry in chain)
            {
                entry.TenantId = chain.Key;
                entry.Sequence = ++sequence;
                entry.PreviousHash = previous;
                entry.Hash = entry.ComputeHash();
                previous = entry.Hash;
            }
        }
    }

    /// <summary>Whether another writer extended one of these chains meanwhile (the unique sequence refused ours).</summary>
    public static async Task<bool> HeadMovedAsync(OneGoDbContext db, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var chain in entries.GroupBy(e => e.TenantId).Where(g => g.Key.Length > 0))
        {
            var head = await HeadAsync(db, chain.Key, cancellationToken);
            if ((head?.Sequence ?? 0) != chain.Min(e => e.Sequence) - 1)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<(long Sequence, string Hash)?> HeadAsync(OneGoDbContext db, string tenant, CancellationToken cancellationToken)
    {
        var head = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.TenantId == tenant)
            .OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        return head is null ? null : (head.Sequence, head.Hash);
    }
}
