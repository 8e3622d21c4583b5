using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Tenants;

/// <summary>
/// The national operator onboards 新疆生产建设兵团, whose code 660000 is not a GB/T 2260 code, through the API: marked as
/// outside the standard it is taken and says so everywhere its code is shown; unmarked, or a mark anywhere else, is
/// refused at the field and changes nothing.
/// </summary>
public abstract class RegionOnboardingTests(Provider provider) : IAsyncLifetime
{
    // National alone, so that the Corps is not there yet and the host seeds one region's demo accounts.
    private readonly TempFolder _tenants = new("tenants");
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        File.Copy(Path.Combine(RepositoryTenants.Folder, TenantFolder.RegionFileName), _tenants.File(TenantFolder.RegionFileName));
        _database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        _app = new OneGoApp(_database, _tenants.Path, importOnStartup: true);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private static object Corps(string divisionCode, bool? marked) => new
    {
        segment = "bingtuan", name = "新疆生产建设兵团", nameEn = "Xinjiang Production and Construction Corps", level = "province", divisionCode,
        divisionCodeOutsideStandard = marked,
    };

    [Fact]
    public async Task TheCorpsIsOnboardedWithItsCodeMarkedAsOutsideTheStandard()
    {
        using var national = await _app.AsAsync(Roles.Admin, "national");
        using var anonymous = _app.CreateClient();
        var before = await RowSnapshot.TakeAsync(_database);

        var unmarked = await national.SendJsonAsync(HttpMethod.Post, "/api/t/national/children", Corps("660000", marked: null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unmarked.StatusCode);
        var problem = await unmarked.JsonAsync();
        var error = Assert.Single(problem["errors"]!.AsArray())!;
        Assert.Equal("/divisionCode", (string?)error["pointer"]);
        Assert.Contains("mark it as outside the standard (divisionCodeOutsideStandard: true)", (string?)error["message"], StringComparison.Ordinal);

        var otherCode = await national.SendJsonAsync(HttpMethod.Post, "/api/t/national/children", Corps("650000", marked: true));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherCode.StatusCode);
        Assert.Equal(["/divisionCodeOutsideStandard"], await otherCode.ErrorPlacesAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await national.SendJsonAsync(HttpMethod.Post, "/api/t/national/children", Corps("660000", marked: false))).StatusCode);
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/tenants/660000")).StatusCode);

        var created = await national.SendJsonAsync(HttpMethod.Post, "/api/t/national/children", Corps("660000", marked: true));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True((bool)(await created.JsonAsync())["divisionCodeOutsideStandard"]!);

        var detail = JsonNode.Parse(await anonymous.GetStringAsync("/api/tenants/660000"))!;
        Assert.Equal(("bingtuan", true), ((string?)detail["id"], (bool)detail["divisionCodeOutsideStandard"]!));
        var listed = JsonNode.Parse(await anonymous.GetStringAsync("/api/tenants?level=province"))!["items"]!.AsArray().Single()!;
        Assert.Equal(("bingtuan", "660000", true), ((string?)listed["id"], (string?)listed["divisionCode"], (bool)listed["divisionCodeOutsideStandard"]!));
        var page = await anonymous.GetStringAsync("/regions/660000");
        Assert.Contains("代码 660000（非 GB/T 2260 行政区划代码，是国家政务服务平台为新疆生产建设兵团使用的代码）", page, StringComparison.Ordinal);
        Assert.Contains("Code 660000 (not a GB/T 2260 code; the national government service platform&#x27;s code for 新疆生产建设兵团)", await anonymous.GetStringAsync("/regions/660000?lang=en"), StringComparison.Ordinal);

        // The mark belongs to the Corps itself: a region below it has a code of its own, never marked.
        var markedBelow = await national.SendJsonAsync(HttpMethod.Post, "/api/t/bingtuan/children",
            new { segment = "diyishi", name = "第一师", level = "city", divisionCode = "660100", divisionCodeOutsideStandard = true });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, markedBelow.StatusCode);
        Assert.Equal(["/divisionCodeOutsideStandard"], await markedBelow.ErrorPlacesAsync());

        // Exported, the Corps' file carries the mark, and the folder is one the import takes.
        using var exported = new TempFolder("tenants");
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TenantExport>().ExportAsync(exported.Path, CancellationToken.None);
        }

        Assert.Contains("divisionCode: \"660000\"\ndivisionCodeOutsideStandard: true\n", File.ReadAllText(exported.File("bingtuan/tenant.yaml")), StringComparison.Ordinal);
        Assert.Empty(TenantImport.Validate(exported.Path));
    }

    [Fact]
    public async Task AnotherRegionIsOnboardedAsBeforeAndSaysItsCodeIsAStandardOne()
    {
        using var national = await _app.AsAsync(Roles.Admin, "national");
        var created = await national.SendJsonAsync(HttpMethod.Post, "/api/t/national/children",
            new { segment = "xinjiang", name = "新疆维吾尔自治区", level = "province", divisionCode = "650000" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False((bool)(await created.JsonAsync())["divisionCodeOutsideStandard"]!);
        using var anonymous = _app.CreateClient();
        Assert.False((bool)JsonNode.Parse(await anonymous.GetStringAsync("/api/tenants/xinjiang"))!["divisionCodeOutsideStandard"]!);
        Assert.Contains("行政区划代码 650000", await anonymous.GetStringAsync("/regions/xinjiang"), StringComparison.Ordinal);
    }
}

public sealed class RegionOnboardingTestsOnSqlite() : RegionOnboardingTests(Provider.Sqlite);

public sealed class RegionOnboardingTestsOnPostgres() : RegionOnboardingTests(Provider.Postgres);
