using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Tenancy;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The admin's pages — the accounts of its region (and, through the regions below, theirs), publishing runs, the
/// audit log — and the national operator's: push integrations, dead letters, and the audit verification.
/// </summary>
internal static class AdminPages
{
    public static void Map(RouteGroupBuilder console, RouteGroupBuilder tenant)
    {
        tenant.MapGet("/accounts", ConsolePages.Guarded((c, v, a) => AccountsAsync(v, a, null, null)));
        tenant.MapPost("/accounts", ConsolePages.Posted(ProposeAccountAsync));
        tenant.MapPost("/accounts/{userName}/disable", ConsolePages.Posted((c, v, a) => AccountMoveAsync(c, v, a, "disable")));
        tenant.MapPost("/accounts/{userName}/credential", ConsolePages.Posted((c, v, a) => AccountMoveAsync(c, v, a, "credential")));
        tenant.MapPost("/accounts/{userName}/authenticator/reset", ConsolePages.Posted((c, v, a) => AccountMoveAsync(c, v, a, "authenticator/reset")));
        tenant.MapPost("/accounts/{userName}/roles/{role}/revoke", ConsolePages.Posted(RevokeRoleAsync));
        tenant.MapPost("/account-changes/{id:long}/approve", ConsolePages.Posted((c, v, a) => DecideAsync(c, v, a, "approve")));
        tenant.MapPost("/account-changes/{id:long}/refuse", ConsolePages.Posted((c, v, a) => DecideAsync(c, v, a, "refuse")));
        tenant.MapGet("/publishing", ConsolePages.Guarded((c, v, a) => PublishingAsync(v, a, null)));
        tenant.MapPost("/publishing", ConsolePages.Posted(PublishNowAsync));
        tenant.MapGet("/audit", ConsolePages.Guarded(AuditAsync));
        console.MapGet("/verification", ConsolePages.GuardedIn(Nation, VerificationAsync));
        console.MapGet("/national", ConsolePages.GuardedIn(Nation, (_, view, api) => NationalPageAsync(view, api, null, null)));
        console.MapPost("/national/integrations", ConsolePages.PostedIn(Nation, CreateIntegrationAsync));
        console.MapPost("/national/dead-letters/{id:long}/replay", ConsolePages.PostedIn(Nation, ReplayAsync));
    }

