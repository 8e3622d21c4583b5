using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Identity;
using OneGo.Server.Storage;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>
/// A text with Chinese only is written <c>{"zh": "…"}</c>, without <c>en</c>, in every response — matters, the zone's
/// publications, their snapshots and the zone's search — though the <c>tenants/</c> files write it as a plain string;
/// and an approved version remembers the ETags its matters are served with.
/// </summary>
public abstract class TextShapeTests(Provider provider) : IAsyncLifetime
{
    // Haicang's own matters and its business start-up are written in Chinese only, as many of a district's are.
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Matter = "/api/t/350205/matters/seal-engraving";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task ATextWithChineseOnlyIsAnObjectWithoutEnglishInEveryResponse()
    {
        using var admin = await _app.AsAsync(Roles.Admin, Haicang);
        using var editor = await _app.AsAsync(Roles.Editor, Haicang);
        using var reader = _app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.RequestAsync(reader, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope));
        var run = await admin.PublishNowAsync(Haicang);
        Publishing.Published(run);
        var publication = (string)run["publications"]!.AsArray().Single(p => (string?)p!["bundle"] == "business-startup")!["id"]!;

        var matter = await (await editor.GetAsync(Matter)).JsonAsync();
        Assert.Equal("公章刻制备案", ChineseOnly(matter["name"]));

        var published = await (await reader.GetAsync($"/api/zone/publications/{publication}")).Content.ReadAsStringAsync();
        ChineseOnly(JsonNode.Parse(published)!["summary"]!["name"]);
        var search = await (await reader.GetAsync("/api/zone/bundles?region=350205&limit=500")).JsonAsync();
        Assert.NotEmpty(search["items"]!.AsArray());
        Assert.All(search["items"]!.AsArray(), item => Assert.IsType<JsonObject>(item!["summary"]!["name"]));

        // The snapshot in blob storage is the publication as the zone serves it, byte for byte.
        var blobs = _app.Services.GetRequiredService<IBlobStore>();
        var snapshot = await Eventually.HoldsAsync(() => blobs.GetAsync(SnapshotOf(published)), s => s is not null, "the publication's snapshot");
        Assert.Equal(published, Encoding.UTF8.GetString(snapshot!));

        // The versions remember their matters' ETags as the matters are served: nothing changed since approval.
        var diff = await (await editor.GetAsync("/api/t/350205/bundles/business-startup/diff")).JsonAsync();
        Assert.Empty(diff["mattersChangedSinceApproval"]!.AsArray());
    }

    /// <summary>The Chinese of a text written as an object with <c>zh</c> alone.</summary>
    private static string ChineseOnly(JsonNode? text)
    {
        var written = Assert.IsType<JsonObject>(text);
        Assert.Equal(["zh"], written.Select(p => p.Key));
        return (string)written["zh"]!;
    }

    private static string SnapshotOf(string publication) =>
        JsonNode.Parse(publication) is { } p ? $"{p["tenant"]}/{p["bundle"]}/{p["version"]}.json" : "";
}

public sealed class TextShapeTestsOnSqlite() : TextShapeTests(Provider.Sqlite);

public sealed class TextShapeTestsOnPostgres() : TextShapeTests(Provider.Postgres);
