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
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), all.Select(r => r.GetProperty("id").GetString()));
        foreach (var region in all)
        {
            var id = region.GetProperty("id").GetString()!;
            var code = region.GetProperty("divisionCode");
            Assert.Equal(expected[id], code.ValueKind == JsonValueKind.Null ? null : code.GetString());
        }
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
