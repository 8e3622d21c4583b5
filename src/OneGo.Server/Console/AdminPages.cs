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
        tenant.MapPost("/accounts", ConsolePages.Posted(CreateAccountAsync));
        tenant.MapPost("/accounts/{userName}/disable", ConsolePages.Posted(DisableAccountAsync));
        tenant.MapGet("/publishing", ConsolePages.Guarded((c, v, a) => PublishingAsync(v, a, null)));
        tenant.MapPost("/publishing", ConsolePages.Posted(PublishNowAsync));
        tenant.MapGet("/audit", ConsolePages.Guarded(AuditAsync));
        console.MapGet("/national", ConsolePages.GuardedIn(Nation, (_, view, api) => NationalPageAsync(view, api, null, null)));
        console.MapPost("/national/integrations", ConsolePages.PostedIn(Nation, CreateIntegrationAsync));
        console.MapPost("/national/dead-letters/{id:long}/replay", ConsolePages.PostedIn(Nation, ReplayAsync));
    }

    private static async Task<IResult> AccountsAsync(ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var accounts = await api.AllAsync($"/api/t/{view.Tenant}/accounts");
        var rows = accounts.Select(a =>
        {
            var name = ConsoleView.Str(a["userName"]);
            var disabled = a["disabled"]?.GetValue<bool>() ?? false;
            return Html.Of($"""
                <tr><th scope="row">{name}</th><td>{ConsoleView.Str(a["displayName"])}</td><td>{string.Join(", ", (a["roles"] as JsonArray ?? []).Select(r => view.RoleName(ConsoleView.Str(r))))}</td>
                <td>{(ConsoleView.Str(a["kind"]) == "service" ? view.T("服务账号", "Service") : view.T("人员", "Person"))}</td>
                <td>{(disabled ? Html.Text(view.T("已停用", "Disabled")) : view.Form($"{view.Base}/accounts/{Uri.EscapeDataString(name)}/disable", Html.Empty, view.T("停用", "Disable"), "inline"))}</td></tr>
                """);
        });
        var roles = Roles.All.Select(r => Html.Of($"<div class=\"option\"><input type=\"checkbox\" id=\"role-{r}\" name=\"roles\" value=\"{r}\"{(typed?["roles"].Contains(r) == true ? Html.Of($" checked") : Html.Empty)}><label for=\"role-{r}\">{view.RoleName(r)}</label></div>"));
        var main = Html.Of($"""
            <h1>{view.T("账号", "Accounts")} · {view.Page.Name(view.Region)}</h1>
            <div class="table-wrap"><table id="accounts"><thead><tr><th>{view.T("用户名", "User name")}</th><th>{view.T("姓名", "Name")}</th><th>{view.T("角色", "Roles")}</th><th>{view.T("类型", "Kind")}</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>
            <h2 id="new-account">{view.T("新建人员账号", "New person")}</h2>
            {view.Problem(refused, "account-problem")}
            <form method="post" action="{view.Base}/accounts">{view.Antiforgery}
            <div class="field"><label for="account-user">{view.T("用户名", "User name")}</label><input id="account-user" name="userName" type="text" autocomplete="off" value="{typed?["userName"].ToString()}"></div>
            <div class="field"><label for="account-name">{view.T("姓名", "Name")}</label><input id="account-name" name="displayName" type="text" value="{typed?["displayName"].ToString()}"></div>
            <div class="field"><label for="account-password">{view.T("初始密码", "Initial password")}</label><input id="account-password" name="password" type="password" autocomplete="new-password"></div>
            <fieldset><legend>{view.T("角色", "Roles")}</legend>{roles}</fieldset>
            <button type="submit">{view.T("新建", "Create")}</button></form>
            {(view.Region.ChildIds.Count == 0 ? Html.Empty : Html.Of($"<h2>{view.T("下级地区的账号", "Accounts of the regions below")}</h2><ul class=\"regions-below\">{view.Region.ChildIds.Select(c => Html.Of($"<li><a href=\"/console/t/{Uri.EscapeDataString(c)}/accounts\">{c}</a></li>"))}</ul>"))}
            """);
        return ConsolePages.Show(view, view.T("账号", "Accounts"), main, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateAccountAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["userName"] = form["userName"].ToString().Trim(),
            ["displayName"] = form["displayName"].ToString().Trim(),
            ["kind"] = "person",
            ["password"] = form["password"].ToString(),
            ["roles"] = new JsonArray([.. form["roles"].Select(r => (JsonNode?)JsonValue.Create(r))]),
        };
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts", body);
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(view, api, answer, form);
    }

    private static async Task<IResult> DisableAccountAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var user = context.GetRouteValue("userName")?.ToString() ?? "";
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts/{Uri.EscapeDataString(user)}/disable");
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
        var verify = await api.GetAsync("/api/audit/verify");
        var intact = verify.Body?["intact"]?.GetValue<bool>() ?? false;
        var integrationRows = integrations.Items.Select(i => Html.Of($"""
            <tr><th scope="row">{ConsoleView.Str(i?["name"])}</th><td>{ConsoleView.Str(i?["url"])}</td><td>{string.Join(", ", (i?["regions"] as JsonArray ?? []).Select(ConsoleView.Str))}</td><td class="number">{ConsoleView.Str(i?["pending"])}</td><td class="number">{ConsoleView.Str(i?["deadLetters"])}</td></tr>
            """));
        var letterRows = deadLetters.Items.Select(d => Html.Of($"""
            <tr><th scope="row">{ConsoleView.Str(d?["tenant"])}/{ConsoleView.Str(d?["bundle"])} v{ConsoleView.Str(d?["version"])}</th><td>{ConsoleView.Str(d?["kind"])}</td><td class="number">{ConsoleView.Str(d?["attempts"])}</td><td>{ConsoleView.Str(d?["lastStatus"])} {ConsoleView.Str(d?["lastError"])}</td>
            <td>{view.Form($"/console/national/dead-letters/{ConsoleView.Str(d?["id"])}/replay", Html.Empty, view.T("重新投递", "Replay"), "inline")}</td></tr>
            """));
        var breaks = verify.Body?["breaks"] as JsonArray ?? [];
        var main = Html.Of($"""
            <h1>{view.T("国家运营", "National operations")}</h1>
            <h2 id="verify">{view.T("审计日志校验", "Audit verification")}</h2>
            <p id="verify-result" class="{(intact ? "situation" : "error")}">{(intact ? view.T("所有审计链完整。", "Every audit chain is intact.") : view.T("审计链有断点：", "An audit chain is broken:"))} {ConsoleView.Str(verify.Body?["chains"])} {view.T("条链", "chains")}, {ConsoleView.Str(verify.Body?["entries"])} {view.T("条记录", "entries")} · {view.When(verify.Body?["verifiedAt"])}</p>
            {(breaks.Count == 0 ? Html.Empty : Html.Of($"<ul>{breaks.Select(b => Html.Of($"<li>{ConsoleView.Str(b?["tenant"])} #{ConsoleView.Str(b?["sequence"])} {ConsoleView.Str(b?["kind"])}: {ConsoleView.Str(b?["detail"])}</li>"))}</ul>"))}
            <p class="meta">{ConsoleView.Str(verify.Body?["window"])}</p>
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
