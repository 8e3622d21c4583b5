using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Data;

/// <summary>
/// Every entity type either has its changes recorded in the audit log (its class is <see cref="IAudited"/>) or is
/// listed here, by name, with the reason it is not. A new entity type that is neither fails this test, so whoever adds
/// a table decides whether its changes are audited.
/// </summary>
public sealed class AuditedTypesTests
{
    private static readonly Dictionary<string, string> NotAudited = new()
    {
        ["AuditEntry"] = "the audit log itself: append-only, each entry chained to the one before",
        ["Application"] = "an applicant's own draft, changed at will until submitted; its submission is audited by number, without its personal data",
        ["ApplicationFile"] = "a material's file of an applicant's draft, replaced at will until submitted; the submission that pins it is audited with its hash",
        ["DataConsent"] = "an applicant's consent to fetch a dataset for their draft, given and withdrawn through routes that audit each (application.share, application.share.withdraw)",
        ["DataFetch"] = "the data-sharing record itself: one row per fetch, written once beside the audited consent that caused it",
        ["TrackingCounter"] = "a region's count of the day's tracking numbers, moved by every submission, which is audited",
        ["PublishingRun"] = "a run's progress, written as it goes; what it published is audited as publications",
        ["ZoneEntry"] = "the zone's search state of a bundle, derived from its latest publication",
        ["ZoneHead"] = "the zone's counter, moved by every publishing transaction",
        ["LiveStamp"] = "a tenant's live stamp, moved by every change of its live versions, each audited (approve, withdraw, import)",
        ["OutboxItem"] = "delivery bookkeeping of an audited publication: attempts, backoff, dead letters",
        ["DepartmentNotice"] = "the deadline job's message to a lead department, written in the run whose audit entry (case.deadlines) names what it told",
        ["RegionWebhook"] = "a region's messaging address and protected secret; registering and removing it are audited (webhook.register, webhook.delete)",
        ["WebhookDelivery"] = "delivery bookkeeping of a notice: attempts, backoff, the last status",
        ["ZoneStatistics"] = "a region's public figures of a month, written once by the job whose audit entry (statistics.publish) names the month",
        ["IdentityUserClaim`1"] = "Identity's claims of an account, unused: roles are audited account changes",
        ["IdentityUserLogin`1"] = "Identity's external logins, none today",
        ["CredentialLink"] = "a mailed set-password link; the account change that issued it is audited",
        ["OutgoingMail"] = "the mail queue; the change that queued a message is audited",
        ["SignInFailures"] = "throttling counters; sign-ins, failed or not, are audited as security events",
        ["DeploymentKey"] = "the deployment's signing and encryption keys, protected at rest and rotated by the node",
        ["DataProtectionKey"] = "ASP.NET Core's data-protection key ring, managed by the framework",
        ["OpenIddictEntityFrameworkCoreApplication"] = "OAuth clients, kept in step with their service accounts, which are audited",
        ["OpenIddictEntityFrameworkCoreAuthorization"] = "OpenIddict's grant bookkeeping, written at every sign-in",
        ["OpenIddictEntityFrameworkCoreScope"] = "the server's scopes, the same in every deployment",
        ["OpenIddictEntityFrameworkCoreToken"] = "OpenIddict's token entries, written and pruned with every token",
    };

    private static IModel Model()
    {
        using var db = new SqliteOneGoDbContext(new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite("Data Source=unused.db").Options, new CurrentTenant());
        return db.Model;
    }

    private static bool Audited(IEntityType entity) => entity.ClrType.IsAssignableTo(typeof(IAudited)) || entity.ClrType == typeof(IdentityUserToken<Guid>);

    [Fact]
    public void EveryEntityTypeIsAuditedOrListedWithTheReasonItIsNot()
    {
        var types = Model().GetEntityTypes().ToList();
        var unexplained = types.Where(e => !Audited(e) && !NotAudited.ContainsKey(e.ClrType.Name)).Select(e => e.ClrType.Name).ToList();
        Assert.True(unexplained.Count == 0, $"Entity types neither audited (implement IAudited) nor listed with a reason: {string.Join(", ", unexplained)}");
        Assert.Empty(types.Where(e => Audited(e) && NotAudited.ContainsKey(e.ClrType.Name)).Select(e => e.ClrType.Name));
        Assert.All(NotAudited.Keys, name => Assert.Contains(types, e => e.ClrType.Name == name));
        Assert.Equal(
            ["Account", "AccountChange", "Applicant", "ApplicationCase", "BundleRecord", "BundleVersion", "CalendarYearRecord", "IdentityUserToken`1", "Integration", "MatterRecord", "Publication", "Rating", "Region", "RegionDepartment", "TenantFileRecord", "TenantSettings"],
            types.Where(Audited).Select(e => e.ClrType.Name).Order(StringComparer.Ordinal));
    }
}
