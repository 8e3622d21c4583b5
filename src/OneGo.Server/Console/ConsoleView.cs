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
internal sealed class ConsoleView
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
        node is not null && DateTimeOffset.TryParse(Str(node), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)
            : "";

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

    /// <summary>The console's document: its own header with the person and the navigation of the region's work.</summary>
    public Html Document(string title, Html main)
    {
        var page = Page;
        var links = new List<(string Href, string Name)> { (Base, T("工作台", "Home")) };
        if (May(Capability.ReadDrafts))
        {
            links.Add((Base + "/bundles", T("一件事", "Bundles")));
            links.Add((Base + "/matters", T("事项", "Matters")));
        }

        if (May(Capability.EditCatalogue) && Region.ParentId is not null)
        {
            links.Add((Base + "/adopt", T("采用标准", "Adopt a standard")));
        }

        if (Region.Level != RegionLevel.District)
        {
            links.Add((Base + "/standards", T("标准与采用情况", "Standards and adoptions")));
        }

        if (May(Capability.Review))
        {
            links.Add((Base + "/inbox", T("待审核", "Review inbox")));
        }

        if (May(Capability.Administer))
        {
            links.Add((Base + "/accounts", T("账号", "Accounts")));
            links.Add((Base + "/publishing", T("发布", "Publishing")));
        }

        if (May(Capability.ReadAudit))
        {
            links.Add((Base + "/audit", T("审计日志", "Audit log")));
        }

        if (May(Capability.VerifyAudit, RegionRules.NationalId))
        {
            links.Add(("/console/verification", T("审计日志校验", "Audit verification")));
        }

        if (May(Capability.OperateNation))
        {
            links.Add(("/console/national", T("国家运营", "National operations")));
        }

        var roles = string.Join(T("、", ", "), User.FindAll(OneGoClaims.Role).Select(c => RoleName(c.Value)));
        return Html.Of($"""
            {Layout.Opening(page, title + " · " + T("一件事一次办工作台", "OneGo console"))}
            <header class="site">
            <a class="brand" href="/console">{T("一件事一次办 · 工作台", "OneGo · console")}</a>
            {Layout.LanguageSwitch(page)}
            <div class="who">{(DisplayName == UserName ? Html.Empty : Html.Of($"<span>{DisplayName}</span>"))}<span id="signed-in-as">{UserName}</span> <span class="meta">{roles} · {UserTenant}</span>
            <a href="/account/password/change?returnUrl={Uri.EscapeDataString(Base)}">{T("修改密码", "Change password")}</a>
            <form method="post" action="/console/signout" class="inline">{Antiforgery}<button type="submit" class="secondary">{T("退出", "Sign out")}</button></form></div>
            </header>
            <nav class="console-nav" aria-label="{T("工作台", "Console")}"><p class="meta">{page.Name(Region)}</p><ul>{links.Select(l => Html.Of($"<li><a href=\"{l.Href}\">{l.Name}</a></li>"))}</ul></nav>
            <main id="main" tabindex="-1">
            {main}
            </main>
            </body>
            </html>

            """);
    }
}
