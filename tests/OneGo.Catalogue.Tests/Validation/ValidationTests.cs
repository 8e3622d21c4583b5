using System.Text.Json;
using System.Text.Json.Nodes;
using OneGo.Catalogue.Tests.Fixtures;
using static OneGo.Catalogue.Tests.Fixtures.Make;

namespace OneGo.Catalogue.Tests.Validation;

public class ValidationTests
{
    private static (string Pointer, string Rule)[] Errors(IReadOnlyList<CatalogueError> errors) =>
        errors.Select(e => (e.Pointer, e.Rule)).ToArray();

    private static IReadOnlyList<CatalogueError> ValidateBundle(BundleDefinition bundle) =>
        CatalogueValidator.ValidateBundle(bundle, Index(Matter("a"), Matter("b"), Matter("c")));

    [Fact]
    public void AValidBundleHasNoErrors() => Assert.Empty(ValidateBundle(Bundle(Step("a"), Step("b", "a"))));

    [Fact]
    public void ABundleNamingAnUnknownMatterIsReportedAtThatMatter()
    {
        Assert.Equal([("/matters/birth-certificate", "unknown-matter")], Errors(ValidateBundle(Bundle(Step("a"), Step("birth-certificate")))));
    }

    [Fact]
    public void ABundleWithFewerThanTwoMattersIsRefused()
    {
        Assert.Equal([("/matters", "min-matters")], Errors(ValidateBundle(Bundle(Step("a")))));
    }

    [Fact]
    public void DuplicateMatterCodesInABundleAreReported()
    {
        Assert.Equal([("/matters/a/code", "duplicate-code")], Errors(ValidateBundle(Bundle(Step("a"), Step("a"), Step("b")))));
    }

