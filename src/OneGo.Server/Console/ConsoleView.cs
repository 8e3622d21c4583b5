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

    public string T(string zh, string en) => Page.T(zh, en);

    public string Base => $"/console/t/{Uri.EscapeDataString(Tenant)}";

    public Html Antiforgery => Html.Of($"<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"{_antiforgery}\">");

    /// <summary>A form that posts to <paramref name="action"/> with the antiforgery token and the fields given.</summary>
    public Html Form(string action, Html fields, string button, string? css = null) => Html.Of($"""
        <form method="post" action="{action}"{(css is null ? Html.Empty : Html.Of($" class=\"{css}\""))}>{Antiforgery}{fields}<button type="submit">{button}</button></form>
        """);

    /// <summary>A catalogue text as the API writes it: a string (Chinese) or {zh, en}.</summary>
    public Html Text(JsonNode? node) => node switch
    {
        null => Html.Empty,
        JsonValue value => Page.Text(OneGo.Catalogue.Text.From(value.GetValue<string>())),
        _ => Page.Text(OneGo.Catalogue.Text.Of(node["zh"]?.GetValue<string>() ?? "", node["en"]?.GetValue<string>())),
    };

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

    public string When(JsonNode? node) =>
        When(node is not null && DateTimeOffset.TryParse(Str(node), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : null);

    /// <summary>A moment as people here read it: Beijing time, to the minute.</summary>
    public string When(DateTimeOffset? at) =>
        at is { } moment ? moment.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>A page's list by its items' codes, made once per page (the first item of a code wins), to find each code's item in it.</summary>
    public static Dictionary<string, T> ByCode<T>(IEnumerable<T> items, Func<T, string?> code) =>
        items.DistinctBy(i => code(i) ?? "").ToDictionary(i => code(i) ?? "", StringComparer.Ordinal);

    public string State(string? state) => state switch
    {
        "draft" => T("草稿", "Draft"),
        "submitted" => T("待审核", "Waiting for review"),
        "rejected" => T("已退回", "Returned"),
        "approved" => T("已通过", "Approved"),
        _ => state ?? "",
    };

    public string RoleName(string role) => role switch
    {
        Roles.Admin => T("管理员", "Admin"),
        Roles.Editor => T("编辑", "Editor"),
        Roles.Reviewer => T("审核人", "Reviewer"),
        Roles.Auditor => T("审计员", "Auditor"),
        _ => role,
    };

    /// <summary>What went wrong, in the page's language; the API's own sentences (its detail, its errors) follow it.</summary>
    public string Heading(ApiAnswer answer) => answer.Status switch
    {
        StatusCodes.Status422UnprocessableEntity => T("不符合规则", "This breaks a rule"),
        StatusCodes.Status412PreconditionFailed => T("这份工作副本刚被他人修改，请重新打开后再试", "Someone changed this working copy meanwhile: open it again and retry"),
        StatusCodes.Status403Forbidden => T("没有权限", "Not allowed"),
        StatusCodes.Status409Conflict => T("当前状态下不能这样做", "Not possible in the current state") + " — " + answer.Title,
        _ => answer.Title,
    };

    /// <summary>The errors of an API answer as a summary at the top of a form's section.</summary>
    public Html Problem(ApiAnswer? answer, string? id = null)
    {
        if (answer is null || answer.Ok)
        {
            return Html.Empty;
        }

        var errors = answer.Errors;
        var list = errors.Count == 0
            ? Html.Empty
            : Html.Of($"<ul>{errors.Select(e => Html.Of($"<li>{e.Message}{(e.Pointer is null ? Html.Empty : Html.Of($" <code>{e.Pointer}</code>"))}</li>"))}</ul>");
        return Html.Of($"""
            <div class="error-summary" role="alert" data-status="{answer.Status}"{(id is null ? Html.Empty : Html.Of($" id=\"{id}\""))}><p class="error">{Heading(answer)}</p>{(errors.Count > 0 ? Html.Empty : Html.Of($"<p>{answer.Detail}</p>"))}{list}</div>
            """);
    }
}
