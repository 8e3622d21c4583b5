using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Tenants;

public abstract class TenantsApiTests(AppFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task ATenantIsAnsweredAlikeByIdAndByDivisionCode()
    {
        var byCode = await Client.GetAsync("/api/tenants/350205");
        var byId = await Client.GetAsync("/api/tenants/fujian.xiamen.haicang");
        Assert.Equal(HttpStatusCode.OK, byCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);

        var bodyByCode = await byCode.Content.ReadAsStringAsync();
        Assert.Equal(await byId.Content.ReadAsStringAsync(), bodyByCode);
        using var json = JsonDocument.Parse(bodyByCode);
        Assert.Equal("fujian.xiamen.haicang", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("350205", json.RootElement.GetProperty("divisionCode").GetString());
        Assert.Equal("海沧区", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("district", json.RootElement.GetProperty("level").GetString());
        Assert.Equal("fujian.xiamen", json.RootElement.GetProperty("parentId").GetString());
    }

    [Fact]
    public async Task AnUnknownTenantIsA404ProblemDetails()
    {
        foreach (var unknown in new[] { "nowhere", "999999", "fujian.xiamen.nowhere" })
        {
            var response = await Client.GetAsync($"/api/tenants/{unknown}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(404, problem.GetProperty("status").GetInt32());
            Assert.Contains(unknown, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheListHoldsEveryRegionOfTheTenantsFolderWithItsCode()
    {
        var all = await ReadAllPagesAsync("/api/tenants?limit=7");
        var expected = new Dictionary<string, string?>
        {
            ["national"] = null,
            ["jiangsu"] = "320000", ["jiangsu.nanjing"] = "320100", ["jiangsu.nanjing.gulou"] = "320106", ["jiangsu.nanjing.jiangning"] = "320115",
            ["zhejiang"] = "330000", ["zhejiang.hangzhou"] = "330100", ["zhejiang.hangzhou.shangcheng"] = "330102", ["zhejiang.hangzhou.xihu"] = "330106",
            ["chongqing"] = "500000", ["chongqing.yuzhong"] = "500103", ["chongqing.jiangbei"] = "500105", ["chongqing.yubei"] = "500112",
            ["beijing"] = "110000", ["beijing.dongcheng"] = "110101", ["beijing.xicheng"] = "110102", ["beijing.chaoyang"] = "110105", ["beijing.haidian"] = "110108",
            ["guangdong"] = "440000", ["guangdong.guangzhou"] = "440100",
            ["shandong"] = "370000", ["shandong.jinan"] = "370100",
            ["fujian"] = "350000", ["fujian.xiamen"] = "350200", ["fujian.xiamen.siming"] = "350203", ["fujian.xiamen.haicang"] = "350205",
            // The province-level regions without regions below them in the folder (yet).
            ["tianjin"] = "120000", ["hebei"] = "130000", ["shanxi"] = "140000", ["neimenggu"] = "150000", ["liaoning"] = "210000",
            ["jilin"] = "220000", ["heilongjiang"] = "230000", ["shanghai"] = "310000", ["anhui"] = "340000", ["jiangxi"] = "360000",
            ["henan"] = "410000", ["hubei"] = "420000", ["hunan"] = "430000", ["guangxi"] = "450000", ["hainan"] = "460000",
            ["sichuan"] = "510000", ["guizhou"] = "520000", ["yunnan"] = "530000", ["xizang"] = "540000", ["shaanxi"] = "610000",
            ["gansu"] = "620000", ["qinghai"] = "630000", ["ningxia"] = "640000", ["xinjiang"] = "650000", ["bingtuan"] = "660000",
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), all.Select(r => r.GetProperty("id").GetString()));
        foreach (var region in all)
        {
            var id = region.GetProperty("id").GetString()!;
            var code = region.GetProperty("divisionCode");
            Assert.Equal(expected[id], code.ValueKind == JsonValueKind.Null ? null : code.GetString());
            // Only the Corps' code is outside GB/T 2260, and says so.
            Assert.Equal(id == "bingtuan", region.GetProperty("divisionCodeOutsideStandard").GetBoolean());
        }
    }

    [Fact]
    public async Task EveryProvinceLevelRegionOfTheMainlandIsATenant()
    {
        var provinces = await ReadAllPagesAsync("/api/tenants?level=province");
        // 22 provinces, 5 autonomous regions, 4 municipalities and 新疆生产建设兵团; Hong Kong, Macao and Taiwan are not tenants.
        Assert.Equal(32, provinces.Count);
        Assert.All(provinces, p => Assert.Equal("national", p.GetProperty("parentId").GetString()));
        Assert.DoesNotContain(provinces, p => p.GetProperty("divisionCode").GetString() is "710000" or "810000" or "820000");

        var corps = await Client.GetFromJsonAsync<JsonElement>("/api/tenants/660000");
        Assert.Equal(("bingtuan", "新疆生产建设兵团", true), (corps.GetProperty("id").GetString(), corps.GetProperty("name").GetString(), corps.GetProperty("divisionCodeOutsideStandard").GetBoolean()));
        Assert.False((await Client.GetFromJsonAsync<JsonElement>("/api/tenants/650000")).GetProperty("divisionCodeOutsideStandard").GetBoolean());
    }

    [Fact]
    public async Task ANewProvinceHasNoCatalogueOfItsOwnAndSeesTheNationalStandards()
    {
        var anhui = await Client.GetFromJsonAsync<JsonElement>("/api/tenants/340000");
        Assert.Equal(("anhui", "皖事通", "12345"), (anhui.GetProperty("id").GetString(), anhui.GetProperty("displayName").GetString(), anhui.GetProperty("contact").GetProperty("phone").GetString()));
        Assert.Empty((await Client.GetFromJsonAsync<JsonElement>("/api/t/anhui/bundles")).GetProperty("items").EnumerateArray());
        Assert.Empty((await Client.GetFromJsonAsync<JsonElement>("/api/t/anhui/templates")).GetProperty("items").EnumerateArray());

        // What it may adopt: the national standards, the same as national offers.
        var matrix = await Client.GetFromJsonAsync<JsonElement>("/api/t/anhui/adoption-matrix");
        var offered = matrix.GetProperty("standards").EnumerateArray().Select(s => s.GetProperty("standard")).ToList();
        Assert.All(offered, s => Assert.Equal("national", s.GetProperty("tenant").GetString()));
        var national = (await Client.GetFromJsonAsync<JsonElement>("/api/t/national/templates?limit=100")).GetProperty("items").EnumerateArray().Select(t => t.GetProperty("code").GetString()).ToList();
        Assert.Equal(13, national.Count);
        Assert.Equal(national, offered.Select(s => s.GetProperty("code").GetString()));
        var window = (await Client.GetFromJsonAsync<JsonElement>("/api/t/anhui/departments")).EnumerateArray().First();
        Assert.Equal(("window", "安徽省政务服务中心综合受理窗口", "anhui"), (window.GetProperty("code").GetString(), window.GetProperty("name").GetString(), window.GetProperty("region").GetString()));
    }

    [Fact]
    public async Task AMunicipalitysChildrenAreDistrictsAndAParentAcceptsItsCode()
    {
        var children = await ReadAllPagesAsync("/api/tenants?parent=500000");
        Assert.Equal(["chongqing.jiangbei", "chongqing.yubei", "chongqing.yuzhong"], children.Select(c => c.GetProperty("id").GetString()));
        Assert.All(children, c => Assert.Equal("district", c.GetProperty("level").GetString()));

        var detail = await Client.GetFromJsonAsync<JsonElement>("/api/tenants/fujian.xiamen");
        Assert.Equal(["fujian.xiamen.haicang", "fujian.xiamen.siming"], detail.GetProperty("children").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("province", (await Client.GetFromJsonAsync<JsonElement>("/api/tenants/chongqing")).GetProperty("level").GetString());
    }

    [Fact]
    public async Task TheTenantsSettingsComeWithIt()
    {
        var haicang = await Client.GetFromJsonAsync<JsonElement>("/api/tenants/350205");
        Assert.Equal("海沧区行政审批管理局", haicang.GetProperty("displayName").GetString());
        Assert.Equal("0 30 1 * * ?", haicang.GetProperty("publishing").GetProperty("schedule").GetString());
        Assert.Equal("Asia/Shanghai", haicang.GetProperty("publishing").GetProperty("timeZone").GetString());
    }

    [Theory]
    [InlineData("/api/tenants?limit=0", "limit")]
    [InlineData("/api/tenants?limit=501", "limit")]
    [InlineData("/api/tenants?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/tenants?parent=nowhere", "parent")]
    [InlineData("/api/tenants?level=county", "level")]
    public async Task BadListParametersAreA422NamingTheParameter(string url, string parameter)
    {
        var response = await Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("parameter").GetString() == parameter);
    }

    [Fact]
    public async Task ListFiltersCombineWithPaging()
    {
        var districts = await ReadAllPagesAsync("/api/tenants?level=district&limit=2");
        Assert.Equal(13, districts.Count);
        Assert.All(districts, d => Assert.Equal("district", d.GetProperty("level").GetString()));
    }

    private async Task<List<JsonElement>> ReadAllPagesAsync(string url)
    {
        var all = new List<JsonElement>();
        string? next = null;
        var pages = 0;
        do
        {
            var separator = url.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            var page = await Client.GetFromJsonAsync<JsonElement>(next is null ? url : $"{url}{separator}cursor={next}");
            all.AddRange(page.GetProperty("items").EnumerateArray());
            next = page.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            Assert.True(++pages < 100, "paging does not end");
        }
        while (next is not null);
        return all;
    }
}

public sealed class TenantsApiTestsOnSqlite(SqliteAppFixture fixture) : TenantsApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class TenantsApiTestsOnPostgres(PostgresAppFixture fixture) : TenantsApiTests(fixture), IClassFixture<PostgresAppFixture>;
