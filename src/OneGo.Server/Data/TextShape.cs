using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Zone;
using OneGo.Server.Hosting;
using OneGo.Server.Storage;
using OneGo.Tenancy;

namespace OneGo.Server.Data;

/// <summary>
/// A text (<see cref="Text"/>) was once stored as a plain string when it had no English translation; it is now written
/// <c>{"zh": "…"}</c> everywhere, as responses show it. This data step rewrites, once, what an earlier OneGo stored in
/// the old shape: matters (their live documents, working copies and ETags), approved versions (document, embedded
/// matters with the ETags they remember, summary), working copies of bundles (with the matter ETags a submission
/// pinned), and the zone's publications and entries with their blob snapshots. The effective content of a version is
/// canonical JSON, already in this shape: its ETag and every publication's <c>eTag</c> stay as they are, while a
/// publication's own representation (and so its ETag, the hash of its bytes) takes the new shape. Each region's rewrite
/// is one save with its audit entry. It runs when the <c>TextShape</c> migration is applied (<see cref="DatabaseSetup.MigrateAsync"/>).
/// </summary>
internal static class TextShape
{
    /// <summary>The migration that marks the step as due.</summary>
    public const string Migration = "TextShape";

    public const string Actor = "system:upgrade";

    public static async Task RegenerateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<OneGoDbContext>();
        var tenants = services.GetRequiredService<CurrentTenant>();
        var blobs = services.GetRequiredService<IBlobStore>();
        var logger = services.GetRequiredService<ILogger<OneGoDbContext>>();
        foreach (var region in await db.Regions.AsNoTracking().Select(r => r.Id).OrderBy(r => r).ToListAsync(cancellationToken))
        {
            List<Publication> republished;
            using (tenants.Enter(region))
            {
                var counts = await RewriteAsync(db, cancellationToken);
                republished = db.ChangeTracker.Entries<Publication>().Where(e => e.State == EntityState.Modified).Select(e => e.Entity).ToList();
                if (counts.Total == 0)
                {
                    db.ChangeTracker.Clear();
                    continue;
                }

                db.Audit(new AuditEvent(Actor, "catalogue.text-shape", $"tenant/{region}", counts,
                    "Texts stored as plain strings rewritten as {\"zh\": …}, as every response writes them."));
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }

            // After the save: a snapshot is the publication as the zone serves it.
            foreach (var publication in republished)
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(ZoneApi.View(publication), CatalogueJson.Options);
                await blobs.PutAsync(OutboxRelay.SnapshotPath(publication), bytes, "application/json", BlobWrite.Overwrite, cancellationToken);
            }

            logger.LogInformation("Texts of {Tenant} rewritten in the shape responses use; {Snapshots} snapshot(s) rewritten", region, republished.Count);
        }
    }

    /// <summary>How many rows of each kind a region's rewrite changed.</summary>
    internal sealed record Counts(int Matters, int Versions, int Bundles, int Publications, int ZoneEntries)
    {
        public int Total => Matters + Versions + Bundles + Publications + ZoneEntries;
    }

    private static async Task<Counts> RewriteAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        // Old matter ETag → new: a submission pinned the live revision it saw.
        var etags = new Dictionary<string, string>(StringComparer.Ordinal);
        var matters = 0;
        foreach (var matter in await db.Set<MatterRecord>().ToListAsync(cancellationToken))
        {
            var changed = false;
            if (matter.Document is { } live && Reshaped<Matter>(live) is { } document)
            {
                var etag = Preconditions.ETagOf(System.Text.Encoding.UTF8.GetBytes(document));
                etags[matter.ETag!] = etag;
                (matter.Document, matter.ETag, changed) = (document, etag, true);
            }

            if (matter.Draft.Length > 0 && Reshaped<Matter>(matter.Draft) is { } draft)
            {
                (matter.Draft, changed) = (draft, true);
            }

            matters += changed ? 1 : 0;
        }

        var versions = 0;
        foreach (var version in await db.Set<BundleVersion>().ToListAsync(cancellationToken))
        {
            var changed = false;
            if (Reshaped<BundleDocument>(version.Document) is { } document)
            {
                (version.Document, changed) = (document, true);
            }

            if (Reshaped<List<Matter>>(version.Matters) is { } embedded)
            {
                (version.Matters, changed) = (embedded, true);
            }

            // The ETags a version remembers are those of the matters it embeds, as they were: in the new shape, their hashes.
            var remembered = JsonSerializer.Deserialize<Dictionary<string, string>>(version.MatterETags) ?? [];
            var now = (JsonSerializer.Deserialize<List<Matter>>(version.Matters, CatalogueJson.Options) ?? [])
                .Where(m => remembered.ContainsKey(m.Code))
                .ToDictionary(m => m.Code, m => Preconditions.ETagOf(JsonSerializer.SerializeToUtf8Bytes(m, CatalogueJson.Options)), StringComparer.Ordinal);
            if (now.Count == remembered.Count && now.Any(m => remembered[m.Key] != m.Value))
            {
                (version.MatterETags, changed) = (JsonSerializer.Serialize(remembered.ToDictionary(m => m.Key, m => now[m.Key])), true);
            }

            if (Reshaped<BundleSummary>(version.Summary) is { } summary)
            {
                (version.Summary, changed) = (summary, true);
            }

            versions += changed ? 1 : 0;
        }

        var bundles = 0;
        foreach (var bundle in await db.Set<BundleRecord>().ToListAsync(cancellationToken))
        {
            var changed = false;
            if (Reshaped<BundleDocument>(bundle.Draft) is { } draft)
            {
                (bundle.Draft, changed) = (draft, true);
            }

            if (bundle.Conflicts is { } conflicts && Reshaped<List<RebaseConflict>>(conflicts) is { } reshaped)
            {
                (bundle.Conflicts, changed) = (reshaped, true);
            }

            if (BundleCatalogue.PinsOf(bundle) is { } pins && pins.Values.Any(p => etags.ContainsKey(p.ETag)))
            {
                var moved = pins.ToDictionary(p => p.Key, p => etags.TryGetValue(p.Value.ETag, out var etag) ? p.Value with { ETag = etag } : p.Value, StringComparer.Ordinal);
                (bundle.PinnedMatters, changed) = (JsonSerializer.Serialize(moved, CatalogueJson.Options), true);
            }

            bundles += changed ? 1 : 0;
        }

        var publications = 0;
        foreach (var publication in await db.Set<Publication>().ToListAsync(cancellationToken))
        {
            if (Reshaped<BundleSummary>(publication.Summary) is { } summary)
            {
                publication.Summary = summary;
                publications++;
            }
        }

        var entries = 0;
        foreach (var entry in await db.Set<ZoneEntry>().ToListAsync(cancellationToken))
        {
            if (Reshaped<BundleSummary>(entry.Summary) is { } summary)
            {
                entry.Summary = summary;
                entries++;
            }
        }

        return new Counts(matters, versions, bundles, publications, entries);
    }

    /// <summary>The JSON as OneGo writes <typeparamref name="T"/> now, or null when it already is.</summary>
    private static string? Reshaped<T>(string json)
    {
        var now = JsonSerializer.Serialize(JsonSerializer.Deserialize<T>(json, CatalogueJson.Options), CatalogueJson.Options);
        return now == json ? null : now;
    }
}
