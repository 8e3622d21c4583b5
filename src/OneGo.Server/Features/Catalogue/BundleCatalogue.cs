using OneGo.Server.Hosting;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// The catalogue's application service, shared by the API, the <c>tenants/</c> import and the pages: it reads a
/// tenant's matters, resolves bundle documents (through their standards' chains), records approved versions
/// and loads the effective bundle of any version. It works in the current tenant scope; a standard's versions,
/// which are public once approved, are read by entering their tenant's scope.
/// </summary>
public sealed class BundleCatalogue(OneGoDbContext db, CurrentTenant tenants, TimeProvider clock, ResolvedBundles resolved)
{
    private string Tenant => tenants.Id ?? throw new InvalidOperationException("The catalogue works inside a tenant scope.");

    /// <summary>The current tenant's matters, by code, with the ETag of each.</summary>
    public async Task<Dictionary<string, (Matter Matter, string ETag)>> LocalMattersAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Set<MatterRecord>().AsNoTracking().Select(m => new { m.Code, m.Document, m.ETag }).ToListAsync(cancellationToken);
        return rows.ToDictionary(
            r => r.Code,
            r => (JsonSerializer.Deserialize<Matter>(r.Document, CatalogueJson.Options)!, r.ETag),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Resolves a bundle document for the current tenant: its own definition against its matters, or its
    /// standard's chain with its overlay. Errors point into the document.
    /// </summary>
    public async Task<Resolution<EffectiveBundle>> ResolveAsync(BundleDocument document, IReadOnlyDictionary<string, Matter> localMatters, CancellationToken cancellationToken)
    {
        var shape = document.CheckShape();
        if (shape.Count > 0)
        {
            return new Resolution<EffectiveBundle> { Errors = shape };
        }

        if (document.Definition is { } definition)
        {
            var errors = CatalogueValidator.ValidateBundle(definition, localMatters).Select(e => e.Under("/definition")).ToList();
            errors.AddRange(CheckLocks(document, definition));
            return errors.Count > 0
                ? new Resolution<EffectiveBundle> { Errors = errors }
                : new Resolution<EffectiveBundle> { Value = BundleResolver.Resolve(definition, localMatters), Errors = [] };
        }

        var standard = await LoadStandardAsync(document.Adopts!, Tenant, cancellationToken);
        if (!standard.IsValid)
        {
            return new Resolution<EffectiveBundle> { Errors = standard.Errors };
        }

        var resolution = TemplateResolver.Resolve(standard.Value!, document.Overlay, localMatters);
        return resolution.IsValid
            ? resolution
            : resolution with { Errors = resolution.Errors.Select(e => e.Pointer.StartsWith("/changes", StringComparison.Ordinal) || e.Pointer.StartsWith("/adopts", StringComparison.Ordinal) ? e : e.Under("/definition")).ToList() };
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
    /// adopter's, and the version must be an approved version of a bundle marked as a standard.
    /// </summary>
    public async Task<Resolution<ResolvedStandard>> LoadStandardAsync(TemplateRef reference, string adopter, CancellationToken cancellationToken)
    {
        var chain = new List<TemplateVersion>();
        var error = await LoadChainAsync(reference, adopter, chain, "/adopts", cancellationToken);
        return error is not null
            ? new Resolution<ResolvedStandard> { Errors = [error] }
            : TemplateResolver.ResolveStandard(chain);
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

    /// <summary>
    /// Records a new approved version of the bundle from its document, resolved now, and makes it live. The
    /// caller has validated the document; the caller saves.
    /// </summary>
    public BundleVersion RecordVersion(
        BundleRecord record,
        BundleDocument document,
        EffectiveBundle effective,
        IReadOnlyDictionary<string, (Matter Matter, string ETag)> localMatters,
        string origin,
        string actor,
        string? fileSha256 = null)
    {
        var used = effective.Matters.Select(m => m.Code).Where(localMatters.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var bytes = CanonicalJson.Serialize(effective);
        var summary = BundleSummary.Of(effective, document);
        var version = new BundleVersion
        {
            BundleCode = record.Code,
            Version = (record.LiveVersion ?? 0) + 1,
            Document = JsonSerializer.Serialize(document, CatalogueJson.Options),
            Matters = JsonSerializer.Serialize(used.Select(c => localMatters[c].Matter), CatalogueJson.Options),
            MatterETags = JsonSerializer.Serialize(used.ToDictionary(c => c, c => localMatters[c].ETag)),
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
        record.Draft = version.Document;
        record.DraftState = DraftState.Approved;
        record.ReviewComment = null;
        record.Revision++;
        record.Audience = JsonNamingPolicy.CamelCase.ConvertName(effective.Audience.ToString());
        record.Theme = JsonNamingPolicy.CamelCase.ConvertName(effective.Theme.ToString());
        record.SearchText = SearchText(effective);
        resolved.Remember(Tenant, version, effective);
        return version;
    }

    /// <summary>The effective bundle of an approved version, rebuilt from its self-contained inputs and kept.</summary>
    public async Task<EffectiveBundle> EffectiveOfAsync(BundleVersion version, CancellationToken cancellationToken)
    {
        if (resolved.Find(version.TenantId, version.BundleCode, version.Version) is { } known)
        {
            return known;
        }

        var document = BundleDocument.Parse(version.Document);
        var matters = (JsonSerializer.Deserialize<List<Matter>>(version.Matters, CatalogueJson.Options) ?? [])
            .ToDictionary(m => m.Code, StringComparer.Ordinal);
        var resolution = await ResolveAsync(document, matters, cancellationToken);
        var effective = resolution.Value ?? throw new InvalidOperationException(
            $"Approved version {version.Version} of {version.TenantId}/{version.BundleCode} no longer resolves: {string.Join("; ", resolution.Errors.Select(e => e.Message))}");
        resolved.Remember(version.TenantId, version, effective);
        return effective;
    }

    public static string SearchText(EffectiveBundle bundle) =>
        string.Join(' ', new[] { bundle.Name.Zh, bundle.Name.En ?? "" }.Concat(bundle.Keywords)).ToLowerInvariant();
}