    /// <summary>
    /// The region's people and service accounts, the four-eyes changes waiting for a second admin (approve or refuse;
    /// one's own proposals wait for someone else), and the proposal of a new person — whose password they set
    /// themselves from the mailed link once a second admin approves their role.
    /// </summary>
    private static async Task<IResult> AccountsAsync(ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var accounts = await api.AllAsync($"/api/t/{view.Tenant}/accounts");
        var waiting = await api.AllAsync($"/api/t/{view.Tenant}/account-changes?state=proposed");
        var rows = accounts.Select(a =>
        {
            var name = ConsoleView.Str(a["userName"]);
            var path = $"{view.Base}/accounts/{Uri.EscapeDataString(name)}";
            var disabled = a["disabled"]?.GetValue<bool>() ?? false;
            var person = ConsoleView.Str(a["kind"]) != "service";
            var roles = (a["roles"] as JsonArray ?? []).Select(r => ConsoleView.Str(r)).ToList();
            var pending = (a["pending"] as JsonArray ?? []).Select(p => view.RoleName(ConsoleView.Str(p?["role"]))).ToList();
            var held = roles.Select(r => disabled ? Html.Text(view.RoleName(r)) : Html.Of($"""
                <span class="held">{view.RoleName(r)} {view.Form($"{path}/roles/{r}/revoke", Html.Empty, view.T("撤销", "Revoke"), "inline")}</span>
                """));
            var state = disabled ? view.T("已停用", "Disabled")
                : person && !(a["hasPassword"]?.GetValue<bool>() ?? false) ? view.T("尚未设置密码", "No password yet")
                : person && (a["secondFactor"]?.GetValue<bool>() ?? false) ? view.T("已启用两步验证", "Second factor on") : "";
            var actions = disabled ? Html.Empty : Html.Of($"""
                {view.Form($"{path}/disable", Html.Empty, view.T("停用", "Disable"), "inline")}
                {view.Form($"{path}/credential", Html.Empty, person ? view.T("重新发送设置密码链接", "New set-password link") : view.T("重新发送密钥", "New client secret"), "inline")}
                {(person ? view.Form($"{path}/authenticator/reset", Html.Empty, view.T("重置身份验证器", "Reset authenticator"), "inline") : Html.Empty)}
                """);
            return Html.Of($"""
                <tr><th scope="row">{name}</th><td>{ConsoleView.Str(a["displayName"])}</td><td>{ConsoleView.Str(a["email"])}</td>
                <td>{held}{(pending.Count == 0 ? Html.Empty : Html.Of($"<span class=\"meta\"> {view.T("待批准", "waiting")}: {string.Join(", ", pending)}</span>"))}</td>
                <td>{(person ? view.T("人员", "Person") : view.T("服务账号", "Service"))}</td><td>{state}</td><td>{actions}</td></tr>
                """);
        });
        var me = view.UserName;
        var changes = waiting.Select(c =>
        {
            var id = ConsoleView.Str(c["id"]);
            var mine = ConsoleView.Str(c["proposedBy"]) == me || ConsoleView.Str(c["account"]) == me;
            var what = ConsoleView.Str(c["kind"]) switch
            {
                "grantRole" => view.T("授予角色", "Grant the role") + " " + view.RoleName(ConsoleView.Str(c["role"])),
                "reissueCredential" => view.T("重新发送凭据", "Send a new credential"),
                "resetAuthenticator" => view.T("重置身份验证器", "Reset the authenticator"),
                "changeEmail" => view.T("更改电子邮件为", "Change the e-mail address to") + " " + ConsoleView.Str(c["email"]),
                var other => other,
            };
            var decide = mine
                ? Html.Of($"<span class=\"meta\">{view.T("由另一位管理员决定", "Another admin decides")}</span>")
                : Html.Of($"""
                    {view.Form($"{view.Base}/account-changes/{id}/approve", Html.Empty, view.T("批准", "Approve"), "inline")}
                    {view.Form($"{view.Base}/account-changes/{id}/refuse", Html.Of($"<label for=\"refuse-{id}\">{view.T("拒绝理由", "Reason")}</label><input id=\"refuse-{id}\" name=\"comment\" type=\"text\">"), view.T("拒绝", "Refuse"), "inline")}
                    """);
            return Html.Of($"""
                <tr id="change-{id}"><th scope="row">{ConsoleView.Str(c["account"])}</th><td>{what}</td><td>{ConsoleView.Str(c["proposedBy"])} · {view.When(c["proposedAt"])}</td><td>{decide}</td></tr>
                """);
        });
        var roleChoices = Roles.All.Select(r => Html.Of($"<div class=\"option\"><input type=\"checkbox\" id=\"role-{r}\" name=\"roles\" value=\"{r}\"{(typed?["roles"].Contains(r) == true ? Html.Of($" checked") : Html.Empty)}><label for=\"role-{r}\">{view.RoleName(r)}</label></div>"));
        var main = Html.Of($"""
            <h1>{view.T("账号", "Accounts")} · {view.Page.Name(view.Region)}</h1>
            {view.Problem(refused, "account-problem")}
            <div class="table-wrap"><table id="accounts"><thead><tr><th>{view.T("用户名", "User name")}</th><th>{view.T("姓名", "Name")}</th><th>{view.T("电子邮件", "E-mail")}</th><th>{view.T("角色", "Roles")}</th><th>{view.T("类型", "Kind")}</th><th>{view.T("状态", "State")}</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>
            <h2 id="waiting">{view.T("等待第二位管理员", "Waiting for a second admin")}</h2>
            {(waiting.Count == 0 ? Html.Of($"<p class=\"none\">{view.T("没有待批准的变更。", "Nothing waits.")}</p>") : Html.Of($"<div class=\"table-wrap\"><table id=\"changes\"><thead><tr><th>{view.T("账号", "Account")}</th><th>{view.T("变更", "Change")}</th><th>{view.T("提议", "Proposed")}</th><th></th></tr></thead><tbody>{changes}</tbody></table></div>"))}
            <h2 id="new-account">{view.T("提议新人员", "Propose a person")}</h2>
            <p class="meta">{view.T("角色经另一位管理员批准后生效；设置密码的链接随后发送到其本人的电子邮箱。管理员既不设置也看不到密码。", "Each role works once another admin approves it; the set-password link then goes to the person's own address. No admin sets or sees a password.")}</p>
            <form method="post" action="{view.Base}/accounts">{view.Antiforgery}
            <div class="field"><label for="account-user">{view.T("用户名", "User name")}</label><input id="account-user" name="userName" type="text" autocomplete="off" value="{typed?["userName"].ToString()}"></div>
            <div class="field"><label for="account-name">{view.T("姓名", "Name")}</label><input id="account-name" name="displayName" type="text" value="{typed?["displayName"].ToString()}"></div>
            <div class="field"><label for="account-email">{view.T("电子邮件", "E-mail")}</label><input id="account-email" name="email" type="email" value="{typed?["email"].ToString()}"></div>
            <fieldset><legend>{view.T("角色", "Roles")}</legend>{roleChoices}</fieldset>
            <button type="submit">{view.T("提议", "Propose")}</button></form>
            {(view.Region.ChildIds.Count == 0 ? Html.Empty : Html.Of($"<h2>{view.T("下级地区的账号", "Accounts of the regions below")}</h2><ul class=\"regions-below\">{view.Region.ChildIds.Select(c => Html.Of($"<li><a href=\"/console/t/{Uri.EscapeDataString(c)}/accounts\">{c}</a></li>"))}</ul>"))}
            """);
        return ConsolePages.Show(view, view.T("账号", "Accounts"), main, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> ProposeAccountAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["userName"] = form["userName"].ToString().Trim(),
            ["displayName"] = form["displayName"].ToString().Trim(),
            ["email"] = form["email"].ToString().Trim(),
            ["kind"] = "person",
            ["roles"] = new JsonArray([.. form["roles"].Select(r => (JsonNode?)JsonValue.Create(r))]),
        };
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts", body);
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(view, api, answer, form);
    }

