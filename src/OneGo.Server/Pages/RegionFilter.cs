using OneGo.Catalogue;

namespace OneGo.Server.Pages;

/// <summary>What the region page's filter form asks: text, audience and theme, each optional.</summary>
public sealed record RegionFilter(string? Text, Audience? Audience, LifeTheme? Theme)
{
    public bool Any => !string.IsNullOrWhiteSpace(Text) || Audience is not null || Theme is not null;
}
