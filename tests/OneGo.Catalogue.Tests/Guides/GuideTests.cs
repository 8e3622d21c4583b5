using OneGo.Catalogue.Tests.Fixtures;
using static OneGo.Catalogue.Tests.Fixtures.Make;

namespace OneGo.Catalogue.Tests.Guides;

public class GuideTests
{
    private static readonly Dictionary<string, string> NoAnswers = [];

    private static Guide Evaluate(EffectiveBundle bundle, params (string Question, string Option)[] answers)
    {
        var result = GuideEvaluator.Evaluate(bundle, answers.ToDictionary(a => a.Question, a => a.Option));
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Guide!;
    }

    private static EffectiveBundle ThreeMatters(params Rule[] rules)
    {
        var definition = Bundle(Step("a"), Step("b"), Step("c")) with
        {
            Scenarios = [Question("q", required: false, "yes", "no"), Question("r", required: false, "x", "y")],
            Rules = rules,
        };
        return Resolve(definition,
            Matter("a", materials: [Shared("id-card"), Brought("photo")], fields: [Field("name", "姓名"), Field("phone", "联系电话")]),
            Matter("b", materials: [Shared("id-card")]),
            Matter("c", materials: [Brought("contract")]));
    }

    [Fact]
    public void AnItemNoRuleNamesAlwaysApplies()
    {
        var guide = Evaluate(ThreeMatters(Rule("q", "yes", include: Matters("c"))));

        Assert.Equal(["a", "b"], guide.Matters.Select(m => m.Code));
        Assert.True(guide.Matters[0].Why.AlwaysApplies);
    }

    [Fact]
    public void AnItemNamedOnlyByIncludeRulesAppliesWhenOneOfThemMatches()
    {
        var bundle = ThreeMatters(Rule("q", "yes", include: Matters("c")), Rule("r", "x", include: Matters("c")));

        Assert.DoesNotContain(Evaluate(bundle, ("q", "no")).Matters, m => m.Code == "c");
        Assert.Contains(Evaluate(bundle, ("q", "no"), ("r", "x")).Matters, m => m.Code == "c");
    }

    [Fact]
    public void WhereAnIncludeAndAnExcludeBothMatchTheExcludeWins()
    {
        var bundle = ThreeMatters(Rule("q", "yes", include: Matters("c")), Rule("r", "x", exclude: Matters("c")));

        Assert.Contains(Evaluate(bundle, ("q", "yes"), ("r", "y")).Matters, m => m.Code == "c");
        Assert.DoesNotContain(Evaluate(bundle, ("q", "yes"), ("r", "x")).Matters, m => m.Code == "c");
    }

    [Fact]
    public void RuleOrderDoesNotChangeTheOutcome()
    {
        Rule include = Rule("q", "yes", include: Matters("c")), exclude = Rule("r", "x", exclude: Matters("c"));

        var one = Evaluate(ThreeMatters(include, exclude), ("q", "yes"), ("r", "x"));
        var other = Evaluate(ThreeMatters(exclude, include), ("q", "yes"), ("r", "x"));

        Assert.Equal(one.Matters.Select(m => m.Code), other.Matters.Select(m => m.Code));
    }

    [Fact]
    public void AnExcludedMatterTakesItsOwnMaterialsAndFieldsWithIt()
    {
        var guide = Evaluate(ThreeMatters(Rule("q", "no", exclude: Matters("a"))), ("q", "no"));

        Assert.DoesNotContain(guide.Bring, m => m.Code == "photo");
        Assert.DoesNotContain(guide.Form, f => f.Code == "phone");
        Assert.Equal(["b"], guide.FetchedForYou.Single(m => m.Code == "id-card").NeededBy);
    }

    [Fact]
    public void RulesSelectMaterialsAndFormFieldsToo()
    {
        var bundle = ThreeMatters(Rule("q", "no", exclude: new RuleItems { Materials = ["photo"], FormFields = ["phone"] }));

        var guide = Evaluate(bundle, ("q", "no"));

        Assert.DoesNotContain(guide.Bring, m => m.Code == "photo");
        Assert.DoesNotContain(guide.Form, f => f.Code == "phone");
        Assert.Contains(Evaluate(bundle, ("q", "yes")).Bring, m => m.Code == "photo");
    }

