using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applications;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Cases;

/// <summary>What the deadline job tells a lead department: cases newly at risk, newly overdue, applications withdrawn.</summary>
public enum NoticeKind
{
    AtRisk,
    Overdue,
    Withdrawn,

    /// <summary>告知承诺: post-checks past their due date, unrecorded — told to the department that checks, not the lead.</summary>
    PostCheckOverdue,

    /// <summary>差评整改: rectifications of bad ratings past their due date, unreplied — told to the department answerable and the lead department.</summary>
    RectificationOverdue,
}

/// <summary>A case or an application a notice names.</summary>
/// <param name="Application">The tracking number.</param>
/// <param name="Matter">The case's matter; null for a withdrawn application.</param>
public sealed record NoticeItem(string Application, string? Matter, DateOnly? DueOn);

/// <summary>
/// One message of the deadline job to a region's lead department (牵头部门) — its console inbox: how many cases of the
/// applications it leads became at risk or overdue in one run (or how many applications were withdrawn), naming up to
/// fifty of them. A department-owned row: that department's officers read their own; the window and the region's
/// staff read them all.
/// </summary>
public sealed class DepartmentNotice : IDepartmentOwned
{
    /// <summary>How many items a notice names; the count says how many there were.</summary>
    public const int MaxItems = 50;

    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>The lead department told.</summary>
    public string Department { get; set; } = "";

    public NoticeKind Kind { get; set; }

    public int Count { get; set; }

    /// <summary>Up to <see cref="MaxItems"/> of the items (JSON), the earliest due first; the department's case list has them all.</summary>
    public required string Items { get; set; }

    /// <summary>The day of the run, China Standard Time.</summary>
    public DateOnly Day { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    internal static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DepartmentNotice>(notice =>
        {
            notice.ToTable("DepartmentNotices");
            notice.Property(n => n.Department).HasMaxLength(CatalogueCodes.MaxLength);
            notice.Property(n => n.Kind).HasConversion<string>().HasMaxLength(32);
            notice.Property(n => n.Items).HasMaxLength(8000);
            notice.HasIndex(n => new { n.TenantId, n.Department, n.CreatedAt });
        });
        modelBuilder.Entity<RegionWebhook>(hook =>
        {
            hook.ToTable("RegionWebhooks");
            hook.HasKey(h => h.TenantId);
            hook.Property(h => h.Url).HasMaxLength(2000);
            hook.Property(h => h.Secret).HasMaxLength(2000);
            hook.Property(h => h.RegisteredBy).HasMaxLength(200);
        });
        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("WebhookDeliveries");
            delivery.Property(d => d.Body).HasMaxLength(16000);
            delivery.Property(d => d.LastError).HasMaxLength(200);
            delivery.HasIndex(d => new { d.DeliveredAt, d.NextAttemptAt });
        });
    }

    internal static List<NoticeItem> ItemsOf(DepartmentNotice notice) => JsonSerializer.Deserialize<List<NoticeItem>>(notice.Items, CatalogueJson.Options) ?? [];
}

/// <summary>
/// A region's own messaging (政务钉钉, 企业微信, an SMS gateway): the address its admin registered, where every notice
/// of the deadline job is POSTed as JSON, signed like the zone's pushes with the secret given once at registration.
/// </summary>
public sealed class RegionWebhook : ITenantOwned
{
    public string TenantId { get; set; } = "";

    public required string Url { get; set; }

    /// <summary>The signing secret, protected with data protection.</summary>
    public required string Secret { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public required string RegisteredBy { get; set; }
}

/// <summary>A notice on its way to the region's webhook: delivered at least once, retried with backoff, by one node at a time.</summary>
public sealed class WebhookDelivery : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>The JSON sent: the notice.</summary>
    public required string Body { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public int? LastStatus { get; set; }

    /// <summary>Why the last attempt failed, as a class, never the endpoint's text.</summary>
    public string? LastError { get; set; }
}

/// <summary>
/// Tells the lead departments what one run of the deadline job found in one region, in the run's transaction: a notice
/// in each one's console inbox, mail to each of its officers with an address, and the region's webhook when it has one.
/// </summary>
internal sealed class DeadlineTelling(OneGoDbContext db, Mailer mailer, TimeProvider clock)
{
    internal const string SecretPurpose = "OneGo.RegionWebhook.Secret";

