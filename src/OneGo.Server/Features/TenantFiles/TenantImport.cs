using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>What an import would change, file by file; the same plan is shown by <c>tenants diff</c>.</summary>
public sealed record ImportPlan(IReadOnlyList<FileChange> Changes, IReadOnlyList<string> RegionsOnlyInDatabase, int UnchangedFiles)
{
    public bool IsEmpty => Changes.Count == 0;
}

/// <summary>One file whose content differs from what was last imported, and what it changes.</summary>
public sealed record FileChange(string TenantId, string Path, FileChangeKind Kind, IReadOnlyList<string> Details);

public enum FileChangeKind
{
    Added,
    Changed,
}

/// <summary>The result of an import: the problems that stopped it (nothing kept), or what it applied.</summary>
public sealed record ImportResult(IReadOnlyList<FileProblem> Problems, ImportPlan? Applied)
{
    public bool Succeeded => Problems.Count == 0;
}

/// <summary>
/// Imports the <c>tenants/</c> folder: all or nothing, and only the files whose content changed since the last
/// import. Region rows are shared; each region's own rows are written inside that region's tenant scope.
/// </summary>
public sealed class TenantImport(OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, TimeProvider clock, ILogger<TenantImport> logger)
{
    /// <summary>Checks the folder without touching the database.</summary>
    public static IReadOnlyList<FileProblem> Validate(string folder) => TenantFolder.Read(folder).Problems;

    public async Task<(IReadOnlyList<FileProblem> Problems, ImportPlan? Plan)> DiffAsync(string folder, CancellationToken cancellationToken)
    {
        var files = TenantFolder.Read(folder);
        return files.IsValid ? ([], await PlanAsync(files, cancellationToken)) : (files.Problems, null);
    }

    public async Task<ImportResult> ImportAsync(string folder, CancellationToken cancellationToken)
    {
        var files = TenantFolder.Read(folder);
        if (!files.IsValid)
        {
            return new ImportResult(files.Problems, null);
        }

        var plan = await PlanAsync(files, cancellationToken);
        if (plan.IsEmpty)
        {
            return new ImportResult([], plan);
        }

        var changed = plan.Changes.Select(c => c.TenantId).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Parents before children: a region's parent row must exist before it.
            foreach (var file in files.Regions.Where(r => changed.Contains(r.Id)).OrderBy(r => r.Id.Count(c => c == '.')).ThenBy(r => r.Id != RegionRules.NationalId))
            {
                await ApplyAsync(file, now, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
        db.ChangeTracker.Clear();
        directory.Invalidate();
        foreach (var change in plan.Changes)
        {
            logger.LogDebug("Imported {Path} ({Kind}) for tenant {TenantId}", change.Path, change.Kind, change.TenantId);
        }

        return new ImportResult([], plan);
    }

    private async Task ApplyAsync(RegionFile file, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var doc = file.Document;
        var region = await db.Regions.FindAsync([file.Id], cancellationToken);
        if (region is null)
        {
            region = new Region { Id = file.Id, Name = doc.Name, CreatedAt = now };
            db.Regions.Add(region);
        }

        region.Name = doc.Name;
        region.NameEn = doc.NameEn;
        region.Level = doc.Level;
        region.DivisionCode = doc.DivisionCode;
        region.ParentId = file.ParentId;
        region.UpdatedAt = now;
        // The region row is shared; save it before entering the tenant's scope for the tenant's own rows.
        await db.SaveChangesAsync(cancellationToken);

        using (tenants.Enter(file.Id))
        {
            var settings = await db.TenantSettings.SingleOrDefaultAsync(cancellationToken);
            if (settings is null)
            {
                settings = new TenantSettings();
                db.TenantSettings.Add(settings);
            }

            settings.DisplayName = doc.DisplayName;
            settings.DisplayNameEn = doc.DisplayNameEn;
            settings.ContactPhone = doc.ContactPhone;
            settings.ContactEmail = doc.ContactEmail;
            settings.ContactAddress = doc.ContactAddress;
            settings.ContactHours = doc.ContactHours;
            settings.PublishingSchedule = doc.PublishingSchedule;
            settings.UpdatedAt = now;

            var record = await db.TenantFiles.SingleOrDefaultAsync(f => f.Path == file.RelativePath, cancellationToken);
            if (record is null)
            {
                db.TenantFiles.Add(new TenantFileRecord { Path = file.RelativePath, Sha256 = file.Sha256, ImportedAt = now });
            }
            else
            {
                record.Sha256 = file.Sha256;
                record.ImportedAt = now;
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task<ImportPlan> PlanAsync(TenantFolder files, CancellationToken cancellationToken)
    {
        var regions = await db.Regions.AsNoTracking().ToDictionaryAsync(r => r.Id, StringComparer.Ordinal, cancellationToken);
        var changes = new List<FileChange>();
        var unchanged = 0;
        foreach (var file in files.Regions.OrderBy(r => r.RelativePath, StringComparer.Ordinal))
        {
            TenantFileRecord? record;
            TenantSettings? settings;
            using (tenants.Enter(file.Id))
            {
                record = await db.TenantFiles.AsNoTracking().SingleOrDefaultAsync(f => f.Path == file.RelativePath, cancellationToken);
                settings = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            }

            if (record?.Sha256 == file.Sha256)
            {
                unchanged++;
                continue;
            }

            var region = regions.GetValueOrDefault(file.Id);
            changes.Add(region is null
                ? new FileChange(file.Id, files.Display(file.RelativePath), FileChangeKind.Added, [$"new region {file.Id} {file.Document.Name} ({file.Document.DivisionCode ?? "no code"}, {file.Document.Level.ToString().ToLowerInvariant()})"])
                : new FileChange(file.Id, files.Display(file.RelativePath), FileChangeKind.Changed, Differences(region, settings, file)));
        }

        var inFiles = files.Regions.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var onlyInDatabase = regions.Keys.Where(id => !inFiles.Contains(id)).Order(StringComparer.Ordinal).ToList();
        return new ImportPlan(changes, onlyInDatabase, unchanged);
    }

    private static List<string> Differences(Region region, TenantSettings? settings, RegionFile file)
    {
        var doc = file.Document;
        var details = new List<string>();
        void Compare(string field, string? before, string? after)
        {
            if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                details.Add($"{field}: {before ?? "(none)"} → {after ?? "(none)"}");
            }
        }

        Compare("name", region.Name, doc.Name);
        Compare("nameEn", region.NameEn, doc.NameEn);
        Compare("level", region.Level.ToString().ToLowerInvariant(), doc.Level.ToString().ToLowerInvariant());
        Compare("divisionCode", region.DivisionCode, doc.DivisionCode);
        Compare("parent", region.ParentId, file.ParentId);
        Compare("displayName", settings?.DisplayName, doc.DisplayName);
        Compare("displayNameEn", settings?.DisplayNameEn, doc.DisplayNameEn);
        Compare("contact.phone", settings?.ContactPhone, doc.ContactPhone);
        Compare("contact.email", settings?.ContactEmail, doc.ContactEmail);
        Compare("contact.address", settings?.ContactAddress, doc.ContactAddress);
        Compare("contact.hours", settings?.ContactHours, doc.ContactHours);
        Compare("publishing.schedule", settings?.PublishingSchedule, doc.PublishingSchedule);
        if (details.Count == 0)
        {
            details.Add("the file's text changed (comments or layout); no field changed");
        }

        return details;
    }
}
