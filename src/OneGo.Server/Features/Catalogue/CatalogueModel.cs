using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;

namespace OneGo.Server.Features.Catalogue;

/// <summary>How the catalogue's rows are stored; tenancy (TenantId, filter, unique indexes) is added by convention.</summary>
internal static class CatalogueModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MatterRecord>(matter =>
        {
            matter.ToTable("Matters");
            matter.Property(m => m.Code).HasMaxLength(100);
            matter.HasIndex(m => m.Code).IsUnique();
            matter.Property(m => m.BasicCode).HasMaxLength(NationalCodes.BasicCodeMaxLength);
            matter.HasIndex(m => m.BasicCode);
            matter.Property(m => m.ImplementationCode).HasMaxLength(NationalCodes.ImplementationCodeMaxLength);
            matter.Property(m => m.ETag).HasMaxLength(64);
            matter.Property(m => m.Origin).HasMaxLength(16);
            matter.Property(m => m.UpdatedBy).HasMaxLength(200);
            matter.Property(m => m.DraftState).HasConversion<string>().HasMaxLength(16);
            matter.Property(m => m.DraftUpdatedBy).HasMaxLength(200);
            matter.Property(m => m.SubmittedBy).HasMaxLength(200);
            matter.Property(m => m.Revision).IsConcurrencyToken();
        });

        modelBuilder.Entity<BundleRecord>(bundle =>
        {
            bundle.ToTable("Bundles");
            bundle.Property(b => b.Code).HasMaxLength(100);
            bundle.HasIndex(b => b.Code).IsUnique();
            bundle.Property(b => b.DraftState).HasConversion<string>().HasMaxLength(16);
            bundle.Property(b => b.Proposal).HasConversion<string>().HasMaxLength(16);
            bundle.Property(b => b.SubmittedBy).HasMaxLength(200);
            bundle.Property(b => b.DraftUpdatedBy).HasMaxLength(200);
            bundle.Property(b => b.Audience).HasMaxLength(16);
            bundle.Property(b => b.Theme).HasMaxLength(32);
            bundle.Property(b => b.Revision).IsConcurrencyToken();
            bundle.Property(b => b.AdoptsTenant).HasMaxLength(128);
            bundle.Property(b => b.AdoptsCode).HasMaxLength(100);
            bundle.HasIndex(b => new { b.AdoptsTenant, b.AdoptsCode });
        });

        modelBuilder.Entity<BundleVersion>(version =>
        {
            version.ToTable("BundleVersions");
            version.Property(v => v.BundleCode).HasMaxLength(100);
            version.HasIndex(v => new { v.BundleCode, v.Version }).IsUnique();
            version.Property(v => v.ETag).HasMaxLength(64);
            version.Property(v => v.Origin).HasMaxLength(16);
            version.Property(v => v.FileSha256).HasMaxLength(64);
            version.Property(v => v.ApprovedBy).HasMaxLength(200);
        });

        modelBuilder.Entity<LiveStamp>(stamp =>
        {
            stamp.ToTable("LiveStamps");
            stamp.HasIndex(s => s.TenantId).IsUnique();
        });
    }
}
