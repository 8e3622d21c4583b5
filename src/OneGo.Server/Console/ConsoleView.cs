using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Tenancy;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// One console page being written: the language (the citizens' pages' <see cref="PageRequest"/>), the signed-in
/// person, the region the page is about, and the antiforgery token every form carries.
/// </summary>
public sealed class ConsoleView
{
    private readonly string _antiforgery;

    private ConsoleView(HttpContext context, RegionInfo region, string antiforgery)
    {
        Page = PageRequest.Of(context);
        User = context.User;
        Region = region;
        _antiforgery = antiforgery;
    }

    public PageRequest Page { get; }

    public ClaimsPrincipal User { get; }

    public RegionInfo Region { get; }

    public string Tenant => Region.Id;

    public string UserTenant => User.FindFirstValue(OneGoClaims.Tenant) ?? "";

    /// <summary>The account's user name (the subject is its immutable id).</summary>
    public string UserName => User.FindFirstValue(OneGoClaims.UserName) ?? User.FindFirstValue("sub") ?? "";

    public string DisplayName => User.FindFirstValue("name") ?? UserName;

    public static ConsoleView Of(HttpContext context, RegionInfo region)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new ConsoleView(context, region, tokens.RequestToken ?? "");
    }

    /// <summary>What the person may do here, decided by the same rule the API applies (the API refuses anyway).</summary>
    public bool May(Capability capability, string? tenant = null) => Capabilities.Allows(User, capability, tenant ?? Tenant);

    public string Base => $"/console/t/{Uri.EscapeDataString(Tenant)}";

    public Html Antiforgery => Html.Of($"<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"{_antiforgery}\">");

    /// <summary>A catalogue text as the generated client reads it.</summary>
    public Html Text(OneGo.Client.Models.Text? text) => text is null ? Html.Empty : Page.Text(OneGo.Catalogue.Text.Of(text.Zh ?? "", text.En));

    /// <summary>JSON as a person reads it: Chinese as written, indented.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Readable = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly System.Text.Json.JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Str(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value => value.ToJsonString(Compact),
        _ => node.ToJsonString(Compact),
    };

    /// <summary>A moment as people here read it: Beijing time, to the minute.</summary>
    public string When(DateTimeOffset? at) => Moments.When(at);

    /// <summary>A page's list by its items' codes, made once per page (the first item of a code wins), to find each code's item in it.</summary>
    public static Dictionary<string, T> ByCode<T>(IEnumerable<T> items, Func<T, string?> code) =>
        items.DistinctBy(i => code(i) ?? "").ToDictionary(i => code(i) ?? "", StringComparer.Ordinal);
}
