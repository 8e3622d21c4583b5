using System.Diagnostics;
using System.Net;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Templates;

/// <summary>Two server processes on one PostgreSQL database, as two nodes behind a load balancer.</summary>
public sealed class TwoNodesTestsOnPostgres : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Provider.Postgres);

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task AChangeApprovedThroughOneNodeIsServedByTheOtherWithinSeconds()
    {
        await using var a = await ServerProcess.StartAsync(_database);
        await using var b = await ServerProcess.StartAsync(_database);
        using var clientA = ActAsTenantStaff.For(a.Address);
        using var clientB = ActAsTenantStaff.For(b.Address);

        // Node B serves (and keeps) the live bundle first.
        var before = await clientB.GetAsync("/api/t/350205/bundles/enrolment");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var etagBefore = before.ETag();

        // Node A approves a new version.
        var matter = await (await clientA.GetAsync("/api/t/350205/matters/vaccination-check")).JsonAsync();
        matter["promisedDays"] = 3;
        Assert.Equal(HttpStatusCode.OK, (await clientA.ReviseMatterAsync("350205", matter)).StatusCode);
        var draft = await clientA.GetAsync("/api/t/350205/bundles/enrolment/draft");
        var saved = await clientA.SendJsonAsync(HttpMethod.Put, "/api/t/350205/bundles/enrolment/draft", (await draft.JsonAsync())["document"], draft.ETag());
        Assert.Equal(HttpStatusCode.OK, (await clientA.SubmitAndApproveAsync("/api/t/350205/bundles/enrolment/draft", saved.ETag())).StatusCode);
        var etagAfter = (await clientA.GetAsync("/api/t/350205/bundles/enrolment")).ETag();
        Assert.NotEqual(etagBefore, etagAfter);

        var clock = Stopwatch.StartNew();
        string seenByB;
        do
        {
            await Task.Delay(200);
            seenByB = (await clientB.GetAsync("/api/t/350205/bundles/enrolment")).ETag();
        }
        while (seenByB != etagAfter && clock.Elapsed < TimeSpan.FromSeconds(20));

        // Node B re-reads the live version number every Catalogue:LiveCheckSeconds (2 s): well inside the 20 s waited.
        Assert.Equal(etagAfter, seenByB);
    }

    [Fact]
    public async Task ATokenIssuedByOneNodeIsAcceptedByTheOther()
    {
        // The nodes share keys through the database and name one issuer, as behind a load balancer.
        await using var a = await ServerProcess.StartAsync(_database, "--Identity:Issuer=http://onego.test/");
        await using var b = await ServerProcess.StartAsync(_database, "--Identity:Issuer=http://onego.test/");
        using var anonymousA = a.Client();
        var token = await Tokens.RequestAsync(anonymousA, OneGo.Server.Identity.DemoAccounts.UserName("editor", "fujian.xiamen.haicang"));

        using var clientB = b.Client();
        clientB.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync("/api/t/350205/drafts")).StatusCode);
    }
}
