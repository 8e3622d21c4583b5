using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Scheduling;
using OneGo.Server.Storage;
using OneGo.Tenancy;
using Quartz;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// Deletes the drafts left unchanged for 30 days (<see cref="ApplicationsApi.DraftKeptFor"/>), as their page says, with
/// their files: region by region, each in its own scope; the rows first, then the bytes, so that a run that stops
/// half way leaves no draft naming a file that is gone. A submitted application is never touched.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ExpireDraftsJob(
    OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, IBlobStore blobs, TimeProvider clock, ILogger<ExpireDraftsJob> logger) : IJob
{
    public const string Name = "expire-drafts";
    public const string ScheduleSetting = "Applications:ExpireDraftsSchedule";

    /// <summary>Every hour at a quarter past (Asia/Shanghai).</summary>
    public const string DefaultSchedule = "0 15 * * * ?";

    public static JobKey Key { get; } = Jobs.RecurringKey(Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var before = clock.GetUtcNow() - ApplicationsApi.DraftKeptFor;
        var deleted = 0;
        foreach (var region in await directory.AllAsync(cancellationToken))
        {
            List<string> paths;
            using (tenants.Enter(region.Id))
            {
                var expired = await db.Set<Application>().Include(a => a.Files)
                    .Where(a => a.State == ApplicationState.Draft && a.UpdatedAt < before)
                    .ToListAsync(cancellationToken);
                if (expired.Count == 0)
                {
                    continue;
                }

                paths = expired.SelectMany(a => a.Files.Select(f => f.BlobPath)).ToList();
                db.RemoveRange(expired);
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
                deleted += expired.Count;
            }

            foreach (var path in paths)
            {
                await blobs.DeleteAsync(path, cancellationToken);
            }
        }

        logger.LogInformation("Deleted {Drafts} draft application(s) unchanged since {Before:O}, with their files", deleted, before);
    }
}
