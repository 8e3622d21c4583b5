using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary>One live revision of a tenant's matter: the document, the ETag of its bytes and its number.</summary>
public sealed record LiveMatter(Matter Matter, string ETag, int Revision);

/// <summary>A tenant's own matters at their live revisions, by code. A matter with nothing approved yet is not among them.</summary>
public sealed class LocalMatters(Dictionary<string, LiveMatter> byCode)
{
    public IReadOnlyDictionary<string, LiveMatter> ByCode => byCode;

    public IReadOnlyDictionary<string, Matter> Documents { get; } = byCode.ToDictionary(m => m.Key, m => m.Value.Matter, StringComparer.Ordinal);

    public string? ETagOf(string code) => byCode.TryGetValue(code, out var m) ? m.ETag : null;

    /// <summary>This tenant's matters an effective bundle embeds, with the live revision of each: what a submission pins.</summary>
    public Dictionary<string, PinnedMatter> Used(EffectiveBundle effective) =>
        effective.Matters.Select(m => m.Code).Where(byCode.ContainsKey).Distinct().Order(StringComparer.Ordinal)
            .ToDictionary(c => c, c => new PinnedMatter(byCode[c].Revision, byCode[c].ETag), StringComparer.Ordinal);

    /// <summary>The pinned matters whose live revision is no longer the one pinned, by code.</summary>
    public IReadOnlyList<string> MovedSince(IReadOnlyDictionary<string, PinnedMatter> pinned) =>
        pinned.Where(p => !byCode.TryGetValue(p.Key, out var live) || live.Revision != p.Value.Revision || live.ETag != p.Value.ETag)
            .Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
}

/// <summary>
/// The catalogue's application service, shared by the API, the <c>tenants/</c> import and the pages: it reads a
/// tenant's matters, resolves bundle documents (through their standards' chains), records approved versions
/// and loads the effective bundle of any version. It works in the current tenant scope; a standard's versions,
/// which are public once approved, are read by entering their tenant's scope.
/// </summary>
public sealed class BundleCatalogue(OneGoDbContext db, CurrentTenant tenants, TimeProvider clock, ResolvedBundles resolved)
{
    private string Tenant => tenants.Id ?? throw new InvalidOperationException("The catalogue works inside a tenant scope.");

