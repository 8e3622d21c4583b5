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

    /// <summary>What a run whose node died says, however it was found abandoned.</summary>
    private const string Interrupted = "interrupted: the node running it stopped; its published items stay published and the next run takes up the rest";

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
        return await PublishAsync(tenant, run, cancellationToken);
    }

    /// <summary>Runs to its end a run <see cref="QueueAsync"/> has just created running (<c>start</c>), in this scope.</summary>
    public async Task<PublishingRun> RunStartedAsync(string tenant, PublishingRun run, CancellationToken cancellationToken)
    {
        using var scope = tenants.Enter(tenant);
        return await PublishAsync(tenant, run, cancellationToken);
    }

    private async Task<PublishingRun> PublishAsync(string tenant, PublishingRun run, CancellationToken cancellationToken)
    {
        var runId = run.Id;
        try
        {
            var integrations = await db.Set<Integration>().AsNoTracking().Where(i => i.Enabled).ToListAsync(cancellationToken);
            var wanted = integrations.Where(i => i.Wants(tenant)).Select(i => i.Id).ToList();
            while (await PublishBatchAsync(tenant, run, wanted, cancellationToken))
            {
                crash.Reached(CrashPoints.BetweenBatches);
            }

            if (run.Status == RunStatus.Succeeded)
            {
                // Ended with its last batch, in the batch's transaction.
                return run;
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
            .SetProperty(r => r.Error, Interrupted),
            cancellationToken);
    }

    /// <summary>
    /// The next run of the tenant: the one queued or under way, or a new one — queued, or running from the start
    /// (<paramref name="start"/>, for the caller that runs it at once). With <paramref name="abandonRunning"/> (no
    /// publishing job of the tenant runs anywhere in the cluster) every run marked running is marked interrupted, as
    /// <see cref="AbandonRunningAsync"/> does; otherwise only one running longer than <see cref="Abandoned"/>.
    /// </summary>
    public async Task<(PublishingRun Run, bool Created)> QueueAsync(string tenant, string trigger, string? requestedBy, CancellationToken cancellationToken,
        bool abandonRunning = false, bool start = false)
    {
        using var scope = tenants.Enter(tenant);
        var now = clock.Now();
        var open = await db.Set<PublishingRun>().Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running)
            .OrderByDescending(r => r.RequestedAt).ToListAsync(cancellationToken);
        foreach (var stale in open.Where(r => r.Status == RunStatus.Running && (abandonRunning || r.StartedAt < now - Abandoned)))
        {
            stale.Status = RunStatus.Failed;
            stale.FinishedAt = now;
            stale.Error = Interrupted;
        }

        if (open.FirstOrDefault(r => r.Status is RunStatus.Queued or RunStatus.Running) is { } underWay)
        {
            await db.SaveChangesAsync(cancellationToken);
            return (underWay, false);
        }

        // Stamped after the read that found no run open: a run that ended while the read waited ended before this one was asked for.
        var requested = clock.Now();
        var run = new PublishingRun
        {
            Id = Guid.CreateVersion7(), Trigger = trigger, Status = start ? RunStatus.Running : RunStatus.Queued, RequestedAt = requested,
            StartedAt = start ? requested : null, RequestedBy = requestedBy,
        };
        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return (run, true);
    }

    private async Task<bool> PublishBatchAsync(string tenant, PublishingRun run, List<Guid> integrations, CancellationToken cancellationToken)
    {
        // Only what a publication needs of each bundle, untracked: the run's memory and each save stay the size of a batch.
        var batch = await db.Set<BundleRecord>().AsNoTracking()
            .Where(b => (b.LiveVersion != null && b.ZoneVersion != b.LiveVersion)
                        || (b.LiveVersion == null && b.WithdrawnAt != null && b.ZoneVersion != null && !b.ZoneWithdrawn))
            .OrderBy(b => b.Code).Take(options.Value.PublishBatchSize)
            .Select(b => new Due(b.Code, b.LiveVersion, b.ZoneVersion, b.ZoneWithdrawn, b.Audience, b.Theme, b.SearchText))
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return false;
        }

        // A batch shorter than the batch size is everything due when it was read: the run ends with it, in its transaction.
        var last = batch.Count < options.Value.PublishBatchSize;
        var strategy = db.Database.CreateExecutionStrategy();
        // The batch's save stands or falls with its transaction: no savepoint around it, two round trips fewer.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await strategy.ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                if (last)
                {
                    run.Status = RunStatus.Succeeded;
                    run.FinishedAt = clock.Now();
                }

                await (db.Database.IsNpgsql()
                    ? PublishInSqlAsync(tenant, run, batch, integrations, cancellationToken)
                    : PublishTrackedAsync(tenant, run, batch, integrations, cancellationToken));
                crash.Reached(CrashPoints.BeforeZoneCommit);
                await transaction.CommitAsync(cancellationToken);
                crash.Reached(CrashPoints.AfterZoneCommit);
            });
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }

        // The batch's rows are written; only the run stays tracked, so each save looks at one batch, not the run so far.
        db.ChangeTracker.Clear();
        db.Attach(run);
        relay.Wake();
        return !last;
    }

    /// <summary>The batch's counts on its run, and its audit entry, saved in the batch's transaction.</summary>
    private async Task RecordAsync(PublishingRun run, List<Item> items, CancellationToken cancellationToken)
    {
        var published = items.Where(i => !i.IsWithdrawal).Select(i => $"{i.Bundle.Code}@{i.Version}").ToList();
        var withdrawn = items.Where(i => i.IsWithdrawal).Select(i => $"{i.Bundle.Code}@{i.Version}").ToList();
        run.Published += published.Count;
        run.Withdrawn += withdrawn.Count;
        db.Audit(new AuditEvent(Actor, "zone.publish", $"run/{run.Id}", new { published, withdrawn }));
        await db.SaveChangesAsync(cancellationToken);
    }

    private void LeftOut(string tenant, PublishingRun run, int count) =>
        logger.LogWarning("Publishing run {Run} of {Tenant} leaves out {Count} bundle(s) another run has published meanwhile", run.Id, tenant, count);

    /// <summary>
    /// SQLite and SQL Server: the zone's counter is taken first, under its row lock until commit, so that sequence order
    /// is commit order (a feed reader that has seen sequence n has seen every publication before it); then the rows.
    /// </summary>
    private async Task PublishTrackedAsync(string tenant, PublishingRun run, List<Due> batch, List<Guid> integrations, CancellationToken cancellationToken)
    {
        var codes = batch.Select(b => b.Code).ToList();
        await db.Set<ZoneHead>().Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.Last, h => h.Last + batch.Count), cancellationToken);
        // Read again under the lock: a bundle another run published since this batch was read (a node taken for dead
        // that was only slow, its run taken over meanwhile) is left out, and its number handed back, so the
        // sequence stays without a gap.
        var zoneNow = await db.Set<BundleRecord>().AsNoTracking().Where(b => codes.Contains(b.Code))
            .Select(b => new { b.Code, b.ZoneVersion, b.ZoneWithdrawn }).ToDictionaryAsync(b => b.Code, StringComparer.Ordinal, cancellationToken);
        var taken = batch.Where(b => zoneNow[b.Code].ZoneVersion != b.ZoneVersion || zoneNow[b.Code].ZoneWithdrawn != b.ZoneWithdrawn).ToList();
        var due = batch.Except(taken).ToList();
        if (taken.Count > 0)
        {
            LeftOut(tenant, run, taken.Count);
            await db.Set<ZoneHead>().Where(h => h.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(h => h.Last, h => h.Last - taken.Count), cancellationToken);
        }

        var sequence = await db.Set<ZoneHead>().Where(h => h.Id == 1).Select(h => h.Last).SingleAsync(cancellationToken) - due.Count;
        var items = due.Select(b => new Item(b, "pub_" + Guid.CreateVersion7().ToString("N"))).ToList();
        if (items.Count > 0)
        {
            await WriteTrackedAsync(run, items, sequence, integrations, clock.Now(), cancellationToken);
            // Each bundle marked with what the zone now has of it: one statement per version published (few).
            foreach (var group in items.GroupBy(i => (i.Version, i.IsWithdrawal)))
            {
                var marked = group.Select(i => i.Bundle.Code).ToList();
                await db.Set<BundleRecord>().Where(b => marked.Contains(b.Code)).ExecuteUpdateAsync(s => s
                    .SetProperty(b => b.ZoneVersion, group.Key.Version).SetProperty(b => b.ZoneWithdrawn, group.Key.IsWithdrawal), cancellationToken);
            }
        }

        await RecordAsync(run, items, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: the bundles are marked first, then the run and the audit entry saved, and the zone's counter taken
    /// last, by the one statement that writes the publications, their outbox items and the zone's entries. The
    /// counter's row lock, which every tenant's batches wait for so that sequence order is commit order, is so held for
    /// that statement and the commit only, and the nightly slot's runs of every region publish side by side.
    /// </summary>
    private async Task PublishInSqlAsync(string tenant, PublishingRun run, List<Due> batch, List<Guid> integrations, CancellationToken cancellationToken)
    {
        // Each bundle marked with what the zone is to have of it, if the zone still has what the batch read: a bundle
        // another run published since (a node taken for dead that was only slow, its run taken over meanwhile) is left
        // out. The marked rows stay locked until commit, so no other run publishes them meanwhile.
        var codes = batch.Select(b => b.Code).ToArray();
        var versions = batch.Select(b => b.LiveVersion ?? b.ZoneVersion!.Value).ToArray();
        var withdrawals = batch.Select(b => b.LiveVersion is null).ToArray();
        var readVersions = batch.Select(b => b.ZoneVersion).ToArray();
        var readWithdrawn = batch.Select(b => b.ZoneWithdrawn).ToArray();
        var marked = (await db.Database.SqlQuery<string>($"""
            UPDATE "Bundles" b SET "ZoneVersion" = u.version, "ZoneWithdrawn" = u.withdrawal
            FROM unnest({codes}::text[], {versions}::integer[], {withdrawals}::boolean[], {readVersions}::integer[], {readWithdrawn}::boolean[])
                AS u(code, version, withdrawal, read_version, read_withdrawn)
            WHERE b."TenantId" = {tenant} AND b."Code" = ANY({codes}::text[]) AND b."Code" = u.code
              AND b."ZoneVersion" IS NOT DISTINCT FROM u.read_version AND b."ZoneWithdrawn" = u.read_withdrawn
            RETURNING b."Code" AS "Value"
            """).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        if (batch.Count - marked.Count is > 0 and var left)
        {
            LeftOut(tenant, run, left);
        }

        var items = batch.Where(b => marked.Contains(b.Code)).Select(b => new Item(b, "pub_" + Guid.CreateVersion7().ToString("N"))).ToList();
        await RecordAsync(run, items, cancellationToken);
        if (items.Count > 0)
        {
            await WriteInSqlAsync(tenant, run, items, integrations, clock.Now(), cancellationToken);
        }
    }

    /// <summary>
    /// The batch's publications, outbox items and zone entries added to the change tracker, saved with the batch's audit
    /// entry; the version's content is read into the node and written back (SQLite, SQL Server).
    /// </summary>
    private async Task WriteTrackedAsync(PublishingRun run, List<Item> items, long sequence, List<Guid> integrations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var codes = items.Select(i => i.Bundle.Code).ToList();
        var wanted = items.Select(i => (i.Bundle.Code, i.Version)).ToHashSet();
        var numbers = wanted.Select(w => w.Version).Distinct().ToList();
        var content = (await db.Set<BundleVersion>().Where(v => codes.Contains(v.BundleCode) && numbers.Contains(v.Version))
                .Select(v => new { v.BundleCode, v.Version, v.Effective, v.ETag, v.Summary }).ToListAsync(cancellationToken))
            .Where(v => wanted.Contains((v.BundleCode, v.Version))).ToDictionary(v => (v.BundleCode, v.Version));
        var entries = await db.Set<ZoneEntry>().Where(e => codes.Contains(e.BundleCode)).ToDictionaryAsync(e => e.BundleCode, StringComparer.Ordinal, cancellationToken);
        foreach (var item in items)
        {
            var bundle = item.Bundle;
            var source = content[(bundle.Code, item.Version)];
            var publication = new Publication
            {
                PublicId = item.PublicId,
                Sequence = ++sequence,
                BundleCode = bundle.Code,
                Version = item.Version,
                Kind = item.IsWithdrawal ? PublicationKind.Withdrawal : PublicationKind.Version,
                Effective = item.IsWithdrawal ? null : source.Effective,
                ETag = item.IsWithdrawal ? null : source.ETag,
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
            }

            entry.Publication = publication;
            entry.PublicationPublicId = publication.PublicId;
            entry.Version = item.Version;
            entry.Withdrawn = item.IsWithdrawal;
            entry.Audience = bundle.Audience;
            entry.Theme = bundle.Theme;
            entry.SearchText = bundle.SearchText;
            entry.Summary = source.Summary;
            entry.PublishedAt = now;
        }
    }

    /// <summary>
    /// The same rows written by one statement on PostgreSQL: the zone's counter moved on by the batch (its row locked
    /// until commit), the publications numbered from it in the batch's order, their outbox items and the zone's entries.
    /// Each version's content is copied inside the database (never read into the node). The statement names the
    /// tenant, and row-level security checks every row it writes against the tenant the connection is scoped to. The
    /// versions are sought by their codes in the unique index (= ANY), so no plan scans every version of the tenant for
    /// each row, whatever the planner believes of row-level security's filter.
    /// </summary>
    private async Task WriteInSqlAsync(string tenant, PublishingRun run, List<Item> items, List<Guid> integrations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = items.Count;
        var codes = items.Select(i => i.Bundle.Code).ToArray();
        var versions = items.Select(i => i.Version).ToArray();
        var publicIds = items.Select(i => i.PublicId).ToArray();
        var kinds = items.Select(i => (i.IsWithdrawal ? PublicationKind.Withdrawal : PublicationKind.Version).ToString()).ToArray();
        var audiences = items.Select(i => i.Bundle.Audience).ToArray();
        var themes = items.Select(i => i.Bundle.Theme).ToArray();
        var searchTexts = items.Select(i => i.Bundle.SearchText).ToArray();
        var pushes = integrations.ToArray();
        var snapshot = nameof(OutboxKind.Snapshot);
        var push = nameof(OutboxKind.Push);
        var pending = nameof(OutboxStatus.Pending);
        var version = nameof(PublicationKind.Version);
        var withdrawal = nameof(PublicationKind.Withdrawal);

        var entries = await db.Database.ExecuteSqlAsync($"""
            WITH head AS (
                UPDATE "ZoneHeads" SET "Last" = "Last" + {count} WHERE "Id" = 1 RETURNING "Last" - {count} AS base
            ), publications AS (
                INSERT INTO "Publications" ("TenantId", "PublicId", "Sequence", "BundleCode", "Version", "Kind", "Effective", "ETag", "Summary", "PublishedAt", "RunId")
                SELECT {tenant}, u.public_id, head.base + u.position, u.code, u.version, u.kind,
                       CASE WHEN u.kind = {version} THEN v."Effective" END, CASE WHEN u.kind = {version} THEN v."ETag" END, v."Summary", {now}, {run.Id}
                FROM head
                CROSS JOIN unnest({codes}::text[], {versions}::integer[], {publicIds}::text[], {kinds}::text[]) WITH ORDINALITY AS u(code, version, public_id, kind, position)
                JOIN "BundleVersions" v ON v."TenantId" = {tenant} AND v."BundleCode" = ANY({codes}::text[]) AND v."BundleCode" = u.code AND v."Version" = u.version
                RETURNING "Id", "TenantId", "BundleCode", "PublicId", "Sequence", "Version", "Kind", "Summary", "PublishedAt"
            ), outbox AS (
                INSERT INTO "OutboxItems" ("TenantId", "PublicationId", "Kind", "IntegrationId", "Status", "Attempts", "NextAttemptAt", "CreatedAt")
                SELECT p."TenantId", p."Id", CASE WHEN t.integration IS NULL THEN {snapshot} ELSE {push} END, t.integration, {pending}, 0, {now}, {now}
                FROM publications p
                CROSS JOIN (SELECT NULL::uuid AS integration UNION ALL SELECT unnest({pushes}::uuid[])) AS t
                ORDER BY p."Sequence", t.integration NULLS FIRST
            )
            INSERT INTO "ZoneEntries" ("TenantId", "BundleCode", "PublicationId", "PublicationPublicId", "Version", "Withdrawn", "Audience", "Theme", "SearchText", "Summary", "PublishedAt")
            SELECT p."TenantId", p."BundleCode", p."Id", p."PublicId", p."Version", p."Kind" = {withdrawal}, u.audience, u.theme, u.search_text, p."Summary", p."PublishedAt"
            FROM publications p
            JOIN unnest({codes}::text[], {audiences}::text[], {themes}::text[], {searchTexts}::text[]) AS u(code, audience, theme, search_text) ON u.code = p."BundleCode"
            ON CONFLICT ("TenantId", "BundleCode") DO UPDATE SET
                "PublicationId" = excluded."PublicationId", "PublicationPublicId" = excluded."PublicationPublicId", "Version" = excluded."Version",
                "Withdrawn" = excluded."Withdrawn", "Audience" = excluded."Audience", "Theme" = excluded."Theme", "SearchText" = excluded."SearchText",
                "Summary" = excluded."Summary", "PublishedAt" = excluded."PublishedAt"
            """, cancellationToken);
        if (entries != count)
        {
            throw new InvalidOperationException($"{count - entries} of the batch's versions were not found; nothing of the batch is kept.");
        }
    }

    /// <summary>A bundle due for publishing, as the batch read it.</summary>
    private sealed record Due(string Code, int? LiveVersion, int? ZoneVersion, bool ZoneWithdrawn, string? Audience, string? Theme, string? SearchText);

    /// <summary>A publication of the batch: the bundle's live version, or for a withdrawal the version the zone has.</summary>
    private sealed record Item(Due Bundle, string PublicId)
    {
        public bool IsWithdrawal => Bundle.LiveVersion is null;

        public int Version => Bundle.LiveVersion ?? Bundle.ZoneVersion!.Value;
    }
}
