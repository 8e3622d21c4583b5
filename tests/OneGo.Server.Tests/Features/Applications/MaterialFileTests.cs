using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OneGo.Server.Features.Applications;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>
/// The files of the materials an applicant brings: checked by their content (PDF, OFD, JPEG, PNG), at most 10 MiB on
/// the one route whose body may pass the 1 MiB limit, kept under the tenant by their SHA-256, needed before submitting,
/// and — for a material that may follow later (容缺) — owed by a due date in working days after submission.
/// </summary>
public abstract class MaterialFileTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Gulou = "jiangsu.nanjing.gulou";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _zhang = null!;
    private StandInExchange _exchange = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _exchange = new StandInExchange();
        _app = new OneGoApp(_database, settings: _exchange.Settings());
        _zhang = await _app.ApplicantAsync();
    }

    public async Task DisposeAsync()
    {
        _zhang.Dispose();
        await _app.DisposeAsync();
        _exchange.Dispose();
        await _database.DisposeAsync();
    }

    private Task<HttpResponseMessage> PutFileAsync(string tenant, string application, string material, byte[] bytes, string declared = "application/pdf") =>
        _zhang.AttachAsync(tenant, application, material, bytes, declared);

    // Random after the signature, so that two files never share a hash.
    private static byte[] Png(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        Applying.Png(8).CopyTo(bytes, 0);
        return bytes;
    }

    private static byte[] Zip(params string[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
                writer.Write("<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\" Version=\"1.0\"/>");
            }
        }

        return buffer.ToArray();
    }

    private async Task<(string Id, JsonNode Draft)> DraftAsync(string tenant, string bundle, JsonObject answers)
    {
        var guide = await (await _zhang.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/bundles/{bundle}/guide", new JsonObject { ["answers"] = answers.DeepClone() })).JsonAsync();
        var created = await _zhang.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/applications",
            new JsonObject { ["bundle"] = bundle, ["answers"] = answers.DeepClone(), ["values"] = Applying.ValuesFor(guide["form"]!) }).ExpectAsync(HttpStatusCode.Created);
        var draft = await created.JsonAsync();
        // The applicant agrees to share what the guide fetches: what is left is what the guide says to bring.
        if (draft["sharing"]!.AsArray().Count > 0)
        {
            draft = await _zhang.ShareAllAsync(tenant, (string)draft["id"]!);
        }

        return ((string)draft["id"]!, draft);
    }

    private static List<string> Owed(JsonNode application) => application["owed"]!.AsArray().Select(o => (string)o!["material"]!).ToList();

    [Fact]
    public async Task AFileIsTakenByItsContentUpToTenMebibytesKeptByItsHashAndNeededBeforeSubmitting()
    {
        // Children from Hong Kong, Macao, Taiwan or abroad bring their travel permit or passport.
        var (id, draft) = await DraftAsync(Haicang, "enrolment", new JsonObject { ["guide"] = "hmt-foreign" });
        Assert.Equal(["travel-permit"], Owed(draft));
        var missing = await _zhang.SubmitAsync(Haicang, id, "files-1");
        Assert.Equal(["/materials/travel-permit"], await missing.ErrorPlacesAsync());

        // Named as a PDF, but text: 415 naming the material. A ZIP that is no OFD package: 415 too.
        var text = await PutFileAsync(Haicang, id, "travel-permit", "not a scan"u8.ToArray());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("travel-permit", (string?)(await text.JsonAsync())["material"]);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PutFileAsync(Haicang, id, "travel-permit", Zip("Doc_0/Document.xml"), "application/ofd")).StatusCode);

        // Over 10 MiB: 413 naming the material. 5 MiB passes, though every other route stops at 1 MiB.
        var large = await PutFileAsync(Haicang, id, "travel-permit", Png((10 << 20) + 1), "image/png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal("travel-permit", (string?)(await large.JsonAsync())["material"]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await _zhang.SendJsonAsync(HttpMethod.Patch, $"/api/t/{Haicang}/applications/{id}", new { values = new { address = new string('x', 2 << 20) } })).StatusCode);
        Assert.Equal(["travel-permit"], Owed(await (await _zhang.GetAsync($"/api/t/{Haicang}/applications/{id}")).JsonAsync()));

        var png = Png(5 << 20);
        // Declared as text: the content decides, and it is a PNG.
        var created = await PutFileAsync(Haicang, id, "travel-permit", png, "text/plain").ExpectAsync(HttpStatusCode.Created);
        var file = await created.JsonAsync();
        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        Assert.Equal(("image/png", (long)png.Length, sha), ((string?)file["contentType"], (long)file["length"]!, (string?)file["sha256"]));
        Assert.Equal($"/api/t/{Haicang}/applications/{id}/materials/travel-permit", created.Headers.Location!.OriginalString);
        var read = await _zhang.GetAsync(created.Headers.Location);
        Assert.Equal("image/png", read.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png, await read.Content.ReadAsByteArrayAsync());

        // An OFD package replaces it; the PNG's bytes are gone from the store, the OFD's kept under its hash.
        var ofd = Zip("OFD.xml", "Doc_0/Document.xml");
        var replaced = await PutFileAsync(Haicang, id, "travel-permit", ofd, "application/octet-stream").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("application/ofd", (string?)(await replaced.JsonAsync())["contentType"]);
        var stored = Directory.EnumerateFiles(_app.BlobFolder, "*", SearchOption.AllDirectories).Where(f => f.Contains("/applications/", StringComparison.Ordinal)).ToList();
        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(ofd))], stored.Select(Path.GetFileName));
        Assert.StartsWith(Path.Combine(_app.BlobFolder, Haicang, "applications"), stored[0], StringComparison.Ordinal);

        // Nothing owed: it submits, and its files no longer change.
        var submitted = await (await _zhang.SubmitAsync(Haicang, id, "files-1").ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        Assert.Empty(Owed(submitted));
        Assert.Equal(["travel-permit"], submitted["materials"]!.AsArray().Select(m => (string)m!["material"]!));
        Assert.Equal(HttpStatusCode.Conflict, (await PutFileAsync(Haicang, id, "travel-permit", png, "image/png")).StatusCode);
        // A material the guide does not say to bring has no file.
        Assert.Equal(HttpStatusCode.NotFound, (await PutFileAsync(Haicang, id, "household-register", png, "image/png")).StatusCode);
    }

    [Fact]
    public async Task AMaterialThatMayFollowLaterIsOwedByItsDueDateAfterSubmissionAndSuppliedOnce()
    {
        // Gulou's school enrolment, asking for the servicemen's children's priority: its proof may follow later.
        var (chosen, guide) = await _zhang.FollowLaterAsync(Gulou, "school-enrolment");
        var (application, draft) = await DraftAsync(Gulou, "school-enrolment", chosen);
        var later = guide["mayFollowLater"]!.AsArray().Select(m => (string)m!["code"]!).ToList();
        Assert.Equal(later, Owed(draft).Intersect(later));
        foreach (var material in guide["bring"]!.AsArray().Select(m => (string)m!["code"]!))
        {
            await PutFileAsync(Gulou, application, material, Png(1024), "image/png").ExpectAsync(HttpStatusCode.Created);
        }

        var commitments = new { commitments = guide["byCommitment"]!.AsArray().Select(m => (string)m!["code"]!).ToArray() };
        var submitted = await (await _zhang.SubmitAsync(Gulou, application, "later-1", commitments).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var owed = submitted["owed"]!.AsArray();
        Assert.Equal(later, owed.Select(o => (string)o!["material"]!));
        // Due ten working days after the day of submission (China Standard Time), counted on the national holiday calendar.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var due = await (await _zhang.GetAsync($"/api/calendar/working-days?from={today}&days=10")).JsonAsync();
        Assert.All(owed, o => Assert.Equal(((string?)due["day"], (bool)due["provisional"]!), ((string?)o!["dueOn"], (bool)o["dueProvisional"]!)));
        Assert.All(owed, o => Assert.True((bool)o!["mayFollowLater"]!));

        // Supplied after submission, once.
        await PutFileAsync(Gulou, application, later[0], Png(2048), "image/png").ExpectAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(later[0], Owed(await (await _zhang.GetAsync($"/api/t/{Gulou}/applications/{application}")).JsonAsync()));
        Assert.Equal(HttpStatusCode.Conflict, (await PutFileAsync(Gulou, application, later[0], Png(4096), "image/png")).StatusCode);
    }
}

public sealed class MaterialFileTestsOnSqlite() : MaterialFileTests(Provider.Sqlite);

public sealed class MaterialFileTestsOnPostgres() : MaterialFileTests(Provider.Postgres);
