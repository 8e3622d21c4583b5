using OneGo.Catalogue.Tests.Fixtures;

namespace OneGo.Catalogue.Tests.Templates;

public class OverlayTests
{
    private static readonly Dictionary<string, Matter> NoLocalMatters = [];

    private static EffectiveBundle Adopt(params OverlayChange[] changes) => Adopt(Newborn.GulouMatters, changes);

    private static EffectiveBundle Adopt(IReadOnlyDictionary<string, Matter> local, params OverlayChange[] changes)
    {
        var result = TemplateResolver.Resolve(Newborn.Resolved(), new Overlay { Adopts = Newborn.NanjingV1, Changes = changes }, local);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Value!;
    }

    private static CatalogueError Refused(OverlayChange change)
    {
        var errors = TemplateResolver.ValidateOverlay(Newborn.Resolved(), new Overlay { Adopts = Newborn.NanjingV1, Changes = [change] }, Newborn.GulouMatters);
        var error = Assert.Single(errors);
        Assert.Equal("/changes/0", error.Pointer);
        Assert.Equal(change.Target(), error.Target);
        return error;
    }

    [Fact]
    public void SetLocalLeadDepartment() =>
        Assert.Equal("鼓楼区卫生健康委员会", Adopt(new SetLeadDepartment { Department = "鼓楼区卫生健康委员会" }).LeadDepartment);

    [Fact]
    public void SetLocalMatterDepartment() =>
        Assert.Equal("南京市公安局鼓楼分局", Adopt(new SetMatterDepartment { Matter = "hukou", Department = "南京市公安局鼓楼分局" }).Matters.Single(m => m.Code == "hukou").Department);

    [Fact]
    public void SetLocalAddressHoursAndContact()
    {
        var bundle = Adopt(new SetAddress { Address = "鼓楼区政务服务中心" }, new SetHours { Hours = "9:00–17:00" }, new SetContact { Contact = "025-1" });

        Assert.Equal(("鼓楼区政务服务中心", "9:00–17:00", "025-1"), (bundle.ServiceLocation!.Address!.Zh, bundle.ServiceLocation.Hours!.Zh, bundle.ServiceLocation.Contact));
    }

    [Fact]
    public void ShortenAMattersPromisedDays()
    {
        var bundle = Adopt(new ShortenPromisedDays { Matter = "hukou", Days = 2 });

        Assert.Equal(2, bundle.Matters.Single(m => m.Code == "hukou").PromisedDays);
        Assert.Equal(5 + 3 + 2 + 5 + 10, bundle.Reductions.Before.Days);
        Assert.Equal(15, bundle.PromisedDays); // Jiangsu's promise, below the critical path of 5 + 2 + 10
    }

    [Fact]
    public void ShortenTheBundlesPromisedDaysWhereNotLocked()
    {
        var national = Newborn.Resolved(Newborn.National);
        var result = TemplateResolver.Resolve(national,
            new Overlay { Adopts = Newborn.NationalV1, Changes = [new ShortenPromisedDays { Days = 10 }] }, NoLocalMatters);

        Assert.Equal(10, result.Value!.PromisedDays);
    }

    [Fact]
    public void AddALocalMatterFromTheAdoptersOwnMatters()
    {
        var bundle = Adopt(new AddMatter { Matter = new() { Code = "birth-allowance", After = ["hukou"], Optional = true } });

        Assert.Equal("鼓楼区医保局", bundle.Matters.Single(m => m.Code == "birth-allowance").Department);
        Assert.Equal(["hukou"], bundle.Steps.Single(s => s.Code == "birth-allowance").After);
    }

    [Fact]
    public void AddALocalMaterialToAMatter()
    {
        var bundle = Adopt(new AddMaterial { Matter = "medical-insurance", Material = new() { Code = "local-form", Name = "本地表格", Source = MaterialSource.Applicant } });

        Assert.Contains(bundle.Matters.Single(m => m.Code == "medical-insurance").Materials, m => m.Code == "local-form");
        Assert.Equal(Adopt().Reductions.After.Materials + 1, bundle.Reductions.After.Materials);
    }