    /// <summary>
    /// The notices of <paramref name="kind"/> for the cases <paramref name="cases"/> selects — counted and named before
    /// they are marked: to the lead department of each application, or for a post-check to the case's own department.
    /// </summary>
    public async Task<List<DepartmentNotice>> CasesAsync(IQueryable<ApplicationCase> cases, NoticeKind kind, DateOnly day, CancellationToken cancellationToken)
    {
        var rows = kind == NoticeKind.PostCheckOverdue
            ? cases.Join(db.Set<Application>(), c => c.ApplicationId, a => a.Id,
                (c, a) => new Named { Lead = c.Department, Application = a.Number!, Matter = c.Matter, DueOn = c.PostCheckDueOn })
            : cases.Join(db.Set<Application>(), c => c.ApplicationId, a => a.Id,
                (c, a) => new Named { Lead = a.LeadDepartment ?? c.Department, Application = a.Number!, Matter = c.Matter, DueOn = c.DueOn });
        var counts = await rows.GroupBy(r => r.Lead).Select(g => new { Lead = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var notices = new List<DepartmentNotice>();
        foreach (var count in counts.OrderBy(c => c.Lead, StringComparer.Ordinal))
        {
            // Some of them, not sorted: sorting every marked case of the region to name fifty would cost the job more than the marks.
            var items = await rows.Where(r => r.Lead == count.Lead).Take(DepartmentNotice.MaxItems)
                .Select(r => new NoticeItem(r.Application, r.Matter, r.DueOn)).ToListAsync(cancellationToken);
            notices.Add(Notice(count.Lead, kind, count.Count,
                [.. items.OrderBy(i => i.DueOn).ThenBy(i => i.Application, StringComparer.Ordinal).ThenBy(i => i.Matter, StringComparer.Ordinal)], day));
        }

        return notices;
    }

    /// <summary>
    /// The notices of the rectifications <paramref name="ratings"/> selects, counted and named before they are marked:
    /// to the department answerable for each, and to its application's lead department when that is another.
    /// </summary>
    public async Task<List<DepartmentNotice>> RectificationsAsync(IQueryable<Ratings.Rating> ratings, DateOnly day, CancellationToken cancellationToken)
    {
        var rows = await ratings.Select(r => new { r.Department, r.LeadDepartment, r.Number, r.Matter, r.DueOn }).ToListAsync(cancellationToken);
        return [.. rows.SelectMany(r => (r.Department == r.LeadDepartment ? [r.Department] : new[] { r.Department, r.LeadDepartment }).Select(to => (to, r)))
            .GroupBy(x => x.to).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Notice(g.Key, NoticeKind.RectificationOverdue, g.Count(),
                [.. g.Select(x => x.r).OrderBy(r => r.DueOn).ThenBy(r => r.Number, StringComparer.Ordinal).Take(DepartmentNotice.MaxItems)
                    .Select(r => new NoticeItem(r.Number, r.Matter.Length == 0 ? null : r.Matter, r.DueOn))], day))];
    }

    private sealed class Named
    {
        public required string Lead { get; init; }
        public required string Application { get; init; }
        public required string Matter { get; init; }
        public DateOnly? DueOn { get; init; }
    }

    /// <summary>The notices of the applications withdrawn, one per lead department.</summary>
    public List<DepartmentNotice> Withdrawn(IEnumerable<Application> applications, DateOnly day) =>
        [.. applications.GroupBy(a => a.LeadDepartment ?? a.Cases.Select(c => c.Department).Order(StringComparer.Ordinal).FirstOrDefault() ?? "")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Notice(g.Key, NoticeKind.Withdrawn, g.Count(),
                [.. g.OrderBy(a => a.Number, StringComparer.Ordinal).Take(DepartmentNotice.MaxItems).Select(a => new NoticeItem(a.Number!, null, a.AnswerBy))], day))];

