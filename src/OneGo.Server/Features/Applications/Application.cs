using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Applications;

/// <summary>Where an application is: prepared and still changing, or submitted once and for all.</summary>
public enum ApplicationState
{
    /// <summary>Being prepared: answers and values change, files attach; deleted 30 days after its last change.</summary>
    Draft,

    /// <summary>一次提交: it has its tracking number and waits for the comprehensive window's acceptance (受理).</summary>
    Submitted,

    /// <summary>补正: the window's one notice lists what is missing; the clock stops until the applicant supplies it.</summary>
    Supplementing,

    /// <summary>受理: accepted once; its cases are with the departments and their due dates run.</summary>
    Accepted,

    /// <summary>不予受理: refused at acceptance, with reason and legal basis. Ended.</summary>
    Refused,

    /// <summary>视为撤回: the supplement was not answered within its period. Ended.</summary>
    Withdrawn,

    /// <summary>Every case has ended: the results are delivered together (统一出件). Ended.</summary>
    Completed,
}

/// <summary>Where a case is. Case work (acceptance, decisions, delivery) moves it on from here.</summary>
public enum CaseState
{
    /// <summary>Waits for the matters it comes after (its <c>after</c>) to be done.</summary>
    Waiting,

    /// <summary>Nothing to wait for: the department may take it up, in parallel with the other ready cases (并联).</summary>
    Ready,

    /// <summary>Decided: approved, with its legal basis; the result is still to be issued.</summary>
    Approved,

    /// <summary>The result (the document or licence, and its number) is issued: done. Ended.</summary>
    Issued,

    /// <summary>Decided: denied, with reason and legal basis. Ended.</summary>
    Denied,

    /// <summary>A case it waits for was denied: closed as not applicable, with that reason. Ended.</summary>
    NotApplicable,

    /// <summary>The application was refused at acceptance (不予受理). Ended.</summary>
    Refused,

    /// <summary>The application was withdrawn (视为撤回). Ended.</summary>
    Withdrawn,
}

/// <summary>
/// 一表申请: one applicant's application for one bundle of one region. Prepared as a draft against the bundle's live
/// version; submitted once, when it pins that version and the answers, gets its tracking number (办件编号) and is split
/// into its cases in the same transaction. Tenant-owned and applicant-owned: an applicant reads and writes only their
/// own, in any region; the region's staff read the region's. The form values are personal information: they are kept
/// encrypted (<see cref="ApplicationValues"/>) and never written to the audit log or a log line.
/// </summary>
public sealed class Application : IApplicantOwned
{
    public const int MaxKey = Hosting.IdempotencyKey.MaxLength;

    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    /// <summary>The applicant's name as registered, for the region's lists (their ID number is never copied here).</summary>
    public required string ApplicantName { get; set; }

    public required string BundleCode { get; set; }

    /// <summary>The bundle's name in the version prepared against (JSON text), for lists across regions.</summary>
    public required string BundleName { get; set; }

    /// <summary>The bundle version prepared against; pinned when submitted.</summary>
    public int BundleVersion { get; set; }

    public ApplicationState State { get; set; }

    /// <summary>办件编号: the region's division code, the day of submission and the day's sequence; unique in the region.</summary>
    public string? Number { get; set; }

    /// <summary>The guide's answers: question id → option id (JSON object).</summary>
    public required string Answers { get; set; }

    /// <summary>The form values (field code → value, JSON object), encrypted.</summary>
    public required string ValuesProtected { get; set; }

    /// <summary>The signed commitments (告知承诺), as JSON, once submitted: each material, its text and when it was signed.</summary>
    public string? Commitments { get; set; }

    /// <summary>The Idempotency-Key of the submission that took, and the hash of its body.</summary>
    public string? SubmitKey { get; set; }

    public string? SubmitHash { get; set; }

    /// <summary>Who prepared it: <c>applicant/{subject}</c>, or a window officer's user name for a walk-in.</summary>
    public required string CreatedBy { get; set; }

    public string? SubmittedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>Working days the bundle promises from submission (as the guide for these answers computed it).</summary>
    public int PromisedDays { get; set; }

    /// <summary>Changes with every save, so that two saves of one draft cannot both win.</summary>
    public int Revision { get; set; }

    /// <summary>容缺: the materials that may follow later and had no file at submission, each with its due date (JSON).</summary>
    public string? FollowLater { get; set; }

    /// <summary>The working day it is due by: the bundle's promised days from submission, moved on by the working days a supplement stopped the clock.</summary>
    public DateOnly? DueOn { get; set; }

    /// <summary>受理: when it was accepted, and by whom (a window officer, or <c>automatically</c> for a complete online application).</summary>
    public DateTimeOffset? AcceptedAt { get; set; }

    public string? AcceptedBy { get; set; }

