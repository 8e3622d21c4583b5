using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Catalogue;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// The regions' departments (<c>departments:</c> of <c>tenant.yaml</c>) and the codes the catalogue names them by: a code
/// means the nearest region's department, a code no region in reach lists is refused at its line and column, and a
/// renamed department reaches the pages by the next import.
/// </summary>
public sealed class DepartmentFilesTestsOnSqlite : IAsyncLifetime
{
    private const string Haicang = "fujian/xiamen/haicang/";
    private readonly TempFolder _tenants = RepositoryTenants.Copy();
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        _app = new OneGoApp(_database, _tenants.Path, importOnStartup: false);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private async Task<ImportResult> ImportAsync(bool dryRun = false)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var import = scope.ServiceProvider.GetRequiredService<TenantImport>();
        if (dryRun)
        {
            var (problems, plan) = await import.DiffAsync(_tenants.Path, CancellationToken.None);
            return new ImportResult(problems, plan);
        }

        return await import.ImportAsync(_tenants.Path, CancellationToken.None);
    }

    /// <summary>Runs the import; asserts it stopped and changed no row; returns its problems.</summary>
    private async Task<List<string>> RefusedAsync()
    {
        var before = await RowSnapshot.TakeAsync(_database);
        var result = await ImportAsync();
        Assert.False(result.Succeeded);
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
        return result.Problems.Select(p => p.ToString()).ToList();
    }

    private async Task<Dictionary<string, JsonElement>> DepartmentsAsync(string tenant)
    {
        using var client = _app.CreateClient();
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/t/{tenant}/departments");
        return list.EnumerateArray().ToDictionary(d => d.GetProperty("code").GetString()!);
    }

    private static (string Name, string Region) Named(Dictionary<string, JsonElement> departments, string code) =>
        (departments[code].GetProperty("name").GetString()!, departments[code].GetProperty("region").GetString()!);

    [Fact]
    public async Task ACodeMeansTheNearestRegionsDepartmentInTheApiAndOnTheBundlePage()
    {
        var result = await ImportAsync();
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));

        var haicang = await DepartmentsAsync("350205");
        // Haicang's own, Xiamen's where Haicang lists none, national's kind of body where no region below lists one.
        Assert.Equal(("厦门市公安局海沧分局", "fujian.xiamen.haicang"), Named(haicang, "public-security"));
        Assert.Equal(("厦门水务集团有限公司", "fujian.xiamen"), Named(haicang, "water-supply"));
        Assert.Equal(("人民法院", "national"), Named(haicang, "courts"));
        // The comprehensive window comes first.
        var window = (await DepartmentsAsync("350205")).Values.First();
        Assert.Equal(("window", "window"), (window.GetProperty("code").GetString(), window.GetProperty("kind").GetString()));
        // The same code from Xiamen is Xiamen's bureau: a district's department is not in reach of the city above it.
        Assert.Equal(("厦门市公安局", "fujian.xiamen"), Named(await DepartmentsAsync("350200"), "public-security"));

        // Haicang's newborn bundle: the household registration is the national matter's (公安机关), implemented by Haicang's bureau.
        using var client = _app.CreateClient();
        var page = await client.GetStringAsync("/regions/350205/bundles/newborn");
        Assert.Contains("厦门市公安局海沧分局", page, StringComparison.Ordinal);
        Assert.DoesNotContain(">public-security<", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACodeNoRegionInReachListsIsRefusedAtItsLineAndColumn()
    {
        var matter = File.ReadAllText(_tenants.File(Haicang + "matters/birth-household-registration.yaml"));
        Assert.Contains("\ndepartment: public-security\n", matter, StringComparison.Ordinal);
        // Siming, beside Haicang, lists an ecology and environment bureau; neither Haicang nor a region above does.
        _tenants.Write(Haicang + "matters/birth-household-registration.yaml", matter.Replace("\ndepartment: public-security\n", "\ndepartment: ecology-environment\n", StringComparison.Ordinal));

        var problem = Assert.Single(await RefusedAsync());
        Assert.StartsWith($"tenants/{Haicang}matters/birth-household-registration.yaml:5:13: 'ecology-environment' is not the code of a department of 海沧区 (fujian.xiamen.haicang) or of a region above it", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegionsDepartmentsAreCheckedAsItsFileIsRead()
    {
        var region = File.ReadAllText(_tenants.File(Haicang + "tenant.yaml"));
        var valid = "11350205MB" + "0123456";
        var credit = valid + NationalCodes.CreditCodeCheckCharacter(valid);
        var wrongCheck = valid + (NationalCodes.CreditCodeCheckCharacter(valid) == '0' ? '1' : '0');
        _tenants.Write(Haicang + "tenant.yaml", region
            .Replace("  - { code: education, name: 厦门市海沧区教育局 }", $"  - {{ code: education, name: 厦门市海沧区教育局, creditCode: {credit} }}", StringComparison.Ordinal)
            .Replace("  - { code: health, name: 厦门市海沧区卫生健康局 }", $"  - {{ code: health, name: 厦门市海沧区卫生健康局, creditCode: {wrongCheck} }}\n  - {{ code: health, name: 海沧区卫健局 }}\n  - {{ code: library, kind: museum, name: 海沧区图书馆 }}", StringComparison.Ordinal));

        var problems = await RefusedAsync();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("fails the check of GB 32100-2015", StringComparison.Ordinal) && p.StartsWith($"tenants/{Haicang}tenant.yaml:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("the code 'health' is also the code of department", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'kind' is 'museum', which is not allowed here; use one of: department, window, enterprise.", StringComparison.Ordinal));

        // With the check character right and the twin gone, the code is kept and the API shows it.
        _tenants.Write(Haicang + "tenant.yaml", region
            .Replace("  - { code: education, name: 厦门市海沧区教育局 }", $"  - {{ code: education, name: 厦门市海沧区教育局, creditCode: {credit} }}", StringComparison.Ordinal));
        Assert.True((await ImportAsync()).Succeeded);
        Assert.Equal(credit, (await DepartmentsAsync("350205"))["education"].GetProperty("creditCode").GetString());
    }

    [Fact]
    public async Task ARenamedDepartmentIsShownByTheDiffAndReachesThePageWithTheNextImport()
    {
        Assert.True((await ImportAsync()).Succeeded);
        var file = _tenants.File(Haicang + "tenant.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("name: 厦门市公安局海沧分局", "name: 厦门市公安局海沧分局（户政）", StringComparison.Ordinal));

        var diff = await ImportAsync(dryRun: true);
        var change = Assert.Single(diff.Applied!.Changes);
        Assert.Equal(["departments.public-security: 厦门市公安局海沧分局 → 厦门市公安局海沧分局（户政）"], change.Details);

        Assert.True((await ImportAsync()).Succeeded);
        using var client = _app.CreateClient();
        // The directory of regions is read again within seconds on every node; the importing node at once.
        var page = await Eventually.HoldsAsync(() => client.GetStringAsync("/regions/350205/bundles/newborn"),
            text => text.Contains("厦门市公安局海沧分局（户政）", StringComparison.Ordinal), "the page to show the new name");
        Assert.Contains("厦门市公安局海沧分局（户政）", page, StringComparison.Ordinal);
    }
}
