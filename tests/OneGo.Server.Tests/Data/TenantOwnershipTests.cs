using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using OneGo.Server.Data;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Data;

/// <summary>
/// Every entity type is either tenant-owned — confined by the query filter and the write guard — or listed here,
/// by name, with the reason it is shared. A new entity type that is neither fails this test.
/// </summary>
public sealed class TenantOwnershipTests
{
    private static readonly Dictionary<string, string> Shared = new()
    {
        ["Region"] = "the region tree is the tenancy itself: public, and read to resolve every request's tenant",
        ["CalendarYearRecord"] = "the national holiday calendar: every region's due dates are counted on it; only the import of the national folder writes it",
        ["RegionDepartment"] = "a region's departments are part of the public region tree: documents below it name them, and import writes them with the region",
        ["Integration"] = "a push integration is the national operator's, for regions it names; only the national operator changes it",
        ["ZoneHead"] = "the national zone's one counter, taken under a row lock by every publishing transaction so the feed is in commit order",
        ["Account"] = "sign-in finds an account by its user name before any tenant is known; only admins at or above its tenant change it (its roles are tenant-owned AccountChanges)",
        ["Applicant"] = "an applicant is bound to no tenant: their own token reads their row by subject, and it is never listed",
        ["IdentityUserClaim`1"] = "ASP.NET Core Identity's claims of an account, read with the account at sign-in",
        ["IdentityUserLogin`1"] = "ASP.NET Core Identity's external logins of an account (none today), read with the account at sign-in",
        ["IdentityUserToken`1"] = "an account's authenticator key and recovery codes, read with the account at sign-in, before any tenant is known",
        ["CredentialLink"] = "a set-password link, opened by a person who is not signed in, before any tenant is known",
        ["OutgoingMail"] = "the deployment's mail queue, drained by one relay for every region; bodies encrypted and cleared once sent",
        ["SignInFailures"] = "failed sign-ins counted per name and client address, before any tenant is known",
        ["DeploymentKey"] = "the deployment's token signing and encryption keys, one set for every tenant",
        ["DataProtectionKey"] = "the deployment's data-protection keys (cookies, antiforgery), one ring for every tenant",
        ["OpenIddictEntityFrameworkCoreApplication"] = "OAuth clients: found by client id at the token endpoint, before any tenant is known",
        ["OpenIddictEntityFrameworkCoreAuthorization"] = "OpenIddict's grants, bound to a client and a subject, never read by tenant",
        ["OpenIddictEntityFrameworkCoreScope"] = "the server's scopes (api, zone.read), the same for every tenant",
        ["OpenIddictEntityFrameworkCoreToken"] = "OpenIddict's token entries, looked up by token id when a token is validated",
    };

    private static IModel Model()
    {
        using var db = new SqliteOneGoDbContext(new DbContextOptionsBuilder<SqliteOneGoDbContext>().UseSqlite("Data Source=unused.db").Options, new CurrentTenant());
        return db.Model;
    }

    [Fact]
    public void EveryEntityTypeIsTenantOwnedOrListedAsShared()
    {
        var unexplained = Model().GetEntityTypes()
            .Where(e => !e.IsTenantOwned() && !Shared.ContainsKey(e.ClrType.Name))
            .Select(e => e.ClrType.Name)
            .ToList();
        Assert.True(unexplained.Count == 0,
            $"Entity types neither tenant-owned (implement ITenantOwned) nor listed as shared with a reason: {string.Join(", ", unexplained)}");

        var listedButOwned = Model().GetEntityTypes().Where(e => e.IsTenantOwned() && Shared.ContainsKey(e.ClrType.Name)).Select(e => e.ClrType.Name);
        Assert.Empty(listedButOwned);
        Assert.All(Shared.Keys, name => Assert.Contains(Model().GetEntityTypes(), e => e.ClrType.Name == name));
    }

    [Fact]
    public void EveryTenantOwnedTypeHasTheFilterARequiredTenantIdAndTenantIdInItsUniqueIndexes()
    {
        var owned = Model().GetEntityTypes().Where(e => e.IsTenantOwned()).ToList();
        Assert.Equal(["AccountChange", "Application", "ApplicationCase", "ApplicationFile", "AuditEntry", "BundleRecord", "BundleVersion", "DataConsent", "DataFetch", "DepartmentNotice", "LiveStamp", "MatterRecord", "OutboxItem", "Publication", "PublishingRun", "Rating", "RegionWebhook", "TenantFileRecord", "TenantSettings", "TrackingCounter", "WebhookDelivery", "ZoneEntry", "ZoneStatistics"], owned.Select(e => e.ClrType.Name).Order(StringComparer.Ordinal));
        foreach (var entity in owned)
        {
            Assert.Contains(entity.GetDeclaredQueryFilters(), f => f.Key == TenancyModel.FilterName);
            Assert.False(entity.FindProperty(TenancyModel.TenantIdProperty)!.IsNullable);
            Assert.All(entity.GetIndexes().Where(i => i.IsUnique), i => Assert.Equal(TenancyModel.TenantIdProperty, i.Properties[0].Name));
        }
    }

    [Fact]
    public void ApplicantOwnedTypesHaveARequiredApplicantIdIndexedForTheApplicantsListAcrossRegions()
    {
        var owned = Model().GetEntityTypes().Where(e => e.IsApplicantOwned()).ToList();
        Assert.Equal(["Application", "ApplicationCase", "ApplicationFile", "DataConsent", "DataFetch", "Rating"], owned.Select(e => e.ClrType.Name).Order(StringComparer.Ordinal));
        foreach (var entity in owned)
        {
            Assert.True(entity.IsTenantOwned());
            Assert.False(entity.FindProperty(TenancyModel.ApplicantIdProperty)!.IsNullable);
            Assert.Contains(entity.GetIndexes(), i => i.Properties[0].Name == TenancyModel.ApplicantIdProperty);
        }
    }
}
