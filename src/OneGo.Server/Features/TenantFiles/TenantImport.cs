using OneGo.Server.Hosting;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
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
/// import. Regions first, then each region's matters and bundles, ancestors before descendants so that a
/// standard's new version exists before its adopters are checked against it. A changed bundle file becomes a
/// new approved version (the review happened in the repository); a bundle or matter changed through the API
/// since its last import stops the import. Region rows are shared; each region's own rows are written inside
/// that region's tenant scope.
/// </summary>
public sealed class TenantImport(
    OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, BundleCatalogue catalogue, LiveBundles live, TimeProvider clock, ILogger<TenantImport> logger,
    Features.Zone.PublishingScheduleRule schedules, Features.Calendar.WorkingDayCalendar calendar)
{
    public const string Actor = "import";

    /// <summary>
    /// Checks the folder without touching the database: everything but adoptions, which need the standards' versions.
    /// Schedules are held to <paramref name="schedules"/>, the server's rule, or else the default one.
    /// </summary>
    public static IReadOnlyList<FileProblem> Validate(string folder, Features.Zone.PublishingScheduleRule? schedules = null) =>
        TenantFolder.Read(folder, schedules ?? Features.Zone.PublishingScheduleRule.Default).Problems;

    /// <summary>What an import would change, found by running it and rolling it back: problems included.</summary>
    public async Task<(IReadOnlyList<FileProblem> Problems, ImportPlan? Plan)> DiffAsync(string folder, CancellationToken cancellationToken)
    {
        var result = await RunAsync(folder, dryRun: true, cancellationToken);
        return (result.Problems, result.Applied);
    }

    public Task<ImportResult> ImportAsync(string folder, CancellationToken cancellationToken) => RunAsync(folder, dryRun: false, cancellationToken);

    private async Task<ImportResult> RunAsync(string folder, bool dryRun, CancellationToken cancellationToken)
    {
        var files = TenantFolder.Read(folder, schedules);
        if (!files.IsValid)
        {
            return new ImportResult(files.Problems, null);
        }

        var plan = await PlanAsync(files, cancellationToken);
        if (plan.IsEmpty)
        {
            return new ImportResult([], plan);
        }

        var changed = plan.Changes.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);
        var mattersOf = files.Matters.ToLookup(m => m.TenantId, StringComparer.Ordinal);
        var bundlesOf = files.Bundles.ToLookup(b => b.TenantId, StringComparer.Ordinal);
        var problems = new List<FileProblem>();
        var now = clock.Now();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            problems.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var region in files.Regions.OrderBy(r => Depth(r.Id)).ThenBy(r => r.Id, StringComparer.Ordinal))
            {
                if (changed.Contains(files.Display(region.RelativePath)))
                {
                    await ApplyRegionAsync(region, now, cancellationToken);
                }

                using (tenants.Enter(region.Id))
                {
                    foreach (var year in files.Calendar.Where(c => region.Id == RegionRules.NationalId && changed.Contains(files.Display(c.RelativePath))))
                    {
                        await ApplyCalendarYearAsync(year, now, cancellationToken);
                    }

                    foreach (var matter in mattersOf[region.Id].Where(m => changed.Contains(files.Display(m.RelativePath))))
                    {
                        await ApplyMatterAsync(files, matter, now, problems, cancellationToken);
                    }

                    // A bundle's earlier versions in order, then its own file, the latest.
                    var bundles = bundlesOf[region.Id].Where(b => changed.Contains(files.Display(b.RelativePath)))
                        .OrderBy(b => b.BundlePath, StringComparer.Ordinal).ThenBy(b => b.EarlierVersion ?? int.MaxValue).ToList();
                    if (bundles.Count > 0)
                    {
                        // The region's matters as they stand after this import's matter files: read once for all its bundles.
                        var matters = await catalogue.LocalMattersAsync(cancellationToken);
                        foreach (var file in bundles)
                        {
                            // Opened again as it was checked: only one region's documents are held at a time.
                            var (bundle, changedOnDisk) = files.Open(file);
                            if (bundle is null)
                            {
                                problems.Add(changedOnDisk!);
                            }
                            else if (file.EarlierVersion is { } version)
                            {
                                await ApplyEarlierVersionAsync(bundle, version, changed.Contains(files.Display(file.BundlePath)), matters, problems, cancellationToken);
                            }
                            else
                            {
                                await ApplyBundleAsync(bundle, matters, problems, cancellationToken);
                            }
                        }
                    }
                }

                // The region is saved (in the transaction): what it tracked would only make every later save scan it again,
                // which made a nation's import quadratic and held every version's bytes to the end.
                db.ChangeTracker.Clear();
            }

            if (problems.Count > 0 || dryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
                return;
            }

            await transaction.CommitAsync(cancellationToken);
        });
        db.ChangeTracker.Clear();
        if (problems.Count > 0)
        {
            return new ImportResult(problems.OrderBy(p => (p.Path, p.Line, p.Column)).ToList(), null);
        }

        if (!dryRun)
        {
            directory.Invalidate();
            if (files.Calendar.Any(c => changed.Contains(files.Display(c.RelativePath))))
            {
                // Due dates counted into a year the calendar did not hold are counted again on it.
                calendar.Invalidate();
                await Features.Applications.DueDates.RecountProvisionalAsync(db, tenants, directory, await calendar.CurrentAsync(db, cancellationToken), Actor, cancellationToken);
            }

            foreach (var bundle in files.Bundles.Where(b => changed.Contains(files.Display(b.RelativePath))))
            {
                await live.ForgetAsync(bundle.TenantId, bundle.Code, cancellationToken);
            }

            foreach (var change in plan.Changes)
            {
                logger.LogDebug("Imported {Path} ({Kind}) for tenant {TenantId}", change.Path, change.Kind, change.TenantId);
            }
        }

        return new ImportResult([], plan);
    }

    private static int Depth(string id) => id == RegionRules.NationalId ? 0 : id.Count(c => c == '.') + 1;

    private async Task ApplyRegionAsync(RegionFile file, DateTimeOffset now, CancellationToken cancellationToken)
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
        region.DivisionCodeOutsideStandard = doc.DivisionCodeOutsideStandard;
        region.ParentId = file.ParentId;
        region.UpdatedAt = now;
        using (tenants.Enter(file.Id))
        {
            // The region row is shared and saved first, so that the tenant's own rows can refer to it.
            db.Audit(new AuditEvent(Actor, "import.region", $"tenant/{file.Id}", new { file = file.RelativePath, sha256 = file.Sha256 }));
            await db.SaveChangesAsync(cancellationToken);

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
            var departments = await ApplyDepartmentsAsync(file, cancellationToken);
            var previous = await RecordFileAsync(file.RelativePath, file.Sha256, now, cancellationToken);
            db.Audit(new AuditEvent(Actor, "import.settings", $"tenant/{file.Id}", new { file = file.RelativePath, sha256 = file.Sha256, previousSha256 = previous, departments }));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>The region's departments become the file's: added, renamed, removed. Returns what changed, code by code.</summary>
    private async Task<object> ApplyDepartmentsAsync(RegionFile file, CancellationToken cancellationToken)
    {
        var rows = await db.Departments.Where(d => d.RegionId == file.Id).ToDictionaryAsync(d => d.Code, StringComparer.Ordinal, cancellationToken);
        var wanted = file.Document.Departments.ToDictionary(d => d.Code, StringComparer.Ordinal);
        var removed = rows.Keys.Where(code => !wanted.ContainsKey(code)).Order(StringComparer.Ordinal).ToList();
        db.Departments.RemoveRange(removed.Select(code => rows[code]));
        var added = new List<string>();
        var changed = new List<string>();
        foreach (var department in file.Document.Departments)
        {
            if (!rows.TryGetValue(department.Code, out var row))
            {
                db.Departments.Add(new RegionDepartment { RegionId = file.Id, Code = department.Code, Name = department.Name, Kind = department.Kind, CreditCode = department.CreditCode });
                added.Add(department.Code);
            }
            else if (row.ToDepartment() != department)
            {
                (row.Name, row.Kind, row.CreditCode) = (department.Name, department.Kind, department.CreditCode);
                changed.Add(department.Code);
            }
        }

        return new { added, changed, removed };
    }

    /// <summary>Remembers the file's hash as imported; returns the hash it had before, if it was imported before.</summary>
    /// <summary>A year of the holiday calendar becomes the file's: national data, audited in national's log.</summary>
    private async Task ApplyCalendarYearAsync(CalendarFile file, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await db.Set<Features.Calendar.CalendarYearRecord>().SingleOrDefaultAsync(y => y.Year == file.Year.Year, cancellationToken);
        row ??= db.Set<Features.Calendar.CalendarYearRecord>().Add(new Features.Calendar.CalendarYearRecord { Year = file.Year.Year, Document = "" }).Entity;
        row.Document = Features.Calendar.CalendarYearRecord.Write(file.Year);
        row.ImportedAt = now;
        var previous = await RecordFileAsync(file.RelativePath, file.Sha256, now, cancellationToken);
        db.Audit(new AuditEvent(Actor, "import.calendar", $"calendar/{file.Year.Year}", new
        {
            file = file.RelativePath, sha256 = file.Sha256, previousSha256 = previous, source = file.Year.Source.Reference ?? file.Year.Source.Title.Zh,
            off = file.Year.Holidays.Sum(h => h.To.DayNumber - h.From.DayNumber + 1), work = file.Year.Holidays.Sum(h => h.Work.Count),
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<string?> RecordFileAsync(string path, string sha256, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = await db.TenantFiles.SingleOrDefaultAsync(f => f.Path == path, cancellationToken);
        if (record is null)
        {
            db.TenantFiles.Add(new TenantFileRecord { Path = path, Sha256 = sha256, ImportedAt = now });
            return null;
        }

        var previous = record.Sha256;
        record.Sha256 = sha256;
        record.ImportedAt = now;
        return previous;
    }

    private async Task ApplyMatterAsync(TenantFolder files, MatterFile file, DateTimeOffset now, List<FileProblem> problems, CancellationToken cancellationToken)
    {
        var row = await db.Set<MatterRecord>().SingleOrDefaultAsync(m => m.Code == file.Matter.Code, cancellationToken);
        if (row is not null && (row.DraftState != DraftState.Approved || row.Origin != Origins.File))
        {
            var why = row.DraftState != DraftState.Approved ? "its working copy is " + ReviewLifecycle.Name(row.DraftState)
                : "its live revision was approved there";
            problems.Add(files.At(file.RelativePath, file.Sha256, "/code",
                $"the matter '{file.Matter.Code}' was changed through the API since it was last imported ({why}); nothing was overwritten. Export it into this file or discard that change, then import again."));
            return;
        }

        var before = row?.Document is null ? null : System.Text.Json.JsonSerializer.Deserialize<Matter>(row.Document, CatalogueJson.Options);
        row ??= db.Set<MatterRecord>().Add(new MatterRecord { Code = file.Matter.Code, Draft = "" }).Entity;
        // The file was reviewed where it is kept: it becomes the live revision directly.
        MattersApi.MakeLive(row, file.Matter, Origins.File, Actor, now);
        row.DraftUpdatedBy = Actor;
        row.DraftUpdatedAt = now;
        WorkingCopyReview.Settled(row);
        var previous = await RecordFileAsync(file.RelativePath, file.Sha256, now, cancellationToken);
        db.Audit(new AuditEvent(Actor, "import.matter", $"matter/{file.Matter.Code}",
            new { file = file.RelativePath, sha256 = file.Sha256, previousSha256 = previous, revision = row.LiveRevision, changes = JsonChanges.Between(before, file.Matter) }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// A file of an earlier version (<c>newborn.v1.yaml</c>): a version the database holds already must be the one the
    /// file holds (history does not change); a version it does not hold yet is recorded in its place, before the
    /// bundle's own file, which then holds the latest version and so must be imported after it.
    /// </summary>
    private async Task ApplyEarlierVersionAsync(OpenBundle file, int version, bool latestChanged, LocalMatters matters, List<FileProblem> problems, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == file.Code, cancellationToken);
        var latest = record?.LatestVersion ?? 0;
        if (version <= latest)
        {
            var held = await db.Set<BundleVersion>().AsNoTracking().Where(v => v.BundleCode == file.Code && v.Version == version)
                .Select(v => new { v.Document, v.Origin, v.ApprovedAt }).SingleAsync(cancellationToken);
            if (!JsonNode.DeepEquals(JsonNode.Parse(held.Document), JsonSerializer.SerializeToNode(file.Document, CatalogueJson.Options)))
            {
                problems.Add(file.Source.At(file.File.CodePointer,
                    $"version {version} of the bundle '{file.Code}' ({(held.Origin == Origins.File ? "imported from a file" : "approved through the API")} on {held.ApprovedAt:yyyy-MM-dd}) holds other content than this file: an approved version never changes. Restore the file to that version (GET /api/t/{tenants.Id}/bundles/{file.Code}/versions/{version} shows it), or put the new content in the bundle's own file as its next version."));
                return;
            }

            var previous = await RecordFileAsync(file.File.RelativePath, file.File.Sha256, clock.Now(), cancellationToken);
            db.Audit(new AuditEvent(Actor, "import.bundle-history", $"bundle/{file.Code}",
                new { file = file.File.RelativePath, sha256 = file.File.Sha256, previousSha256 = previous, version, unchanged = true }));
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        if (!latestChanged)
        {
            problems.Add(file.Source.At(file.File.CodePointer,
                $"this file holds version {version} of the bundle '{file.Code}', which the database does not hold yet, but the bundle's own file, which holds a later version, is the one imported as version {latest}: a file of an earlier version holds a version before the latest. Put this content in the bundle's own file instead."));
            return;
        }

        if (version != latest + 1)
        {
            problems.Add(file.Source.At(file.File.CodePointer,
                $"this file holds version {version} of the bundle '{file.Code}', but the database holds versions up to {latest}: version {latest + 1} comes first."));
            return;
        }

        await ApplyBundleAsync(file, matters, problems, cancellationToken);
    }

    private async Task ApplyBundleAsync(OpenBundle file, LocalMatters matters, List<FileProblem> problems, CancellationToken cancellationToken)
    {
        var record = await db.Set<BundleRecord>().SingleOrDefaultAsync(b => b.Code == file.Code, cancellationToken);
        if (record is not null)
        {
            var latestOrigin = await db.Set<BundleVersion>().Where(v => v.BundleCode == file.Code).OrderByDescending(v => v.Version)
                .Select(v => v.Origin).FirstOrDefaultAsync(cancellationToken);
            if (record.DraftState != DraftState.Approved || latestOrigin != Origins.File || record.WithdrawnAt is not null)
            {
                var why = record.DraftState != DraftState.Approved ? "its working copy is " + ReviewLifecycle.Name(record.DraftState)
                    : record.WithdrawnAt is not null ? "it was withdrawn there"
                    : "its latest version was approved there";
                problems.Add(file.Source.At(file.File.CodePointer,
                    $"the bundle '{file.Code}' was changed through the API since it was last imported ({why}); nothing was overwritten. Export its current version into this file or discard that change, then import again."));
                return;
            }
        }

        var resolution = await catalogue.ResolveAsync(file.Document, matters, cancellationToken);
        if (!resolution.IsValid)
        {
            problems.AddRange(resolution.Errors.Select(file.At));
            return;
        }

        var now = clock.Now();
        if (record is null)
        {
            record = new BundleRecord { Code = file.Code, Draft = "", CreatedAt = now };
            db.Add(record);
        }

        var before = record.Draft.Length == 0 ? null : BundleDocument.Parse(record.Draft);
        record.DraftUpdatedAt = now;
        record.DraftUpdatedBy = Actor;
        var version = catalogue.RecordVersion(record, file.Document, resolution.Value!, matters, Origins.File, Actor, file.File.Sha256);
        var previous = await RecordFileAsync(file.File.RelativePath, file.File.Sha256, now, cancellationToken);
        // The one path to a version without four eyes: the file was reviewed where it is kept.
        db.Audit(new AuditEvent(Actor, "import.bundle", $"bundle/{file.Code}",
            new { file = file.File.RelativePath, sha256 = file.File.Sha256, previousSha256 = previous, version = version.Version, changes = JsonChanges.Between(before, file.Document) }));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<ImportPlan> PlanAsync(TenantFolder files, CancellationToken cancellationToken)
    {
        var regions = await db.Regions.AsNoTracking().ToDictionaryAsync(r => r.Id, StringComparer.Ordinal, cancellationToken);
        var departments = (await db.Departments.AsNoTracking().ToListAsync(cancellationToken)).ToLookup(d => d.RegionId, StringComparer.Ordinal);
        var changes = new List<FileChange>();
        var unchanged = 0;
        var mattersOf = files.Matters.ToLookup(m => m.TenantId, StringComparer.Ordinal);
        var bundlesOf = files.Bundles.ToLookup(b => b.TenantId, StringComparer.Ordinal);
        foreach (var region in files.Regions.OrderBy(r => r.RelativePath, StringComparer.Ordinal))
        {
            Dictionary<string, string> recorded;
            TenantSettings? settings;
            using (tenants.Enter(region.Id))
            {
                recorded = await db.TenantFiles.AsNoTracking().ToDictionaryAsync(f => f.Path, f => f.Sha256, StringComparer.Ordinal, cancellationToken);
                settings = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            }

            void Consider(string relative, string sha, Func<bool, IReadOnlyList<string>> details)
            {
                if (recorded.TryGetValue(relative, out var known) && known == sha)
                {
                    unchanged++;
                    return;
                }

                var isNew = !recorded.ContainsKey(relative);
                changes.Add(new FileChange(region.Id, files.Display(relative), isNew ? FileChangeKind.Added : FileChangeKind.Changed, details(isNew)));
            }

            var existing = regions.GetValueOrDefault(region.Id);
            Consider(region.RelativePath, region.Sha256, _ => existing is null
                ? [$"new region {region.Id} {region.Document.Name} ({region.Document.DivisionCode ?? "no code"}{(region.Document.DivisionCodeOutsideStandard ? " outside GB/T 2260" : "")}, {region.Document.Level.ToString().ToLowerInvariant()})"]
                : Differences(existing, settings, [.. departments[region.Id]], region));
            foreach (var year in files.Calendar.Where(_ => region.Id == RegionRules.NationalId))
            {
                Consider(year.RelativePath, year.Sha256, isNew => [$"{(isNew ? "new" : "changed")} holiday calendar of {year.Year.Year}: {year.Year.Holidays.Count} holidays, {year.Year.Holidays.Sum(h => h.Work.Count)} make-up working days"]);
            }

            foreach (var matter in mattersOf[region.Id])
            {
                Consider(matter.RelativePath, matter.Sha256, isNew => [$"{(isNew ? "new" : "changed")} matter {matter.Matter.Code} {matter.Matter.Name.Zh}"]);
            }

            foreach (var bundle in bundlesOf[region.Id])
            {
                Consider(bundle.RelativePath, bundle.Sha256, isNew => [bundle.EarlierVersion is { } version
                    ? $"bundle {bundle.Code}: version {version} (a file of an earlier version)"
                    : $"{(isNew ? "new bundle" : "bundle")} {bundle.Code}: a new approved version"]);
            }
        }

        var inFiles = files.Regions.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var onlyInDatabase = regions.Keys.Where(id => !inFiles.Contains(id)).Order(StringComparer.Ordinal).ToList();
        return new ImportPlan(changes, onlyInDatabase, unchanged);
    }

    private static List<string> Differences(Region region, TenantSettings? settings, IReadOnlyList<RegionDepartment> held, RegionFile file)
    {
        static string? Shown(OneGo.Catalogue.Department? d) =>
            d is null ? null : d.Name + (d.Kind == OneGo.Catalogue.DepartmentKind.Department ? "" : $" ({d.Kind.ToString().ToLowerInvariant()})") + (d.CreditCode is null ? "" : " " + d.CreditCode);
        var heldByCode = held.ToDictionary(d => d.Code, d => d.ToDepartment(), StringComparer.Ordinal);
        var inFile = file.Document.Departments.ToDictionary(d => d.Code, StringComparer.Ordinal);
        var departments = heldByCode.Keys.Union(inFile.Keys).Order(StringComparer.Ordinal)
            .Select(code => (code, Shown(heldByCode.GetValueOrDefault(code)), Shown(inFile.GetValueOrDefault(code))));
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
        Compare("divisionCodeOutsideStandard", region.DivisionCodeOutsideStandard ? "true" : "false", doc.DivisionCodeOutsideStandard ? "true" : "false");
        Compare("parent", region.ParentId, file.ParentId);
        Compare("displayName", settings?.DisplayName, doc.DisplayName);
        Compare("displayNameEn", settings?.DisplayNameEn, doc.DisplayNameEn);
        Compare("contact.phone", settings?.ContactPhone, doc.ContactPhone);
        Compare("contact.email", settings?.ContactEmail, doc.ContactEmail);
        Compare("contact.address", settings?.ContactAddress, doc.ContactAddress);
        Compare("contact.hours", settings?.ContactHours, doc.ContactHours);
        Compare("publishing.schedule", settings?.PublishingSchedule, doc.PublishingSchedule);
        foreach (var (code, before, after) in departments)
        {
            Compare($"departments.{code}", before, after);
        }

        if (details.Count == 0)
        {
            details.Add("the file's text changed (comments or layout); no field changed");
        }

        return details;
    }
}
