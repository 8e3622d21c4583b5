using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Localization;
using CultureInfo = System.Globalization.CultureInfo;
using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Pages;

public enum Lang
{
    Zh,
    En,
}

/// <summary>
/// One request for a citizen's page: the language it is written in and where it is, for the language switch.
/// Chinese by default; <c>?lang=en</c> or <c>?lang=zh</c> chooses, and the choice is remembered in a cookie so that
/// the links of the page keep it without carrying it.
/// </summary>
public sealed class PageRequest
{
    public const string LanguageParameter = "lang";
    public const string LanguageCookie = "onego.lang";

    private static readonly CultureInfo ChineseCulture = CultureInfo.GetCultureInfo("zh-CN");
    private static readonly CultureInfo EnglishCulture = CultureInfo.GetCultureInfo("en");

    private readonly HttpRequest _request;

    // The words pages share (levels, audiences, channels, days, trips), from Resources/Pages/PageRequest*.resx; read in
    // the UI culture set below for the page's language.
    private readonly IStringLocalizer<PageRequest> _words;

    private PageRequest(HttpRequest request, Lang lang, string stylesheet, IStringLocalizer<PageRequest> words)
    {
        _request = request;
        _words = words;
        Lang = lang;
        Stylesheet = stylesheet;
    }

    public Lang Lang { get; }

    public bool English => Lang == Lang.En;

    /// <summary>The value of <c>&lt;html lang&gt;</c> and of Content-Language.</summary>
    public string HtmlLang => English ? "en" : "zh-CN";

    /// <summary>The UI culture the page's resources are read in: Chinese (the neutral resources) or English.</summary>
    public CultureInfo Culture => English ? EnglishCulture : ChineseCulture;

    public string Stylesheet { get; }

    /// <summary>Reads the language chosen by the query or remembered by the cookie, and remembers a new choice.</summary>
    public static PageRequest Of(HttpContext context)
    {
        var asked = Parse(context.Request.Query[LanguageParameter]);
        if (asked is { } chosen)
        {
            context.Response.Cookies.Append(LanguageCookie, chosen == Lang.En ? "en" : "zh", new CookieOptions
            {
                Path = "/",
                MaxAge = TimeSpan.FromDays(365),
                SameSite = SameSiteMode.Lax,
                HttpOnly = true,
                Secure = context.Request.IsHttps,
                // A language is what the visitor asked for, not tracking: it needs no consent.
                IsEssential = true,
            });
        }

        var lang = asked ?? Parse(context.Request.Cookies[LanguageCookie]) ?? Lang.Zh;
        // Words read by the handler that asked for the page (a notice's heading, say) are read in the page's language;
        // the page itself sets it again as it renders (see PageResult), since a culture set in an async handler ends with it.
        CultureInfo.CurrentUICulture = lang == Lang.En ? EnglishCulture : ChineseCulture;
        var services = context.RequestServices;
        return new PageRequest(context.Request, lang, services.GetRequiredService<PageAssets>().StylesheetHref, services.GetRequiredService<IStringLocalizer<PageRequest>>());
    }

    private static Lang? Parse(string? value) => value switch
    {
        "en" => Lang.En,
        "zh" => Lang.Zh,
        _ => null,
    };

    /// <summary>The same page in the other language: the path and query of this request, with <c>lang</c> switched.</summary>
    public string SwitchHref
    {
        get
        {
            var query = new QueryBuilder(_request.Query
                .Where(p => p.Key != LanguageParameter)
                .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))))
            {
                { LanguageParameter, English ? "zh" : "en" },
            };
            return _request.PathBase + _request.Path + query.ToQueryString();
        }
    }

    /// <summary>A catalogue text: its English when the page is English and it has one; Chinese marked as such otherwise.</summary>
    public Html Text(Text text) =>
        !English ? Html.Text(text.Zh) : text.En is { } en ? Html.Text(en) : Chinese(text.Zh);

    /// <summary>
    /// Names written only in Chinese (departments, datasets, untranslated texts): on an English page they are marked
    /// <c>lang="zh-CN"</c>, so that screen readers pronounce them as Chinese.
    /// </summary>
    public Html Chinese(string text) => English ? Html.Of($"<span lang=\"zh-CN\">{text}</span>") : Html.Text(text);

    public Html Name(RegionInfo region) => Text(new Text { Zh = region.Name, En = region.NameEn });

    /// <summary>A region's level, as the region page's lead says it.</summary>
    public string Level(RegionLevel level) => _words[$"Level.{level}"];

    /// <summary>Whom a bundle serves, as a heading says it.</summary>
    public string Of(Audience audience) => _words[$"Audience.{audience}"];

    public string Of(LifeTheme theme) => English ? theme.ToEnglish() : theme.ToChinese();

    /// <summary>How one applies, as a list in a sentence says it.</summary>
    public string Of(Channel channel) => _words[$"Channel.{channel}"];

    /// <summary>How results reach the applicant, as a list in a sentence says it.</summary>
    public string Of(Delivery delivery) => _words[$"Delivery.{delivery}"];

    public string Of(MaterialKind kind) => _words[$"MaterialKind.{kind}"];

    /// <summary>"、" between Chinese items, ", " between English ones.</summary>
    public string List(IEnumerable<string> items) => string.Join(_words["ListSeparator"], items);

    /// <summary>Working days as a phrase: 0 is decided on the spot (即办).</summary>
    public string Days(int days) => days switch
    {
        0 => _words["Days.None"],
        1 => _words["Days.One"],
        _ => _words["Days.Many", days],
    };

    public string Trips(int trips) => trips switch
    {
        0 => _words["Trips.None"],
        1 => _words["Trips.One"],
        _ => _words["Trips.Many", trips],
    };
}

/// <summary>How the pages write a moment: Beijing time, to the minute, as people here read it.</summary>
public static class Moments
{
    public static string When(DateTimeOffset? at) =>
        at is { } moment ? moment.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "";
}
