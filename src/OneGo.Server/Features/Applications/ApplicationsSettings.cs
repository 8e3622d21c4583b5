using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Applications;

/// <summary><c>Applications</c>: what an applicant may attach, and how long what follows later may take.</summary>
public sealed class ApplicationsSettings : ISettings
{
    public static string Section => "Applications";

    /// <summary>The largest material file accepted (10 MiB); a larger one is 413. The only route whose body may exceed <c>Limits:MaxRequestBodyBytes</c>.</summary>
    [Positive]
    public long MaxFileBytes { get; set; } = 10L << 20;

    /// <summary>容缺: working days after submission by which a material that may follow later is due.</summary>
    [Positive]
    public int FollowLaterWorkingDays { get; set; } = 10;

    /// <summary>When drafts unchanged for 30 days are deleted with their files: a Quartz cron (Asia/Shanghai) or an interval <c>hh:mm:ss</c>.</summary>
    public string ExpireDraftsSchedule { get; set; } = ExpireDraftsJob.DefaultSchedule;

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        Scheduling.JobSchedule.Problem(ExpireDraftsSchedule, ExpireDraftsJob.ScheduleSetting) is { } schedule ? [schedule] : [];
}
