using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>
/// A tenant's live stamp moves in the save that changes which versions of its bundles are live, whoever writes it —
/// and only then, and only the tenant's: the stamps are what tell other nodes to read a tenant's live versions again.
/// </summary>
public abstract class LiveStampsTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";

    private readonly CurrentTenant _tenants = new();
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    private async Task<Dictionary<string, Guid>> StampsAsync()
    {
        await using var db = _database.NewContext();
        return await db.Set<LiveStamp>().IgnoreQueryFilters([TenancyModel.FilterName]).ToDictionaryAsync(s => s.TenantId, s => s.Stamp);
    }

    // A change of Haicang's newborn, saved in Haicang's scope with its audit entry, as any writer saves one.
    private async Task SaveAsync(OneGoDbContext db, Action<BundleRecord> change)
    {
        using (_tenants.Enter(Haicang))
        {
            var record = await db.Set<BundleRecord>().SingleAsync(b => b.Code == "newborn");
            change(record);
            db.Audit(new AuditEvent("test", "bundle.test", "bundle/newborn"));
            await db.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task ASaveThatChangesWhichVersionsAreLiveMovesItsTenantsStampAndNoOtherSaveOrTenantMovesAny()
    {
        var before = await StampsAsync();
        // The import of the repository's catalogue moved the stamp of every tenant it made a bundle live in.
        Assert.Contains(Haicang, before.Keys);
        Assert.Contains("fujian.xiamen.siming", before.Keys);

        await using (var db = _database.NewContext(_tenants))
        {
            await SaveAsync(db, r => r.Draft += " ");
        }

        Assert.Equal(before, await StampsAsync());

        await using (var db = _database.NewContext(_tenants))
        {
            await SaveAsync(db, r => r.LiveVersion = null);
        }

        var after = await StampsAsync();
        Assert.NotEqual(before[Haicang], after[Haicang]);
        Assert.Equal(before.Where(s => s.Key != Haicang), after.Where(s => s.Key != Haicang));
    }

    [Fact]
    public async Task ATenantsFirstStampAddedByAnotherSaveMeanwhileIsMovedInstead()
    {
        await using (var owner = _database.NewContext())
        {
            await owner.Set<LiveStamp>().IgnoreQueryFilters([TenancyModel.FilterName]).Where(s => s.TenantId == Haicang).ExecuteDeleteAsync();
        }

        // Between this save's look for the stamp and its insert, another save adds the tenant's first stamp.
        var meanwhile = Guid.NewGuid();
        var other = new AddsStampOnce(_database, meanwhile);
        await using (var db = _database.NewContext(_tenants, other))
        {
            await SaveAsync(db, r => r.LiveVersion = null);
        }

        Assert.True(other.Added);
        var stamp = Assert.Single(await StampsAsync(), s => s.Key == Haicang);
        Assert.NotEqual(meanwhile, stamp.Value);
        Assert.NotEqual(Guid.Empty, stamp.Value);
    }

    private sealed class AddsStampOnce(TestDatabase database, Guid stamp) : SaveChangesInterceptor
    {
        public bool Added { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (!Added)
            {
                Added = true;
                var tenants = new CurrentTenant();
                await using var db = database.NewContext(tenants);
                using (tenants.Enter(Haicang))
                {
                    db.Add(new LiveStamp { Stamp = stamp });
                    await db.SaveChangesAsync(cancellationToken);
                }
            }

            return result;
        }
    }
}

public sealed class LiveStampsTestsOnSqlite() : LiveStampsTests(Provider.Sqlite);

public sealed class LiveStampsTestsOnPostgres() : LiveStampsTests(Provider.Postgres);
