using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using OneGo.Client;
using OneGo.Client.Models;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Client;

/// <summary>
/// The generated client (<c>src/OneGo.Client</c>) drives OneGo's two outside journeys against a server on a real port,
/// every call through it, and every response is checked against the committed OpenAPI document
/// (<see cref="ContractConformance"/>): the national integration following the zone, and the editor's review.
/// </summary>
public abstract class ClientJourneysTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private readonly ContractConformance _conformance = new(ResponseContract.Committed);
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private Uri _node = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        // Nothing is pushed anywhere: the integration here follows the feed.
        _app = new OneGoApp(_database, settings: new Dictionary<string, string?> { ["Zone:RelayEnabled"] = "false" });
        _app.UseKestrel(0);
        _app.StartServer();
        using var started = _app.CreateClient();
        _node = started.BaseAddress!;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task AnIntegrationFollowsTheZoneFeedToItsEndReadsAPublicationAndSearchesTheZone() => await _conformance.RunAsync(async () =>
    {
        // Haicang's admin (a person, with a second factor) publishes its live bundles into the zone.
        var admin = Client(Person(Roles.Admin, Haicang));
        var queued = Headers();
        var run = await admin.Api.T[Haicang].PublishingRuns.PostAsync(c => c.Options.Add(queued));
        Assert.EndsWith($"/publishing-runs/{run!.Id}", Single(queued, "Location"), StringComparison.Ordinal);
        var finished = await Eventually.HoldsAsync(() => admin.Api.T[Haicang].PublishingRuns[run.Id!.Value].GetAsync(),
            r => r?.Run?.Status is RunStatus.Succeeded or RunStatus.Failed, "the publishing run", timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(RunStatus.Succeeded, finished!.Run!.Status);
        var published = finished.Publications!.Select(p => p.Id).ToList();
        Assert.True(published.Count >= 3, $"Haicang published {published.Count} bundles");

        // The national platform's integration: a client-credentials token with scope zone.read, then the feed page by
        // page (two to a page) until it says there is no more.
        using var tokenEndpoint = new HttpClient { BaseAddress = _node };
        var credentials = new ClientCredentials(tokenEndpoint, DemoAccounts.ZoneReader, DemoAccounts.Secret, OneGoClaims.ZoneReadScope);
        var reader = Client(credentials.TokenAsync);
        var feed = new List<PublicationView>();
        var pages = 0;
        string? cursor = null;
        while (true)
        {
            var page = await reader.Api.Zone.Feed.GetAsync(q =>
            {
                q.QueryParameters.Limit = 2;
                q.QueryParameters.Cursor = cursor;
            });
            pages++;
            Assert.True(page!.Items!.Count <= 2);
            feed.AddRange(page.Items);
            cursor = page.Next;
            if (page.More != true)
            {
                break;
            }
        }

        // Every publication once, in commit order, over several pages, on one token.
        Assert.Equal(published.Order(StringComparer.Ordinal), feed.Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.Equal(feed.Select(p => p.Sequence).Order(), feed.Select(p => p.Sequence));
        Assert.Equal(feed.Count, feed.Select(p => p.Sequence).Distinct().Count());
        Assert.True(pages >= 2, $"the feed came in {pages} page(s)");
        Assert.Equal(1, credentials.Requested);

        // One publication, as the feed gave it.
        var enrolment = feed.Single(p => p.Bundle == "enrolment");
        var publication = await reader.Api.Zone.Publications[enrolment.Id].GetAsync();
        Assert.Equal((enrolment.Id, enrolment.Sequence, Haicang, enrolment.Version, PublicationKind.Version),
            (publication!.Id, publication.Sequence, publication.Tenant, publication.Version, publication.Kind));
        Assert.NotNull(publication.Content);

        // The zone searched across regions, Fujian and everything below: the bundle is there, pointing at its publication.
        var found = await reader.Api.Zone.Bundles.GetAsync(q =>
        {
            q.QueryParameters.Region = "350000";
            q.QueryParameters.Q = "入园入学";
        });
        var item = Assert.Single(found!.Items!, i => i.Tenant == Haicang && i.Code == "enrolment");
        Assert.Equal(enrolment.Id, item.Publication);
    });

    [Fact]
    public async Task AnEditorsChangeIsSubmittedRefusedToItsOwnEditorApprovedByAReviewerAndGoesLive() => await _conformance.RunAsync(async () =>
    {
        const string guide = "海沧区入园入学材料网上一次提交，结果短信告知。";
        var editor = Client(Person(Roles.Editor, Haicang));
        var reviewer = Client(Person(Roles.Reviewer, Haicang));
        var anyone = Client(null);

        // The editor reads the working copy, changes its guide text and saves it, naming what was read.
        var copy = editor.Api.T[Haicang].Bundles["enrolment"].Draft;
        var read = Headers();
        var draft = await copy.GetAsync(c => c.Options.Add(read));
        var document = draft!.Document!;
        document.Definition!.GuideText = new Text { Zh = guide, En = "Haicang: enrolment materials go in once, online; the result comes by text message." };
        var saved = Headers();
        var edited = await copy.PutAsync(document, c => IfMatch(c, read, saved));
        Assert.Equal(guide, edited!.Document!.Definition!.GuideText!.Zh);

        var submitted = Headers();
        Assert.Equal(DraftState.Submitted, (await copy.Submit.PostAsync(new ReviewNote { Comment = "招生材料一次提交" }, c => IfMatch(c, saved, submitted)))!.State);

        // Four eyes: who changed and submitted it cannot approve it, even holding the right.
        var refused = await Assert.ThrowsAsync<Problem>(() => copy.Approve.PostAsync(new ReviewNote(), c => IfMatch(c, submitted, Headers())));
        Assert.Equal(403, refused.ResponseStatusCode);

        // Another person, the reviewer (signed in with a second factor), approves what was submitted.
        var approved = await reviewer.Api.T[Haicang].Bundles["enrolment"].Draft.Approve.PostAsync(new ReviewNote { Comment = "同意" }, c => IfMatch(c, submitted, Headers()));
        // What the approval made live: the new version and its ETag, in the one shape an approval answers with.
        var version = approved!;
        Assert.Equal("version", version.Outcome);
        Assert.Equal(draft.LiveVersion + 1, version.Version);

        // Live for anyone, by division code as by id; read again with its ETag, it has not changed.
        var live = Headers();
        var bundle = await anyone.Api.T["350205"].Bundles["enrolment"].GetAsync(c => c.Options.Add(live));
        Assert.Equal((guide, version.ETag), (bundle!.GuideText!.Zh, Single(live, "ETag")));
        Assert.Null(await anyone.Api.T[Haicang].Bundles["enrolment"].GetAsync(c => c.Headers.Add("If-None-Match", Single(live, "ETag"))));
        Assert.Equal(304, _conformance.Exchanges[^1].Status);
    });

    private OneGoApiClient Client(Func<CancellationToken, Task<string>>? accessToken) => OneGoApiClient.Create(_node, accessToken, _conformance);

    /// <summary>A person's access token, signed in through the sign-in pages (and the second factor, for the roles that need one).</summary>
    private Func<CancellationToken, Task<string>> Person(string role, string tenant)
    {
        var token = Tokens.PersonAsync(() => Tokens.Browser(_node), DemoAccounts.UserName(role, tenant));
        return _ => token;
    }

    /// <summary>Asks Kiota for the response's headers (the ETag to name next, the Location of what was made).</summary>
    private static HeadersInspectionHandlerOption Headers() => new() { InspectResponseHeaders = true };

    private static string Single(HeadersInspectionHandlerOption headers, string name) => Assert.Single(headers.ResponseHeaders[name]);

    /// <summary>Names the working copy that was read in If-Match, and keeps the answer's headers.</summary>
    private static void IfMatch<T>(RequestConfiguration<T> request, HeadersInspectionHandlerOption read, HeadersInspectionHandlerOption answer)
        where T : class, new()
    {
        request.Headers.Add("If-Match", Single(read, "ETag"));
        request.Options.Add(answer);
    }
}

public sealed class ClientJourneysTestsOnSqlite() : ClientJourneysTests(Provider.Sqlite);

public sealed class ClientJourneysTestsOnPostgres() : ClientJourneysTests(Provider.Postgres);
