using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone;

/// <summary>
/// A tenant's publishing run: each bundle whose latest approved version (or withdrawal) the zone does not have yet
/// is published, in batches. Each batch is one transaction — the publications with their zone sequence, the zone's
/// current entries, the outbox (blob snapshot and pushes), the bundles marked as published and the audit entry —
/// so a crash at any point leaves every item published once or not yet, and the next run takes up the rest.
/// </summary>
internal sealed class ZonePublisher(
    OneGoDbContext db, CurrentTenant tenants, TimeProvider clock, OutboxSignal relay, CrashPoints crash, Microsoft.Extensions.Options.IOptions<ZoneSettings> options,
    ILogger<ZonePublisher> logger)
{
    public const string Actor = "system:publishing";

    /// <summary>A run that has been running this long is taken for one whose node died.</summary>
    public static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(10);

    /// <summary>Runs <paramref name="runId"/> (queued by the API or the schedule) to its end; returns it as it ended.</summary>
    public async Task<PublishingRun> RunAsync(string tenant, Guid runId, CancellationToken cancellationToken)
    {
        using var scope = tenants.Enter(tenant);
        var run = await db.Set<PublishingRun>().SingleAsync(r => r.Id == runId, cancellationToken);
        if (run.Status is RunStatus.Succeeded or RunStatus.Failed)
        {
            return run;
        }

        run.Status = RunStatus.Running;
        run.StartedAt = clock.Now();
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            var integrations = await db.Set<Integration>().AsNoTracking().Where(i => i.Enabled).ToListAsync(cancellationToken);
            var wanted = integrations.Where(i => i.Wants(tenant)).Select(i => i.Id).ToList();
            while (await PublishBatchAsync(tenant, run, wanted, cancellationToken))
            {
                crash.Reached(CrashPoints.BetweenBatches);
            }

            run.Status = RunStatus.Succeeded;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Publishing run {Run} of {Tenant} failed", run.Id, tenant);
            db.ChangeTracker.Clear();
            run = await db.Set<PublishingRun>().SingleAsync(r => r.Id == runId, cancellationToken);
            run.Status = RunStatus.Failed;
            // The run's readers (the tenant's admins and editors) see the kind of failure; the exception is in the log above.
            run.Error = e switch
            {
                DbUpdateException or System.Data.Common.DbException => "failed: a database error; the details are in the node's log",
                TimeoutException => "failed: a timeout; the details are in the node's log",
                _ => "failed: an internal error; the details are in the node's log",
            };
        }

        run.FinishedAt = clock.Now();
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    /// <summary>
    /// Marks the tenant's runs that say they are running as interrupted. Called only when no publishing job of the
    /// tenant runs anywhere in the cluster: such a run's node died between two batches.
    /// </summary>
    public async Task AbandonRunningAsync(string tenant, CancellationToken cancellationToken)
    {
        using var scope = tenants.Enter(tenant);
        var now = clock.Now();
        await db.Set<PublishingRun>().Where(r => r.Status == RunStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, RunStatus.Failed).SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.Error, "interrupted: the node running it stopped; its published items stay published and the next run takes up the rest"),
            cancellationToken);
    }

    /// <summary>The next run of the tenant: the one queued or under way, or a new queued one.</summary>
    public async Task<(PublishingRun Run, bool Created)> QueueAsync(string tenant, string trigger, string? requestedBy, CancellationToken cancellationToken)
    {
        using var scope = tenants.Enter(tenant);
        var now = clock.Now();
        var open = await db.Set<PublishingRun>().Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running)
            .OrderByDescending(r => r.RequestedAt).ToListAsync(cancellationToken);
        foreach (var stale in open.Where(r => r.Status == RunStatus.Running && r.StartedAt < now - Abandoned))
        {
            stale.Status = RunStatus.Failed;
            stale.FinishedAt = now;
            stale.Error = "interrupted: the node running it stopped; its published items stay published and the next run takes up the rest";
        }

        if (open.FirstOrDefault(r => r.Status is RunStatus.Queued or RunStatus.Running) is { } underWay)
        {
            await db.SaveChangesAsync(cancellationToken);
            return (underWay, false);
        }

        var run = new PublishingRun { Id = Guid.CreateVersion7(), Trigger = trigger, Status = RunStatus.Queued, RequestedAt = now, RequestedBy = requestedBy };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return (run, true);
    }

    private async Task<bool> PublishBatchAsync(string tenant, PublishingRun run, List<Guid> integrations, CancellationToken cancellationToken)
    {
        var batch = await db.Set<BundleRecord>()
            .Where(b => (b.LiveVersion != null && b.ZoneVersion != b.LiveVersion)
                        || (b.LiveVersion == null && b.WithdrawnAt != null && b.ZoneVersion != null && !b.ZoneWithdrawn))
            .OrderBy(b => b.Code).Take(options.Value.PublishBatchSize).ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return false;
        }

        var codes = batch.Select(b => b.Code).ToList();
        // The version each bundle publishes (its live one, or for a withdrawal the one the zone has), read in one query:
        // only what a publication carries, not the version's sources.
        var wanted = batch.Select(b => (b.Code, (b.LiveVersion ?? b.ZoneVersion)!.Value)).ToHashSet();
        var numbers = wanted.Select(w => w.Item2).Distinct().ToList();
        var content = (await db.Set<BundleVersion>().Where(v => codes.Contains(v.BundleCode) && numbers.Contains(v.Version))
                .Select(v => new { v.BundleCode, v.Version, v.Effective, v.ETag, v.Summary }).ToListAsync(cancellationToken))
            .Where(v => wanted.Contains((v.BundleCode, v.Version))).ToDictionary(v => (v.BundleCode, v.Version));
        var entries = await db.Set<ZoneEntry>().Where(e => codes.Contains(e.BundleCode)).ToDictionaryAsync(e => e.BundleCode, StringComparer.Ordinal, cancellationToken);

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The zone's counter, taken under its row lock until commit: sequence order is commit order, so a feed
            // reader that has seen sequence n has seen every publication before it.
            await db.Set<ZoneHead>().Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.Last, h => h.Last + batch.Count), cancellationToken);
            // Read again under the lock: a bundle another run published since this batch was read (a node taken for dead
            // that was only slow, its run taken over meanwhile) is left out, and its number handed back, so the
            // sequence stays without a gap.
            var zoneNow = await db.Set<BundleRecord>().AsNoTracking().Where(b => codes.Contains(b.Code))
                .Select(b => new { b.Code, b.ZoneVersion, b.ZoneWithdrawn }).ToDictionaryAsync(b => b.Code, StringComparer.Ordinal, cancellationToken);
            var taken = batch.Where(b => zoneNow[b.Code].ZoneVersion != b.ZoneVersion || zoneNow[b.Code].ZoneWithdrawn != b.ZoneWithdrawn).ToList();
            if (taken.Count > 0)
            {
                logger.LogWarning("Publishing run {Run} of {Tenant} leaves out {Count} bundle(s) another run has published meanwhile", run.Id, tenant, taken.Count);
                batch.RemoveAll(taken.Contains);
                await db.Set<ZoneHead>().Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.Last, h => h.Last - taken.Count), cancellationToken);
            }

            var sequence = await db.Set<ZoneHead>().Where(h => h.Id == 1).Select(h => h.Last).SingleAsync(cancellationToken) - batch.Count;
            var now = clock.Now();
            var published = new List<string>();
            var withdrawn = new List<string>();
            foreach (var bundle in batch)
            {
                var isWithdrawal = bundle.LiveVersion is null;
                var version = isWithdrawal ? bundle.ZoneVersion!.Value : bundle.LiveVersion!.Value;
                var source = content[(bundle.Code, version)];
                var publication = new Publication
                {
                    PublicId = "pub_" + Guid.CreateVersion7().ToString("N"),
                    Sequence = ++sequence,
                    BundleCode = bundle.Code,
                    Version = version,
                    Kind = isWithdrawal ? PublicationKind.Withdrawal : PublicationKind.Version,
                    Effective = isWithdrawal ? null : source.Effective,
                    ETag = isWithdrawal ? null : source.ETag,
                    Summary = source.Summary,
                    PublishedAt = now,
                    RunId = run.Id,
                };
                db.Add(publication);
                db.Add(new OutboxItem { Publication = publication, Kind = OutboxKind.Snapshot, NextAttemptAt = now, CreatedAt = now });
                foreach (var integration in integrations)
                {
                    db.Add(new OutboxItem { Publication = publication, Kind = OutboxKind.Push, IntegrationId = integration, NextAttemptAt = now, CreatedAt = now });
                }

                if (!entries.TryGetValue(bundle.Code, out var entry))
                {
                    entry = new ZoneEntry { BundleCode = bundle.Code, PublicationPublicId = publication.PublicId, Summary = source.Summary };
                    db.Add(entry);
                    entries[bundle.Code] = entry;
                }

                entry.Publication = publication;
                entry.PublicationPublicId = publication.PublicId;
                entry.Version = version;
                entry.Withdrawn = isWithdrawal;
                entry.Audience = bundle.Audience;
                entry.Theme = bundle.Theme;
                entry.SearchText = bundle.SearchText;
                entry.Summary = source.Summary;
                entry.PublishedAt = now;

                bundle.ZoneVersion = version;
                bundle.ZoneWithdrawn = isWithdrawal;
                (isWithdrawal ? withdrawn : published).Add($"{bundle.Code}@{version}");
            }

            run.Published += published.Count;
            run.Withdrawn += withdrawn.Count;
            db.Audit(new AuditEvent(Actor, "zone.publish", $"run/{run.Id}", new { published, withdrawn }));
            await db.SaveChangesAsync(cancellationToken);
            crash.Reached(CrashPoints.BeforeZoneCommit);
            await transaction.CommitAsync(cancellationToken);
            crash.Reached(CrashPoints.AfterZoneCommit);
        });
        relay.Wake();
        return true;
    }
}
