using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Thousands of requests at once from mixed tenants, for the same codes in different regions: each response
/// carries its own tenant's data and nobody else's, whatever the caches hold — and on PostgreSQL whatever tenant
/// setting a pooled connection carried from its last command.
/// </summary>
public abstract class ConcurrencyIsolationTests(AppFixture fixture)
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
        var wrong = new System.Collections.Concurrent.ConcurrentBag<string>();
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, cancellationToken) =>
        {
            var region = Regions[i % Regions.Length];
            // Every fifth request is one the server must refuse: an editor at another region's working copy, or a
            // visitor at one; interleaved with the rest, on the same pooled connections.
            var (kind, response) = (i % 5) switch
            {
                0 or 2 => ("draft", await editors[region].GetAsync($"/api/t/{region}/bundles/newborn/draft", cancellationToken)),
                4 when i % 10 == 4 => ("refused editor", await editors[Regions[(i + 1) % Regions.Length]].GetAsync($"/api/t/{region}/bundles/newborn/draft", cancellationToken)),
                4 => ("refused visitor", await anonymous.GetAsync($"/api/t/{region}/bundles/newborn/draft", cancellationToken)),
                _ => ("live", await anonymous.GetAsync($"/api/t/{region}/bundles/newborn", cancellationToken)),
            };
            kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var expected = kind switch
            {
                "draft" => (HttpStatusCode.OK, drafts[region]),
                "live" => (HttpStatusCode.OK, live[region]),
                "refused editor" => (HttpStatusCode.Forbidden, null),
                _ => (HttpStatusCode.Unauthorized, null),
            };
            if (response.StatusCode != expected.Item1)
            {
                wrong.Add($"{kind} {region}: {(int)response.StatusCode}");
            }
            else if (expected.Item2 is { } bytes ? !body.AsSpan().SequenceEqual(bytes) : !IsProblem(response, body, region))
            {
                wrong.Add($"{kind} {region}: {System.Text.Encoding.UTF8.GetString(body)}");
            }
        });

        foreach (var editor in editors.Values)
        {
            editor.Dispose();
        }

        Assert.Equal(requests, kinds.Values.Sum());
        Assert.Equal(requests / 5, kinds["refused editor"] + kinds["refused visitor"]);
        Assert.True(wrong.IsEmpty, $"{wrong.Count} of {requests} answers were not their own tenant's:\n" + string.Join("\n", wrong.Take(20)));
    }

    // A refusal is problem details and gives away nothing of the working copy it refused.
    private static bool IsProblem(HttpResponseMessage response, byte[] body, string region) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json"
        && JsonNode.Parse(body)?["status"]?.GetValue<int>() == (int)response.StatusCode
        && !System.Text.Encoding.UTF8.GetString(body).Contains("\"document\"", StringComparison.Ordinal);
}

public sealed class ConcurrencyIsolationTestsOnSqlite(SqliteAppFixture fixture) : ConcurrencyIsolationTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ConcurrencyIsolationTestsOnPostgres(PostgresAppFixture fixture) : ConcurrencyIsolationTests(fixture), IClassFixture<PostgresAppFixture>;
