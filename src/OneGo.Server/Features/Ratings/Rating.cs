using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Ratings;

/// <summary>好差评: the five national levels, best first. 不满意 and 非常不满意 are bad ratings: each opens a rectification.</summary>
public enum RatingLevel
{
    /// <summary>非常满意.</summary>
    VerySatisfied,

    /// <summary>满意.</summary>
    Satisfied,

    /// <summary>基本满意.</summary>
    BasicallySatisfied,

    /// <summary>不满意: a bad rating.</summary>
    Dissatisfied,

    /// <summary>非常不满意: a bad rating.</summary>
    VeryDissatisfied,
}

/// <summary>Where a rating's rectification stands: open, replied, or withdrawn (the region upheld the department's appeal).</summary>
public enum RectificationState
{
    /// <summary>Opened by the bad rating: the department verifies, contacts the applicant, fixes and replies by its due date.</summary>
    Open,

    /// <summary>The department replied: the applicant reads the reply.</summary>
    Replied,

    /// <summary>The region's admin upheld the department's appeal: nothing to put right, the rating is out of the figures.</summary>
    Withdrawn,
}

/// <summary>Where a department's appeal (申诉) against a rating stands.</summary>
public enum AppealState
{
    /// <summary>Filed: the region's admin decides.</summary>
    Open,

    /// <summary>The rating was wrongful or abusive: it is kept, but out of the region's figures.</summary>
    Upheld,

    /// <summary>The rating stands: the rectification goes on to its due date.</summary>
    Dismissed,
}

/// <summary>What the department did to put a bad rating right, as it replied.</summary>
/// <param name="Verified">What it found checking the complaint (核实).</param>
/// <param name="Contacted">How and when it contacted the applicant (回访).</param>
/// <param name="Fixed">What it changed (整改).</param>
/// <param name="Reply">What the applicant reads (答复).</param>
public sealed record RectificationReply(string Verified, string Contacted, string Fixed, string Reply, string By, DateTimeOffset At);

/// <summary>A department's appeal against a rating, and the region admin's decision.</summary>
/// <param name="Decision">The admin's reason, once decided (upheld or dismissed: <see cref="Rating.AppealState"/>).</param>
public sealed record Appeal(string Reason, string By, DateTimeOffset At, string? Decision = null, string? DecidedBy = null, DateTimeOffset? DecidedAt = null);

/// <summary>
/// 好差评: one applicant's rating of one ended application, or of one of its ended cases — once each — and, for a bad
/// one, its rectification. Tenant-owned, applicant-owned (the applicant reads their own and the reply) and
/// department-owned by the department answerable for it (the case's, or the application's lead department): that
/// department's officers read their own; the region's staff read them all. The comment is the applicant's words: never
/// public, read by the department that puts it right. Every change is audited.
/// </summary>
public sealed class Rating : IApplicantOwned, IDepartmentOwned, IAudited
{
    public const int MaxComment = 500;

    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    /// <summary>The department answerable: the case's, or for the application as a whole its lead department.</summary>
    public string Department { get; set; } = "";

    public Guid ApplicationId { get; set; }

    /// <summary>The application's tracking number.</summary>
    public required string Number { get; set; }

    /// <summary>The case's matter, or empty for the application as a whole: one rating each.</summary>
    public required string Matter { get; set; }

    public required string BundleCode { get; set; }

    /// <summary>The application's lead department (牵头部门): told of overdue rectifications too.</summary>
    public required string LeadDepartment { get; set; }

    public RatingLevel Level { get; set; }

    public string? Comment { get; set; }

    /// <summary>Given at the counter, on the page the window opened for the applicant (a rating device or the receipt's code).</summary>
    public bool AtCounter { get; set; }

    public DateTimeOffset GivenAt { get; set; }

    /// <summary>The Idempotency-Key it was given under, and the hash of its body: a retry answers the same rating.</summary>
    public required string Key { get; set; }

    public required string Hash { get; set; }

    /// <summary>A bad rating's rectification; null for a good one.</summary>
    public RectificationState? Rectification { get; set; }

    /// <summary>The working day the rectification is due by: 15 working days after the rating, on the holiday calendar.</summary>
    public DateOnly? DueOn { get; set; }

    public bool DueProvisional { get; set; }

    /// <summary>The department's reply (JSON <see cref="RectificationReply"/>).</summary>
    public string? Reply { get; set; }

    public DateTimeOffset? RepliedAt { get; set; }

    /// <summary>Replied by its due date (the day of the reply in China Standard Time): what the figures count as on time.</summary>
    public bool? RepliedOnTime { get; set; }

    /// <summary>The deadline job found it past its due date, unreplied (marked once, the departments told).</summary>
    public bool Overdue { get; set; }

    /// <summary>The department's appeal and its decision (JSON <see cref="Ratings.Appeal"/>).</summary>
    public string? Appeal { get; set; }

    /// <summary>Where the appeal stands, once filed.</summary>
    public AppealState? AppealState { get; set; }

    /// <summary>An appeal was upheld: the rating is kept but counts in no figure.</summary>
    public bool Excluded { get; set; }

    /// <summary>Changes with every move on the rectification (its ETag).</summary>
    public int Revision { get; set; }

    internal static JsonSerializerOptions Json => CatalogueJson.Options;

    internal static RectificationReply? ReplyOf(Rating rating) => rating.Reply is null ? null : JsonSerializer.Deserialize<RectificationReply>(rating.Reply, Json);

    internal static Appeal? AppealOf(Rating rating) => rating.Appeal is null ? null : JsonSerializer.Deserialize<Appeal>(rating.Appeal, Json);

    internal static bool IsBad(RatingLevel level) => level is RatingLevel.Dissatisfied or RatingLevel.VeryDissatisfied;

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<Rating>(rating =>
    {
        rating.ToTable("Ratings");
        rating.Property(r => r.Department).HasMaxLength(CatalogueCodes.MaxLength);
        rating.Property(r => r.Number).HasMaxLength(24);
        rating.Property(r => r.Matter).HasMaxLength(CatalogueCodes.MaxLength);
        rating.Property(r => r.BundleCode).HasMaxLength(CatalogueCodes.MaxLength);
        rating.Property(r => r.LeadDepartment).HasMaxLength(CatalogueCodes.MaxLength);
        rating.Property(r => r.Level).HasConversion<string>().HasMaxLength(24);
        rating.Property(r => r.Comment).HasMaxLength(MaxComment);
        rating.Property(r => r.Key).HasMaxLength(Applications.Application.MaxKey);
        rating.Property(r => r.Hash).HasMaxLength(64);
        rating.Property(r => r.Rectification).HasConversion<string>().HasMaxLength(16);
        rating.Property(r => r.Reply).HasMaxLength(8000);
        rating.Property(r => r.Appeal).HasMaxLength(4000);
        rating.Property(r => r.AppealState).HasConversion<string>().HasMaxLength(16);
        rating.Property(r => r.Revision).IsConcurrencyToken();
        // One rating of the application and one of each case (TenantId leads the index by convention).
        rating.HasIndex(r => new { r.ApplicationId, r.Matter }).IsUnique();
        // The figures: a region's ratings by the month they were given.
        rating.HasIndex(r => new { r.TenantId, r.GivenAt });
        // A department's rectifications by due date, and the deadline job's open ones past it.
        rating.HasIndex(r => new { r.TenantId, r.Department, r.Rectification, r.DueOn });
        rating.HasOne<Applications.Application>().WithMany().HasForeignKey(r => r.ApplicationId).OnDelete(DeleteBehavior.Restrict);
    });
}
