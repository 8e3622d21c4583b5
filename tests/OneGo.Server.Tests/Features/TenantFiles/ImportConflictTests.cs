using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// Importing <c>tenants/</c> makes approved revisions and versions directly (the review happened in the repository),
/// but never over work done through the API: a matter or bundle with an open working copy, or whose live revision
/// was approved through the API, stops the import, which keeps nothing and names each file and why.
/// </summary>
public abstract class ImportConflictTests(Provider provider) : IAsyncLifetime
{
    private const string MatterFile = "jiangsu/nanjing/gulou/matters/funeral-fee-waiver.yaml";
    private const string BundleFile = "jiangsu/nanjing/gulou/bundles/after-death.yaml";
    private const string MatterDraft = "/api/t/320106/matters/funeral-fee-waiver/draft";
    private const string BundleDraft = "/api/t/320106/bundles/after-death/draft";
    private readonly TempFolder _tenants = RepositoryTenants.Copy();
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _editor = null!;
    private HttpClient _reviewer = null!;

    public async Task InitializeAsync()
    {
        // Gulou's own files beside the copy's regions, exactly as the seeded database imported them.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryTenants.Folder, "jiangsu/nanjing/gulou"), "*.yaml", SearchOption.AllDirectories))
        {
            _tenants.Write(Path.GetRelativePath(RepositoryTenants.Folder, file), File.ReadAllText(file));
        }

        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database, _tenants.Path, importOnStartup: false);
        _editor = await _app.AsAsync(Roles.Editor, "jiangsu.nanjing.gulou");
        _reviewer = await _app.AsAsync(Roles.Reviewer, "jiangsu.nanjing.gulou");
    }

    public async Task DisposeAsync()
    {
        _editor.Dispose();
        _reviewer.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private async Task<ImportResult> ImportAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TenantImport>().ImportAsync(_tenants.Path, CancellationToken.None);
    }

    private void Change(string relative, string from, string to)
    {
        var file = _tenants.File(relative);
        var text = File.ReadAllText(file);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> SaveAsIsAsync(string draft)
    {
        var read = await _editor.GetAsync(draft);
        var saved = await _editor.SendJsonAsync(HttpMethod.Put, draft, (await read.JsonAsync())["document"], read.ETag());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        return saved;
    }

    /// <summary>Runs the import over the changed files; asserts it stopped, changed no row, and returns its problems.</summary>
    private async Task<List<string>> RefusedAsync()
    {
        var before = await RowSnapshot.TakeAsync(_database);
        var result = await ImportAsync();
        Assert.False(result.Succeeded);
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
        return result.Problems.Select(p => p.ToString()).ToList();
    }

    [Fact]
    public async Task AnImportOverOpenWorkingCopiesStopsNamesEachAndKeepsNothing()
    {
        await SaveAsIsAsync(MatterDraft);
        var bundle = await SaveAsIsAsync(BundleDraft);
        Assert.Equal(HttpStatusCode.OK, (await _editor.SendJsonAsync(HttpMethod.Post, BundleDraft + "/submit", ifMatch: bundle.ETag())).StatusCode);
        Change(MatterFile, "promisedDays: 0", "promisedDays: 1");
        Change(BundleFile, "contact: \"12345\"", "contact: \"025-12345\"");

        var problems = await RefusedAsync();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith($"tenants/{MatterFile}:1:", StringComparison.Ordinal) && p.Contains("'funeral-fee-waiver'", StringComparison.Ordinal) && p.Contains("its working copy is draft", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"tenants/{BundleFile}:", StringComparison.Ordinal) && p.Contains("'after-death'", StringComparison.Ordinal) && p.Contains("its working copy is submitted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnImportOverAMatterRevisionApprovedThroughTheApiStopsAndNamesIt()
    {
        var saved = await SaveAsIsAsync(MatterDraft);
        Assert.Equal(HttpStatusCode.OK, (await _editor.SubmitAndApproveWithAsync(_reviewer, MatterDraft, saved.ETag())).StatusCode);
        Change(MatterFile, "promisedDays: 0", "promisedDays: 1");

        var problem = Assert.Single(await RefusedAsync());
        Assert.StartsWith($"tenants/{MatterFile}:1:", problem, StringComparison.Ordinal);
        Assert.Contains("its live revision was approved there", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnImportOverAMatterReturnedByItsReviewerStopsAndNamesIt()
    {
        var saved = await SaveAsIsAsync(MatterDraft);
        var submitted = await _editor.SendJsonAsync(HttpMethod.Post, MatterDraft + "/submit", ifMatch: saved.ETag());
        Assert.Equal(HttpStatusCode.OK, (await _reviewer.SendJsonAsync(HttpMethod.Post, MatterDraft + "/reject", new { comment = "请核对。" }, submitted.ETag())).StatusCode);
        Change(MatterFile, "promisedDays: 0", "promisedDays: 1");

        var problem = Assert.Single(await RefusedAsync());
        Assert.StartsWith($"tenants/{MatterFile}:1:", problem, StringComparison.Ordinal);
        Assert.Contains("its working copy is rejected", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnImportedMatterFileIsTheNextLiveRevisionAtOnce()
    {
        Change(MatterFile, "promisedDays: 0", "promisedDays: 1");
        var result = await ImportAsync();
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));

        var live = await (await _editor.GetAsync("/api/t/320106/matters/funeral-fee-waiver")).JsonAsync();
        Assert.Equal(1, (int)live["promisedDays"]!);
        var draft = await (await _editor.GetAsync(MatterDraft)).JsonAsync();
        Assert.Equal(("approved", 2, 1), ((string?)draft["state"], (int)draft["liveRevision"]!, (int)draft["document"]!["promisedDays"]!));
    }
}

public sealed class ImportConflictTestsOnSqlite() : ImportConflictTests(Provider.Sqlite);

public sealed class ImportConflictTestsOnPostgres() : ImportConflictTests(Provider.Postgres);
