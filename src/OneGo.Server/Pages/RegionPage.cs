using OneGo.Catalogue;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>What the region page's filter form asks: text, audience and theme, each optional.</summary>
internal sealed record RegionFilter(string? Text, Audience? Audience, LifeTheme? Theme)
{
    public bool Any => !string.IsNullOrWhiteSpace(Text) || Audience is not null || Theme is not null;
}

/// <summary><c>/regions/{tenant}</c>: a region's live bundles by audience and life-cycle theme, and the regions below it.</summary>
internal static class RegionPage
{
    public static Html Render(PageRequest page, RegionInfo region, IReadOnlyList<(string Href, Html Name)> trail, IReadOnlyList<RegionInfo> children,
        IReadOnlyList<BundleSummary> bundles, RegionFilter filter, string? phone)
    {
        var sections = Enum.GetValues<Audience>()
            .Where(a => filter.Audience is null || filter.Audience == a)
            .Select(audience => Section(page, region, audience, bundles.Where(b => b.Audience == audience).ToList()));
        var main = Html.Of($"""
            <h1>{page.Name(region)}</h1>
            <p class="lead">{page.Level(region.Level)}{(phone is null ? Html.Empty : Html.Of($" · {page.T("咨询电话", "Enquiries")} {phone}"))}</p>
            {Filter(page, region, filter)}
            {(filter.Any ? Html.Of($"<p role=\"status\">{(page.English ? $"{bundles.Count} found." : $"找到 {bundles.Count} 件。")} <a href=\"{Links.Region(region)}\">{page.T("显示全部", "Show all")}</a></p>") : Html.Empty)}
            {sections}
            {Below(page, children)}
            """);
        return Layout.Document(page, Title(page, region), trail, main);
    }

    private static string Title(PageRequest page, RegionInfo region) => page.English ? region.NameEn ?? region.Name : region.Name;

    private static Html Section(PageRequest page, RegionInfo region, Audience audience, List<BundleSummary> bundles)
    {
        var id = audience == Audience.Personal ? "personal" : "enterprise";
        var themes = bundles.GroupBy(b => b.Theme).OrderBy(g => g.Key).Select(g => Html.Of($"""
            <section class="theme" aria-labelledby="{id}-{g.Key.ToString()}">
            <h3 id="{id}-{g.Key.ToString()}">{page.Of(g.Key)}</h3>
            <ul class="bundles">{g.OrderBy(b => b.Code, StringComparer.Ordinal).Select(b => Item(page, region, b))}</ul>
            </section>
            """));
        return Html.Of($"""
            <section class="audience" id="{id}" aria-labelledby="{id}-heading">
            <h2 id="{id}-heading">{page.Of(audience)}</h2>
            {(bundles.Count == 0 ? Html.Of($"<p class=\"none\">{page.T("暂无。", "None yet.")}</p>") : Html.Join(themes))}
            </section>
            """);
    }

    private static Html Item(PageRequest page, RegionInfo region, BundleSummary bundle) => Html.Of($"""
        <li><a href="{Links.Bundle(region, bundle.Code)}">{page.Text(bundle.Name)}</a>
        <span class="meta">{page.T("承诺", "Promised")} {page.Days(bundle.PromisedDays)} · {page.T("跑动", "trips")} {bundle.Reductions.After.Trips} · {page.T("牵头", "lead")} {page.Chinese(bundle.LeadDepartment)}</span></li>
        """);

    private static Html Filter(PageRequest page, RegionInfo region, RegionFilter filter)
    {
        var audiences = Enum.GetValues<Audience>().Select(a => Option(Word(a), page.Of(a), a == filter.Audience));
        var themes = Enum.GetValues<LifeTheme>().Select(t => Option(Word(t), page.Of(t), t == filter.Theme));
        return Html.Of($"""
            <form class="filter" method="get" action="{Links.Region(region)}" role="search" aria-label="{page.T("筛选本地区的一件事", "Filter this region's services")}">
            <div class="field"><label for="q">{page.T("名称或关键词", "Name or keyword")}</label><input type="search" id="q" name="q" value="{filter.Text}"></div>
            <div class="field"><label for="audience">{page.T("服务对象", "For")}</label><select id="audience" name="audience"><option value="">{page.T("全部", "Everyone")}</option>{audiences}</select></div>
            <div class="field"><label for="theme">{page.T("主题", "Theme")}</label><select id="theme" name="theme"><option value="">{page.T("全部主题", "All themes")}</option>{themes}</select></div>
            <button type="submit">{page.T("筛选", "Filter")}</button>
            </form>
            """);
    }

    private static Html Option(string value, string label, bool selected) => selected
        ? Html.Of($"<option value=\"{value}\" selected>{label}</option>")
        : Html.Of($"<option value=\"{value}\">{label}</option>");

    /// <summary>The word the API's filters use for a value (camelCase of its name).</summary>
    public static string Word<TEnum>(TEnum value) where TEnum : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static Html Below(PageRequest page, IReadOnlyList<RegionInfo> children)
    {
        if (children.Count == 0)
        {
            return Html.Empty;
        }

        return Html.Of($"""
            <section class="below" aria-labelledby="below-heading">
            <h2 id="below-heading">{page.T("下辖地区", "Regions below")}</h2>
            <ul class="regions-below">{children.Select(c => Html.Of($"<li><a href=\"{Links.Region(c)}\">{page.Name(c)}</a></li>"))}</ul>
            </section>
            """);
    }
}
