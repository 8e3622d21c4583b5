using System.Text.RegularExpressions;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// The catalogues of <c>tenants/</c> state as fact only what a source states: a statutory time limit where the matter
/// cites the article that states it, no acceptance sentence written once for hundreds of matters, and every value
/// that is not published marked illustrative, so that the pages can say 示例.
/// </summary>
public sealed partial class PublishedValuesTests
{
    private static readonly TenantFolder Folder = TenantFolder.Read(RepositoryTenants.Folder, OneGo.Server.Features.Zone.PublishingScheduleRule.Default);

    [GeneratedRegex("第[〇零一二三四五六七八九十百千0-9]+条")]
    private static partial Regex Article();

    [Fact]
    public void EveryStatutoryTimeLimitComesWithTheArticleThatStatesIt()
    {
        var statutory = Folder.Matters.Where(m => m.Matter.StatutoryDays is not null).ToList();
        Assert.NotEmpty(statutory);
        Assert.All(statutory, m => Assert.True(m.Matter.LegalBasis.Any(l => Article().IsMatch(l.Zh)), $"{Folder.Display(m.RelativePath)}: a statutory limit without an article"));
    }

    [Fact]
    public void NoAcceptanceIsOneSentenceForManyMattersAndTheUnpublishedValuesAreMarked()
    {
        var shared = Folder.Matters.Where(m => m.Matter.Acceptance is not null).GroupBy(m => m.Matter.Acceptance!.Zh).Where(g => g.Count() > 10).Select(g => g.Key);
        Assert.Empty(shared);
        var unmarked = Folder.Matters.Where(m => (m.Matter.Provenance ?? "").Contains("illustrative", StringComparison.OrdinalIgnoreCase) && !m.Matter.IsIllustrative("promisedDays"));
        Assert.Empty(unmarked.Select(m => Folder.Display(m.RelativePath)));
    }
}
