using System.Text;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// The README's table of the catalogues is computed here from the files of <c>tenants/</c>, so that it cannot drift
/// from them: per region, its bundles (its own, its adoptions, the standards it offers, its earlier versions kept in
/// files), its matters, and the adoptions of its standards by the regions below. Run with
/// <c>ONEGO_WRITE_README=1</c> to rewrite the table after changing the catalogues.
/// </summary>
public sealed class CatalogueTableTests
{
    private const string Begin = "<!-- catalogue table: computed from tenants/ by tests/OneGo.Server.Tests/Features/TenantFiles/CatalogueTableTests.cs -->";
    private const string End = "<!-- end of the catalogue table -->";

    internal static string Compute()
    {
        var folder = TenantFolder.Read(RepositoryTenants.Folder, OneGo.Server.Features.Zone.PublishingScheduleRule.Default);
        Assert.True(folder.IsValid, string.Join("\n", folder.Problems));
        var latest = folder.Bundles.Where(b => b.EarlierVersion is null).Select(b => folder.Open(b).Bundle!).ToList();
        var table = new StringBuilder()
            .AppendLine("| region | id | own bundles | adoptions | standards offered | earlier versions in files | matters | adoptions of its standards below |")
            .AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var order = folder.Regions.OrderBy(r => r.Id == RegionRules.NationalId ? "" : r.Id, StringComparer.Ordinal).ToList();
        foreach (var region in order)
        {
            var bundles = latest.Where(b => b.File.TenantId == region.Id).ToList();
            var below = latest.Count(b => b.Document.Adopts?.Tenant == region.Id);
            var indent = region.Id == RegionRules.NationalId ? 0 : region.Id.Count(c => c == '.');
            table.Append($"| {new string('·', indent)}{(indent > 0 ? " " : "")}{region.Document.Name} {region.Document.NameEn} | `{region.Id}` ")
                .Append($"| {bundles.Count(b => b.Document.Definition is not null)} | {bundles.Count(b => b.Document.Adopts is not null)} ")
                .Append($"| {bundles.Count(b => b.Document.Standard is not null)} | {folder.Bundles.Count(b => b.TenantId == region.Id && b.EarlierVersion is not null)} ")
                .AppendLine($"| {folder.Matters.Count(m => m.TenantId == region.Id)} | {below} |");
        }

        table.Append($"| **all regions** | | {latest.Count(b => b.Document.Definition is not null)} | {latest.Count(b => b.Document.Adopts is not null)} ")
            .Append($"| {latest.Count(b => b.Document.Standard is not null)} | {folder.Bundles.Count(b => b.EarlierVersion is not null)} ")
            .AppendLine($"| {folder.Matters.Count} | {latest.Count(b => b.Document.Adopts is not null)} |");
        return table.ToString();
    }

    [Fact]
    public void TheReadmesCatalogueTableIsTheOneTheFilesMake()
    {
        var readme = Path.Combine(Path.GetDirectoryName(RepositoryTenants.Folder)!, "README.md");
        var text = File.ReadAllText(readme).ReplaceLineEndings("\n");
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md has no catalogue table between '{Begin}' and '{End}'.");
        var shown = text[(start + Begin.Length)..end].Trim('\n') + "\n";
        var computed = Compute().ReplaceLineEndings("\n");
        if (shown != computed && Environment.GetEnvironmentVariable("ONEGO_WRITE_README") == "1")
        {
            File.WriteAllText(readme, text[..(start + Begin.Length)] + "\n" + computed + text[end..]);
            return;
        }

        Assert.True(shown == computed, "README.md's catalogue table differs from tenants/; run this test with ONEGO_WRITE_README=1 to rewrite it. The files make:\n" + computed);
    }
}
