using Microsoft.EntityFrameworkCore;

namespace OneGo.Server.Features.Zone;

/// <summary>How the zone's rows are stored; tenancy (TenantId, filter, unique indexes) is added by convention.</summary>
internal static class ZoneModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Publication>(publication =>
        {
            publication.ToTable("Publications");
            publication.Property(p => p.PublicId).HasMaxLength(40);
            publication.HasIndex(p => p.PublicId).IsUnique();
            publication.HasIndex(p => p.Sequence).IsUnique();
            publication.Property(p => p.BundleCode).HasMaxLength(100);
            publication.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
            publication.Property(p => p.ETag).HasMaxLength(64);
            publication.HasIndex(p => p.RunId);
        });

        modelBuilder.Entity<ZoneEntry>(entry =>
        {
            entry.ToTable("ZoneEntries");
            entry.Property(e => e.BundleCode).HasMaxLength(100);
            entry.HasIndex(e => e.BundleCode).IsUnique();
            entry.Property(e => e.PublicationPublicId).HasMaxLength(40);
            entry.Property(e => e.Audience).HasMaxLength(16);
            entry.Property(e => e.Theme).HasMaxLength(32);
            entry.HasOne(e => e.Publication).WithMany().HasForeignKey(e => e.PublicationId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ZoneHead>(head =>
        {
            head.ToTable("ZoneHeads");
            head.Property(h => h.Id).ValueGeneratedNever();
            head.HasData(new ZoneHead { Id = 1, Last = 0 });
        });

        modelBuilder.Entity<PublishingRun>(run =>
        {
            run.ToTable("PublishingRuns");
            run.Property(r => r.Trigger).HasMaxLength(16);
            run.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            run.Property(r => r.RequestedBy).HasMaxLength(200);
            run.Property(r => r.Error).HasMaxLength(2000);
            run.HasIndex(r => r.RequestedAt);
        });

        modelBuilder.Entity<Integration>(integration =>
        {
            integration.ToTable("Integrations");
            integration.Property(i => i.Name).HasMaxLength(200);
            integration.HasIndex(i => i.Name).IsUnique();
            integration.Property(i => i.Url).HasMaxLength(1000);
            integration.Property(i => i.ProtectedSecret).HasMaxLength(2000);
            integration.Property(i => i.Regions).HasMaxLength(2000);
            integration.Property(i => i.CreatedBy).HasMaxLength(200);
            integration.Ignore(i => i.RegionList);
        });

        modelBuilder.Entity<OutboxItem>(item =>
        {
            item.ToTable("OutboxItems");
            item.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
            item.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
            item.Property(i => i.LastError).HasMaxLength(2000);
            item.HasIndex(i => new { i.Status, i.NextAttemptAt });
            item.HasOne(i => i.Publication).WithMany().HasForeignKey(i => i.PublicationId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
