using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Data;

/// <summary>The write guard on OneGo's own context: a tenant's settings cannot be touched from another tenant.</summary>
public abstract class WriteGuardTests(Provider provider) : IAsyncLifetime
{
    private readonly CurrentTenant _tenants = new();
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var db = _database.NewContext(_tenants);
        using (_tenants.Enter("national"))
        {
            db.Regions.AddRange(
                new Region { Id = "national", Name = "全国", Level = RegionLevel.National },
                new Region { Id = "fujian", Name = "福建省", Level = RegionLevel.Province, DivisionCode = "350000", ParentId = "national" },
                new Region { Id = "zhejiang", Name = "浙江省", Level = RegionLevel.Province, DivisionCode = "330000", ParentId = "national" });
            db.Audit(new AuditEvent("test", "tenant.create", "tenant/national"));
            await db.SaveChangesAsync();
        }

        foreach (var tenant in new[] { "fujian", "zhejiang" })
        {
            using (_tenants.Enter(tenant))
            {
                db.TenantSettings.Add(new TenantSettings { DisplayName = tenant });
                db.Audit(new AuditEvent("test", "tenant.settings", $"tenant/{tenant}"));
                await db.SaveChangesAsync();
            }
        }
    }

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    private async Task<List<string>> SettingsAsync()
    {
        await using var db = _database.NewContext();
        return await db.TenantSettings.IgnoreQueryFilters([TenancyModel.FilterName]).OrderBy(s => s.TenantId)
            .Select(s => s.TenantId + ":" + s.DisplayName).ToListAsync();
    }

    private async Task<TenantSettings> ReadAsync(OneGo.Server.Data.OneGoDbContext db, string tenant)
    {
        using (_tenants.Enter(tenant))
        {
            return await db.TenantSettings.SingleAsync();
        }
    }

    [Fact]
    public async Task EachCrossTenantWriteIsRefusedAndChangesNothing()
    {
        var expected = new List<string> { "fujian:fujian", "zhejiang:zhejiang" };

        await using (var db = _database.NewContext(_tenants))
        {
            using (_tenants.Enter("fujian"))
            {
                db.TenantSettings.Add(new TenantSettings { TenantId = "zhejiang", DisplayName = "planted" });
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await using (var db = _database.NewContext(_tenants))
        {
            var victim = await ReadAsync(db, "zhejiang");
            using (_tenants.Enter("fujian"))
            {
                victim.DisplayName = "tampered";
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await using (var db = _database.NewContext(_tenants))
        {
            var victim = await ReadAsync(db, "zhejiang");
            using (_tenants.Enter("fujian"))
            {
                db.TenantSettings.Remove(victim);
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await using (var db = _database.NewContext(_tenants))
        {
            var own = await ReadAsync(db, "fujian");
            using (_tenants.Enter("fujian"))
            {
                own.TenantId = "zhejiang";
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await using (var db = _database.NewContext(_tenants))
        {
            var own = await ReadAsync(db, "fujian");
            own.DisplayName = "no scope";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.Equal(expected, await SettingsAsync());
    }

    [Fact]
    public async Task AWriteInsideTheOwnScopeGoesThrough()
    {
        await using var db = _database.NewContext(_tenants);
        var own = await ReadAsync(db, "fujian");
        using (_tenants.Enter("fujian"))
        {
            own.DisplayName = "闽政通";
            db.Audit(new AuditEvent("test", "tenant.settings", "tenant/fujian"));
            await db.SaveChangesAsync();
        }

        Assert.Equal(["fujian:闽政通", "zhejiang:zhejiang"], await SettingsAsync());
    }

    [Fact]
    public async Task AChangeWithoutAnAuditEntryIsRefusedAndChangesNothing()
    {
        await using (var db = _database.NewContext(_tenants))
        {
            var own = await ReadAsync(db, "fujian");
            using (_tenants.Enter("fujian"))
            {
                own.DisplayName = "unrecorded";
                var error = await Assert.ThrowsAsync<UnauditedChangeException>(() => db.SaveChangesAsync());
                Assert.Contains("TenantSettings", error.Message, StringComparison.Ordinal);
            }
        }

        Assert.Equal(["fujian:fujian", "zhejiang:zhejiang"], await SettingsAsync());
    }
}

public sealed class WriteGuardTestsOnSqlite() : WriteGuardTests(Provider.Sqlite);

public sealed class WriteGuardTestsOnPostgres() : WriteGuardTests(Provider.Postgres);
