using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Storage;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Data;

/// <summary>
/// A database written by an earlier OneGo, which stored a text without English as a plain string, is rewritten once in
/// the shape every response now uses — matters with their ETags, approved versions with the matter ETags they remember,
/// working copies with their pins, the zone's publications and their snapshots — and then answers exactly as a
/// database written today.
/// </summary>
public abstract class TextShapeTests(Provider provider) : IAsyncLifetime
{
    // Jiangsu's own matters and standards are written in Chinese only, as many of a province's are.
    private const string Jiangsu = "jiangsu";
    private const string Matter = "/api/t/320000/matters/household-marital-update";
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
    public async Task StoredPlainStringTextsAreRewrittenOnceAndEveryResponseIsAsIfWrittenToday()
    {
        using var admin = await _app.AsAsync(Roles.Admin, Jiangsu);
        using var editor = await _app.AsAsync(Roles.Editor, Jiangsu);
        using var auditor = await _app.AsAsync(Roles.Auditor, Jiangsu);
        using var reader = _app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.RequestAsync(reader, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope));
        var publication = Publishing.Published(await admin.PublishNowAsync(Jiangsu)).First();

        // What a database written today answers.
        var matter = await editor.GetAsync(Matter);
        var today = (Body: await matter.Content.ReadAsStringAsync(), ETag: matter.ETag());
        var published = await reader.GetAsync($"/api/zone/publications/{publication}");
        var todayPublished = (Body: await published.Content.ReadAsStringAsync(), ETag: published.ETag());
        Assert.Equal("户籍婚姻状况变更", (string?)JsonNode.Parse(today.Body)!["name"]!["zh"]);

        await WriteAsEarlierOneGoDidAsync();
        var old = await (await editor.GetAsync(Matter)).Content.ReadAsStringAsync();
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(old).RootElement.GetProperty("name").ValueKind);

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await TextShape.RegenerateAsync(scope.ServiceProvider, CancellationToken.None);
        }

        matter = await editor.GetAsync(Matter);
        Assert.Equal(today, (await matter.Content.ReadAsStringAsync(), matter.ETag()));
        published = await reader.GetAsync($"/api/zone/publications/{publication}");
        Assert.Equal(todayPublished, (await published.Content.ReadAsStringAsync(), published.ETag()));
        // The versions remember their matters' ETags in the new shape: nothing changed since approval.
        var diff = await (await editor.GetAsync("/api/t/320000/bundles/marriage/diff")).JsonAsync();
        Assert.Empty(diff["mattersChangedSinceApproval"]!.AsArray());
        var search = await (await reader.GetAsync("/api/zone/bundles?region=320000&limit=500")).JsonAsync();
        Assert.All(search["items"]!.AsArray(), item => Assert.IsType<JsonObject>(item!["summary"]!["name"]));
        var snapshot = await _app.Services.GetRequiredService<IBlobStore>().GetAsync(SnapshotOf(todayPublished.Body));
        Assert.Equal(todayPublished.Body, Encoding.UTF8.GetString(snapshot!));

        // Recorded in the region's audit log, once: a second run finds nothing to rewrite.
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await TextShape.RegenerateAsync(scope.ServiceProvider, CancellationToken.None);
        }

        var log = await (await auditor.GetAsync("/api/t/320000/audit?action=catalogue.text-shape")).JsonAsync();
        var entry = Assert.Single(log["items"]!.AsArray());
        Assert.Equal(TextShape.Actor, (string?)entry!["actor"]);
    }

    private static string SnapshotOf(string publication) =>
        JsonNode.Parse(publication) is { } p ? $"{p["tenant"]}/{p["bundle"]}/{p["version"]}.json" : "";

    /// <summary>Rewrites Jiangsu's stored documents as OneGo wrote them before: a text without English as a plain string.</summary>
    private async Task WriteAsEarlierOneGoDidAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var blobs = scope.ServiceProvider.GetRequiredService<IBlobStore>();
        using var tenant = scope.ServiceProvider.GetRequiredService<CurrentTenant>().Enter(Jiangsu);
        var etags = new Dictionary<string, string>();
        foreach (var matter in await db.Set<MatterRecord>().ToListAsync())
        {
            matter.Document = Old(matter.Document!);
            matter.Draft = Old(matter.Draft);
            var etag = CanonicalJson.ETag(Encoding.UTF8.GetBytes(matter.Document));
            etags[matter.ETag!] = etag;
            matter.ETag = etag;
        }

        foreach (var version in await db.Set<BundleVersion>().ToListAsync())
        {
            version.Document = Old(version.Document);
            var embedded = JsonSerializer.Deserialize<List<Matter>>(version.Matters, CatalogueJson.Options)!;
            version.Matters = Old(version.Matters);
            var remembered = JsonSerializer.Deserialize<Dictionary<string, string>>(version.MatterETags)!;
            version.MatterETags = JsonSerializer.Serialize(remembered.ToDictionary(m => m.Key,
                m => CanonicalJson.ETag(Encoding.UTF8.GetBytes(Old(JsonSerializer.Serialize(embedded.Single(e => e.Code == m.Key), CatalogueJson.Options))))));
            version.Summary = Old(version.Summary);
        }

        foreach (var bundle in await db.Set<BundleRecord>().ToListAsync())
        {
            bundle.Draft = Old(bundle.Draft);
        }

        foreach (var publication in await db.Set<Publication>().ToListAsync())
        {
            publication.Summary = Old(publication.Summary);
            await blobs.PutAsync(OutboxRelay.SnapshotPath(publication), JsonSerializer.SerializeToUtf8Bytes(ZoneApi.View(publication), CatalogueJson.Options), "application/json");
        }

        foreach (var entry in await db.Set<ZoneEntry>().ToListAsync())
        {
            entry.Summary = Old(entry.Summary);
        }

        db.Audit(new AuditEvent("test", "test.old-shape", $"tenant/{Jiangsu}"));
        await db.SaveChangesAsync();
    }

    /// <summary>The JSON with every text that has no English written as a plain string.</summary>
    private static string Old(string json) => Old(JsonNode.Parse(json))!.ToJsonString(new JsonSerializerOptions(CatalogueJson.Options));

    private static JsonNode? Old(JsonNode? node) => node switch
    {
        JsonObject { Count: 1 } text when text["zh"] is JsonValue zh && zh.GetValueKind() == JsonValueKind.String => JsonValue.Create((string)zh!),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Old(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Old).ToArray()),
        _ => node?.DeepClone(),
    };
}

public sealed class TextShapeTestsOnSqlite() : TextShapeTests(Provider.Sqlite);

public sealed class TextShapeTestsOnPostgres() : TextShapeTests(Provider.Postgres);
