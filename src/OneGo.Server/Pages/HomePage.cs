using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Pages;

/// <summary><c>/</c>: choose a region from the tree, or search the live bundles of every region.</summary>
internal static class HomePage
{
    public static Html Render(PageRequest page, IReadOnlyList<RegionInfo> regions, string? query, RegionInfo? within, SearchResults? results)
    {
        var byId = regions.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var national = byId.GetValueOrDefault(RegionRules.NationalId);
        IReadOnlyList<RegionInfo> provinces = national is null ? [] : Children(national, byId);
        var main = Html.Of($"""
            <h1>{page.T("一件事一次办", "Get it done in one go")}</h1>
            <p class="lead">{page.T("一件事，一张表，一套材料，最多跑一次。选择您所在的地区，或搜索要办的事。",
                "One thing to do, one form, one set of materials, at most one trip. Choose your region, or search for what you need to do.")}</p>
            <section class="search" aria-labelledby="search-heading">
            <h2 id="search-heading">{page.T("在国家政务服务专区搜索", "Search the national service zone")}</h2>
            <form method="get" action="/" role="search">
            <div class="field"><label for="q">{page.T("要办的事（名称或关键词）", "What do you need to do? (name or keyword)")}</label>
            <input type="search" id="q" name="q" value="{query}" autocomplete="off"></div>
            <div class="field"><label for="region">{page.T("地区", "Region")}</label>
            <select id="region" name="region"><option value="">{page.T("所有地区", "All regions")}</option>{RegionOptions(page, national, byId, within, 0)}</select></div>
            <button type="submit">{page.T("搜索", "Search")}</button>
            </form>
            {(results is null ? Html.Empty : Results(page, query!, within, results))}
            </section>
            <section class="regions" aria-labelledby="regions-heading">
            <h2 id="regions-heading">{page.T("选择地区", "Choose a region")}</h2>
            {(national is null ? Html.Empty : Html.Of($"<p><a href=\"{Links.Region(national)}\">{page.T("国家标准一件事（全国）", "National standard bundles")}</a></p>"))}
            <ul class="tree">{provinces.Select(p => Branch(page, p, byId))}</ul>
            </section>
            """);
        return Layout.Document(page, page.T("首页", "Home"), [], main);
    }

    private static IReadOnlyList<RegionInfo> Children(RegionInfo region, Dictionary<string, RegionInfo> byId) =>
        region.ChildIds.Select(id => byId.GetValueOrDefault(id)).OfType<RegionInfo>()
            .OrderBy(r => r.DivisionCode ?? "", StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

    /// <summary>
    /// A region with regions below it opens and closes (details/summary: keyboard-usable, no script) and offers its
    /// own page first; a region without any is a link.
    /// </summary>
    private static Html Branch(PageRequest page, RegionInfo region, Dictionary<string, RegionInfo> byId)
    {
        var children = Children(region, byId);
        if (children.Count == 0)
        {
            return Html.Of($"<li><a href=\"{Links.Region(region)}\">{page.Name(region)}</a></li>");
        }

        return Html.Of($"""
            <li><details><summary>{page.Name(region)}</summary>
            <ul><li><a href="{Links.Region(region)}">{page.Name(region)}{page.T("（本级）", " (its own services)")}</a></li>{children.Select(c => Branch(page, c, byId))}</ul>
            </details></li>
            """);
    }

    private static IEnumerable<Html> RegionOptions(PageRequest page, RegionInfo? region, Dictionary<string, RegionInfo> byId, RegionInfo? selected, int depth)
    {
        if (region is null)
        {
            yield break;
        }

        // Indented by level with ideographic spaces: a select has no nesting of its own.
        var indent = new string('\u3000', depth);
        yield return region.Id == selected?.Id
            ? Html.Of($"<option value=\"{region.Id}\" selected>{indent}{page.Name(region)}</option>")
            : Html.Of($"<option value=\"{region.Id}\">{indent}{page.Name(region)}</option>");
        foreach (var child in Children(region, byId))
        {
            foreach (var option in RegionOptions(page, child, byId, selected, depth + 1))
            {
                yield return option;
            }
        }
    }

    private static Html Results(PageRequest page, string query, RegionInfo? within, SearchResults results)
    {
        var where = within is null ? Html.Text(page.T("所有地区", "all regions")) : page.Name(within);
        var heading = page.English
            ? Html.Of($"{results.Hits.Count} found for “{query}” in {where}")
            : Html.Of($"在{where}找到 {results.Hits.Count} 件与“{query}”有关的事");
        var items = results.Hits.Select(hit => Html.Of($"""
            <li><a href="{Links.Bundle(hit.Region, hit.Bundle.Code)}">{page.Text(hit.Bundle.Name)}</a>
            <span class="meta">{page.Name(hit.Region)} · {page.Of(hit.Bundle.Audience)} · {page.Of(hit.Bundle.Theme)} · {page.T("承诺", "promised")} {page.Days(hit.Bundle.PromisedDays)}</span></li>
            """));
        return Html.Of($"""
            <div id="results" class="results" role="status">
            <h3>{heading}</h3>
            {(results.Hits.Count == 0 ? Html.Of($"<p>{page.T("没有找到。换个词试试，或在下方选择地区浏览。", "Nothing found. Try another word, or browse a region below.")}</p>") : Html.Of($"<ul class=\"bundles\">{items}</ul>"))}
            {(results.More ? Html.Of($"<p>{page.T($"只显示前 {BundleSearch.MaxHits} 件；请换个更具体的词或选择地区。", $"Only the first {BundleSearch.MaxHits} are shown; try a more specific word or choose a region.")}</p>") : Html.Empty)}
            </div>
            """);
    }
}
