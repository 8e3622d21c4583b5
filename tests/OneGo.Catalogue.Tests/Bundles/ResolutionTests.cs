using OneGo.Catalogue.Tests.Fixtures;
using static OneGo.Catalogue.Tests.Fixtures.Make;

namespace OneGo.Catalogue.Tests.Bundles;

public class ResolutionTests
{
    [Fact]
    public void MergedFormHasEachDictionaryFieldOnceAndRemembersWhichMattersItFeeds()
    {
        var a = Matter("a", fields: [Field("id-number", "身份证号"), Field("name", "姓名")]);
        var b = Matter("b", fields: [Field("name", "姓名"), Field("phone", "联系电话")]);

        var bundle = Resolve(Bundle(Step("a"), Step("b")), a, b);

        Assert.Equal(["id-number", "name", "phone"], bundle.Form.Select(f => f.Code));
        Assert.Equal(["a", "b"], bundle.Form.Single(f => f.Code == "name").Feeds);
        Assert.Equal(["b"], bundle.Form.Single(f => f.Code == "phone").Feeds);
    }

    [Fact]
    public void MergedMaterialsHaveEachDictionaryMaterialOnce()
    {
        var a = Matter("a", materials: [Shared("id-card"), Brought("photo")]);
        var b = Matter("b", materials: [Shared("id-card"), Brought("contract")]);

        var bundle = Resolve(Bundle(Step("a"), Step("b")), a, b);

        Assert.Equal(["contract", "id-card", "photo"], bundle.Materials.Select(m => m.Code));
        Assert.Equal(["a", "b"], bundle.Materials.Single(m => m.Code == "id-card").Uses.Select(u => u.Matter));
    }

    [Theory]
    [InlineData(SourceKind.DataSharing, SourceKind.Commitment, SourceKind.DataSharing)]
    [InlineData(SourceKind.Commitment, SourceKind.DataSharing, SourceKind.DataSharing)]
    [InlineData(SourceKind.Commitment, SourceKind.IssuedByMatter, SourceKind.Commitment)]
    [InlineData(SourceKind.Applicant, SourceKind.IssuedByMatter, SourceKind.IssuedByMatter)]
    [InlineData(SourceKind.Applicant, SourceKind.Commitment, SourceKind.Commitment)]
    [InlineData(SourceKind.Applicant, SourceKind.Applicant, SourceKind.Applicant)]
    public void TheApplicantsLighterBurdenDecidesTheSourceOfASharedMaterial(SourceKind inA, SourceKind inB, SourceKind expected)
    {
        var a = Matter("a", materials: [Material("licence", inA)]);
        var b = Matter("b", materials: [Material("licence", inB)]);
        var c = Matter("c", materials: [Shared("id-card")]);

        var bundle = Resolve(Bundle(Step("a"), Step("b"), Step("c")), a, b, c);

        Assert.Equal(expected, bundle.Materials.Single(m => m.Code == "licence").Source.Kind);
    }

    [Fact]
    public void ASharedMaterialNamesItsSourceDepartmentAndDataset()
    {
        var a = Matter("a", materials: [Brought("register")]);
        var b = Matter("b", materials: [Shared("register", "公安局", "户籍信息")]);

        var merged = Resolve(Bundle(Step("a"), Step("b")), a, b).Materials.Single();

        Assert.Equal(("公安局", "户籍信息"), (merged.Source.Department, merged.Source.Dataset));
    }

    [Fact]
    public void AMaterialIssuedByAMatterOutsideTheBundleIsBroughtByTheApplicant()
    {
        var a = Matter("a", materials: [Issued("licence", "not-in-bundle")]);
        var b = Matter("b");

        var bundle = Resolve(Bundle(Step("a"), Step("b")), a, b);

        Assert.Equal(SourceKind.Applicant, bundle.Materials.Single(m => m.Code == "licence").Source.Kind);
        Assert.Equal(1, bundle.Reductions.After.Materials);
    }

    [Fact]
    public void MayFollowLaterOnlyWhenEveryMatterAllowsIt()
    {
        var both = Resolve(Bundle(Step("a"), Step("b")),
            Matter("a", materials: [Brought("photo", mayFollowLater: true)]), Matter("b", materials: [Brought("photo", mayFollowLater: true)]));
        var one = Resolve(Bundle(Step("a"), Step("b")),
            Matter("a", materials: [Brought("photo", mayFollowLater: true)]), Matter("b", materials: [Brought("photo")]));

        Assert.True(both.Materials.Single().MayFollowLater);
        Assert.False(one.Materials.Single().MayFollowLater);
    }

    [Fact]
    public void ParallelMattersCountTheirDaysOnce()
    {
        var bundle = Resolve(Bundle(Step("a"), Step("b"), Step("c")), Matter("a", days: 5), Matter("b", days: 8), Matter("c", days: 3));

        Assert.Equal(16, bundle.Reductions.Before.Days);
        Assert.Equal(8, bundle.Reductions.After.Days);
        Assert.Equal(8, bundle.PromisedDays);
    }

    [Fact]
    public void ChainedMattersAddUpAlongTheCriticalPath()
    {
        // a(5) → b(8) → c(3), and d(10) alongside: the chain of 16 is the critical path.
        var bundle = Resolve(Bundle(Step("a"), Step("b", "a"), Step("c", "b"), Step("d")),
            Matter("a", days: 5), Matter("b", days: 8), Matter("c", days: 3), Matter("d", days: 10));

        Assert.Equal(26, bundle.Reductions.Before.Days);
        Assert.Equal(16, bundle.Reductions.After.Days);
    }

