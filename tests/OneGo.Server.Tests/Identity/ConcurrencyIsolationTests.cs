using System.Net;
using System.Net.Http.Headers;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Thousands of requests at once from mixed tenants, for the same codes in different regions: each response
/// carries its own tenant's data and nobody else's, whatever the caches hold.
/// </summary>
public sealed class ConcurrencyIsolationTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    // "newborn" is a bundle code in each of these regions, with different content.
    private static readonly string[] Regions = ["national", "jiangsu", "jiangsu.nanjing.gulou", "jiangsu.nanjing.jiangning", "fujian.xiamen.haicang"];

    [Fact]
    public async Task AUrlWarmedByOneTenantNeverServesAnother()
    {
        using var client = fixture.App.CreateClient();
        var gulou = await client.GetByteArrayAsync("/api/t/jiangsu.nanjing.gulou/bundles/newborn");
        var jiangning = await client.GetByteArrayAsync("/api/t/jiangsu.nanjing.jiangning/bundles/newborn");
        Assert.NotEqual(gulou, jiangning);
        Assert.Equal(gulou, await client.GetByteArrayAsync("/api/t/320106/bundles/newborn"));
        Assert.Equal(jiangning, await client.GetByteArrayAsync("/api/t/320115/bundles/newborn"));
    }

    [Fact]
    public async Task ThousandsOfParallelRequestsEachGetTheirOwnTenantsData()
    {
        using var anonymous = fixture.App.CreateClient();
        var live = new Dictionary<string, byte[]>();
        var drafts = new Dictionary<string, byte[]>();
        var editors = new Dictionary<string, HttpClient>();
        foreach (var region in Regions)
        {
            live[region] = await anonymous.GetByteArrayAsync($"/api/t/{region}/bundles/newborn");
            var editor = fixture.App.CreateClient();
            editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(anonymous, DemoAccounts.UserName(Roles.Editor, region)));
            editors[region] = editor;
            drafts[region] = await editor.GetByteArrayAsync($"/api/t/{region}/bundles/newborn/draft");
        }

        Assert.Equal(Regions.Length, live.Values.Select(Convert.ToBase64String).Distinct().Count());
        const int requests = 3000;
        var mismatches = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, cancellationToken) =>
        {
            var region = Regions[i % Regions.Length];
            var draft = i % 3 == 0;
            var response = draft
                ? await editors[region].GetAsync($"/api/t/{region}/bundles/newborn/draft", cancellationToken)
                : await anonymous.GetAsync($"/api/t/{region}/bundles/newborn", cancellationToken);
            statuses.Add(response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!body.AsSpan().SequenceEqual(draft ? drafts[region] : live[region]))
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        foreach (var editor in editors.Values)
        {
            editor.Dispose();
        }

        Assert.Equal(requests, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(0, mismatches);
    }
}