    [Fact]
    public void MarkAnOptionalMatterNotApplicableAndKeepTheOrderAroundIt()
    {
        var national = Newborn.Resolved(Newborn.National) with { Locked = [] };
        var result = TemplateResolver.Resolve(national, new Overlay { Adopts = Newborn.NationalV1, Changes = [new MarkNotApplicable { Matter = "social-security-card" }] }, NoLocalMatters);

        var bundle = result.Value!;
        Assert.DoesNotContain(bundle.Matters, m => m.Code == "social-security-card");
        Assert.DoesNotContain(bundle.Rules, r => r.Id == "no-card"); // it only excluded the removed matter
    }

    [Fact]
    public void AddLocalQuestionOptionAndRule()
    {
        var bundle = Adopt(Newborn.Gulou.Changes.Where(c => c is AddMatter or AddQuestion or AddRule or AddOption).ToArray());

        Assert.Equal(["card", "allowance"], bundle.Scenarios.Select(q => q.Id));
        Assert.Equal(["yes", "no", "later"], bundle.Scenarios[0].Options.Select(o => o.Id));
        var guide = GuideEvaluator.Evaluate(bundle, new Dictionary<string, string> { ["card"] = "later", ["allowance"] = "yes" }).Guide!;
        Assert.Contains(guide.Matters, m => m.Code == "birth-allowance");
        var without = GuideEvaluator.Evaluate(bundle, new Dictionary<string, string> { ["card"] = "later", ["allowance"] = "no" }).Guide!;
        Assert.DoesNotContain(without.Matters, m => m.Code == "birth-allowance");
    }

    [Fact]
    public void SetLocalGuideText() =>
        Assert.Equal("鼓楼区办事指南", Adopt(new SetGuideText { Text = "鼓楼区办事指南" }).GuideText!.Zh);

