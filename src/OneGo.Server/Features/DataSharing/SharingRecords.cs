using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Tenancy;

namespace OneGo.Server.Features.DataSharing;

/// <summary>
/// 个人信息保护法 Art. 14, 31: an applicant's consent that one dataset be fetched from its source department for one
/// application — the dataset, the department, the purpose, the text agreed to and its version, when, and whether as a
/// child's guardian. Withdrawn before submission, the values it brought are dropped; the record stays.
/// </summary>
public sealed class DataConsent : IApplicantOwned
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    public Guid ApplicationId { get; set; }

    public required string Dataset { get; set; }

    /// <summary>The source department (数源部门), by code.</summary>
    public required string Department { get; set; }

    /// <summary>What the data is for, as the text agreed to says it.</summary>
    public required string Purpose { get; set; }

    /// <summary>The version of the consent text agreed to.</summary>
    public required string TextVersion { get; set; }

    /// <summary>The data is a child's and the applicant consented as the child's guardian (Art. 31).</summary>
    public bool AsGuardian { get; set; }

    /// <summary><c>applicant/{subject}</c>, or the window officer who took the walk-in applicant's consent.</summary>
    public required string GivenBy { get; set; }

    public DateTimeOffset GivenAt { get; set; }

    public DateTimeOffset? WithdrawnAt { get; set; }
}

/// <summary>How a fetch from the data exchange ended.</summary>
public enum FetchOutcome
{
    /// <summary>The source department answered with the record; the material is fetched, its fields filled.</summary>
    Fetched,

    /// <summary>The source department holds no record for the applicant: the material is brought instead.</summary>
    NotFound,

    /// <summary>The exchange did not answer after every attempt (down, timed out, refused): the material is brought instead, unless asked again.</summary>
    Failed,
}

/// <summary>
/// One fetch from the data exchange for an application, as the applicant sees it in the data-sharing record: the
/// dataset, the department, when, how many attempts and how it ended, and which form fields it filled. Never the
/// values, never an ID number.
/// </summary>
public sealed class DataFetch : IApplicantOwned
{
    public const int MaxDetail = 500;

    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    public Guid ApplicationId { get; set; }

    public required string Dataset { get; set; }

    public required string Department { get; set; }

    public DateTimeOffset At { get; set; }

    public FetchOutcome Outcome { get; set; }

    public int Attempts { get; set; }

    /// <summary>The form fields the record filled, comma-separated.</summary>
    public string Fields { get; set; } = "";

    /// <summary>The exchange's reference for the record, or why the fetch failed (no personal data).</summary>
    public string? Detail { get; set; }

    internal static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DataConsent>(consent =>
        {
            consent.ToTable("DataConsents");
            consent.Property(c => c.Dataset).HasMaxLength(DatasetNames.MaxLength);
            consent.Property(c => c.Department).HasMaxLength(CatalogueCodes.MaxLength);
            consent.Property(c => c.Purpose).HasMaxLength(1000);
            consent.Property(c => c.TextVersion).HasMaxLength(32);
            consent.Property(c => c.GivenBy).HasMaxLength(200);
            consent.HasIndex(c => new { c.ApplicationId, c.Dataset });
        });
        modelBuilder.Entity<DataFetch>(fetch =>
        {
            fetch.ToTable("DataFetches");
            fetch.Property(f => f.Dataset).HasMaxLength(DatasetNames.MaxLength);
            fetch.Property(f => f.Department).HasMaxLength(CatalogueCodes.MaxLength);
            fetch.Property(f => f.Outcome).HasConversion<string>().HasMaxLength(16);
            fetch.Property(f => f.Fields).HasMaxLength(2000);
            fetch.Property(f => f.Detail).HasMaxLength(MaxDetail);
            fetch.HasIndex(f => new { f.ApplicationId, f.Dataset });
        });
    }
}

/// <summary>Dataset names as matters give them (<c>source.dataset</c>).</summary>
public static class DatasetNames
{
    public const int MaxLength = 200;
}
