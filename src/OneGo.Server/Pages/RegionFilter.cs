using OneGo.Catalogue;

namespace OneGo.Server.Pages;

/// <summary>What the region page's filter form asks: text, audience and theme, each optional.</summary>
public sealed record RegionFilter(string? Text, Audience? Audience, LifeTheme? Theme)
{
    public bool Any => !string.IsNullOrWhiteSpace(Text) || Audience is not null || Theme is not null;

    /// <summary>The word the form and the API's filters use for a value (camelCase of its name).</summary>
    public static string Word<TEnum>(TEnum value) where TEnum : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