    private static async Task<IResult> AccountMoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var user = context.GetRouteValue("userName")?.ToString() ?? "";
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts/{Uri.EscapeDataString(user)}/{move}");
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(view, api, answer, null);
    }

    private static async Task<IResult> RevokeRoleAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var user = context.GetRouteValue("userName")?.ToString() ?? "";
        var role = context.GetRouteValue("role")?.ToString() ?? "";
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts/{Uri.EscapeDataString(user)}/roles/{Uri.EscapeDataString(role)}/revoke");
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(view, api, answer, null);
    }

    private static async Task<IResult> DecideAsync(HttpContext context, ConsoleView view, ConsoleApi api, string decision)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var comment = form["comment"].ToString().Trim();
        var body = decision == "refuse" || comment.Length > 0 ? new JsonObject { ["comment"] = comment } : null;
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/account-changes/{context.GetRouteValue("id")}/{decision}", body);
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(view, api, answer, null);
    }

    private static async Task<IResult> PublishingAsync(ConsoleView view, ConsoleApi api, ApiAnswer? refused)
    {
        var runs = await api.GetAsync($"/api/t/{view.Tenant}/publishing-runs?limit=50");
        if (!runs.Ok)
        {
            return ConsolePages.Notice(view, runs);
        }

        var rows = runs.Items.Select(r => Html.Of($"""
            <tr><th scope="row">{view.When(r?["requestedAt"])}</th><td>{ConsoleView.Str(r?["trigger"])}</td><td>{ConsoleView.Str(r?["status"])}</td><td class="number">{ConsoleView.Str(r?["published"])}</td><td class="number">{ConsoleView.Str(r?["withdrawn"])}</td><td>{ConsoleView.Str(r?["requestedBy"])}</td><td>{ConsoleView.Str(r?["error"])}</td></tr>
            """));
        var main = Html.Of($"""
            <h1>{view.T("发布到国家服务专区", "Publishing into the national zone")}</h1>
            {view.Problem(refused)}
            {view.Form($"{view.Base}/publishing", Html.Empty, view.T("立即发布", "Publish now"))}
            <div class="table-wrap"><table id="runs"><thead><tr><th>{view.T("请求时间", "Requested")}</th><th>{view.T("触发", "Trigger")}</th><th>{view.T("状态", "Status")}</th><th>{view.T("发布", "Published")}</th><th>{view.T("撤下", "Withdrawn")}</th><th>{view.T("请求人", "By")}</th><th>{view.T("错误", "Error")}</th></tr></thead><tbody>{rows}</tbody></table></div>
            """);
        return ConsolePages.Show(view, view.T("发布", "Publishing"), main, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> PublishNowAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/publishing-runs");
        return answer.Ok ? Results.Redirect($"{view.Base}/publishing") : await PublishingAsync(view, api, answer);
    }

    private static async Task<IResult> AuditAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var entries = await api.GetAsync($"/api/t/{view.Tenant}/audit?limit=100");
        if (!entries.Ok)
        {
            return ConsolePages.Notice(view, entries);
        }

        var rows = entries.Items.Select(e => Html.Of($"""
            <tr><th scope="row" class="number">{ConsoleView.Str(e?["sequence"])}</th><td>{view.When(e?["at"])}</td><td>{ConsoleView.Str(e?["actor"])}</td><td><code>{ConsoleView.Str(e?["action"])}</code></td><td>{ConsoleView.Str(e?["subject"])}</td><td>{ConsoleView.Str(e?["comment"])}</td></tr>
            """));
        var main = Html.Of($"""
            <h1>{view.T("审计日志", "Audit log")}</h1>
            <p class="meta">{view.T("最近 100 条，最新在前。", "The latest 100 entries, newest first.")}</p>
            <div class="table-wrap"><table id="audit"><thead><tr><th>#</th><th>{view.T("时间", "When")}</th><th>{view.T("操作人", "Who")}</th><th>{view.T("操作", "Action")}</th><th>{view.T("对象", "Subject")}</th><th>{view.T("说明", "Comment")}</th></tr></thead><tbody>{rows}</tbody></table></div>
            """);
        return ConsolePages.Show(view, view.T("审计日志", "Audit log"), main);
    }

    /// <summary>The national auditors' check of every audit chain against every checkpoint (三员管理: not the admins').</summary>
    private static async Task<IResult> VerificationAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var verify = await api.GetAsync("/api/audit/verify");
        if (!verify.Ok)
        {
            return ConsolePages.Notice(view, verify);
        }

        var intact = verify.Body?["intact"]?.GetValue<bool>() ?? false;
        var breaks = verify.Body?["breaks"] as JsonArray ?? [];
        var main = Html.Of($"""
            <h1 id="verify">{view.T("审计日志校验", "Audit verification")}</h1>
            <p id="verify-result" class="{(intact ? "situation" : "error")}">{(intact ? view.T("所有审计链完整。", "Every audit chain is intact.") : view.T("审计链有断点：", "An audit chain is broken:"))} {ConsoleView.Str(verify.Body?["chains"])} {view.T("条链", "chains")}, {ConsoleView.Str(verify.Body?["entries"])} {view.T("条记录", "entries")} · {view.When(verify.Body?["verifiedAt"])}</p>
            {(breaks.Count == 0 ? Html.Empty : Html.Of($"<ul id=\"breaks\">{breaks.Select(b => Html.Of($"<li>{ConsoleView.Str(b?["tenant"])} #{ConsoleView.Str(b?["sequence"])} {ConsoleView.Str(b?["kind"])}: {ConsoleView.Str(b?["detail"])}</li>"))}</ul>"))}
            <p class="meta">{ConsoleView.Str(verify.Body?["window"])}</p>
            """);
        return ConsolePages.Show(view, view.T("审计日志校验", "Audit verification"), main);
    }

    // The national operator's pages are about the deployment, not a region: the view is of national.
    private static RegionInfo Nation(HttpContext context) => context.RequestServices.GetRequiredService<RegionDirectory>().Cached(RegionRules.NationalId)!;

    private static async Task<IResult> NationalPageAsync(ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var integrations = await api.GetAsync("/api/zone/integrations");
        if (!integrations.Ok)
        {
            return ConsolePages.Notice(view, integrations);
        }

        var deadLetters = await api.GetAsync("/api/zone/dead-letters?limit=100");
        var integrationRows = integrations.Items.Select(i => Html.Of($"""
            <tr><th scope="row">{ConsoleView.Str(i?["name"])}</th><td>{ConsoleView.Str(i?["url"])}</td><td>{string.Join(", ", (i?["regions"] as JsonArray ?? []).Select(ConsoleView.Str))}</td><td class="number">{ConsoleView.Str(i?["pending"])}</td><td class="number">{ConsoleView.Str(i?["deadLetters"])}</td></tr>
            """));
        var letterRows = deadLetters.Items.Select(d => Html.Of($"""
            <tr><th scope="row">{ConsoleView.Str(d?["tenant"])}/{ConsoleView.Str(d?["bundle"])} v{ConsoleView.Str(d?["version"])}</th><td>{ConsoleView.Str(d?["kind"])}</td><td class="number">{ConsoleView.Str(d?["attempts"])}</td><td>{ConsoleView.Str(d?["lastStatus"])} {ConsoleView.Str(d?["lastError"])}</td>
            <td>{view.Form($"/console/national/dead-letters/{ConsoleView.Str(d?["id"])}/replay", Html.Empty, view.T("重新投递", "Replay"), "inline")}</td></tr>
            """));
        var main = Html.Of($"""
            <h1>{view.T("国家运营", "National operations")}</h1>
            <h2 id="integrations-heading">{view.T("推送对接", "Push integrations")}</h2>
            <div class="table-wrap"><table id="integrations"><thead><tr><th>{view.T("名称", "Name")}</th><th>URL</th><th>{view.T("地区", "Regions")}</th><th>{view.T("待投递", "Pending")}</th><th>{view.T("死信", "Dead letters")}</th></tr></thead><tbody>{integrationRows}</tbody></table></div>
            <h3>{view.T("登记推送对接", "Register a push integration")}</h3>
            {view.Problem(refused, "integration-problem")}
            <form method="post" action="/console/national/integrations">{view.Antiforgery}
            <div class="field"><label for="integration-name">{view.T("名称", "Name")}</label><input id="integration-name" name="name" type="text" value="{typed?["name"].ToString()}"></div>
            <div class="field"><label for="integration-url">URL</label><input id="integration-url" name="url" type="url" value="{typed?["url"].ToString()}"></div>
            <div class="field"><label for="integration-secret">{view.T("签名密钥", "Signing secret")}</label><input id="integration-secret" name="secret" type="password" autocomplete="off"></div>
            <div class="field"><label for="integration-regions">{view.T("地区（逗号分隔，如 jiangsu）", "Regions (comma-separated, e.g. jiangsu)")}</label><input id="integration-regions" name="regions" type="text" value="{typed?["regions"].ToString()}"></div>
            <button type="submit">{view.T("登记", "Register")}</button></form>
            <h2 id="dead-letters-heading">{view.T("死信", "Dead letters")}</h2>
            {(deadLetters.Items.Count == 0 ? Html.Of($"<p class=\"none\">{view.T("没有死信。", "No dead letters.")}</p>") : Html.Of($"<div class=\"table-wrap\"><table id=\"dead-letters\"><thead><tr><th>{view.T("发布", "Publication")}</th><th>{view.T("类型", "Kind")}</th><th>{view.T("尝试", "Attempts")}</th><th>{view.T("原因", "Reason")}</th><th></th></tr></thead><tbody>{letterRows}</tbody></table></div>"))}
            """);
        return ConsolePages.Show(view, view.T("国家运营", "National operations"), main, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateIntegrationAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["name"] = form["name"].ToString().Trim(),
            ["url"] = form["url"].ToString().Trim(),
            ["secret"] = form["secret"].ToString(),
            ["regions"] = new JsonArray([.. form["regions"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => (JsonNode?)JsonValue.Create(r))]),
        };
        var answer = await api.PostAsync("/api/zone/integrations", body);
        return answer.Ok ? Results.Redirect("/console/national") : await NationalPageAsync(view, api, answer, form);
    }

    private static async Task<IResult> ReplayAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var answer = await api.PostAsync($"/api/zone/dead-letters/{context.GetRouteValue("id")}/replay");
        return answer.Ok ? Results.Redirect("/console/national#dead-letters-heading") : await NationalPageAsync(view, api, answer, null);
    }
}