    /// <summary>
    /// The current tenant's matters at their live revisions, by code. Working copies are never read here: only an
    /// approved (or imported) revision reaches a bundle, its drafts, its guide or the zone.
    /// </summary>
    public async Task<LocalMatters> LocalMattersAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Set<MatterRecord>().AsNoTracking().Where(m => m.LiveRevision != null)
            .Select(m => new { m.Code, m.Document, m.ETag, m.LiveRevision }).ToListAsync(cancellationToken);
        return new LocalMatters(rows.ToDictionary(
            r => r.Code,
            r => new LiveMatter(JsonSerializer.Deserialize<Matter>(r.Document!, CatalogueJson.Options)!, r.ETag!, r.LiveRevision!.Value),
            StringComparer.Ordinal));
    }

    /// <summary>The pins a submission left on the working copy; null when it has none.</summary>
    public static Dictionary<string, PinnedMatter>? PinsOf(BundleRecord record) =>
        record.PinnedMatters is null ? null : JsonSerializer.Deserialize<Dictionary<string, PinnedMatter>>(record.PinnedMatters, CatalogueJson.Options);

    /// <summary>
    /// Resolves a bundle document for the current tenant: its own definition against its matters, or its
    /// standard's chain with its overlay. Errors point into the document. A result is kept under a key made of
    /// everything it depends on — the document, the pinned standard versions and the ETags of the matters it
    /// names — so a change to any of them resolves again, and nothing else does.
    /// </summary>
    public async Task<Resolution<EffectiveBundle>> ResolveAsync(BundleDocument document, LocalMatters matters, CancellationToken cancellationToken)
    {
        var shape = document.CheckShape();
        if (shape.Count > 0)
        {
            return new Resolution<EffectiveBundle> { Errors = shape };
        }

        if (document.CorrespondsTo is { } counterpart && await CheckCounterpartAsync(counterpart, cancellationToken) is { } counterpartError)
        {
            return new Resolution<EffectiveBundle> { Errors = [counterpartError] };
        }

        if (document.Definition is { } definition)
        {
            var key = Key(document, definition.Matters.Select(m => m.Code), matters);
            return await resolved.ResolutionAsync(Tenant, document.Code ?? "", key, () => ResolveOwn(document, definition, matters.Documents), cancellationToken);
        }

        var standard = await LoadStandardAsync(document.Adopts!, Tenant, cancellationToken);
        if (!standard.IsValid)
        {
            return new Resolution<EffectiveBundle> { Errors = standard.Errors };
        }

        var named = standard.Value!.Definition.Matters.Select(m => m.Code)
            .Concat(document.Changes.OfType<AddMatter>().Select(a => a.Matter.Code));
        var adopterKey = Key(document, named, matters);
        return await resolved.ResolutionAsync(Tenant, document.Code ?? "", adopterKey, () =>
        {
            var resolution = TemplateResolver.Resolve(standard.Value!, document.Overlay, matters.Documents);
            return resolution.IsValid
                ? resolution
                : resolution with { Errors = resolution.Errors.Select(e => e.Pointer.StartsWith("/changes", StringComparison.Ordinal) || e.Pointer.StartsWith("/adopts", StringComparison.Ordinal) ? e : e.Under("/definition")).ToList() };
        }, cancellationToken);
    }

    /// <summary>The standard a bundle of its own corresponds to is a standard of a region above this one.</summary>
    private async Task<CatalogueError?> CheckCounterpartAsync(StandardName counterpart, CancellationToken cancellationToken)
    {
        if (!RegionRules.IsBelow(Tenant, counterpart.Tenant))
        {
            return new CatalogueError("/correspondsTo/tenant", "not-above",
                $"A bundle corresponds to a standard of a region above this one; '{counterpart.Tenant}' is not above '{Tenant}'.");
        }

        return await LatestStandardVersionAsync(counterpart.Tenant, counterpart.Code, cancellationToken) is null
            ? new CatalogueError("/correspondsTo/code", "unknown-standard",
                $"{counterpart.Tenant} offers no standard '{counterpart.Code}'. GET /api/t/{counterpart.Tenant}/templates lists its standards.")
            : null;
    }

    private static Resolution<EffectiveBundle> ResolveOwn(BundleDocument document, BundleDefinition definition, IReadOnlyDictionary<string, Matter> matters)
    {
        var errors = CatalogueValidator.ValidateBundle(definition, matters).Select(e => e.Under("/definition")).ToList();
        errors.AddRange(CheckLocks(document, definition));
        return errors.Count > 0
            ? new Resolution<EffectiveBundle> { Errors = errors }
            : new Resolution<EffectiveBundle> { Value = BundleResolver.Resolve(definition, matters), Errors = [] };
    }

    private string Key(BundleDocument document, IEnumerable<string> matterCodes, LocalMatters matters)
    {
        var text = new StringBuilder(Tenant).Append('\n').Append(JsonSerializer.Serialize(document, CatalogueJson.Options));
        foreach (var code in matterCodes.Distinct().Order(StringComparer.Ordinal))
        {
            text.Append('\n').Append(code).Append('=').Append(matters.ETagOf(code) ?? "-");
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static IEnumerable<CatalogueError> CheckLocks(BundleDocument document, BundleDefinition definition)
    {
        if (document.Standard is null)
        {
            yield break;
        }

        var json = JsonSerializer.SerializeToNode(definition, CatalogueJson.Options);
        for (var i = 0; i < document.Standard.Locked.Count; i++)
        {
            var locked = document.Standard.Locked[i];
            if (!locked.StartsWith('/') || Pointer.Find(json, locked) is null)
            {
                yield return new CatalogueError(Pointer.Of("standard", "locked", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "unknown-field",
                    $"'{locked}' names no field of the definition; a lock is a pointer such as /promisedDays or /matters/{{code}}.");
            }
        }
    }

    /// <summary>
    /// A standard at a pinned version, resolved through its chain. The standard's tenant must be above the
    /// adopter's, and the version must be an approved version of a bundle marked as a standard. Pinned versions
    /// never change, so a resolved standard is kept.
    /// </summary>
    public async Task<Resolution<ResolvedStandard>> LoadStandardAsync(TemplateRef reference, string adopter, CancellationToken cancellationToken)
    {
        if (!RegionRules.IsBelow(adopter, reference.Tenant))
        {
            return new Resolution<ResolvedStandard>
            {
                Errors = [new CatalogueError("/adopts/tenant", "not-above", $"A standard is adopted from a region above this one; '{reference.Tenant}' is not above '{adopter}'.")],
            };
        }

        return await resolved.StandardAsync(reference, async token =>
        {
            var chain = new List<TemplateVersion>();
            var error = await LoadChainAsync(reference, adopter, chain, "/adopts", token);
            return error is not null ? new Resolution<ResolvedStandard> { Errors = [error] } : TemplateResolver.ResolveStandard(chain);
        }, cancellationToken);
    }

    private async Task<CatalogueError?> LoadChainAsync(TemplateRef reference, string below, List<TemplateVersion> chain, string pointer, CancellationToken cancellationToken)
    {
        if (!RegionRules.IsBelow(below, reference.Tenant))
        {
            return new CatalogueError(pointer + "/tenant", "not-above",
                $"A standard is adopted from a region above this one; '{reference.Tenant}' is not above '{below}'.");
        }

        BundleVersion? row;
        // Approved versions are public: reading the standard's tenant's version is allowed to any tenant below it.
        using (tenants.Enter(reference.Tenant))
        {
            row = await db.Set<BundleVersion>().AsNoTracking()
                .SingleOrDefaultAsync(v => v.BundleCode == reference.Code && v.Version == reference.Version, cancellationToken);
        }

        if (row is null)
        {
            return new CatalogueError(pointer, "unknown-standard",
                $"{reference.Tenant} has no approved version {reference.Version} of a bundle '{reference.Code}'. GET /api/t/{reference.Tenant}/templates lists its standards and their versions.");
        }

        var document = BundleDocument.Parse(row.Document);
        if (document.Standard is null)
        {
            return new CatalogueError(pointer, "not-a-standard",
                $"{reference.Tenant}'s bundle '{reference.Code}' at version {reference.Version} is not offered as a standard.");
        }

        if (document.Adopts is { } parent)
        {
            var error = await LoadChainAsync(parent, reference.Tenant, chain, pointer, cancellationToken);
            if (error is not null)
            {
                return error;
            }
        }

        chain.Add(new TemplateVersion
        {
            Ref = reference,
            Definition = document.Definition,
            Overlay = document.Overlay,
            Locked = document.Standard.Locked,
            Matters = JsonSerializer.Deserialize<List<Matter>>(row.Matters, CatalogueJson.Options) ?? [],
        });
        return null;
    }

    /// <summary>The latest approved version of a standard, read in its tenant's scope; null when it has none.</summary>
    public async Task<int?> LatestStandardVersionAsync(string tenant, string code, CancellationToken cancellationToken)
    {
        using (tenants.Enter(tenant))
        {
            return await db.Set<BundleRecord>().AsNoTracking().Where(b => b.Code == code && b.IsStandard).Select(b => b.LiveVersion).SingleOrDefaultAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Records a new approved version of the bundle from its document, resolved now, and makes it live. The
    /// caller has validated the document; the caller saves.
    /// </summary>
    public BundleVersion RecordVersion(
        BundleRecord record,
        BundleDocument document,
        EffectiveBundle effective,
        LocalMatters localMatters,
        string origin,
        string actor,
        string? fileSha256 = null)
    {
        var used = effective.Matters.Select(m => m.Code).Where(localMatters.ByCode.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var bytes = CanonicalJson.Serialize(effective);
        var summary = BundleSummary.Of(effective, document);
        var version = new BundleVersion
        {
            BundleCode = record.Code,
            Version = (record.LatestVersion ?? 0) + 1,
            Document = JsonSerializer.Serialize(document, CatalogueJson.Options),
            Matters = JsonSerializer.Serialize(used.Select(c => localMatters.ByCode[c].Matter), CatalogueJson.Options),
            MatterETags = JsonSerializer.Serialize(used.ToDictionary(c => c, c => localMatters.ByCode[c].ETag)),
            Effective = bytes,
            ETag = CanonicalJson.ETag(bytes),
            Summary = JsonSerializer.Serialize(summary, CatalogueJson.Options),
            Origin = origin,
            FileSha256 = fileSha256,
            ApprovedBy = actor,
            ApprovedAt = clock.Now(),
        };
        db.Add(version);

        record.LiveVersion = version.Version;
        record.LatestVersion = version.Version;
        record.WithdrawnAt = null;
        record.Draft = version.Document;
        WorkingCopyReview.Settled(record);
        record.Conflicts = null;
        record.PinnedMatters = null;
        record.Audience = JsonNamingPolicy.CamelCase.ConvertName(effective.Audience.ToString());
        record.Theme = JsonNamingPolicy.CamelCase.ConvertName(effective.Theme.ToString());
        record.SearchText = SearchText(effective);
        record.IsStandard = document.Standard is not null;
        record.AdoptsTenant = document.Adopts?.Tenant;
        record.AdoptsCode = document.Adopts?.Code;
        record.AdoptsVersion = document.Adopts?.Version;
        record.LocalChanges = document.Adopts is null ? null : document.Changes.Count;
        return version;
    }

    /// <summary>The effective bundle of an approved version, read back from its canonical bytes and kept.</summary>
    public Task<EffectiveBundle> EffectiveOfAsync(BundleVersion version, CancellationToken cancellationToken) =>
        resolved.EffectiveAsync(version.TenantId, version.BundleCode, version.Version, _ => Task.FromResult(
            // The canonical bytes read back into the same effective bundle (the domain guarantees the round trip).
            JsonSerializer.Deserialize<EffectiveBundle>(version.Effective, CatalogueJson.Options)
            ?? throw new InvalidOperationException($"Approved version {version.Version} of {version.TenantId}/{version.BundleCode} is empty.")), cancellationToken);

    public static string SearchText(EffectiveBundle bundle) =>
        string.Join(' ', new[] { bundle.Name.Zh, bundle.Name.En ?? "" }.Concat(bundle.Keywords)).ToLowerInvariant();
}
