using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OneGo.Testing;

namespace OneGo.Tenancy.Tests;

/// <summary>The query filter and the write guard, on each database the product runs on.</summary>
public abstract class IsolationTests : IAsyncLifetime
{
    private readonly CurrentTenant _tenants = new();
    private DbContextOptions<NotesContext> _options = null!;

    protected abstract Task<DbContextOptions<NotesContext>> CreateDatabaseAsync();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _options = await CreateDatabaseAsync();
        await using var db = NewContext();
        await db.Database.EnsureCreatedAsync();
        foreach (var (tenant, code) in new[] { ("fujian", "a"), ("fujian.xiamen", "a"), ("fujian.xiamen.haicang", "a"), ("zhejiang", "a") })
        {
            using (_tenants.Enter(tenant))
            {
                db.Notes.Add(new Note { Code = code, Text = "original" });
                await db.SaveChangesAsync();
            }
        }

        // Two applicants' letters in two tenants each.
        foreach (var (tenant, applicant) in new[] { ("fujian.xiamen.haicang", "zhang"), ("fujian.xiamen.haicang", "chen"), ("zhejiang", "zhang"), ("zhejiang", "chen") })
        {
            using (_tenants.Enter(tenant))
            {
                db.Letters.Add(new Letter { ApplicantId = applicant, Text = "original" });
                await db.SaveChangesAsync();
            }
        }
    }

    public Task DisposeAsync() => DropDatabaseAsync();

    private async Task SeedDocketsAsync()
    {
        await using var db = NewContext();
        foreach (var (tenant, department) in new[] { ("fujian.xiamen.haicang", "education"), ("fujian.xiamen.haicang", "health"), ("zhejiang", "education") })
        {
            using (_tenants.Enter(tenant))
            {
                db.Dockets.Add(new Docket { Department = department, Text = "original" });
                await db.SaveChangesAsync();
            }
        }
    }

    [Fact]
    public async Task ADepartmentSeesOnlyItsOwnDocketsInItsTenantAndTheTenantSeesThemAll()
    {
        await SeedDocketsAsync();
        await using var db = NewContext();
        using (_tenants.EnterAsDepartment("fujian.xiamen.haicang", "education"))
        {
            Assert.Equal([("fujian.xiamen.haicang", "education")], (await db.Dockets.ToListAsync()).Select(d => (d.TenantId, d.Department)));
            // The department's scope confines department-owned rows only: the tenant's other rows are read as usual.
            Assert.Single(await db.Notes.ToListAsync());
        }

        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            Assert.Equal(["education", "health"], await db.Dockets.OrderBy(d => d.Department).Select(d => d.Department).ToListAsync());
        }
    }

    [Fact]
    public async Task ADepartmentCannotAddChangeMoveOrDeleteAnotherDepartmentsDocket()
    {
        await SeedDocketsAsync();
        long healths;
        await using (var read = NewContext())
        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            healths = await read.Dockets.Where(d => d.Department == "health").Select(d => d.Id).SingleAsync();
        }

        async Task RefusedAsync(Action<NotesContext> change)
        {
            await using var db = NewContext();
            using (_tenants.EnterAsDepartment("fujian.xiamen.haicang", "education"))
            {
                change(db);
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await RefusedAsync(db => db.Dockets.Add(new Docket { Department = "health", Text = "planted" }));
        await RefusedAsync(db => db.Dockets.Update(new Docket { Id = healths, TenantId = "fujian.xiamen.haicang", Department = "health", Text = "tampered" }));
        await RefusedAsync(db => db.Dockets.Remove(new Docket { Id = healths, TenantId = "fujian.xiamen.haicang", Department = "health" }));
        await using (var db = NewContext())
        using (_tenants.EnterAsDepartment("fujian.xiamen.haicang", "education"))
        {
            var own = await db.Dockets.SingleAsync();
            own.Department = "health";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        await using var check = NewContext();
        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            Assert.Equal([("education", "original"), ("health", "original")],
                (await check.Dockets.OrderBy(d => d.Department).ToListAsync()).Select(d => (d.Department, d.Text)));
        }
    }

    private NotesContext NewContext() => new(_options, _tenants);

    private async Task<List<(string Tenant, string Text)>> AllRowsAsync()
    {
        await using var db = NewContext();
        // Only the test's own verification reads across tenants.
        return (await db.Notes.IgnoreQueryFilters([TenancyModel.FilterName]).OrderBy(n => n.TenantId).ToListAsync())
            .Select(n => (n.TenantId, n.Text)).ToList();
    }

    [Fact]
    public async Task AScopeSeesOnlyItsOwnRows()
    {
        await using var db = NewContext();
        using (_tenants.Enter("fujian.xiamen"))
        {
            var rows = await db.Notes.ToListAsync();
            Assert.Equal(["fujian.xiamen"], rows.Select(r => r.TenantId));
        }

        using (_tenants.Enter("zhejiang"))
        {
            Assert.Equal(["zhejiang"], await db.Notes.Select(r => r.TenantId).ToListAsync());
        }
    }

    [Fact]
    public async Task OutsideAnyScopeTenantOwnedQueriesReturnNothing()
    {
        await using var db = NewContext();
        Assert.Empty(await db.Notes.ToListAsync());
        Assert.Equal(0, await db.Notes.CountAsync());
    }

    [Fact]
    public async Task ReadingBelowSeesDescendantsButNotSiblingsOrParents()
    {
        await using var db = NewContext();
        using (_tenants.EnterReadingBelow("fujian.xiamen"))
        {
            var tenants = await db.Notes.OrderBy(r => r.TenantId).Select(r => r.TenantId).ToListAsync();
            Assert.Equal(["fujian.xiamen", "fujian.xiamen.haicang"], tenants);
        }

        using (_tenants.EnterReadingBelow("national"))
        {
            Assert.Equal(4, await db.Notes.CountAsync());
        }
    }

    [Fact]
    public async Task TheSameCodeMayExistInTwoTenantsButNotTwiceInOne()
    {
        await using var db = NewContext();
        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            db.Notes.Add(new Note { Code = "a" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        Assert.Equal(4, (await AllRowsAsync()).Count);
    }

    [Fact]
    public async Task AddingARowOfAnotherTenantIsRefused()
    {
        await using var db = NewContext();
        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            db.Notes.Add(new Note { Code = "b", TenantId = "zhejiang" });
            var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Contains("zhejiang", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(4, (await AllRowsAsync()).Count);
    }

    [Fact]
    public async Task ChangingARowOfAnotherTenantIsRefused()
    {
        await using var db = NewContext();
        Note victim;
        using (_tenants.Enter("zhejiang"))
        {
            victim = await db.Notes.SingleAsync();
        }

        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            victim.Text = "tampered";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.DoesNotContain(await AllRowsAsync(), r => r.Text == "tampered");
    }

    [Fact]
    public async Task AttachingAndUpdatingAnotherTenantsRowIsRefused()
    {
        long id;
        await using (var read = NewContext())
        {
            using (_tenants.Enter("zhejiang"))
            {
                id = (await read.Notes.SingleAsync()).Id;
            }
        }

        await using var db = NewContext();
        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            db.Notes.Update(new Note { Id = id, Code = "a", TenantId = "zhejiang", Text = "tampered" });
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.DoesNotContain(await AllRowsAsync(), r => r.Text == "tampered");
    }

    [Fact]
    public async Task DeletingARowOfAnotherTenantIsRefused()
    {
        await using var db = NewContext();
        Note victim;
        using (_tenants.Enter("zhejiang"))
        {
            victim = await db.Notes.SingleAsync();
        }

        using (_tenants.Enter("fujian"))
        {
            db.Notes.Remove(victim);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.Equal(4, (await AllRowsAsync()).Count);
    }

    [Fact]
    public async Task MovingOwnRowToAnotherTenantIsRefused()
    {
        await using var db = NewContext();
        using (_tenants.Enter("fujian.xiamen.haicang"))
        {
            var own = await db.Notes.SingleAsync();
            own.TenantId = "zhejiang";
            var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Contains("move", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["fujian", "fujian.xiamen", "fujian.xiamen.haicang", "zhejiang"], (await AllRowsAsync()).Select(r => r.Tenant));
    }

    [Fact]
    public async Task MovingAnotherTenantsRowIntoOwnScopeIsRefused()
    {
        await using var db = NewContext();
        Note victim;
        using (_tenants.Enter("zhejiang"))
        {
            victim = await db.Notes.SingleAsync();
        }

        using (_tenants.Enter("fujian"))
        {
            victim.TenantId = "fujian";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.Contains(await AllRowsAsync(), r => r.Tenant == "zhejiang");
    }

    [Fact]
    public async Task WritingATenantOwnedRowOutsideAnyScopeIsRefused()
    {
        await using var db = NewContext();
        db.Notes.Add(new Note { Code = "z", TenantId = "zhejiang" });
        var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        Assert.Contains("outside any tenant scope", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await AllRowsAsync()).Count);
    }

    [Fact]
    public async Task ThePublicScopeReadsItsTenantButWritesNothing()
    {
        await using var db = NewContext();
        using (_tenants.EnterPublic("zhejiang"))
        {
            Assert.Equal(["zhejiang"], await db.Notes.Select(n => n.TenantId).ToListAsync());
            db.Notes.Add(new Note { Code = "public" });
            var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Contains("public", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(4, (await AllRowsAsync()).Count);
    }

    [Fact]
    public async Task ANewRowTakesTheScopeTenant()
    {
        await using var db = NewContext();
        using (_tenants.Enter("zhejiang"))
        {
            db.Notes.Add(new Note { Code = "new" });
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, (await AllRowsAsync()).Count(r => r.Tenant == "zhejiang"));
    }

    [Fact]
    public async Task SharedRowsNeedNoScope()
    {
        await using var db = NewContext();
        db.Countries.Add(new Country { Name = "中国" });
        await db.SaveChangesAsync();
        Assert.Equal(1, await db.Countries.CountAsync());
    }

    private async Task<List<(string Tenant, string Applicant, string Text)>> AllLettersAsync()
    {
        await using var db = NewContext();
        return (await db.Letters.IgnoreQueryFilters([TenancyModel.FilterName]).OrderBy(l => l.TenantId).ThenBy(l => l.ApplicantId).ToListAsync())
            .Select(l => (l.TenantId, l.ApplicantId, l.Text)).ToList();
    }

    [Fact]
    public async Task AnApplicantInATenantSeesOnlyTheirOwnLettersThereAndTheTenantsOtherRows()
    {
        await using var db = NewContext();
        using (_tenants.EnterAsApplicant("zhejiang", "zhang"))
        {
            Assert.Equal([("zhejiang", "zhang")], (await db.Letters.ToListAsync()).Select(l => (l.TenantId, l.ApplicantId)));
            Assert.Equal(["zhejiang"], await db.Notes.Select(n => n.TenantId).ToListAsync());
        }

        // A staff scope sees every applicant's letters of its tenant.
        using (_tenants.Enter("zhejiang"))
        {
            Assert.Equal(["chen", "zhang"], await db.Letters.OrderBy(l => l.ApplicantId).Select(l => l.ApplicantId).ToListAsync());
        }
    }

    [Fact]
    public async Task AnApplicantAcrossTenantsReadsTheirLettersEverywhereAndNothingElse()
    {
        await using var db = NewContext();
        using (_tenants.EnterApplicant("chen"))
        {
            Assert.Null(_tenants.Id);
            Assert.Equal(["fujian.xiamen.haicang", "zhejiang"], await db.Letters.OrderBy(l => l.TenantId).Select(l => l.TenantId).ToListAsync());
            Assert.All(await db.Letters.ToListAsync(), l => Assert.Equal("chen", l.ApplicantId));
            Assert.Empty(await db.Notes.ToListAsync());

            var own = await db.Letters.FirstAsync();
            own.Text = "changed across tenants";
            var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Contains("only reads", error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await AllLettersAsync(), l => l.Text != "original");
    }

    [Fact]
    public async Task AnApplicantsNewLetterTakesTheTenantAndTheApplicant()
    {
        await using var db = NewContext();
        using (_tenants.EnterAsApplicant("fujian.xiamen.haicang", "wang"))
        {
            db.Letters.Add(new Letter { Text = "new" });
            await db.SaveChangesAsync();
        }

        Assert.Contains(("fujian.xiamen.haicang", "wang", "new"), await AllLettersAsync());
    }

    [Fact]
    public async Task AnApplicantCannotAddChangeMoveOrDeleteAnotherApplicantsLetter()
    {
        long chens;
        await using (var read = NewContext())
        {
            using (_tenants.Enter("zhejiang"))
            {
                chens = await read.Letters.Where(l => l.ApplicantId == "chen").Select(l => l.Id).SingleAsync();
            }
        }

        await using (var db = NewContext())
        {
            using (_tenants.EnterAsApplicant("zhejiang", "zhang"))
            {
                db.Letters.Add(new Letter { ApplicantId = "chen", Text = "planted" });
                var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
                Assert.Contains("another applicant", error.Message, StringComparison.Ordinal);
            }
        }

        await using (var db = NewContext())
        {
            using (_tenants.EnterAsApplicant("zhejiang", "zhang"))
            {
                db.Letters.Update(new Letter { Id = chens, TenantId = "zhejiang", ApplicantId = "chen", Text = "tampered" });
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await using (var db = NewContext())
        {
            using (_tenants.EnterAsApplicant("zhejiang", "zhang"))
            {
                var own = await db.Letters.SingleAsync();
                own.ApplicantId = "chen";
                own.Text = "given away";
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        await using (var db = NewContext())
        {
            using (_tenants.EnterAsApplicant("zhejiang", "zhang"))
            {
                db.Letters.Remove(new Letter { Id = chens, TenantId = "zhejiang", ApplicantId = "chen" });
                await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            }
        }

        var letters = await AllLettersAsync();
        Assert.Equal(4, letters.Count);
        Assert.All(letters, l => Assert.Equal("original", l.Text));
    }

    [Fact]
    public async Task AnApplicantsBulkDeleteReachesOnlyTheirLettersInTheTenant()
    {
        await using var db = NewContext();
        using (_tenants.EnterAsApplicant("zhejiang", "zhang"))
        {
            Assert.Equal(1, await db.Letters.ExecuteDeleteAsync());
        }

        Assert.Equal([("fujian.xiamen.haicang", "chen"), ("fujian.xiamen.haicang", "zhang"), ("zhejiang", "chen")],
            (await AllLettersAsync()).Select(l => (l.Tenant, l.Applicant)));
    }

    [Fact]
    public async Task BulkDeleteOnlyReachesTheScope()
    {
        await using var db = NewContext();
        using (_tenants.Enter("zhejiang"))
        {
            Assert.Equal(1, await db.Notes.ExecuteDeleteAsync());
        }

        Assert.Equal(["fujian", "fujian.xiamen", "fujian.xiamen.haicang"], (await AllRowsAsync()).Select(r => r.Tenant));
    }
}

public sealed class IsolationTestsOnSqlite : IsolationTests, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"onego-tenancy-{Guid.NewGuid():N}.db");

    protected override Task<DbContextOptions<NotesContext>> CreateDatabaseAsync() =>
        Task.FromResult(new DbContextOptionsBuilder<NotesContext>().UseSqlite($"Data Source={_file}").Options);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }
}

public sealed class IsolationTestsOnPostgres : IsolationTests
{
    private string _connectionString = "";

    protected override async Task<DbContextOptions<NotesContext>> CreateDatabaseAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        return new DbContextOptionsBuilder<NotesContext>().UseNpgsql(_connectionString).Options;
    }

    protected override Task DropDatabaseAsync() => TestPostgres.DropDatabaseAsync(_connectionString);
}
