using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.Applications;
using OneGo.Server.Scheduling;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>A draft left unchanged for 30 days is deleted with its files, as its page says; nothing else is.</summary>
public abstract class ExpireDraftsJobTests(Provider provider)
{
    private const string Gulou = "jiangsu.nanjing.gulou";

    [Fact]
    public async Task ADraftUnchangedForThirtyDaysGoesWithItsFilesAndRecentDraftsAndSubmittedApplicationsStay()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // The applications share their data: only the files the test attaches are kept.
        using var exchange = new StandInExchange();
        await using var app = new OneGoApp(database, settings: exchange.Settings());
        using var zhang = await app.ApplicantAsync();

        var (old, material) = await zhang.DraftWithMaterialAsync(Gulou);
        var (recent, _) = await zhang.DraftWithMaterialAsync(Gulou);
        foreach (var draft in new[] { old, recent })
        {
            Assert.Equal(HttpStatusCode.Created, (await zhang.AttachAsync(Gulou, draft, material)).StatusCode);
        }

        var submitted = (string)(await zhang.ApplyOnceAsync(Gulou))["id"]!;

        // Thirty-one days pass for the old draft and the submitted application.
        await using (var db = database.NewContext())
        {
            var ids = new[] { Guid.Parse(old), Guid.Parse(submitted) };
            var month = DateTimeOffset.UtcNow.AddDays(-31);
            Assert.Equal(2, await db.Set<Application>().IgnoreQueryFilters().Where(a => ids.Contains(a.Id)).ExecuteUpdateAsync(s => s.SetProperty(a => a.UpdatedAt, month)));
        }

        var blobs = Directory.EnumerateFiles(app.BlobFolder, "*", SearchOption.AllDirectories).Where(f => f.Contains("/applications/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, blobs.Count);

        var jobs = app.Services.GetRequiredService<Jobs>();
        await jobs.RunNowAsync(ExpireDraftsJob.Key, CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await zhang.GetAsync($"/api/t/{Gulou}/applications/{old}")).StatusCode, s => s == HttpStatusCode.NotFound, "the old draft's deletion");

        Assert.Equal(HttpStatusCode.OK, (await zhang.GetAsync($"/api/t/{Gulou}/applications/{recent}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await zhang.GetAsync($"/api/t/{Gulou}/applications/{submitted}")).StatusCode);
        await Eventually.HoldsAsync(() => Task.FromResult(blobs.Count(File.Exists)), n => n == 1, "the old draft's file to go");
        Assert.Contains(Guid.Parse(recent).ToString("N"), blobs.Single(File.Exists), StringComparison.Ordinal);
        await using (var db = database.NewContext())
        {
            Assert.Equal(1, await db.Set<ApplicationFile>().IgnoreQueryFilters().CountAsync());
        }
    }
}

public sealed class ExpireDraftsJobTestsOnSqlite() : ExpireDraftsJobTests(Provider.Sqlite);

public sealed class ExpireDraftsJobTestsOnPostgres() : ExpireDraftsJobTests(Provider.Postgres);