    [Fact]
    public void ATouchedLockedFieldIsRefusedWithItsPath()
    {
        var error = Refused(new SetMatterDepartment { Matter = "birth-certificate", Department = "鼓楼区妇幼保健院" });

        Assert.Equal(ErrorRule.Locked, error.Rule);
        Assert.Equal("/matters/birth-certificate/department", error.Target);
        Assert.Contains("/matters/birth-certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocksAreInheritedDownTheChain()
    {
        // Jiangsu locks the bundle's promise: Gulou, two levels below, may not change it.
        Assert.Equal(ErrorRule.Locked, Refused(new ShortenPromisedDays { Days = 10 }).Rule);
        Assert.Equal(ErrorRule.Locked, Refused(new AddRule { Rule = new() { Id = "no-card", When = new() { Question = "card", Option = "yes" }, Include = new() { Matters = ["hukou"] } } }).Rule);
    }

    [Fact]
    public void ALongerTimeLimitIsRefused()
    {
        var matter = Refused(new ShortenPromisedDays { Matter = "hukou", Days = 6 });
        Assert.Equal(("/matters/hukou/promisedDays", ErrorRule.LongerTimeLimit), (matter.Target, matter.Rule));

        var national = Newborn.Resolved(Newborn.National);
        var bundle = Assert.Single(TemplateResolver.ValidateOverlay(national, new Overlay { Adopts = Newborn.NationalV1, Changes = [new ShortenPromisedDays { Days = 21 }] }, NoLocalMatters));
        Assert.Equal(("/promisedDays", ErrorRule.LongerTimeLimit), (bundle.Target, bundle.Rule));
    }

    [Fact]
    public void RemovingARequiredMatterIsRefused() =>
        Assert.Equal(ErrorRule.RequiredMatter, Refused(new MarkNotApplicable { Matter = "hukou" }).Rule);

    [Theory]
    [MemberData(nameof(ChangesNamingWhatDoesNotExist))]
    public void AChangeNamingSomethingThatDoesNotExistIsRefused(OverlayChange change, string rule) =>
        Assert.Equal(rule, Refused(change).Rule);

    public static TheoryData<OverlayChange, string> ChangesNamingWhatDoesNotExist => new()
    {
        { new SetMatterDepartment { Matter = "marriage", Department = "x" }, ErrorRule.UnknownMatter },
        { new ShortenPromisedDays { Matter = "marriage", Days = 1 }, ErrorRule.UnknownMatter },
        { new AddMaterial { Matter = "marriage", Material = new() { Code = "m", Name = "m" } }, ErrorRule.UnknownMatter },
        { new MarkNotApplicable { Matter = "marriage" }, ErrorRule.UnknownMatter },
        { new AddMatter { Matter = new() { Code = "not-a-matter-of-gulou" } }, ErrorRule.UnknownMatter },
        { new AddMatter { Matter = new() { Code = "birth-allowance", After = ["marriage"] } }, ErrorRule.UnknownMatter },
        { new AddOption { Question = "colour", Option = new() { Id = "red", Label = "红" } }, ErrorRule.UnknownQuestion },
        { new AddRule { Rule = new() { Id = "r", When = new() { Question = "colour", Option = "red" }, Include = new() { Matters = ["hukou"] } } }, ErrorRule.UnknownQuestion },
        { new AddRule { Rule = new() { Id = "r", When = new() { Question = "card", Option = "red" }, Include = new() { Matters = ["hukou"] } } }, ErrorRule.UnknownOption },
        { new AddRule { Rule = new() { Id = "r", When = new() { Question = "card", Option = "yes" }, Include = new() { Materials = ["passport"] } } }, ErrorRule.UnknownMaterial },
    };

    [Fact]
    public void AddingWhatAlreadyExistsOrSettingAFieldTwiceIsRefused()
    {
        Assert.Equal(ErrorRule.DuplicateCode, Refused(new AddMatter { Matter = new() { Code = "hukou" } }).Rule);
        Assert.Equal(ErrorRule.DuplicateCode, Refused(new AddMaterial { Matter = "hukou", Material = new() { Code = "nanjing-form", Name = "表" } }).Rule);
        Assert.Equal(ErrorRule.DuplicateId, Refused(new AddQuestion { Question = new() { Id = "card", Text = "?", Options = [new() { Id = "a", Label = "a" }, new() { Id = "b", Label = "b" }] } }).Rule);
        Assert.Equal(ErrorRule.Required, Refused(new AddRule { Rule = new() { When = new() { Question = "card", Option = "yes" }, Include = new() { Matters = ["hukou"] } } }).Rule);

        var twice = TemplateResolver.ValidateOverlay(Newborn.Resolved(),
            new Overlay { Adopts = Newborn.NanjingV1, Changes = [new SetContact { Contact = "1" }, new SetContact { Contact = "2" }] }, NoLocalMatters);
        Assert.Equal([("/changes/1", ErrorRule.DuplicateChange)], twice.Select(e => (e.Pointer, e.Rule)));
    }

    [Fact]
    public void EveryOffendingChangeIsListedWithItsPointer()
    {
        var overlay = Newborn.Gulou with
        {
            Changes = [.. Newborn.Gulou.Changes, new MarkNotApplicable { Matter = "hukou" }, new ShortenPromisedDays { Days = 1 }],
        };

        var errors = TemplateResolver.ValidateOverlay(Newborn.Resolved(), overlay, Newborn.GulouMatters);

        Assert.Equal([("/changes/13", ErrorRule.RequiredMatter), ("/changes/14", ErrorRule.Locked)], errors.Select(e => (e.Pointer, e.Rule)));
    }

    [Fact]
    public void AnOverlayOfAnotherVersionIsRefused()
    {
        var result = TemplateResolver.Resolve(Newborn.Resolved(), Newborn.Gulou with { Adopts = Newborn.NanjingV1 with { Version = 2 } }, Newborn.GulouMatters);

        Assert.Equal([("/adopts", ErrorRule.BrokenChain)], result.Errors.Select(e => (e.Pointer, e.Rule)));
    }

    [Fact]
    public void OverlaysReadAndWriteAsTypedChangesInJson()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Newborn.Gulou, CatalogueJson.Options);
        var back = System.Text.Json.JsonSerializer.Deserialize<Overlay>(json, CatalogueJson.Options)!;

        Assert.Contains("{\"op\":\"shortenPromisedDays\",\"matter\":\"hukou\",\"days\":3}", json, StringComparison.Ordinal);
        Assert.Equal(Newborn.Gulou.Changes.Select(c => c.Target()), back.Changes.Select(c => c.Target()));
        var typed = System.Text.Json.JsonSerializer.Deserialize<Overlay>(
            """{"adopts":{"tenant":"jiangsu.nanjing","code":"newborn","version":1},"changes":[{"days":2,"op":"shortenPromisedDays","matter":"hukou"}]}""",
            CatalogueJson.Options)!;
        Assert.Equal(new ShortenPromisedDays { Matter = "hukou", Days = 2 }, typed.Changes.Single());
    }
}