    /// <summary>补正: the window's one notice (JSON), answered or not; an application has one at most.</summary>
    public string? Supplement { get; set; }

    /// <summary>While the notice is open, the last day to answer it: after that day the deadline job withdraws the application (视为撤回).</summary>
    public DateOnly? AnswerBy { get; set; }

    /// <summary>不予受理 or 视为撤回: why it ended without a decision (JSON).</summary>
    public string? Closing { get; set; }

    /// <summary>When it ended: refused, withdrawn, or its last case ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The bundle's lead department (牵头部门) when it was submitted: the deadline job tells it what is at risk and overdue.</summary>
    public string? LeadDepartment { get; set; }

    /// <summary>统一出件: how the window handed over the paper results (JSON), once every case had ended.</summary>
    public string? Handover { get; set; }

    /// <summary>
    /// 减时间 as the applicant spent it: the working days from the day after submission to the day the last case ended,
    /// less the working days a supplement stopped the clock. Set when the application completes.
    /// </summary>
    public int? TookDays { get; set; }

    /// <summary>
    /// 减跑动 as the applicant spent it: the times they came to a counter — to apply at the window (a walk-in), to answer
    /// the supplement there, and once to pick up what is handed over at the window — counted as they happen.
    /// </summary>
    public int Trips { get; set; }

    /// <summary>减材料 as the applicant spent it: the materials they brought as files, those of the supplement and 容缺 included. Set when the application completes.</summary>
    public int? MaterialsBrought { get; set; }

    /// <summary>The materials data sharing fetched for them instead (数据共享), counted at submission.</summary>
    public int MaterialsFetched { get; set; }

    /// <summary>A due date was counted into a year the holiday calendar did not hold yet: counted again when that year is imported.</summary>
    public bool DueDatesProvisional { get; set; }

    public List<ApplicationCase> Cases { get; set; } = [];

    public List<ApplicationFile> Files { get; set; } = [];

    /// <summary>The consents given for data sharing, withdrawn ones included.</summary>
    public List<DataSharing.DataConsent> Consents { get; set; } = [];

    /// <summary>数据共享 record: every fetch from the data exchange made for it.</summary>
    public List<DataSharing.DataFetch> Fetches { get; set; } = [];

    /// <summary>The form fields whose value data sharing filled: field code → dataset (JSON object); a field the applicant changes leaves it.</summary>
    public string? FetchedFields { get; set; }

