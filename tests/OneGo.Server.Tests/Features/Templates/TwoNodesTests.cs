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

        // Node B reads every tenant's live stamp every Catalogue:LiveCheckSeconds (2 s): well inside the 20 s waited.
        Assert.Equal(etagAfter, seenByB);
    }

    [Fact]
    public async Task AWithdrawalThroughOneNodeStopsBeingServedByTheOtherWithinSecondsAndNoOtherTenantsBundleMoves()
    {
        await using var a = await ServerProcess.StartAsync(_database);
        await using var b = await ServerProcess.StartAsync(_database);
        using var clientA = ActAsTenantStaff.For(a.Address);
        using var clientB = ActAsTenantStaff.For(b.Address);

        // Node B serves (and keeps) the same bundle of three tenants: Haicang's, its neighbour Siming's, and Xiamen's above both.
        var others = new[] { "/api/t/350203/bundles/newborn", "/api/t/350200/bundles/newborn" };
        var othersBefore = new List<string>();
        foreach (var other in others)
        {
            var served = await clientB.GetAsync(other);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            othersBefore.Add(served.ETag());
        }

        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync("/api/t/350205/bundles/newborn")).StatusCode);

        // Node A withdraws Haicang's: proposed by its editor, approved by its reviewer.
        var draft = await clientA.GetAsync("/api/t/350205/bundles/newborn/draft");
        var proposed = await clientA.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/newborn/withdrawal", new { comment = "并入“出生一件事”的市级版本。" }, draft.ETag());
        Assert.Equal(HttpStatusCode.OK, proposed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clientA.SendJsonAsync(HttpMethod.Post, "/api/t/350205/bundles/newborn/draft/approve", ifMatch: proposed.ETag())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clientA.GetAsync("/api/t/350205/bundles/newborn")).StatusCode);

        // Node B reads every tenant's live stamp every Catalogue:LiveCheckSeconds (2 s): well inside the 20 s waited.
        await Eventually.HoldsAsync(async () => (await clientB.GetAsync("/api/t/350205/bundles/newborn")).StatusCode,
            s => s == HttpStatusCode.NotFound, "node B to stop serving the withdrawn bundle", timeout: TimeSpan.FromSeconds(20));
        // The other tenants' bundles of the same code are served as before, by both nodes.
        foreach (var (other, etag) in others.Zip(othersBefore))
        {
            Assert.Equal(etag, (await clientB.GetAsync(other)).ETag());
            Assert.Equal(etag, (await clientA.GetAsync(other)).ETag());
        }
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
