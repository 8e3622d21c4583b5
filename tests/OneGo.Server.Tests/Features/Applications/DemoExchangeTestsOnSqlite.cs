using System.Net;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>
/// The embedded default's stand-in exchange: a real server process serves it under /demo/exchange and fetches from it
/// over its own loopback address with signed requests, as from any region's exchange — a demo applicant's 入园入学 form
/// fills with their synthetic child, and an unsigned request to the stand-in is refused.
/// </summary>
public sealed class DemoExchangeTestsOnSqlite : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Provider.Sqlite);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task TheNodeFetchesFromItsOwnStandInOverLoopbackWithSignedRequests()
    {
        await using var server = await ServerProcess.StartAsync(_database, $"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", "--Zone:RelayEnabled=false", "--DataExchange:DemoStandIn=true");
        using var zhang = await server.ClientAsync("demo-applicant-zhang", scope: "apply");
        var draft = await (await zhang.SendJsonAsync(HttpMethod.Post, "/api/t/350205/applications", new { bundle = "enrolment", answers = new { guide = "haicang-hukou" } })
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();

        var shared = await zhang.ShareAllAsync("fujian.xiamen.haicang", (string)draft["id"]!);
        Assert.All(shared["sharing"]!.AsArray(), d => Assert.Equal("fetched", (string?)d!["state"]));
        Assert.Equal(("张小宇", "350***********0034"), ((string?)shared["values"]!["child-name"], (string?)shared["values"]!["child-id-number"]));
        Assert.All(shared["fetches"]!.AsArray(), f => Assert.StartsWith("DEMO-", (string)f!["detail"]!, StringComparison.Ordinal));

        using var anonymous = server.Client();
        var unsigned = await anonymous.SendJsonAsync(HttpMethod.Post, "/demo/exchange/datasets/" + Uri.EscapeDataString("户籍信息") + "/query",
            new { subject = new { idNumber = "350205198806121231" }, asGuardian = true });
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }
}