    internal static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Application>(application =>
        {
            application.ToTable("Applications");
            application.Property(a => a.ApplicantName).HasMaxLength(OneGo.Server.Features.Applicants.Applicant.MaxName);
            application.Property(a => a.BundleCode).HasMaxLength(CatalogueCodes.MaxLength);
            application.Property(a => a.BundleName).HasMaxLength(1000);
            application.Property(a => a.State).HasConversion<string>().HasMaxLength(16);
            application.Property(a => a.Number).HasMaxLength(24);
            // Unique in the region (TenantId leads the index by convention); drafts have none.
            application.HasIndex(a => a.Number).IsUnique();
            application.Property(a => a.SubmitKey).HasMaxLength(MaxKey);
            application.Property(a => a.SubmitHash).HasMaxLength(64);
            application.Property(a => a.CreatedBy).HasMaxLength(200);
            application.Property(a => a.SubmittedBy).HasMaxLength(200);
            application.Property(a => a.Revision).IsConcurrencyToken();
            application.Property(a => a.AcceptedBy).HasMaxLength(200);
            application.Property(a => a.Closing).HasMaxLength(4000);
            application.Property(a => a.Handover).HasMaxLength(2000);
            application.Property(a => a.LeadDepartment).HasMaxLength(CatalogueCodes.MaxLength);
            // The window's list: a region's applications by state, the oldest due first.
            application.HasIndex(a => new { a.TenantId, a.State, a.DueOn });
            // The measured reductions: a region's completed applications by the month they ended.
            application.HasIndex(a => new { a.TenantId, a.State, a.EndedAt });
            application.HasMany(a => a.Cases).WithOne().HasForeignKey(c => c.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            application.HasMany(a => a.Files).WithOne().HasForeignKey(f => f.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });
        ApplicationFile.Configure(modelBuilder);
        Features.Cases.DepartmentNotice.Configure(modelBuilder);
        modelBuilder.Entity<Application>(application =>
        {
            application.Property(a => a.FetchedFields).HasMaxLength(4000);
            application.HasMany(a => a.Consents).WithOne().HasForeignKey(c => c.ApplicationId).OnDelete(DeleteBehavior.Cascade);
            application.HasMany(a => a.Fetches).WithOne().HasForeignKey(f => f.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        });
        DataSharing.DataFetch.Configure(modelBuilder);

        modelBuilder.Entity<ApplicationCase>(@case =>
        {
            @case.ToTable("Cases");
            @case.Property(c => c.Matter).HasMaxLength(CatalogueCodes.MaxLength);
            @case.Property(c => c.MatterName).HasMaxLength(1000);
            @case.Property(c => c.Department).HasMaxLength(CatalogueCodes.MaxLength);
            @case.Property(c => c.After).HasMaxLength(2000);
            @case.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
            @case.HasIndex(c => new { c.ApplicationId, c.Matter }).IsUnique();
            // The departments' lists: a department's cases by state.
            @case.HasIndex(c => new { c.TenantId, c.Department, c.State, c.DueOn });
            @case.Property(c => c.Decision).HasMaxLength(4000);
            @case.Property(c => c.Result).HasMaxLength(4000);
            @case.Property(c => c.ResultFile).HasMaxLength(1000);
            @case.Property(c => c.ClosedReason).HasMaxLength(2000);
            @case.Property(c => c.PostCheck).HasMaxLength(4000);
            // The deadline job's open post-checks past their day, and a department's list of them.
            @case.HasIndex(c => new { c.TenantId, c.PostCheckDueOn });
            @case.Property(c => c.Revision).IsConcurrencyToken();
            @case.Property(c => c.Watch).HasConversion<string>().HasMaxLength(16);
        });

        modelBuilder.Entity<TrackingCounter>(counter =>
        {
            counter.ToTable("TrackingCounters");
            counter.Property(c => c.Day).HasMaxLength(8);
            counter.HasIndex(c => c.Day).IsUnique();
        });
    }
}

/// <summary>How a case stands against its due date, as the deadline job last marked it.</summary>
public enum CaseWatch
{
    /// <summary>More than <c>CaseWork:AtRiskWorkingDays</c> working days left, or not accepted yet.</summary>
    OnTime,

    /// <summary>Due within <c>CaseWork:AtRiskWorkingDays</c> working days (today included).</summary>
    AtRisk,

    /// <summary>Past its due date and still open.</summary>
    Overdue,
}

/// <summary>
/// 办件: the part of an application one department handles — one per matter that applies, made when the application is
/// submitted. Its changes are the departments' moves, each audited.
/// </summary>
public sealed class ApplicationCase : IApplicantOwned, IDepartmentOwned, IAudited
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    public Guid ApplicationId { get; set; }

    public required string Matter { get; set; }

    /// <summary>The matter's name as the pinned version gives it (JSON text).</summary>
    public required string MatterName { get; set; }

    /// <summary>The department that owns it, by code (resolved nearest region first).</summary>
    public required string Department { get; set; }

    /// <summary>The matters of this application it waits for, comma-separated; empty when it waits for none.</summary>
    public required string After { get; set; }

    public CaseState State { get; set; }

    /// <summary>The matter's promised working days, counted from acceptance.</summary>
    public int PromisedDays { get; set; }

    /// <summary>The working day it is due by: its promised days from the day of acceptance, on the holiday calendar; null before acceptance.</summary>
    public DateOnly? DueOn { get; set; }

    /// <summary>The due date lies past the last year of the holiday calendar: counted on weekdays until that year is imported.</summary>
    public bool DueProvisional { get; set; }

    /// <summary>At risk or overdue, as the deadline job last marked it while the case was open.</summary>
    public CaseWatch Watch { get; set; }

    /// <summary>The department's decision (JSON): approved or denied, legal basis, reason, by whom and when.</summary>
    public string? Decision { get; set; }

    /// <summary>The result issued (JSON): the document or licence, its number, by whom and when.</summary>
    public string? Result { get; set; }

    /// <summary>The electronic document of the result (JSON: type, length, SHA-256), sent by the department before it issues an online result.</summary>
    public string? ResultFile { get; set; }

    /// <summary>Why it was closed without a decision of its own (not applicable, refused, withdrawn).</summary>
    public string? ClosedReason { get; set; }

    /// <summary>告知承诺's post-check (事后核查, JSON): the commitments signed for this matter, and once checked, what the department found.</summary>
    public string? PostCheck { get; set; }

    /// <summary>The working day the post-check is due by, from acceptance; null before acceptance and once the department has recorded its finding.</summary>
    public DateOnly? PostCheckDueOn { get; set; }

    /// <summary>The deadline job found the post-check past its due date, unrecorded (marked once, the lead department told).</summary>
    public bool PostCheckOverdue { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Changes with every move, so that two moves on one case cannot both win (its ETag).</summary>
    public int Revision { get; set; }
}

/// <summary>A region's count of tracking numbers given on one day: the last sequence number taken.</summary>
public sealed class TrackingCounter : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>The day, yyyyMMdd in China Standard Time.</summary>
    public required string Day { get; set; }

    public int Last { get; set; }
}
