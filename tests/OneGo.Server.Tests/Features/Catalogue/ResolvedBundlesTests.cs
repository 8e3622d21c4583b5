using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Catalogue;
using OneGo.Server.Features.Catalogue;

namespace OneGo.Server.Tests.Features.Catalogue;

/// <summary>
/// The catalogue's entries in the server's one cache: kept per tenant (the same code and version of another tenant is
/// never served from it), handed out without a copy, and dropped by the bundle's tag.
/// </summary>
public sealed class ResolvedBundlesTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
    private readonly List<string> _reads = [];

    private ResolvedBundles Resolved => new(_services.GetRequiredService<HybridCache>());

    public void Dispose() => _services.Dispose();

    private Func<CancellationToken, Task<EffectiveBundle>> Read(string tenant) => _ =>
    {
        _reads.Add(tenant);
        return Task.FromResult(Bundle(tenant));
    };

    [Fact]
    public async Task AVersionIsReadOnceAndHandedOutAsItIs()
    {
        var first = await Resolved.EffectiveAsync("350205", "enrolment", 1, Read("350205"), default);
        var again = await Resolved.EffectiveAsync("350205", "enrolment", 1, Read("350205"), default);

        Assert.Same(first, again);
        Assert.Equal(["350205"], _reads);
    }

    [Fact]
    public async Task TheSameCodeAndVersionOfAnotherTenantIsNeverServedFromAnothersEntry()
    {
        var haicang = await Resolved.EffectiveAsync("350205", "enrolment", 1, Read("350205"), default);
        var gulou = await Resolved.EffectiveAsync("320106", "enrolment", 1, Read("320106"), default);
        // A tenant id that ends where another's key would continue cannot spell the same key.
        var odd = await Resolved.EffectiveAsync("320106:1", "enrolment", 1, Read("320106:1"), default);

        Assert.Equal(["350205", "320106", "320106:1"], _reads);
        Assert.Equal("350205", haicang.LeadDepartment);
        Assert.Equal("320106", gulou.LeadDepartment);
        Assert.Equal("320106:1", odd.LeadDepartment);
    }

    [Fact]
    public async Task DroppingABundleByItsTagReadsItAgainAndLeavesOtherBundlesAndTenants()
    {
        var cache = _services.GetRequiredService<HybridCache>();
        await Resolved.EffectiveAsync("350205", "enrolment", 1, Read("350205"), default);
        await Resolved.EffectiveAsync("350205", "newborn", 1, Read("350205 newborn"), default);
        await Resolved.EffectiveAsync("320106", "enrolment", 1, Read("320106"), default);

        await cache.RemoveByTagAsync(ResolvedBundles.BundleTag("350205", "enrolment"));
        await Resolved.EffectiveAsync("350205", "enrolment", 1, Read("350205"), default);
        await Resolved.EffectiveAsync("350205", "newborn", 1, Read("350205 newborn"), default);
        await Resolved.EffectiveAsync("320106", "enrolment", 1, Read("320106"), default);

        Assert.Equal(["350205", "350205 newborn", "320106", "350205"], _reads);
    }

    [Fact]
    public async Task AStandardThatDoesNotResolveIsNotKept()
    {
        var reference = new TemplateRef { Tenant = "320000", Code = "newborn", Version = 2 };
        var loads = 0;
        Task<Resolution<ResolvedStandard>> Missing(CancellationToken _)
        {
            loads++;
            return Task.FromResult(new Resolution<ResolvedStandard> { Errors = [new CatalogueError("/adopts", "unknown-standard", "Not approved yet.")] });
        }

        Assert.False((await Resolved.StandardAsync(reference, Missing, default)).IsValid);
        Assert.False((await Resolved.StandardAsync(reference, Missing, default)).IsValid);

        Assert.Equal(2, loads);
    }

    private static EffectiveBundle Bundle(string tenant) => new()
    {
        Code = "enrolment",
        Name = "入学一件事",
        Audience = Audience.Personal,
        Theme = LifeTheme.Schooling,
        LeadDepartment = tenant,
        Lineage = [],
        Steps = [],
        Matters = [],
        Form = [],
        Materials = [],
        Scenarios = [],
        Rules = [],
        Channels = [],
        ResultDelivery = [],
        PromisedDays = 0,
        Keywords = [],
        Reductions = new Reductions
        {
            Before = new ReductionFigures { Steps = 0, Days = 0, Materials = 0, Trips = 0 },
            After = new ReductionFigures { Steps = 0, Days = 0, Materials = 0, Trips = 0 },
        },
    };
}
