using OneGo.Catalogue.Tests.Fixtures;

namespace OneGo.Catalogue.Tests.Guides;

/// <summary>入园入学一件事 of Haicang: five guides, and 材料零提交、一趟不用跑 for children registered in Haicang.</summary>
public class HaicangEnrolmentTests
{
    private static Guide GuideFor(string option, EffectiveBundle? bundle = null)
    {
        var result = GuideEvaluator.Evaluate(bundle ?? Haicang.Resolve(), new Dictionary<string, string> { [Haicang.Guide] = option });
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Guide!;
    }

    [Fact]
    public void TheBundleIsValidAndOffersFiveGuides()
    {
        Assert.Empty(CatalogueValidator.ValidateCatalogue(new CatalogueDocument { Matters = Haicang.Matters, Bundles = [Haicang.Definition] }));
        Assert.Equal(5, Haicang.Resolve().Scenarios.Single().Options.Count);
    }

    [Fact]
    public void HaicangHouseholdGuideFetchesEveryArticleMaterialSoTheApplicantBringsNothingAndMakesNoTrip()
    {
        var guide = GuideFor(Haicang.Hukou);

        Assert.Equal(Haicang.ArticleMaterials.Order(StringComparer.Ordinal), guide.FetchedForYou.Select(m => m.Code));
        Assert.Empty(guide.Bring);
        Assert.Empty(guide.MayFollowLater);
        Assert.Equal(0, guide.Reductions.After.Materials);
        Assert.Equal(0, guide.Trips);
        Assert.Equal(
            ["海沧区人社局", "海沧区公安分局", "海沧区卫健局", "海沧区自然资源与规划局"],
            guide.FetchedForYou.Select(m => m.Source.Department!).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal([Haicang.PrimaryEnrolment, Haicang.VaccinationCheck], guide.Matters.Select(m => m.Code));
    }

    [Fact]
    public void BringingOneMaterialOfTheHaicangHouseholdGuideRaisesMaterialsToSubmitAndTrips()
    {
        var primary = Haicang.PrimaryEnrolmentMatter;
        var changed = primary with
        {
            Materials = primary.Materials.Select(m => m.Code == "property-certificate" ? m with { Source = MaterialSource.Applicant } : m).ToArray(),
        };
        var matters = Haicang.Matters.Select(m => m.Code == primary.Code ? changed : m).ToArray();
        var before = GuideFor(Haicang.Hukou);

        var after = GuideFor(Haicang.Hukou, Make.Resolve(Haicang.Definition, matters));

        Assert.Equal(["property-certificate"], after.Bring.Select(m => m.Code));
        Assert.Equal(before.Reductions.After.Materials + 1, after.Reductions.After.Materials);
        Assert.Equal((0, 1), (before.Trips, after.Trips));
    }

    [Fact]
    public void ChildrenFromHongKongMacaoTaiwanOrAbroadBringTheDocumentsNoMainlandRegisterHolds()
    {
        var guide = GuideFor(Haicang.HongKongMacaoTaiwanForeign);

        var permit = Assert.Single(guide.Bring);
        Assert.Equal("travel-permit", permit.Code);
        Assert.Equal([new Condition { Question = Haicang.Guide, Option = Haicang.HongKongMacaoTaiwanForeign }], permit.Why.IncludedBy);
        Assert.DoesNotContain(guide.FetchedForYou, m => m.Code is "household-register" or "family-planning");
        Assert.Equal(1, guide.Trips);
    }

    [Fact]
    public void PolicyCareGuideAddsTheConfirmationWhoseResultFeedsEnrolmentAndAcceptsTheProofLater()
    {
        var guide = GuideFor(Haicang.PolicyCare);

        Assert.Contains(guide.Matters, m => m.Code == Haicang.PolicyCareConfirmation);
        Assert.Equal(["policy-care-notice"], guide.IssuedInBundle.Select(m => m.Code));
        Assert.Equal(["policy-care-proof"], guide.MayFollowLater.Select(m => m.Code));
        Assert.Equal([Haicang.PolicyCareConfirmation], guide.Matters.Single(m => m.Code == Haicang.PrimaryEnrolment).After);
        Assert.Equal(30, guide.PromisedDays);
    }

    [Fact]
    public void PointsGuideReviewsPointsFirstAndReplacesTheEmploymentProofByCommitment()
    {
        var guide = GuideFor(Haicang.Points);

        Assert.Equal([Haicang.PointsReview, Haicang.PrimaryEnrolment, Haicang.VaccinationCheck], guide.Matters.Select(m => m.Code));
        Assert.Equal(["employment-proof"], guide.ByCommitment.Select(m => m.Code));
        Assert.Contains(guide.FetchedForYou, m => m.Code == "residence-permit");
        Assert.Equal(30, guide.PromisedDays);
        Assert.Equal(0, guide.Trips);
    }

    [Fact]
    public void KindergartenGuideIsEnrolmentForKindergartenOnly()
    {
        var guide = GuideFor(Haicang.Kindergarten);

        Assert.Equal([Haicang.KindergartenEnrolment, Haicang.VaccinationCheck], guide.Matters.Select(m => m.Code));
        Assert.DoesNotContain(guide.FetchedForYou, m => m.Code == "social-insurance");
        Assert.Equal(15, guide.PromisedDays);
        Assert.Equal(0, guide.Trips);
    }

    [Fact]
    public void TheMergedFormAsksTheChildsIdNumberOnceForAllMattersOfTheGuide()
    {
        var guide = GuideFor(Haicang.Hukou);

        var field = Assert.Single(guide.Form, f => f.Code == "child-id-number");
        Assert.Equal([Haicang.PrimaryEnrolment, Haicang.VaccinationCheck], field.Feeds);
    }
}
