using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone;

/// <summary>What a publication announces: a new approved version, or that the bundle was withdrawn.</summary>
public enum PublicationKind
{
    Version,
    Withdrawal,
}

/// <summary>
/// One publication in the national service zone (国家政务服务平台 一件事 专区): append-only, with a stable public id and a
/// zone-wide sequence number given in commit order, so a reader following the feed by cursor never misses one.
/// </summary>
public sealed class Publication : ITenantOwned, IAudited
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>The stable id integrations see, also the push's Idempotency-Key.</summary>
    public required string PublicId { get; set; }

    /// <summary>Position in the zone's feed: 1, 2, 3 … in the order the publishing transactions committed.</summary>
    public long Sequence { get; set; }

    public required string BundleCode { get; set; }

    /// <summary>The approved version published, or for a withdrawal the version withdrawn.</summary>
    public int Version { get; set; }

    public PublicationKind Kind { get; set; }

    /// <summary>The effective bundle's canonical JSON as approved; null for a withdrawal.</summary>
    public byte[]? Effective { get; set; }

    /// <summary>The version's ETag (hash of <see cref="Effective"/>); null for a withdrawal.</summary>
    public string? ETag { get; set; }

    /// <summary>The bundle's summary (JSON) for the zone's search; kept for a withdrawal too, so lists can name it.</summary>
    public required string Summary { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    public Guid RunId { get; set; }
}

/// <summary>The zone's current state of one bundle of one region: its latest publication, for searching the zone.</summary>
public sealed class ZoneEntry : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public required string BundleCode { get; set; }

    public long PublicationId { get; set; }

    public Publication? Publication { get; set; }

    public required string PublicationPublicId { get; set; }

    public int Version { get; set; }

    public bool Withdrawn { get; set; }

    public string? Audience { get; set; }

    public string? Theme { get; set; }

    public string? SearchText { get; set; }

    public required string Summary { get; set; }

    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>The zone's one counter: taken under a row lock by each publishing transaction, so sequence order is commit order.</summary>
public sealed class ZoneHead
{
    public int Id { get; set; }

    public long Last { get; set; }
}

public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// <summary>One publishing run of a tenant: on its schedule or asked for now; what it published.</summary>
public sealed class PublishingRun : ITenantOwned
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary><c>schedule</c> or <c>manual</c>.</summary>
    public required string Trigger { get; set; }

    public RunStatus Status { get; set; }

    public string? RequestedBy { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int Published { get; set; }

    public int Withdrawn { get; set; }

    public string? Error { get; set; }
}

/// <summary>A push integration registered by the national operator: where to POST publications of which regions.</summary>
public sealed class Integration : IAudited
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Url { get; set; }

    /// <summary>The HMAC secret, protected at rest with the deployment's data-protection keys.</summary>
    public required string ProtectedSecret { get; set; }

    /// <summary>Tenant ids, space-separated: each region and everything below it.</summary>
    public required string Regions { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public IReadOnlyList<string> RegionList => Regions.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether a publication of <paramref name="tenant"/> is for this integration.</summary>
    public bool Wants(string tenant) => RegionList.Any(r => r == RegionRules.NationalId || r == tenant || RegionRules.IsBelow(tenant, r));
}

public enum OutboxKind
{
    /// <summary>Write the publication's JSON snapshot to blob storage.</summary>
    Snapshot,

    /// <summary>POST the publication to an integration.</summary>
    Push,
}

public enum OutboxStatus
{
    Pending,
    Delivered,
    DeadLetter,
}

/// <summary>
/// Work that follows a publication, written in the same transaction: its blob snapshot and a push to each
/// integration that wants it. The relay delivers it at least once, retrying with backoff, until it is delivered
/// or dead-lettered with its reason.
/// </summary>
public sealed class OutboxItem : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public long PublicationId { get; set; }

    public Publication? Publication { get; set; }

    public OutboxKind Kind { get; set; }

    public Guid? IntegrationId { get; set; }

    public OutboxStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>A node working on the item holds it until then; after a crash another node takes it over.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public string? LastError { get; set; }

    public int? LastStatus { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
