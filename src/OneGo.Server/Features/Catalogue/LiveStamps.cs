using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// A tenant's live stamp: a fresh value whenever which versions of its bundles are live changes, written in the same
/// transaction. A node reads every tenant's stamp in one query and reads a tenant's live versions again only when its
/// stamp has moved (<see cref="LiveBundles"/>). Only inequality means anything: each change draws a new value, so two
/// changes saved at once on two nodes cannot leave the stamp a node already saw.
/// </summary>
public sealed class LiveStamp : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public Guid Stamp { get; set; }
}

/// <summary>
/// Moves the stamp of every tenant whose live versions a save changes: a bundle added live, deleted while live, or
/// whose live version moved. <see cref="OneGoDbContext"/> calls it from SaveChanges, so no writer — approval,
/// withdrawal, import — can forget it.
/// </summary>
internal static class LiveStamps
{
    /// <summary>Moves the stamps of the tenants whose live versions the pending changes move; call it after the write guard, which has checked their tenant.</summary>
    public static async Task MoveAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        var tenants = db.ChangeTracker.Entries<BundleRecord>().Where(MovesLive).Select(TenantOf).Distinct(StringComparer.Ordinal).ToList();
        foreach (var tenant in tenants)
        {
            var stamp = db.ChangeTracker.Entries<LiveStamp>().FirstOrDefault(e => e.Entity.TenantId == tenant && e.State != EntityState.Deleted)?.Entity
                        ?? await db.Set<LiveStamp>().AsTracking().SingleOrDefaultAsync(s => s.TenantId == tenant, cancellationToken);
            if (stamp is null)
            {
                db.Add(new LiveStamp { TenantId = tenant, Stamp = Guid.NewGuid() });
            }
            else
            {
                stamp.Stamp = Guid.NewGuid();
            }
        }
    }

    /// <summary>
    /// After a failed save: true when a stamp this save was adding has been added by another save meanwhile (the
    /// tenant's first live change, made twice at once). The added one is dropped and the stored one moved instead.
    /// </summary>
    public static async Task<bool> TakenMeanwhileAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        var taken = false;
        foreach (var added in db.ChangeTracker.Entries<LiveStamp>().Where(e => e.State == EntityState.Added).ToList())
        {
            added.State = EntityState.Detached;
            var stored = await db.Set<LiveStamp>().AsTracking().SingleOrDefaultAsync(s => s.TenantId == added.Entity.TenantId, cancellationToken);
            if (stored is null)
            {
                added.State = EntityState.Added;
                continue;
            }

            stored.Stamp = Guid.NewGuid();
            taken = true;
        }

        return taken;
    }

    private static bool MovesLive(EntityEntry<BundleRecord> entry) => entry.State switch
    {
        EntityState.Added => entry.Entity.LiveVersion is not null,
        EntityState.Deleted => entry.Property(b => b.LiveVersion).OriginalValue is not null,
        EntityState.Modified => Moved(entry.Property(b => b.LiveVersion)) || (Moved(entry.Property(b => b.Code)) && entry.Entity.LiveVersion is not null),
        _ => false,
    };

    private static bool Moved<T>(PropertyEntry<BundleRecord, T> property) => property.IsModified && !Equals(property.OriginalValue, property.CurrentValue);

    private static string TenantOf(EntityEntry<BundleRecord> entry) =>
        entry.State == EntityState.Deleted ? entry.Property(b => b.TenantId).OriginalValue : entry.Entity.TenantId;
}
