using OneGo.Catalogue;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Catalogue;

/// <summary>
/// A working copy under review, a bundle's or a matter's: its state, who last changed and who
/// submitted it, and the reviewer's comment. <see cref="WorkingCopyReview"/> makes every move on it.
/// </summary>
public interface IWorkingCopy
{
    string Code { get; }

    DraftState DraftState { get; set; }

    ProposalKind Proposal { get; set; }

    /// <summary>Raised by every change; the optimistic-concurrency token of the row.</summary>
    int Revision { get; set; }

    string? DraftUpdatedBy { get; set; }

    DateTimeOffset DraftUpdatedAt { get; set; }

    string? SubmittedBy { get; set; }

    DateTimeOffset? SubmittedAt { get; set; }

    string? ReviewComment { get; set; }
}

/// <summary>
/// A matter (事项) of a tenant: its live revision — the approved (or imported) document, which bundles resolve
/// against — and its working copy, reviewed like a bundle's before it becomes the next live revision.
/// </summary>
public sealed class MatterRecord : ITenantOwned, IWorkingCopy, IAudited
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>The matter's code in OneGo (a slug), unique within the tenant: what routes and files name it by.</summary>
    public required string Code { get; set; }

    /// <summary>The live revision's document (OneGo.Catalogue.Matter) as JSON; null until a first revision is approved.</summary>
    public string? Document { get; set; }

    /// <summary>
    /// The live revision's 事项基本编码: a national matter's entry in the basic catalogue, a region's matter's claim (认领) of
    /// the national matter it implements. Kept beside the document so that claims are found by an index.
    /// </summary>
    public string? BasicCode { get; set; }

    /// <summary>The live revision's 实施编码, when the region gives one.</summary>
    public string? ImplementationCode { get; set; }

    /// <summary>Strong ETag of the live document's bytes; also what a bundle version remembers to notice later changes.</summary>
    public string? ETag { get; set; }

    /// <summary>The live revision's number (1, 2 …): raised by each approval or import; null while nothing is live.</summary>
    public int? LiveRevision { get; set; }

    /// <summary>Where the live revision came from (<see cref="Origins"/>); null while nothing is live.</summary>
    public string? Origin { get; set; }

    /// <summary>Who approved (or imported) the live revision, and when.</summary>
    public string? UpdatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The working copy (a matter document) as JSON; the live document itself while nothing waits.</summary>
    public required string Draft { get; set; }

    public DraftState DraftState { get; set; }

    // A matter is never withdrawn: what its working copy proposes is always a new revision.
    ProposalKind IWorkingCopy.Proposal
    {
        get => ProposalKind.Change;
        set { }
    }

    /// <summary>Raised by every change; the optimistic-concurrency token of the row.</summary>
    public int Revision { get; set; }

    public string? DraftUpdatedBy { get; set; }

    public DateTimeOffset DraftUpdatedAt { get; set; }

    public string? SubmittedBy { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    public string? ReviewComment { get; set; }
}

/// <summary>Where a matter's or a version's content came from.</summary>
public static class Origins
{
    /// <summary>A person or service account through the API.</summary>
    public const string Api = "api";

    /// <summary>A reviewed file of <c>tenants/</c>, imported.</summary>
    public const string File = "file";
}

/// <summary>
/// A bundle (一件事) of a tenant: its working copy and which approved version is live. The working copy is a
/// bundle document — its own definition, or an adoption of a standard with an overlay of local changes.
/// </summary>
public sealed class BundleRecord : ITenantOwned, IWorkingCopy, IAudited
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>Unique within the tenant; an adopter keeps its standard's code.</summary>
    public required string Code { get; set; }

    /// <summary>The working copy (a bundle document) as JSON.</summary>
    public required string Draft { get; set; }

    public DraftState DraftState { get; set; }

    /// <summary>What the working copy proposes to the reviewer: a new version, or withdrawing the live one.</summary>
    public ProposalKind Proposal { get; set; }

    /// <summary>Raised by every change of the working copy; the optimistic-concurrency token of the row.</summary>
    public int Revision { get; set; }

    public string? DraftUpdatedBy { get; set; }

    public DateTimeOffset DraftUpdatedAt { get; set; }

    /// <summary>Who handed the working copy to review, and when; four eyes keeps them from approving it.</summary>
    public string? SubmittedBy { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>The reviewer's comment when the working copy was rejected.</summary>
    public string? ReviewComment { get; set; }

    /// <summary>
    /// While submitted: the live revisions of this tenant's matters the working copy embeds, as they were at
    /// submission (JSON object, code → <see cref="PinnedMatter"/>). Approval is refused when one has moved since.
    /// </summary>
    public string? PinnedMatters { get; set; }

    /// <summary>The latest approved version, which is live; null before the first approval and after a withdrawal.</summary>
    public int? LiveVersion { get; set; }

    /// <summary>The latest approved version, live or withdrawn: the next approval makes the one after it.</summary>
    public int? LatestVersion { get; set; }

    /// <summary>When the bundle was withdrawn (it is not live since); null while live or never approved.</summary>
    public DateTimeOffset? WithdrawnAt { get; set; }

    /// <summary>The version the national zone has of this bundle, as its publishing runs left it.</summary>
    public int? ZoneVersion { get; set; }

    /// <summary>The zone has received the withdrawal of <see cref="ZoneVersion"/>.</summary>
    public bool ZoneWithdrawn { get; set; }

    /// <summary>The live version offers the bundle as a standard to the tenants below.</summary>
    public bool IsStandard { get; set; }

    /// <summary>The standard the live version adopts (tenant, code, pinned version), when it adopts one.</summary>
    public string? AdoptsTenant { get; set; }

    public string? AdoptsCode { get; set; }

    public int? AdoptsVersion { get; set; }

    /// <summary>How many local changes the live version's overlay makes.</summary>
    public int? LocalChanges { get; set; }

    /// <summary>Overlay changes a rebase set aside on the working copy (JSON array), until the editor resolves them.</summary>
    public string? Conflicts { get; set; }

    /// <summary>Filters of the public list, copied from the live version.</summary>
    public string? Audience { get; set; }

    public string? Theme { get; set; }

    /// <summary>Lowercased name (Chinese and English) and keywords of the live version, for substring search.</summary>
    public string? SearchText { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A matter's live revision as a submitted bundle pinned it.</summary>
public sealed record PinnedMatter(int Revision, string ETag);

/// <summary>
/// One approved version of a bundle: immutable and self-contained. It keeps the document as approved, the
/// tenant's own matters it used as they were, and the effective bundle's canonical bytes as served.
/// </summary>
public sealed class BundleVersion : ITenantOwned, IAudited
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public required string BundleCode { get; set; }

    public int Version { get; set; }

    /// <summary>The bundle document as approved.</summary>
    public required string Document { get; set; }

    /// <summary>The matters of this tenant the version uses, as they were (JSON array of Matter).</summary>
    public required string Matters { get; set; }

    /// <summary>Code → ETag of each of this tenant's matters used, to tell when one has changed since.</summary>
    public required string MatterETags { get; set; }

    /// <summary>The effective bundle's canonical JSON: the bytes served.</summary>
    public required byte[] Effective { get; set; }

    public required string ETag { get; set; }

    /// <summary>Summary of the public list, as JSON.</summary>
    public required string Summary { get; set; }

    public required string Origin { get; set; }

    /// <summary>For a version imported from <c>tenants/</c>: the file's SHA-256.</summary>
    public string? FileSha256 { get; set; }

    public string? ApprovedBy { get; set; }

    public DateTimeOffset ApprovedAt { get; set; }
}
