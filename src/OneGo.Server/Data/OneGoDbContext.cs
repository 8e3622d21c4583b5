using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Features.Zone;
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

    public DbSet<RegionDepartment> Departments => Set<RegionDepartment>();

    public DbSet<TenantSettings> TenantSettings => Set<TenantSettings>();

    public DbSet<TenantFileRecord> TenantFiles => Set<TenantFileRecord>();

    /// <summary>ASP.NET Core data-protection keys, shared by every node (cookies, antiforgery).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Audit entries recorded since the last save, in the order they were recorded.</summary>
    internal List<AuditEntry> PendingAudit { get; } = [];

    /// <summary>
    /// Saves the changes with their audit entries and the live stamps they move (<see cref="LiveStamps"/>) in one
    /// transaction: each entry is linked to the head of its tenant's chain first. Two writers extending one chain at
    /// once collide on its unique sequence (or adding a tenant's first stamp, on its unique tenant); the loser links
    /// again after the winner and retries, unless it runs inside a caller's transaction.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        // Isolation first: a write into another tenant is refused as such, whatever else is wrong with it.
        GuardTenantWrites();
        var entries = AuditChain.Prepare(this);
        await LiveStamps.MoveAsync(this, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            await AuditChain.LinkAsync(this, entries, cancellationToken);
            try
            {
                var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
                PendingAudit.Clear();
                return saved;
            }
            catch (DbUpdateException) when (entries.Count > 0 && attempt < 8 && Database.CurrentTransaction is null)
            {
                // Both are asked: each puts right what the other save changed meanwhile.
                var headMoved = await AuditChain.HeadMovedAsync(this, entries, cancellationToken);
                if (!await LiveStamps.TakenMeanwhileAsync(this, cancellationToken) && !headMoved)
                {
                    throw;
                }

                // Another change of the same tenant took the next place in the chain, or added its stamp: go after it.
            }
        }
    }

    /// <summary>Synchronous saves are for rows outside the audit log (deployment keys); audited changes save asynchronously.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (AuditChain.Prepare(this).Count > 0)
        {
            throw new InvalidOperationException("Audited changes are saved with SaveChangesAsync, which links them to their chain.");
        }

        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

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

        modelBuilder.Entity<RegionDepartment>(department =>
        {
            department.ToTable("Departments");
            department.HasKey(d => new { d.RegionId, d.Code });
            department.Property(d => d.RegionId).HasMaxLength(TenancyModel.TenantIdMaxLength);
            department.Property(d => d.Code).HasMaxLength(OneGo.Catalogue.CatalogueCodes.MaxLength);
            department.Property(d => d.Name).HasMaxLength(100);
            department.Property(d => d.Kind).HasConversion<string>().HasMaxLength(16);
            department.Property(d => d.CreditCode).HasMaxLength(18);
            department.HasOne<Region>().WithMany().HasForeignKey(d => d.RegionId).OnDelete(DeleteBehavior.Cascade);
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
        ZoneModel.Configure(modelBuilder);

        IdentityModel.Configure(modelBuilder);
        Features.Applicants.Applicant.Configure(modelBuilder);
        Features.Applications.Application.Configure(modelBuilder);
        Features.Statistics.ZoneStatistics.Configure(modelBuilder);
        Features.Ratings.Rating.Configure(modelBuilder);
        modelBuilder.Entity<Features.Calendar.CalendarYearRecord>(year =>
        {
            year.ToTable("HolidayCalendar");
            year.HasKey(y => y.Year);
            year.Property(y => y.Year).ValueGeneratedNever();
        });
        modelBuilder.Entity<DeploymentKey>(key =>
        {
            key.ToTable("DeploymentKeys");
            key.Property(k => k.Use).HasMaxLength(16);
        });
        modelBuilder.Entity<AuditEntry>(audit =>
        {
            audit.ToTable("AuditEntries");
            // One chain per tenant: its sequence is unique within the tenant (TenantId leads the index by convention).
            audit.HasIndex(e => e.Sequence).IsUnique();
            audit.Property(e => e.Actor).HasMaxLength(200);
            audit.Property(e => e.Action).HasMaxLength(64);
            audit.Property(e => e.Subject).HasMaxLength(300);
            audit.Property(e => e.Comment).HasMaxLength(2000);
            audit.Property(e => e.PreviousHash).HasMaxLength(64);
            audit.Property(e => e.Hash).HasMaxLength(64);
        });
        modelBuilder.UseOpenIddict();
    }
}