    private DepartmentNotice Notice(string department, NoticeKind kind, int count, List<NoticeItem> items, DateOnly day) => new()
    {
        Department = department, Kind = kind, Count = count, Items = JsonSerializer.Serialize(items, CatalogueJson.Options), Day = day, CreatedAt = clock.Now(),
    };

    /// <summary>Adds the notices, the mail and the webhook's deliveries to the pending changes: the caller's save sends them all or none.</summary>
    public async Task TellAsync(string region, IReadOnlyList<DepartmentNotice> notices, CancellationToken cancellationToken)
    {
        if (notices.Count == 0)
        {
            return;
        }

        db.AddRange(notices);
        var departments = notices.Select(n => n.Department).Distinct().ToList();
        // The officers of each lead department: their approved officer grants name it.
        var officers = await db.Set<AccountChange>().AsNoTracking()
            .Where(c => c.Kind == AccountChangeKind.GrantRole && c.State == AccountChangeState.Approved && c.Role == Roles.Officer && departments.Contains(c.Department!))
            .Join(db.Set<Account>().AsNoTracking().Where(a => a.TenantId == region && !a.Disabled && a.EmailConfirmed && a.Email != null),
                c => c.AccountId, a => a.Id, (c, a) => new { c.Department, a.Email })
            .Distinct().ToListAsync(cancellationToken);
        foreach (var notice in notices)
        {
            foreach (var to in officers.Where(o => o.Department == notice.Department).Select(o => o.Email!).Order(StringComparer.Ordinal))
            {
                mailer.Queue(to, Subject(notice), Body(region, notice));
            }
        }

        if (await db.Set<RegionWebhook>().AsNoTracking().AnyAsync(cancellationToken))
        {
            var now = clock.Now();
            foreach (var notice in notices)
            {
                db.Add(new WebhookDelivery { Body = JsonSerializer.Serialize(Message(region, notice), CatalogueJson.Options), CreatedAt = now, NextAttemptAt = now });
            }
        }
    }

    /// <summary>What the webhook receives for a notice.</summary>
    public sealed record WebhookMessage(string Region, string Department, NoticeKind Kind, int Count, DateOnly Day, IReadOnlyList<NoticeItem> Items);

    private static WebhookMessage Message(string region, DepartmentNotice notice) =>
        new(region, notice.Department, notice.Kind, notice.Count, notice.Day, DepartmentNotice.ItemsOf(notice));

    private static string Subject(DepartmentNotice notice) => notice.Kind switch
    {
        NoticeKind.Overdue => $"【一件事一次办】{notice.Count} 件办件已超期 ({notice.Count} case(s) overdue)",
        NoticeKind.AtRisk => $"【一件事一次办】{notice.Count} 件办件即将超期 ({notice.Count} case(s) at risk)",
        NoticeKind.PostCheckOverdue => $"【一件事一次办】{notice.Count} 件告知承诺核查已超期 ({notice.Count} post-check(s) overdue)",
        NoticeKind.RectificationOverdue => $"【一件事一次办】{notice.Count} 件差评整改已超期 ({notice.Count} rectification(s) of bad ratings overdue)",
        _ => $"【一件事一次办】{notice.Count} 件申请补正逾期视为撤回 ({notice.Count} application(s) withdrawn)",
    };

    private static string Body(string region, DepartmentNotice notice)
    {
        var lines = DepartmentNotice.ItemsOf(notice).Select(i => $"  {i.Application}{(i.Matter is null ? "" : " · " + i.Matter)}{(i.DueOn is { } due ? $" · {due:yyyy-MM-dd}" : "")}");
        return $"""
            {region} · {notice.Department} · {notice.Day:yyyy-MM-dd}

            {Subject(notice)}:
            {string.Join("\n", lines)}
            {(notice.Count > DepartmentNotice.MaxItems ? $"  … ({notice.Count - DepartmentNotice.MaxItems} more)\n" : "")}
            一件事一次办工作台 · the OneGo console: /console/t/{region}/cases
            """;
    }
}
