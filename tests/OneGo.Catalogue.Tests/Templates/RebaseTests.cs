using OneGo.Catalogue.Tests.Fixtures;

namespace OneGo.Catalogue.Tests.Templates;

public class RebaseTests
{
    private static readonly TemplateRef NationalV2 = Newborn.NationalV1 with { Version = 2 };

    private static ResolvedStandard V1 => Newborn.Resolved(Newborn.National);

    private static ResolvedStandard V2(Func<BundleDefinition, BundleDefinition> change, IReadOnlyList<string>? locked = null, IReadOnlyList<Matter>? matters = null) =>
        Newborn.Resolved(Newborn.National with
        {
            Ref = NationalV2,
            Definition = change(Newborn.NationalDefinition),
            Locked = locked ?? Newborn.National.Locked,
            Matters = matters ?? Newborn.National.Matters,
        });

    /// <summary>A district adopting the national standard directly, with changes of each kind.</summary>
    private static Overlay District => new()
    {
        Adopts = Newborn.NationalV1,
        Changes =
        [
            new SetLeadDepartment { Department = "鼓楼区卫生健康委员会" },
            new SetGuideText { Text = "鼓楼区指南" },
            new ShortenPromisedDays { Days = 12 },
            new MarkNotApplicable { Matter = "vaccination-certificate" },
            new AddMatter { Matter = new() { Code = "birth-allowance", After = ["hukou"] } },
            new SetMatterDepartment { Matter = "medical-insurance", Department = "鼓楼区医疗保障局" },
        ],
    };

    [Fact]
    public void ARebaseOntoAVersionThatChangedOtherFieldsIsClean()
    {
        var v2 = V2(d => d with { Keywords = ["出生", "落户"], Channels = [Channel.Online] });

        var district = District;

        var result = OverlayRebase.Rebase(V1, v2, district, Newborn.GulouMatters);

        Assert.True(result.IsClean);
        Assert.Equal(NationalV2, result.Overlay.Adopts);
        Assert.Equal(district.Changes, result.Overlay.Changes);
        var bundle = TemplateResolver.Resolve(v2, result.Overlay, Newborn.GulouMatters).Value!;
        Assert.Equal(["出生", "落户"], bundle.Keywords);
        Assert.Equal("鼓楼区卫生健康委员会", bundle.LeadDepartment);
        Assert.Contains(result.Upstream, d => d.Pointer == "/keywords");
    }

    [Fact]
    public void AShorterLimitStaysWhileStillShorterThanTheNewStandard()
    {
        var v2 = V2(d => d with { PromisedDays = 18 });
        var result = OverlayRebase.Rebase(V1, v2, District, Newborn.GulouMatters);

        Assert.True(result.IsClean);
        Assert.Contains(result.Overlay.Changes, c => c is ShortenPromisedDays { Days: 12, Matter: null });
        // The district still promises its 12 days, not the new standard's 18.
        Assert.Equal(12, TemplateResolver.Resolve(v2, result.Overlay, Newborn.GulouMatters).Value!.PromisedDays);
    }

    [Fact]
    public void AFieldBothSidesChangedIsAConflictNotAGuess()
    {
        var result = OverlayRebase.Rebase(V1, V2(d => d with { GuideText = "国家新版指南" }), District, Newborn.GulouMatters);

        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(("/changes/1", "/guideText", ErrorRule.ChangedUpstream), (conflict.Pointer, conflict.Target, conflict.Rule));
        Assert.IsType<SetGuideText>(conflict.Change);
        Assert.DoesNotContain(result.Overlay.Changes, c => c is SetGuideText);
        Assert.Equal(District.Changes.Count - 1, result.Overlay.Changes.Count);
    }

    [Fact]
    public void UpstreamSettingTheSameValueIsNoConflict()
    {
        var result = OverlayRebase.Rebase(V1, V2(d => d with { LeadDepartment = "鼓楼区卫生健康委员会" }), District, Newborn.GulouMatters);

        Assert.True(result.IsClean);
    }

    [Fact]
    public void ChangesThatNoLongerApplyAreEachReportedWithPointerAndReason()
    {
        var v2 = V2(
            d => d with
            {
                PromisedDays = 10,
                Matters = d.Matters
                    .Where(s => s.Code != "medical-insurance")
                    .Select(s => s.Code == "vaccination-certificate" ? s with { Optional = false } : s)
                    .Append(new MatterStep { Code = "birth-allowance", After = ["hukou"] })
                    .ToArray(),
            },
            matters: [.. Newborn.National.Matters, Newborn.BirthAllowance]);

        var result = OverlayRebase.Rebase(V1, v2, District, Newborn.GulouMatters);

        Assert.Equal(
        [
            ("/changes/2", "/promisedDays", ErrorRule.LongerTimeLimit),
            ("/changes/3", "/matters/vaccination-certificate", ErrorRule.RequiredMatter),
            ("/changes/4", "/matters/birth-allowance", ErrorRule.DuplicateCode),
            ("/changes/5", "/matters/medical-insurance/department", ErrorRule.UnknownMatter),
        ], result.Conflicts.Select(c => (c.Pointer, c.Target, c.Rule)));
        Assert.Equal([typeof(SetLeadDepartment), typeof(SetGuideText)], result.Overlay.Changes.Select(c => c.GetType()));
        Assert.True(TemplateResolver.Resolve(v2, result.Overlay, Newborn.GulouMatters).IsValid);
    }

    [Fact]
    public void AFieldLockedInTheNewVersionIsAConflict()
    {
        var v2 = V2(d => d, locked: [.. Newborn.National.Locked, "/leadDepartment"]);

        var result = OverlayRebase.Rebase(V1, v2, District, Newborn.GulouMatters);

        Assert.Equal([("/changes/0", ErrorRule.Locked)], result.Conflicts.Select(c => (c.Pointer, c.Rule)));
    }

    [Fact]
    public void AProvinceVersionMovingOnIsRebasedThroughTheThreeLevelChain()
    {
        var jiangsuV2 = Newborn.Jiangsu with
        {
            Ref = Newborn.JiangsuV1 with { Version = 2 },
            Overlay = Newborn.Jiangsu.Overlay! with { Changes = [.. Newborn.Jiangsu.Overlay!.Changes, new SetContact { Contact = "12345" }] },
        };
        var nanjingV2 = Newborn.Nanjing with
        {
            Ref = Newborn.NanjingV1 with { Version = 2 },
            Overlay = Newborn.Nanjing.Overlay! with { Adopts = jiangsuV2.Ref },
        };
        var from = Newborn.Resolved();
        var to = Newborn.Resolved(Newborn.National, jiangsuV2, nanjingV2);

        var result = OverlayRebase.Rebase(from, to, Newborn.Gulou, Newborn.GulouMatters);

        // Gulou sets its own contact, which the province now sets too.
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(("/serviceLocation/contact", ErrorRule.ChangedUpstream), (conflict.Target, conflict.Rule));
        Assert.Equal([Newborn.NationalV1, jiangsuV2.Ref, nanjingV2.Ref], TemplateResolver.Resolve(to, result.Overlay, Newborn.GulouMatters).Value!.Lineage);
    }
}