    [Fact]
    public void ABundlePromiseShorterThanItsCriticalPathIsWhatItPromises()
    {
        var definition = Bundle(Step("a"), Step("b", "a")) with { PromisedDays = 7 };

        var bundle = Resolve(definition, Matter("a", days: 5), Matter("b", days: 8));

        Assert.Equal(7, bundle.PromisedDays);
        Assert.Equal(7, bundle.Reductions.After.Days);
    }

    [Fact]
    public void StepsWithTheSameNameAreDoneOnceInTheBundle()
    {
        var bundle = Resolve(Bundle(Step("a"), Step("b")),
            Matter("a", steps: ["受理", "审查", "决定", "送达"]), Matter("b", steps: ["受理", "审查", "现场核查", "决定", "送达"]));

        Assert.Equal(9, bundle.Reductions.Before.Steps);
        Assert.Equal(5, bundle.Reductions.After.Steps);
    }

    [Fact]
    public void MaterialsBeforeCountEveryMattersCopyAndAfterOnlyWhatTheApplicantBrings()
    {
        var bundle = Resolve(Bundle(Step("a"), Step("b")),
            Matter("a", materials: [Shared("id-card"), Brought("photo"), Committed("no-crime")]),
            Matter("b", materials: [Shared("id-card"), Brought("photo")]));

        Assert.Equal(5, bundle.Reductions.Before.Materials);
        Assert.Equal(1, bundle.Reductions.After.Materials);
    }

    [Fact]
    public void NoTripWhenEveryMaterialIsSharedCommittedOrIssuedAndResultsGoOnline()
    {
        var bundle = Resolve(Bundle(Step("a"), Step("b")),
            Matter("a", trips: 2, materials: [Shared("id-card"), Committed("no-crime")]),
            Matter("b", trips: 1, materials: [Issued("licence", "a")]));

        Assert.Equal(3, bundle.Reductions.Before.Trips);
        Assert.Equal(0, bundle.Reductions.After.Trips);
    }

    [Fact]
    public void OneTripWhenTheApplicantMustBringSomething()
    {
        var bundle = Resolve(Bundle(Step("a"), Step("b")), Matter("a", materials: [Brought("photo")]), Matter("b"));

        Assert.Equal(1, bundle.Reductions.After.Trips);
    }

    [Fact]
    public void OneTripWhenResultsAreCollectedAtTheWindow()
    {
        var windowOnly = Bundle(Step("a"), Step("b")) with { ResultDelivery = [Delivery.Window] };
        var byPost = Bundle(Step("a"), Step("b")) with { ResultDelivery = [Delivery.Window, Delivery.Post] };

        Assert.Equal(1, Resolve(windowOnly, Matter("a"), Matter("b")).Reductions.After.Trips);
        Assert.Equal(0, Resolve(byPost, Matter("a"), Matter("b")).Reductions.After.Trips);
    }

    [Fact]
    public void WithoutABundleDeliveryEveryMatterMustDeliverOnlineOrByPost()
    {
        var definition = Bundle(Step("a"), Step("b")) with { ResultDelivery = [] };

        Assert.Equal(0, Resolve(definition, Matter("a", delivery: [Delivery.Post]), Matter("b", delivery: [Delivery.Online])).Reductions.After.Trips);
        Assert.Equal(1, Resolve(definition, Matter("a", delivery: [Delivery.Post]), Matter("b", delivery: [Delivery.Window])).Reductions.After.Trips);
    }

    [Fact]
    public void ALocalAdjustmentOfAStepChangesTheEmbeddedMatterOnlyInThatBundle()
    {
        var definition = Bundle(Step("a") with { Department = "海沧区教育局", PromisedDays = 3, AddedMaterials = [Brought("local-form")] }, Step("b"));
        var a = Matter("a", days: 5);

        var bundle = Resolve(definition, a, Matter("b"));

        var embedded = bundle.Matters.Single(m => m.Code == "a");
        Assert.Equal(("海沧区教育局", 3), (embedded.Department, embedded.PromisedDays));
        Assert.Contains(embedded.Materials, m => m.Code == "local-form");
        Assert.Equal("部门a", a.Department);
    }

    [Fact]
    public void HaicangEnrolmentReductionsAreComputedFromItsMatters()
    {
        var bundle = Haicang.Resolve();

        Assert.Equal(20 + 15 + 5 + 10 + 10, bundle.Reductions.Before.Days);
        // primary enrolment (20) waits for the policy-care (10) and points (10) matters, which run in parallel.
        Assert.Equal(30, bundle.Reductions.After.Days);
        Assert.Equal(2 + 2 + 1 + 1 + 1, bundle.Reductions.Before.Trips);
        Assert.Equal(11 + 6 + 2 + 2 + 4, bundle.Reductions.Before.Materials);
    }

    private static Material Material(string code, SourceKind kind) => kind switch
    {
        SourceKind.DataSharing => Shared(code),
        SourceKind.Commitment => Committed(code),
        SourceKind.IssuedByMatter => Issued(code, "c"),
        _ => Brought(code),
    };
}
