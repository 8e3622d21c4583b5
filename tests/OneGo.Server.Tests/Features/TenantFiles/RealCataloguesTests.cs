using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// The real regional catalogues of <c>tenants/</c>, imported as the embedded default imports them, counted the
/// way a user would count them, and every guide of every bundle evaluated for every combination of answers.
/// </summary>
public sealed class RealCataloguesTestsOnSqlite(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private HttpClient Client => fixture.Client;

    private async Task<List<JsonNode>> LiveAsync(string tenant, string query = "")
    {
        var items = new List<JsonNode>();
        string? next = null;
        do
        {
            var url = $"/api/t/{tenant}/bundles?limit=500{query}" + (next is null ? "" : $"&cursor={next}");
            var page = await (await Client.GetAsync(url)).JsonAsync();
            items.AddRange(page["items"]!.AsArray().Select(i => i!["summary"]!));
            next = (string?)page["next"];
        }
        while (next is not null);
        return items;
    }

    // A text is a plain string when it has no English translation, else { zh, en }.
    private static IEnumerable<string> Names(IEnumerable<JsonNode> summaries) =>
        summaries.Select(s => s["name"] is JsonObject name ? (string)name["zh"]! : (string)s["name"]!);

    private static void AllNamed(IEnumerable<JsonNode> summaries, params string[] names)
    {
        var present = Names(summaries).ToList();
        Assert.All(names, name => Assert.Contains(present, p => p.Contains(name, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheThirteenNationalStandardsAreThere()
    {
        var national = await LiveAsync("national");
        Assert.Equal(13, national.Count);
        Assert.All(national, b => Assert.True((bool)b["isStandard"]!));
        Assert.All(national, b => Assert.NotNull((string?)b["name"]!.AsObject()["en"]));
        AllNamed(national, "新生儿出生", "教育入学", "企业信息变更", "开办餐饮店", "开办运输企业", "员工录用", "水电气网联合报装", "信用修复", "企业破产信息核查", "社会保障卡居民服务", "残疾人服务", "退休", "军人退役");
    }

    [Fact]
    public async Task JiangsuHasFiveFlagshipsAndTenStandardsAdoptedByGulouAndJiangning()
    {
        var jiangsu = await LiveAsync("320000");
        Assert.Equal(15, jiangsu.Count);
        AllNamed(jiangsu, "开办企业", "企业注销", "不动产登记", "工程建设项目审批", "不动产和动产抵押登记");
        var standards = jiangsu.Where(b => (bool)b["isStandard"]!).ToList();
        Assert.Equal(10, standards.Count);
        AllNamed(standards, "新生儿出生", "就业登记", "结婚", "退休", "身后", "军人退役", "开便利店", "开药店", "开办餐饮店", "教育入学");

        foreach (var standard in standards)
        {
            var adoptions = await (await Client.GetAsync($"/api/t/jiangsu/templates/{(string)standard["code"]!}/adoptions")).JsonAsync();
            var adopters = adoptions["items"]!.AsArray().Select(a => (string)a!["tenant"]!).ToList();
            Assert.Contains("jiangsu.nanjing.gulou", adopters);
            Assert.Contains("jiangsu.nanjing.jiangning", adopters);
            Assert.All(adoptions["items"]!.AsArray(), a => Assert.True((int)a!["localChanges"]! > 0));
        }

        Assert.Equal(10, (await LiveAsync("320106")).Count);
        Assert.Equal(10, (await LiveAsync("320115")).Count(b => b["lineage"]!.AsArray().Any(l => (string?)l!["tenant"] == "jiangsu")));
    }

    [Fact]
    public async Task ZhejiangHasThirtyFourPersonalAndNineteenEnterpriseBundles()
    {
        Assert.Equal(34, (await LiveAsync("zhejiang", "&audience=personal")).Count);
        Assert.Equal(19, (await LiveAsync("zhejiang", "&audience=enterprise")).Count);
    }

    [Fact]
    public async Task ChongqingHasItsTwoBatches()
    {
        var batches = (await LiveAsync("500000")).GroupBy(b => (string?)b["batch"]).ToDictionary(g => g.Key ?? "", g => g.Count());
        Assert.Equal(41, batches["2021-10 首批"]);
        Assert.Equal(24, batches["2022-01 第二批"]);
        Assert.Equal(2, batches.Count);
    }

    [Fact]
    public async Task BeijingHasTwentyCityWideStandardsAndItsDistrictsAdoptThem()
    {
        var beijing = await LiveAsync("110000");
        Assert.Equal(20, beijing.Count);
        Assert.All(beijing, b => Assert.True((bool)b["isStandard"]!));
        var own = 0;
        var adopted = 0;
        foreach (var district in new[] { "110101", "110102", "110105", "110108" })
        {
            var bundles = await LiveAsync(district);
            own += bundles.Count(b => b["lineage"]!.AsArray().Count == 0);
            adopted += bundles.Count(b => b["lineage"]!.AsArray().Any(l => (string?)l!["tenant"] == "beijing"));
        }

        Assert.Equal(16, own);
        Assert.Equal(41, adopted);
    }

    [Fact]
    public async Task ShandongAndGuangdongHoldARepresentativeSet()
    {
        Assert.True((await LiveAsync("shandong")).Count >= 10);
        var guangdong = await LiveAsync("guangdong");
        Assert.True(guangdong.Count >= 10);
    }

    [Fact]
    public async Task HaicangsEnrolmentBundleHasTheFiveGuidesOfTheArticle()
    {
        var enrolment = await (await Client.GetAsync("/api/t/350205/bundles/enrolment")).JsonAsync();
        var options = enrolment["scenarios"]![0]!["options"]!.AsArray().Select(o => (string)o!["label"]!["zh"]!).ToList();
        Assert.Equal(["我要入学-海沧区户籍", "我要入学-港澳台侨外籍子女", "我要入学-政策性照顾人员子女", "我要入学-积分入学", "我要入园"], options);
        Assert.NotNull((string?)enrolment["name"]!["en"]);
    }

    private async Task<List<string>> RegionIdsAsync()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OneGoDbContext>().Regions.Select(r => r.Id).OrderBy(r => r).ToListAsync();
    }

    [Fact]
    public async Task EveryCityAndDistrictAndEveryProvinceThatHeldBundlesOffersALiveBundle()
    {
        var empty = new List<string>();
        foreach (var region in await RegionIdsAsync())
        {
            if ((await LiveAsync(region)).Count == 0)
            {
                empty.Add(region);
            }
        }

        // Fujian's own catalogue is its cities' and districts'; the province-level regions added without a catalogue
        // (their folders hold only tenant.yaml) see the national standards and offer nothing yet; every other region offers something.
        string[] withoutCatalogue =
        [
            "anhui", "bingtuan", "gansu", "guangxi", "guizhou", "hainan", "hebei", "heilongjiang", "henan", "hubei", "hunan", "jiangxi", "jilin",
            "liaoning", "neimenggu", "ningxia", "qinghai", "shaanxi", "shanghai", "shanxi", "sichuan", "tianjin", "xinjiang", "xizang", "yunnan",
        ];
        Assert.Equal(withoutCatalogue.Append("fujian").Order(StringComparer.Ordinal), empty.Order(StringComparer.Ordinal));
        Assert.All(withoutCatalogue, region => Assert.Equal(["tenant.yaml"],
            Directory.EnumerateFileSystemEntries(Path.Combine(RepositoryTenants.Folder, region)).Select(Path.GetFileName)));
    }

    [Fact]
    public async Task TheNationalStandardsAreAdoptedThroughTheProvincesThatOfferTheSameBundle()
    {
        var national = (await LiveAsync("national")).Select(b => (string)b["code"]!).ToHashSet();
        var provinces = national.ToDictionary(c => c, _ => new HashSet<string>());
        var unlinked = new List<string>();
        foreach (var region in (await RegionIdsAsync()).Where(r => r != "national"))
        {
            foreach (var bundle in await LiveAsync(region))
            {
                var code = (string)bundle["code"]!;
                var root = bundle["lineage"]!.AsArray().FirstOrDefault();
                if (root is not null && (string?)root["tenant"] == "national")
                {
                    provinces[(string)root["code"]!].Add(region.Split('.')[0]);
                }
                else if (national.Contains(code) && root is null && bundle["correspondsTo"] is null)
                {
                    // A bundle of its own with a national standard's code says which standard it corresponds to (an
                    // adoption is held to this where its standard's root is defined).
                    unlinked.Add($"{region}/{code}");
                }

                if (bundle["correspondsTo"] is { } counterpart)
                {
                    Assert.Equal("national", (string?)counterpart["tenant"]);
                    Assert.Contains((string)counterpart["code"]!, national);
                }
            }
        }

        Assert.Empty(unlinked);
        Assert.All(new[] { "newborn", "retirement", "restaurant" }, code => Assert.True(provinces[code].Count >= 5, $"{code}: {string.Join(", ", provinces[code])}"));
        Assert.True(provinces["school-enrolment"].Count >= 4, string.Join(", ", provinces["school-enrolment"]));
        Assert.Equal(7, provinces["newborn"].Count);
    }

    [Fact]
    public async Task AFreshImportShowsAdoptersBehindTheStandardsWhoseEarlierVersionsAreKeptInFiles()
    {
        var behind = new List<string>();
        foreach (var region in await RegionIdsAsync())
        {
            foreach (var standard in (await LiveAsync(region)).Where(b => (bool)b["isStandard"]!))
            {
                var adoptions = await (await Client.GetAsync($"/api/t/{region}/templates/{(string)standard["code"]!}/adoptions")).JsonAsync();
                if (adoptions["items"]!.AsArray().Any(a => (int)a!["behind"]! > 0))
                {
                    behind.Add($"{region}/{(string)standard["code"]!}");
                }
            }
        }

        Assert.Equal(["jiangsu/newborn", "national/newborn", "zhejiang/business-opening"], behind.Order(StringComparer.Ordinal));
        var newborn = await (await Client.GetAsync("/api/t/national/templates/newborn/adoptions")).JsonAsync();
        var jiangsu = newborn["items"]!.AsArray().Single(a => (string?)a!["tenant"] == "jiangsu");
        Assert.Equal(0, (int)jiangsu!["behind"]!);
        Assert.All(newborn["items"]!.AsArray().Where(a => (string?)a!["tenant"] != "jiangsu"), a => Assert.Equal(1, (int)a!["behind"]!));
    }

    [Fact]
    public async Task ImportingTheWholeFolderAgainChangesNoRow()
    {
        var before = await RowSnapshot.TakeAsync(fixture.App.Database);
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<OneGo.Server.Features.TenantFiles.TenantImport>().ImportAsync(RepositoryTenants.Folder, CancellationToken.None);
            Assert.True(again.Succeeded, string.Join("\n", again.Problems));
            Assert.True(again.Applied!.IsEmpty, string.Join("\n", again.Applied.Changes.Select(c => c.Path)));
            Assert.Equal(RepositoryTenants.FileCount(RepositoryTenants.Folder), again.Applied.UnchangedFiles);
        }

        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(fixture.App.Database)));
    }

    [Fact]
    public async Task EveryBundleResolvesAndEveryCombinationOfAnswersGivesAGuide()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var tenants = scope.ServiceProvider.GetRequiredService<CurrentTenant>();
        var catalogue = scope.ServiceProvider.GetRequiredService<BundleCatalogue>();
        var regions = await db.Regions.Select(r => r.Id).ToListAsync();
        var bundles = 0;
        var guides = 0;
        var failures = new List<string>();
        foreach (var region in regions)
        {
            using (tenants.Enter(region))
            {
                var live = await db.Set<BundleRecord>().Where(b => b.LiveVersion != null)
                    .Join(db.Set<BundleVersion>(), b => new { b.Code, Version = b.LiveVersion!.Value }, v => new { Code = v.BundleCode, v.Version }, (b, v) => v)
                    .ToListAsync();
                foreach (var version in live)
                {
                    bundles++;
                    var effective = await catalogue.EffectiveOfAsync(version, default);
                    foreach (var answers in Combinations(effective.Scenarios))
                    {
                        guides++;
                        var result = GuideEvaluator.Evaluate(effective, answers);
                        var where = $"{region}/{version.BundleCode} [{string.Join(", ", answers.Select(a => a.Key + "=" + a.Value))}]";
                        if (result.Guide is not { } guide)
                        {
                            failures.Add($"{where}: {string.Join("; ", result.Errors.Select(e => e.Message))}");
                        }
                        else if (guide.Matters.Count < 2 || guide.Bring.Count + guide.FetchedForYou.Count + guide.ByCommitment.Count + guide.IssuedInBundle.Count + guide.MayFollowLater.Count < 1)
                        {
                            failures.Add($"{where}: {guide.Matters.Count} matter(s)");
                        }
                    }
                }
            }
        }

        // The 407 bundles of the README's catalogue table.
        Assert.True(bundles >= 400, $"only {bundles} live bundles");
        Assert.True(failures.Count == 0, $"{failures.Count} of {guides} guides fall short:\n" + string.Join("\n", failures.Take(20)));
    }

    /// <summary>Every combination of answers: each required question one of its options, an optional one also unanswered.</summary>
    private static IEnumerable<Dictionary<string, string>> Combinations(IReadOnlyList<Question> questions)
    {
        IEnumerable<Dictionary<string, string>> all = [new Dictionary<string, string>()];
        foreach (var question in questions)
        {
            var choices = question.Options.Select(o => (string?)o.Id).ToList();
            if (!question.Required)
            {
                choices.Add(null);
            }

            all = all.SelectMany(answers => choices.Select(choice =>
            {
                var next = new Dictionary<string, string>(answers);
                if (choice is not null)
                {
                    next[question.Id] = choice;
                }

                return next;
            })).ToList();
        }

        return all;
    }
}
