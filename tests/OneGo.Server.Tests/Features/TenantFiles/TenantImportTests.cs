using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

public abstract class TenantImportTests(Provider provider) : IAsyncLifetime
{
    private readonly TempFolder _tenants = RepositoryTenants.Copy();
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider, Content.Migrated);

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private OneGoApp App(bool importOnStartup = false) => new(_database, _tenants.Path, importOnStartup);

    private static async Task<ImportResult> ImportAsync(OneGoApp app, string folder)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TenantImport>().ImportAsync(folder, CancellationToken.None);
    }

    [Fact]
    public async Task TheFirstImportBringsInEveryRegionAndItsSettings()
    {
        await using var app = App();
        var result = await ImportAsync(app, _tenants.Path);
        Assert.True(result.Succeeded);
        Assert.Equal(RepositoryTenants.FileCount(_tenants.Path), result.Applied!.Changes.Count);
        Assert.All(result.Applied.Changes, c => Assert.Equal(FileChangeKind.Added, c.Kind));

        var rows = await RowSnapshot.TakeAsync(_database);
        Assert.Equal(RepositoryTenants.RegionCount, rows.Keys.Count(k => k.StartsWith("Regions/", StringComparison.Ordinal)));
        Assert.Equal(RepositoryTenants.RegionCount, rows.Keys.Count(k => k.StartsWith("TenantSettings/", StringComparison.Ordinal)));
        Assert.Equal(RepositoryTenants.FileCount(_tenants.Path), rows.Keys.Count(k => k.StartsWith("TenantFiles/", StringComparison.Ordinal)));
        Assert.Contains("BundleVersions/fujian.xiamen.haicang:enrolment:1", rows.Keys);
    }

    [Fact]
    public async Task ASecondImportOfAnUnchangedFolderChangesNoRow()
    {
        await using var app = App();
        await ImportAsync(app, _tenants.Path);
        var before = await RowSnapshot.TakeAsync(_database);

        var again = await ImportAsync(app, _tenants.Path);
        Assert.True(again.Applied!.IsEmpty);
        Assert.Equal(RepositoryTenants.FileCount(_tenants.Path), again.Applied.UnchangedFiles);
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
    }

    [Fact]
    public async Task ARestartChangesNoRowAndKeepsEverything()
    {
        await using (var first = App(importOnStartup: true))
        {
            using var client = first.CreateClient();
            Assert.Equal("海沧区", (await client.GetFromJsonAsync<JsonElement>("/api/tenants/350205")).GetProperty("name").GetString());
        }

        var before = await RowSnapshot.TakeAsync(_database);
        Assert.True(before.Count > 3 * RepositoryTenants.RegionCount);

        await using (var second = App(importOnStartup: true))
        {
            using var client = second.CreateClient();
            Assert.Equal("海沧区", (await client.GetFromJsonAsync<JsonElement>("/api/tenants/350205")).GetProperty("name").GetString());
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
    }

    [Fact]
    public async Task OneChangedFileChangesExactlyThatTenant()
    {
        await using var app = App();
        await ImportAsync(app, _tenants.Path);
        var before = await RowSnapshot.TakeAsync(_database);

        var file = _tenants.File("fujian/xiamen/haicang/tenant.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("displayName: 海沧区行政审批管理局", "displayName: 厦门市海沧区行政审批管理局", StringComparison.Ordinal));

        var result = await ImportAsync(app, _tenants.Path);
        var change = Assert.Single(result.Applied!.Changes);
        Assert.Equal("fujian.xiamen.haicang", change.TenantId);
        Assert.Equal(["displayName: 海沧区行政审批管理局 → 厦门市海沧区行政审批管理局"], change.Details);

        var changed = RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database));
        Assert.Equal(["Regions/fujian.xiamen.haicang", "TenantFiles/fujian.xiamen.haicang:fujian/xiamen/haicang/tenant.yaml", "TenantSettings/fujian.xiamen.haicang"], changed);

        using var client = app.CreateClient();
        var haicang = await client.GetFromJsonAsync<JsonElement>("/api/tenants/fujian.xiamen.haicang");
        Assert.Equal("厦门市海沧区行政审批管理局", haicang.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task AFolderWithOneBadFileImportsNothingAtAll()
    {
        await using var app = App();
        await ImportAsync(app, _tenants.Path);
        var before = await RowSnapshot.TakeAsync(_database);

        // Good changes alongside one bad file: none of them may be kept.
        _tenants.Write("fujian/quanzhou/tenant.yaml", "name: 泉州市\nlevel: city\ndivisionCode: 350500\n");
        var zhejiang = _tenants.File("zhejiang/tenant.yaml");
        File.WriteAllText(zhejiang, File.ReadAllText(zhejiang).Replace("浙江政务服务网", "浙里办", StringComparison.Ordinal));
        _tenants.Write("beijing/haidian/tenant.yaml", "name: 海淀区\nlevel: district\ndivisionCode: 120108\n");

        var result = await ImportAsync(app, _tenants.Path);
        Assert.False(result.Succeeded);
        Assert.Equal("tenants/beijing/haidian/tenant.yaml:3:15: The division code 120108 does not fit its parent (110000): a region under a province shares its first 2 digits, 11.", Assert.Single(result.Problems).ToString());
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
    }

    [Fact]
    public async Task DiffSaysWhatAnImportWouldChangeWithoutChangingIt()
    {
        await using var app = App();
        await ImportAsync(app, _tenants.Path);
        _tenants.Write("fujian/quanzhou/tenant.yaml", "name: 泉州市\nlevel: city\ndivisionCode: 350500\n");
        var before = await RowSnapshot.TakeAsync(_database);

        await using var scope = app.Services.CreateAsyncScope();
        var (problems, plan) = await scope.ServiceProvider.GetRequiredService<TenantImport>().DiffAsync(_tenants.Path, CancellationToken.None);
        Assert.Empty(problems);
        var change = Assert.Single(plan!.Changes);
        Assert.Equal(("fujian.quanzhou", FileChangeKind.Added), (change.TenantId, change.Kind));
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
    }

    [Fact]
    public async Task TheMarkOfACodeOutsideTheStandardIsImportedAndADiffNamesItsChange()
    {
        await using var app = App();
        await ImportAsync(app, _tenants.Path);
        using (var client = app.CreateClient())
        {
            Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/tenants/bingtuan")).GetProperty("divisionCodeOutsideStandard").GetBoolean());
        }

        // Were GB/T 2260 ever to give the Corps a code, its file would drop the mark with the national platform's code.
        var file = _tenants.File("bingtuan/tenant.yaml");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text[..text.IndexOf("divisionCode:", StringComparison.Ordinal)] + "divisionCode: \"670000\"\n" + text[(text.IndexOf("displayName:", StringComparison.Ordinal))..]);
        await using var scope = app.Services.CreateAsyncScope();
        var (problems, plan) = await scope.ServiceProvider.GetRequiredService<TenantImport>().DiffAsync(_tenants.Path, CancellationToken.None);
        Assert.Empty(problems);
        var change = Assert.Single(plan!.Changes);
        Assert.Equal(["divisionCode: 660000 → 670000", "divisionCodeOutsideStandard: true → false"], change.Details);
    }

    [Fact]
    public async Task AnExportedFolderImportsBackToTheSameRegions()
    {
        await using var app = App();
        await ImportAsync(app, _tenants.Path);
        using var exported = new TempFolder("tenants");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TenantExport>().ExportAsync(exported.Path, CancellationToken.None);
        }

        Assert.Empty(TenantImport.Validate(exported.Path));
        await using var other = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var otherApp = new OneGoApp(other, exported.Path, importOnStartup: false);
        Assert.True((await ImportAsync(otherApp, exported.Path)).Succeeded);

        static IEnumerable<string> Meaning(IDictionary<string, string> rows) => rows
            .Where(r => r.Key.StartsWith("Regions/", StringComparison.Ordinal) || r.Key.StartsWith("TenantSettings/", StringComparison.Ordinal))
            .Select(r => r.Key + "=" + Strip(r.Value));
        // Timestamps and surrogate ids differ between two databases; everything a user sees must not.
        static string Strip(string json)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
            foreach (var name in new[] { "Id", "CreatedAt", "UpdatedAt" })
            {
                if (name != "Id" || node["Id"]?.GetValueKind() == JsonValueKind.Number)
                {
                    node.Remove(name);
                }
            }

            return node.ToJsonString();
        }

        Assert.Equal(Meaning(await RowSnapshot.TakeAsync(_database)), Meaning(await RowSnapshot.TakeAsync(other)));
    }
}

public sealed class TenantImportTestsOnSqlite() : TenantImportTests(Provider.Sqlite);

public sealed class TenantImportTestsOnPostgres() : TenantImportTests(Provider.Postgres);
