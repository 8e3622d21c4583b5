using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Data;

/// <summary>
/// OneGo's database. Each provider has a subclass of its own (<see cref="SqliteOneGoDbContext"/>,
/// <see cref="PostgresOneGoDbContext"/>, <see cref="SqlServerOneGoDbContext"/>) so that each keeps its own
/// migrations; features depend on this type only.
/// </summary>
public abstract class OneGoDbContext(DbContextOptions options, CurrentTenant tenants) : TenantScopedDbContext(options, tenants), IDataProtectionKeyContext
{
    public DbSet<Region> Regions => Set<Region>();

    public DbSet<TenantSettings> TenantSettings => Set<TenantSettings>();

    public DbSet<TenantFileRecord> TenantFiles => Set<TenantFileRecord>();

    /// <summary>ASP.NET Core data-protection keys, shared by every node (cookies, antiforgery).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Region>(region =>
        {
            region.ToTable("Regions");
            region.HasKey(r => r.Id);
            region.Property(r => r.Id).HasMaxLength(TenancyModel.TenantIdMaxLength);
            region.Property(r => r.DivisionCode).HasMaxLength(6);
            region.HasIndex(r => r.DivisionCode).IsUnique();
            region.Property(r => r.Name).HasMaxLength(100);
            region.Property(r => r.NameEn).HasMaxLength(200);
            region.Property(r => r.Level).HasConversion<string>().HasMaxLength(16);
            region.Property(r => r.ParentId).HasMaxLength(TenancyModel.TenantIdMaxLength);
            region.HasOne<Region>().WithMany().HasForeignKey(r => r.ParentId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<TenantSettings>(settings =>
        {
            settings.ToTable("TenantSettings");
            settings.HasIndex(s => s.TenantId).IsUnique();
            settings.Property(s => s.DisplayName).HasMaxLength(200);
            settings.Property(s => s.DisplayNameEn).HasMaxLength(300);
            settings.Property(s => s.ContactPhone).HasMaxLength(50);
            settings.Property(s => s.ContactEmail).HasMaxLength(200);
            settings.Property(s => s.ContactAddress).HasMaxLength(300);
            settings.Property(s => s.ContactHours).HasMaxLength(200);
            settings.Property(s => s.PublishingSchedule).HasMaxLength(120);
        });

        modelBuilder.Entity<TenantFileRecord>(file =>
        {
            file.ToTable("TenantFiles");
            file.Property(f => f.Path).HasMaxLength(400);
            file.Property(f => f.Sha256).HasMaxLength(64);
            file.HasIndex(f => f.Path).IsUnique();
        });

        CatalogueModel.Configure(modelBuilder);

        modelBuilder.Entity<Account>(account =>
        {
            account.ToTable("Accounts");
            account.Property(a => a.UserName).HasMaxLength(200);
            account.HasIndex(a => new { a.UserName, a.Kind }).IsUnique();
            account.Property(a => a.TenantId).HasMaxLength(TenancyModel.TenantIdMaxLength);
            account.HasIndex(a => a.TenantId);
            account.Property(a => a.Role).HasMaxLength(16);
            account.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
            account.Property(a => a.DisplayName).HasMaxLength(200);
            account.Property(a => a.CreatedBy).HasMaxLength(200);
        });
        modelBuilder.Entity<DeploymentKey>(key =>
        {
            key.ToTable("DeploymentKeys");
            key.Property(k => k.Use).HasMaxLength(16);
        });
        modelBuilder.UseOpenIddict();
    }
}