    [Fact]
    public void ACycleInMatterOrderIsReportedOnceAtItsFirstMatter()
    {
        var errors = ValidateBundle(Bundle(Step("c", "b"), Step("a", "c"), Step("b", "a")));

        var error = Assert.Single(errors);
        Assert.Equal(("/matters/a/after", "cycle"), (error.Pointer, error.Rule));
        Assert.Contains("a → c → b → a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitingForAMatterOutsideTheBundleOrForItselfIsReportedAtTheAfterEntry()
    {
        Assert.Equal(
            [("/matters/a/after/0", "unknown-matter"), ("/matters/b/after/1", "cycle")],
            Errors(ValidateBundle(Bundle(Step("a", "zzz"), Step("b", "a", "b")))));
    }

    [Fact]
    public void RulesNamingUnknownQuestionsOptionsOrItemsAreReportedByRuleIdOrIndex()
    {
        var bundle = Bundle(Step("a"), Step("b")) with
        {
            Scenarios = [Question("q", required: true, "yes", "no")],
            Rules =
            [
                Rule("colour", "red", include: Matters("a")),
                Rule("q", "maybe", include: Matters("a")) with { Id = "maybe-rule" },
                Rule("q", "yes", include: new RuleItems { Matters = ["zzz"], Materials = ["passport"], FormFields = ["shoe-size"] }),
                Rule("q", "no"),
            ],
        };

        Assert.Equal(
        [
            ("/rules/0/when/question", "unknown-question"),
            ("/rules/maybe-rule/when/option", "unknown-option"),
            ("/rules/2/include/matters/0", "unknown-matter"),
            ("/rules/2/include/materials/0", "unknown-material"),
            ("/rules/2/include/formFields/0", "unknown-form-field"),
            ("/rules/3", "empty-rule"),
        ], Errors(ValidateBundle(bundle)));
    }

    [Fact]
    public void QuestionsNeedTwoOptionsAndUniqueIds()
    {
        var bundle = Bundle(Step("a"), Step("b")) with
        {
            Scenarios = [Question("q", required: true, "only"), Question("q", required: true, "x", "y"), Question("r", required: true, "x", "x")],
        };

        Assert.Equal(
            [("/scenarios/q/options", "min-options"), ("/scenarios/q/id", "duplicate-id"), ("/scenarios/r/options/x/id", "duplicate-id")],
            Errors(ValidateBundle(bundle)));
    }

    [Fact]
    public void ABundleMissingItsBasicsSaysWhatIsMissing()
    {
        var bundle = Bundle(Step("a"), Step("b")) with { Audience = null, Theme = null, LeadDepartment = " ", Name = "" };

        Assert.Equal(
            [("/name", "required"), ("/audience", "required"), ("/theme", "required"), ("/leadDepartment", "required")],
            Errors(ValidateBundle(bundle)));
    }

    [Fact]
    public void AMatterWithoutDepartmentTimeLimitOrMaterialIsReported()
    {
        var matter = Matter("birth-certificate") with { Department = null, PromisedDays = null, Materials = [] };

        var errors = CatalogueValidator.ValidateMatter(matter);

        Assert.Equal([("/department", "required"), ("/promisedDays", "required"), ("/materials", "min-materials")], Errors(errors));
        Assert.All(errors, e => Assert.Contains("事项birth-certificate", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void APromiseLongerThanTheStatutoryLimitOrNegativeNumbersAreReported()
    {
        Assert.Equal([("/promisedDays", "longer-time-limit")], Errors(CatalogueValidator.ValidateMatter(Matter("a", days: 30))));
        Assert.Equal([("/promisedDays", "range"), ("/tripsAlone", "range")], Errors(CatalogueValidator.ValidateMatter(Matter("a", days: -1, trips: -1))));
    }

    [Fact]
    public void OnlyAPromiseTheTripsOrTheFeesGivenMayBeMarkedIllustrativeNeverAStatutoryLimit()
    {
        Assert.Empty(CatalogueValidator.ValidateMatter(Matter("a") with { Illustrative = ["promisedDays", "tripsAlone"] }));
        var wrong = CatalogueValidator.ValidateMatter(Matter("a") with { Fees = null, Illustrative = ["statutoryDays", "acceptance", "colour", "tripsAlone", "tripsAlone", "fees"] });
        Assert.Equal(
            [("/illustrative/0", "illustrative-field"), ("/illustrative/1", "illustrative-field"), ("/illustrative/2", "illustrative-field"), ("/illustrative/4", "illustrative-field"), ("/illustrative/5", "illustrative-field")],
            Errors(wrong));
        Assert.Contains("never made up", wrong[0].Message, StringComparison.Ordinal);
        Assert.Contains("gives none", wrong[4].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaterialsAreCheckedByCode()
    {
        var matter = Matter("a", materials:
        [
            Shared("register", "公安局", " "),
            Brought("photo"),
            Brought("photo"),
            new Material { Code = "licence", Name = "执照", Source = new MaterialSource { Kind = SourceKind.IssuedByMatter } },
            Issued("self", "a"),
        ]);

        Assert.Equal(
        [
            ("/materials/register/source/dataset", "required"),
            ("/materials/photo/code", "duplicate-code"),
            ("/materials/licence/source/matter", "required"),
            ("/materials/self/source/matter", "cycle"),
        ], Errors(CatalogueValidator.ValidateMatter(matter)));
    }

    [Fact]
    public void ACatalogueReportsUnderMatterAndBundleCodes()
    {
        var catalogue = new CatalogueDocument
        {
            Matters = [Matter("birth-certificate", days: 25), Matter("hukou"), Matter("hukou")],
            Bundles = [Bundle(Step("birth-certificate"), Step("hukou"), Step("insurance")) with { Code = "newborn" }],
        };

        Assert.Equal(
        [
            ("/matters/birth-certificate/promisedDays", "longer-time-limit"),
            ("/matters/hukou/code", "duplicate-code"),
            ("/bundles/newborn/matters/insurance", "unknown-matter"),
        ], Errors(CatalogueValidator.ValidateCatalogue(catalogue)));
    }

    [Fact]
    public void APointerKeyedByCodesTurnsIntoThePositionalPointerOfTheDocument()
    {
        var json = """
            {"code":"newborn","matters":[{"code":"hukou"},{"code":"birth/certificate","after":["x","hukou"]}],
             "rules":[{"id":"r1","when":{}},{"when":{"question":"q"}}]}
            """;
        var document = JsonNode.Parse(json);

        Assert.Equal("/matters/1/after/1", Pointer.ToIndexPointer(document, "/matters/birth~1certificate/after/1"));
        Assert.Equal("/rules/1/when/question", Pointer.ToIndexPointer(document, "/rules/1/when/question"));
        Assert.Equal("/rules/0/when/option", Pointer.ToIndexPointer(document, "/rules/r1/when/option"));
        Assert.Equal("/matters/0/promisedDays", Pointer.ToIndexPointer(document, "/matters/hukou/promisedDays"));
    }

    [Fact]
    public void AMisspeltFieldInADocumentIsRefusedRatherThanIgnored()
    {
        var json = """{"code":"a","name":"甲","promiseDays":5}""";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Matter>(json, CatalogueJson.Options));
        Assert.Contains("promiseDays", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HaicangCatalogueSurvivesAJsonRoundTripAndStaysValid()
    {
        var catalogue = new CatalogueDocument { Matters = Haicang.Matters, Bundles = [Haicang.Definition] };

        var json = JsonSerializer.Serialize(catalogue, CatalogueJson.Options);
        var back = JsonSerializer.Deserialize<CatalogueDocument>(json, CatalogueJson.Options)!;

        Assert.Contains("\"入园入学一件事\"", json, StringComparison.Ordinal);
        Assert.Empty(CatalogueValidator.ValidateCatalogue(back));
        Assert.Equal(
            CanonicalJson.Serialize(BundleResolver.Resolve(Haicang.Definition, Index(Haicang.Matters))),
            CanonicalJson.Serialize(BundleResolver.Resolve(back.Bundles[0], Index([.. back.Matters]))));
    }
}
