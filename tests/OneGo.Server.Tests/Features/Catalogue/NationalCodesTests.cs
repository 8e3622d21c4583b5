using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>
/// National matter codes through the API: a matter's basic code (事项基本编码) claims a national matter, its implementation
/// code (实施编码) is checked part by part against GB/T 39554.1-2020 and GB 32100-2015 and against the region, a bad code
/// is a 422 at <c>/basicCode</c> or <c>/implementationCode</c> naming the part and the rule and changes nothing, and the
/// zone's publications carry both codes. Haicang's primary school enrolment claims the national school enrolment matter.
/// </summary>
public abstract class NationalCodesTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Enrolment = $"/api/t/{Haicang}/matters/primary-school-enrolment";
    private const string SchoolEnrolmentBasicCode = "000X00045000";
    private const string HaicangEnrolmentCode = "000X00045000-350205000000-000-113502050000000194-1-00";
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private HttpClient _editor = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        _app = new OneGoApp(_database);
        _editor = await _app.AsAsync(Roles.Editor, Haicang);
    }

    public async Task DisposeAsync()
    {
        _editor.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Saves Haicang's enrolment matter with <paramref name="change"/> applied; returns the answer and the ETag the working copy had before.</summary>
    private async Task<(HttpResponseMessage Answer, string Before)> SaveEnrolmentAsync(Action<JsonNode> change)
    {
        var read = await _editor.GetAsync(Enrolment + "/draft");
        var document = (await read.JsonAsync())["document"]!.DeepClone();
        change(document);
        return (await _editor.SendJsonAsync(HttpMethod.Put, Enrolment + "/draft", document, read.ETag()), read.ETag());
    }

    /// <summary>The single error of a 422, as (pointer, rule, message).</summary>
    private static async Task<(string Pointer, string Rule, string Message)> SingleErrorAsync(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        var error = Assert.Single((await answer.JsonAsync())["errors"]!.AsArray())!;
        return ((string)error["pointer"]!, (string)error["rule"]!, (string)error["message"]!);
    }

    private async Task AssertUnchangedAsync(string before) =>
        Assert.Equal(before, (await _editor.GetAsync(Enrolment + "/draft")).ETag());

    [Fact]
    public async Task AMistypedCreditCodeIs422AtTheImplementationCodeNamingThePartAndChangesNothing()
    {
        // The implementing body's 统一社会信用代码 with its check character 4 mistyped as 5.
        var (answer, before) = await SaveEnrolmentAsync(d => d["implementationCode"] = HaicangEnrolmentCode.Replace("0194-1-00", "0195-1-00", StringComparison.Ordinal));

        var (pointer, rule, message) = await SingleErrorAsync(answer);
        Assert.Equal(("/implementationCode", "credit-code-check"), (pointer, rule));
        Assert.Contains("统一社会信用代码", message, StringComparison.Ordinal);
        Assert.Contains("would be '4', not '5'", message, StringComparison.Ordinal);
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task ADivisionCodeOfAnotherRegionIs422AtTheImplementationCode()
    {
        // Gulou's (320106) division code in a matter of Haicang (350205); the credit code itself is a valid one.
        var (answer, before) = await SaveEnrolmentAsync(d => d["implementationCode"] = "000X00045000-320106000000-000-113201060000000191-1-00");

        var (pointer, rule, message) = await SingleErrorAsync(answer);
        Assert.Equal(("/implementationCode", "division-code-region"), (pointer, rule));
        Assert.Contains("350205", message, StringComparison.Ordinal);
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task AFreeFormImplementationCodeIs422AtTheImplementationCode()
    {
        var (answer, before) = await SaveEnrolmentAsync(d => d["implementationCode"] = "350205-JY-001");

        var (pointer, rule, _) = await SingleErrorAsync(answer);
        Assert.Equal(("/implementationCode", "implementation-code-format"), (pointer, rule));
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task AClaimOfABasicCodeNoNationalMatterHasIs422AtTheBasicCode()
    {
        var (answer, before) = await SaveEnrolmentAsync(d =>
        {
            d["basicCode"] = "000X99999000";
            d["implementationCode"] = "000X99999000-350205000000-000-113502050000000194-1-00";
        });

        var (pointer, rule, message) = await SingleErrorAsync(answer);
        Assert.Equal(("/basicCode", "unknown-basic-code"), (pointer, rule));
        Assert.Contains("000X99999000", message, StringComparison.Ordinal);
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task ABasicCodeOfTheWrongShapeIs422AtTheBasicCode()
    {
        var (answer, before) = await SaveEnrolmentAsync(d => d["basicCode"] = "000x00045000");

        var (pointer, rule, _) = await SingleErrorAsync(answer);
        Assert.Equal(("/basicCode", "basic-code-format"), (pointer, rule));
        await AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task ANewMatterClaimsANationalMatterWithItsOwnHandlingItemButNotAnotherMattersImplementationCode()
    {
        var matter = (await (await _editor.GetAsync(Enrolment + "/draft")).JsonAsync())["document"]!.DeepClone();
        matter["code"] = "points-enrolment";
        const string draft = $"/api/t/{Haicang}/matters/points-enrolment/draft";

        // The enrolment matter's own implementation code is taken.
        var (pointer, rule, _) = await SingleErrorAsync(await _editor.SendJsonAsync(HttpMethod.Put, draft, matter));
        Assert.Equal(("/implementationCode", "duplicate-implementation-code"), (pointer, rule));
        Assert.Equal(HttpStatusCode.NotFound, (await _editor.GetAsync(draft)).StatusCode);

        // Another handling item (业务办理项) of the same national matter is a code of its own.
        matter["implementationCode"] = HaicangEnrolmentCode.Replace("-1-00", "-1-01", StringComparison.Ordinal);
        var created = await _editor.SendJsonAsync(HttpMethod.Put, draft, matter);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var saved = (await created.JsonAsync())["document"]!;
        Assert.Equal((SchoolEnrolmentBasicCode, HaicangEnrolmentCode[..^2] + "01", true),
            ((string?)saved["basicCode"], (string?)saved["implementationCode"], (bool?)saved["illustrativeCodes"]));
    }

    [Fact]
    public async Task ANationalMatterKeepsTheBasicCodeRegionsClaim()
    {
        using var nationalEditor = await _app.AsAsync(Roles.Editor, "national");
        const string draft = "/api/t/national/matters/school-enrolment-registration/draft";
        var read = await nationalEditor.GetAsync(draft);
        var document = (await read.JsonAsync())["document"]!.DeepClone();
        Assert.Equal(SchoolEnrolmentBasicCode, (string?)document["basicCode"]);

        document["basicCode"] = "000X99999000";
        var (pointer, rule, message) = await SingleErrorAsync(await nationalEditor.SendJsonAsync(HttpMethod.Put, draft, document, read.ETag()));
        Assert.Equal(("/basicCode", "claimed-basic-code"), (pointer, rule));
        Assert.Contains($"{Haicang}/primary-school-enrolment", message, StringComparison.Ordinal);

        // A national matter without a basic code is no entry of the basic catalogue.
        document.AsObject().Remove("basicCode");
        (pointer, rule, _) = await SingleErrorAsync(await nationalEditor.SendJsonAsync(HttpMethod.Put, draft, document, read.ETag()));
        Assert.Equal(("/basicCode", "required"), (pointer, rule));
        Assert.Equal(read.ETag(), (await nationalEditor.GetAsync(draft)).ETag());
    }

    [Fact]
    public async Task PublicationsCarryTheBasicAndTheImplementationCodeOfEachMatter()
    {
        using var admin = await _app.AsAsync(Roles.Admin, Haicang);
        var run = await admin.PublishNowAsync(Haicang);
        var enrolment = run["publications"]!.AsArray().Single(p => (string?)p!["bundle"] == "enrolment")!;

        using var reader = _app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await Tokens.RequestAsync(reader, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope));
        var publication = await (await reader.GetAsync($"/api/zone/publications/{enrolment["id"]}")).JsonAsync();
        var matters = publication["content"]!["matters"]!.AsArray();

        var primary = matters.Single(m => (string?)m!["code"] == "primary-school-enrolment")!;
        Assert.Equal((SchoolEnrolmentBasicCode, HaicangEnrolmentCode, true),
            ((string?)primary["basicCode"], (string?)primary["implementationCode"], (bool?)primary["illustrativeCodes"]));
        // Haicang's vaccination check claims the national 入学预防接种证查验 and gives no implementation code.
        var vaccination = matters.Single(m => (string?)m!["code"] == "vaccination-check")!;
        Assert.Equal(("000X00057000", null), ((string?)vaccination["basicCode"], (string?)vaccination["implementationCode"]));
    }
}

public sealed class NationalCodesTestsOnSqlite() : NationalCodesTests(Provider.Sqlite);

public sealed class NationalCodesTestsOnPostgres() : NationalCodesTests(Provider.Postgres);