    [Fact]
    public void MaterialsAreSplitByWhatTheApplicantMustDo()
    {
        var definition = Bundle(Step("a"), Step("b"));
        var bundle = Resolve(definition,
            Matter("a", materials: [Shared("register", "公安局", "户籍信息"), Brought("photo"), Committed("no-crime"), Brought("lease", mayFollowLater: true)]),
            Matter("b", materials: [Issued("certificate", "a")]));

        var guide = Evaluate(bundle);

        Assert.Equal(["photo"], guide.Bring.Select(m => m.Code));
        var fetched = Assert.Single(guide.FetchedForYou);
        Assert.Equal(("register", "公安局", "户籍信息"), (fetched.Code, fetched.Source.Department, fetched.Source.Dataset));
        Assert.Equal(["no-crime"], guide.ByCommitment.Select(m => m.Code));
        Assert.Equal(["lease"], guide.MayFollowLater.Select(m => m.Code));
        Assert.Equal(["certificate"], guide.IssuedInBundle.Select(m => m.Code));
    }

    [Fact]
    public void SourcePrecedenceIsDecidedAgainForTheMattersOfTheGuide()
    {
        // Shared for matter b only: when b does not apply, the applicant brings it for a.
        var definition = Bundle(Step("a"), Step("b")) with
        {
            Scenarios = [Question("q", required: true, "yes", "no")],
            Rules = [Rule("q", "no", exclude: Matters("b"))],
        };
        var bundle = Resolve(definition, Matter("a", materials: [Brought("register")]), Matter("b", materials: [Shared("register")]));

        Assert.Contains(Evaluate(bundle, ("q", "yes")).FetchedForYou, m => m.Code == "register");
        Assert.Contains(Evaluate(bundle, ("q", "no")).Bring, m => m.Code == "register");
    }

    [Fact]
    public void ExplanationsNameTheAnswerThatPulledAnItemIn()
    {
        var bundle = ThreeMatters(Rule("q", "yes", include: Matters("c")));

        var guide = Evaluate(bundle, ("q", "yes"));

        var c = guide.Matters.Single(m => m.Code == "c");
        Assert.False(c.Why.AlwaysApplies);
        Assert.Equal([new Condition { Question = "q", Option = "yes" }], c.Why.IncludedBy);
        Assert.Contains("问题q：选项yes", c.Why.Message.Zh, StringComparison.Ordinal);
        Assert.Contains("“Question q”: “Option yes”", c.Why.Message.En, StringComparison.Ordinal);
        Assert.Equal("始终适用。", guide.Matters.Single(m => m.Code == "a").Why.Message.Zh);
        Assert.Contains("Needed by: Matter c", guide.Bring.Single(m => m.Code == "contract").Why.Message.En, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownQuestionIsAnErrorAtItsAnswer()
    {
        var result = GuideEvaluator.Evaluate(ThreeMatters(), new Dictionary<string, string> { ["colour"] = "red" });

        var error = Assert.Single(result.Errors);
        Assert.Equal(("/answers/colour", "unknown-question"), (error.Pointer, error.Rule));
        Assert.Null(result.Guide);
    }

    [Fact]
    public void AnUnknownOptionIsAnErrorAtItsAnswer()
    {
        var result = GuideEvaluator.Evaluate(ThreeMatters(), new Dictionary<string, string> { ["q"] = "maybe" });

        var error = Assert.Single(result.Errors);
        Assert.Equal(("/answers/q", "unknown-option"), (error.Pointer, error.Rule));
        Assert.Contains("yes, no", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingRequiredAnswerSaysWhichQuestion()
    {
        var result = GuideEvaluator.Evaluate(Haicang.Resolve(), NoAnswers);

        var error = Assert.Single(result.Errors);
        Assert.Equal(("/answers/guide", "required"), (error.Pointer, error.Rule));
        Assert.Contains("您要办理的情形", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnswersWithSeveralMistakesReportEachInPointerOrder()
    {
        var result = GuideEvaluator.Evaluate(Haicang.Resolve(), new Dictionary<string, string> { ["zz"] = "1", ["aa"] = "2" });

        Assert.Equal(["/answers/aa", "/answers/guide", "/answers/zz"], result.Errors.Select(e => e.Pointer));
    }

    [Fact]
    public void TheSameAnswersGiveTheSameGuide()
    {
        var bundle = Haicang.Resolve();
        var answers = new Dictionary<string, string> { [Haicang.Guide] = Haicang.Points };

        var one = System.Text.Json.JsonSerializer.Serialize(GuideEvaluator.Evaluate(bundle, answers), CatalogueJson.Options);
        var two = System.Text.Json.JsonSerializer.Serialize(GuideEvaluator.Evaluate(bundle, answers), CatalogueJson.Options);

        Assert.Equal(one, two);
    }
}
