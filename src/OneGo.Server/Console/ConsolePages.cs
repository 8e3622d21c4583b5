using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Tenancy;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The console's routes: the home of a region, its bundles and their working copies (<see cref="BundleWorkspace"/>),
/// adopting a standard, the standards and their adoption matrix, the review inbox, and the admin's and the national
/// operator's pages. Every one needs a signed-in person (an anonymous visitor is sent to sign in); every read and
/// write goes through <see cref="ConsoleApi"/>.
/// </summary>
internal static class ConsolePages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").RequireAuthorization(ConsoleSetup.CookieScheme).ExcludeFromDescription()
            .WithMetadata(CitizenPageMetadata.Instance);
        console.MapGet("", (HttpContext context) =>
            Results.Redirect($"/console/t/{Uri.EscapeDataString(context.User.FindFirst(OneGoClaims.Tenant)?.Value ?? RegionRules.NationalId)}"));
        var tenant = console.MapGroup("/t/{tenant}");
        tenant.MapGet("", Guarded(HomeAsync));
        tenant.MapGet("/bundles", Guarded(BundlesAsync));
        tenant.MapGet("/inbox", Guarded(InboxAsync));
        tenant.MapGet("/adopt", Guarded(AdoptPageAsync));
        tenant.MapPost("/adopt", Posted(AdoptAsync));
        tenant.MapGet("/standards", Guarded(StandardsAsync));
        tenant.MapGet("/live/{code}", Guarded(LiveDiffAsync));
        BundleWorkspace.Map(tenant);
        MatterPages.Map(tenant);
        AdminPages.Map(console, tenant);
    }

    /// <summary>A page handler: the view of the route's region; an API answer it cannot do without becomes the page's notice.</summary>
    public delegate Task<IResult> PageHandler(HttpContext context, ConsoleView view, ConsoleApi api);

    public static Delegate Guarded(PageHandler handler) => GuardedIn(context => context.Tenant(), handler);

    /// <summary>As <see cref="Guarded"/>, for a page about the region <paramref name="region"/> picks rather than the route's.</summary>
    public static Delegate GuardedIn(Func<HttpContext, RegionInfo> region, PageHandler handler) => (HttpContext context, ConsoleApi api) =>
        RunAsync(context, ConsoleView.Of(context, region(context)), api, handler);

    /// <summary>A form's handler: the antiforgery token checked first (400 without it), then as <see cref="Guarded"/>.</summary>
    public static Delegate Posted(PageHandler handler) => PostedIn(context => context.Tenant(), handler);

    public static Delegate PostedIn(Func<HttpContext, RegionInfo> region, PageHandler handler) => async (HttpContext context, ConsoleApi api, IAntiforgery antiforgery) =>
        await antiforgery.IsRequestValidAsync(context)
            ? await RunAsync(context, ConsoleView.Of(context, region(context)), api, handler)
            : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form has expired; open the page again.");

    /// <summary>
    /// Runs a page. An API answer the page cannot do without becomes its notice; a 401 — the person's tokens revoked,
    /// their account disabled — ends the console session and sends them to sign in again.
    /// </summary>
    public static async Task<IResult> RunAsync(HttpContext context, ConsoleView view, ConsoleApi api, PageHandler handler)
    {
        try
        {
            return await handler(context, view, api);
        }
        catch (ConsoleApiException refused) when (refused.Answer.Status == StatusCodes.Status401Unauthorized)
        {
            await context.SignOutAsync(ConsoleSetup.CookieScheme);
            return Results.Redirect("/console/signin?returnUrl=" + Uri.EscapeDataString(context.Request.Method == "GET" ? context.Request.Path + context.Request.QueryString : view.Base));
        }
        catch (ConsoleApiException refused)
        {
            return Notice(view, refused.Answer);
        }
    }

    public static IResult Notice(ConsoleView view, ApiAnswer answer) => new PageResult(view.Page, view.Document(view.Heading(answer), Html.Of($"""
        <h1>{view.Heading(answer)}</h1>
        <p class="lead">{answer.Detail}</p>
        <p><a href="{view.Base}">{view.T("回到工作台", "Back to the console's home")}</a></p>
        """)), answer.Status is >= 400 and < 600 ? answer.Status : StatusCodes.Status502BadGateway);

    public static IResult Show(ConsoleView view, string title, Html main, int status = StatusCodes.Status200OK) =>
        new PageResult(view.Page, view.Document(title, main), status);

    public static string BundleHref(ConsoleView view, string code, string? tenant = null) =>
        $"/console/t/{Uri.EscapeDataString(tenant ?? view.Tenant)}/bundles/{Uri.EscapeDataString(code)}";

    private static async Task<IResult> HomeAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var t = view.Tenant;
        // Where each live bundle stands, in one call: standards that moved on, and matters changed since approval.
        var live = await api.AllAsync($"/api/t/{t}/live-standing");
        var drafts = view.May(Capability.ReadDrafts) ? await api.AllAsync($"/api/t/{t}/drafts") : null;
        var zone = await api.GetAsync($"/api/zone/bundles?region={Uri.EscapeDataString(t)}&limit=500");
        var zoneHere = zone.Items.Count(i => ConsoleView.Str(i?["tenant"]) == t);

        // What the region has to act on: standards that moved on, and live bundles whose matters changed.
        var behind = new List<Html>();
        var mattersChanged = new List<Html>();
        foreach (var item in live)
        {
            var code = ConsoleView.Str(item["code"]);
            if (item["behind"]?.GetValue<int>() is > 0 and var by)
            {
                var adopts = item["adopts"];
                behind.Add(Html.Of($"<li><a href=\"{BundleHref(view, code)}\">{view.Text(item["name"])}</a> — {view.T("标准", "standard")} {ConsoleView.Str(adopts?["tenant"])}/{ConsoleView.Str(adopts?["code"])} {view.T("已有新版本，落后", "has moved on: behind by")} {by.ToString(System.Globalization.CultureInfo.InvariantCulture)}</li>"));
            }

            if (item["mattersChangedSinceApproval"] is JsonArray { Count: > 0 } changed)
            {
                mattersChanged.Add(Html.Of($"<li><a href=\"{BundleHref(view, code)}\">{view.Text(item["name"])}</a> — {view.T("事项已变更：", "matters changed: ")}{string.Join(", ", changed.Select(ConsoleView.Str))}</li>"));
            }
        }

        int Count(string state) => drafts?.Count(d => ConsoleView.Str(d["state"]) == state) ?? 0;
        Html Figure(string id, string label, int number, string? href) => Html.Of($"""
            <div id="{id}"><dt>{label}</dt><dd>{(href is null ? Html.Text(number.ToString(System.Globalization.CultureInfo.InvariantCulture)) : Html.Of($"<a href=\"{href}\">{number}</a>"))}</dd></div>
            """);
        var figures = new List<Html>();
        if (drafts is not null)
        {
            figures.Add(Figure("count-draft", view.T("草稿", "In draft"), Count("draft") + Count("rejected"), view.Base + "/bundles"));
            figures.Add(Figure("count-submitted", view.T("待审核", "Waiting for review"), Count("submitted"), view.Base + (view.May(Capability.Review) ? "/inbox" : "/bundles")));
        }

        figures.Add(Figure("count-live", view.T("已上线", "Live"), live.Count, view.May(Capability.ReadDrafts) ? view.Base + "/bundles" : $"/regions/{Uri.EscapeDataString(t)}"));
        figures.Add(Figure("count-zone", view.T("已发布到国家服务专区", "In the national zone"), zoneHere, null));

        var below = view.Region.ChildIds.Count == 0 ? Html.Empty : Html.Of($"""
            <h2>{view.T("下级地区", "Regions below")}</h2>
            <ul class="regions-below">{view.Region.ChildIds.Select(c => Html.Of($"<li><a href=\"/console/t/{Uri.EscapeDataString(c)}\">{c}</a> · <a href=\"/regions/{Uri.EscapeDataString(c)}\">{view.T("上线目录", "live catalogue")}</a></li>"))}</ul>
            """);
        var main = Html.Of($"""
            <h1>{view.Page.Name(view.Region)} · {view.T("工作台", "console")}</h1>
            <dl class="facts">{figures}</dl>
            <h2 id="behind-heading">{view.T("标准有新版本", "Standards with newer versions")}</h2>
            {(behind.Count == 0 ? Html.Of($"<p class=\"none\">{view.T("所采用的标准都是最新版本。", "Every adopted standard is at its latest version.")}</p>") : Html.Of($"<ul id=\"behind\">{behind}</ul>"))}
            <h2>{view.T("事项已变更的一件事", "Live bundles whose matters changed")}</h2>
            {(mattersChanged.Count == 0 ? Html.Of($"<p class=\"none\">{view.T("没有。", "None.")}</p>") : Html.Of($"<ul id=\"matters-changed\">{mattersChanged}</ul>"))}
            {below}
            """);
        return Show(view, view.T("工作台", "Console"), main);
    }

    private static async Task<IResult> BundlesAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var t = view.Tenant;
        var drafts = (await api.AllAsync($"/api/t/{t}/drafts?kind=bundle")).ToDictionary(d => ConsoleView.Str(d["code"]));
        var live = (await api.AllAsync($"/api/t/{t}/bundles")).ToDictionary(l => ConsoleView.Str(l["summary"]?["code"]));
        var rows = drafts.Keys.Union(live.Keys).Order(StringComparer.Ordinal).Select(code =>
        {
            drafts.TryGetValue(code, out var draft);
            live.TryGetValue(code, out var item);
            return Html.Of($"""
                <tr><th scope="row"><a href="{BundleHref(view, code)}">{code}</a></th><td>{view.Text(item?["summary"]?["name"])}</td><td>{(draft is null ? "" : view.State(ConsoleView.Str(draft["state"])))}</td><td>{(item is null ? "" : "v" + ConsoleView.Str(item["version"]))}</td></tr>
                """);
        });
        var create = view.May(Capability.EditCatalogue) ? Html.Of($"""
            <p><a href="{view.Base}/adopt">{view.T("采用上级标准", "Adopt a standard from above")}</a></p>
            """) : Html.Empty;
        var main = Html.Of($"""
            <h1>{view.T("一件事", "Bundles")}</h1>
            {create}
            <div class="table-wrap"><table id="bundles"><thead><tr><th>{view.T("编码", "Code")}</th><th>{view.T("名称", "Name")}</th><th>{view.T("工作副本", "Working copy")}</th><th>{view.T("上线版本", "Live version")}</th></tr></thead>
            <tbody>{rows}</tbody></table></div>
            """);
        return Show(view, view.T("一件事", "Bundles"), main);
    }

    private static async Task<IResult> InboxAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var waiting = await api.AllAsync($"/api/t/{view.Tenant}/drafts?status=submitted");
        // Bundles and matters wait in one inbox; each line opens its own working copy.
        var rows = waiting.Select(d =>
        {
            var code = ConsoleView.Str(d["code"]);
            var matter = ConsoleView.Str(d["kind"]) == "matter";
            var kind = matter ? view.T("事项变更", "Matter change")
                : ConsoleView.Str(d["proposal"]) == "withdrawal" ? view.T("撤下", "Withdrawal") : view.T("变更", "Change");
            return Html.Of($"""
                <tr><th scope="row"><a href="{(matter ? MatterPages.Href(view, code) : BundleHref(view, code))}">{code}</a></th>
                <td>{kind}</td>
                <td>{ConsoleView.Str(d["submittedBy"])}</td><td>{view.When(d["submittedAt"])}</td><td>{ConsoleView.Str(d["comment"])}</td></tr>
                """);
        });
        var main = Html.Of($"""
            <h1>{view.T("待审核", "Review inbox")}</h1>
            {(waiting.Count == 0 ? Html.Of($"<p class=\"none\" id=\"inbox-empty\">{view.T("没有待审核的变更。", "Nothing waits for review.")}</p>") : Html.Of($"""
            <div class="table-wrap"><table id="inbox"><thead><tr><th>{view.T("一件事或事项", "Bundle or matter")}</th><th>{view.T("类型", "Kind")}</th><th>{view.T("提交人", "Submitted by")}</th><th>{view.T("提交时间", "Since")}</th><th>{view.T("说明", "Comment")}</th></tr></thead><tbody>{rows}</tbody></table></div>
            """))}
            """);
        return Show(view, view.T("待审核", "Review inbox"), main);
    }

    /// <summary>The regions from national down to <paramref name="region"/>'s parent: where the standards it may adopt come from.</summary>
    private static List<RegionInfo> Above(RegionDirectory directory, RegionInfo region)
    {
        var above = new List<RegionInfo>();
        for (var parent = region.ParentId is null ? null : directory.Cached(region.ParentId); parent is not null; parent = parent.ParentId is null ? null : directory.Cached(parent.ParentId))
        {
            above.Insert(0, parent);
        }

        return above;
    }

    private static async Task<IResult> AdoptPageAsync(HttpContext context, ConsoleView view, ConsoleApi api) => await AdoptPageAsync(context, view, api, null);

    private static async Task<IResult> AdoptPageAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused)
    {
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        var own = (await api.AllAsync($"/api/t/{view.Tenant}/drafts?kind=bundle")).Select(d => ConsoleView.Str(d["code"]))
            .Union((await api.AllAsync($"/api/t/{view.Tenant}/bundles")).Select(b => ConsoleView.Str(b["summary"]?["code"]))).ToHashSet(StringComparer.Ordinal);
        var sections = new List<Html>();
        foreach (var region in Above(directory, view.Region))
        {
            var templates = await api.AllAsync($"/api/t/{region.Id}/templates");
            if (templates.Count == 0)
            {
                continue;
            }

            var rows = templates.Select(s =>
            {
                var code = ConsoleView.Str(s["code"]);
                var latest = ConsoleView.Str(s["latestVersion"]);
                var locked = s["locked"] as JsonArray ?? [];
                var action = own.Contains(code)
                    ? Html.Of($"<a href=\"{BundleHref(view, code)}\">{view.T("已有同编码的一件事", "Already here")}</a>")
                    : view.May(Capability.EditCatalogue)
                        ? view.Form($"{view.Base}/adopt", Html.Of($"<input type=\"hidden\" name=\"tenant\" value=\"{region.Id}\"><input type=\"hidden\" name=\"code\" value=\"{code}\"><input type=\"hidden\" name=\"version\" value=\"{latest}\">"),
                            view.T("采用", "Adopt"), "inline adopt-" + code)
                        : Html.Empty;
                return Html.Of($"""
                    <tr><th scope="row">{code}</th><td>{view.Text(s["name"])}</td><td>v{latest}</td><td>{string.Join(", ", locked.Select(ConsoleView.Str))}</td><td>{action}</td></tr>
                    """);
            });
            sections.Add(Html.Of($"""
                <h2>{view.Page.Name(region)}</h2>
                <div class="table-wrap"><table class="standards"><thead><tr><th>{view.T("编码", "Code")}</th><th>{view.T("名称", "Name")}</th><th>{view.T("最新版本", "Latest")}</th><th>{view.T("锁定的字段", "Locked fields")}</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>
                """));
        }

        var main = Html.Of($"""
            <h1>{view.T("采用上级标准", "Adopt a standard")}</h1>
            <p class="lead">{view.T("采用后，一件事沿用标准的编码，本地只记录改动；锁定的字段不能改。", "An adopted bundle keeps the standard's code and records only the local changes; locked fields cannot be changed.")}</p>
            {view.Problem(refused, "adopt-problem")}
            {sections}
            """);
        return Show(view, view.T("采用上级标准", "Adopt a standard"), main, refused is null ? StatusCodes.Status200OK : refused.Status);
    }

    private static async Task<IResult> AdoptAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = form["code"].ToString();
        var body = new JsonObject
        {
            ["adopts"] = new JsonObject { ["tenant"] = form["tenant"].ToString(), ["code"] = code, ["version"] = int.TryParse(form["version"], out var v) ? v : 0 },
            ["changes"] = new JsonArray(),
        };
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/bundles", body);
        return answer.Ok ? Results.Redirect(BundleHref(view, code), preserveMethod: false) : await AdoptPageAsync(context, view, api, answer);
    }

    /// <summary>The standards this region offers or takes from above, and which regions below adopted each, at which version.</summary>
    private static async Task<IResult> StandardsAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var directory = context.RequestServices.GetRequiredService<RegionDirectory>();
        var regionsBelow = (await directory.AllAsync(context.RequestAborted))
            .Where(r => RegionRules.IsBelow(r.Id, view.Tenant)).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var matrix = await api.GetAsync($"/api/t/{view.Tenant}/adoption-matrix");
        if (!matrix.Ok)
        {
            return Notice(view, matrix);
        }

        // Columns as the matrix comes: this region's standards first, then those of the regions above, nearest first.
        var standards = (matrix.Body?["standards"] as JsonArray ?? []).Where(s => s is not null).Select(s => (
            Offeror: ConsoleView.Str(s!["standard"]?["tenant"]),
            Code: ConsoleView.Str(s["standard"]?["code"]),
            Standard: s,
            Adoptions: (s["adoptions"] as JsonArray ?? []).Where(a => a is not null).GroupBy(a => ConsoleView.Str(a!["tenant"])).ToDictionary(g => g.Key, g => g.First()!))).ToList();
        var own = standards.Where(s => s.Offeror == view.Tenant).Select(s => Html.Of($"""
            <li>{s.Code} · {view.Text(s.Standard["name"])} — {view.T("版本", "versions")} {string.Join(", ", (s.Standard["versions"] as JsonArray ?? []).Select(v => "v" + ConsoleView.Str(v)))}</li>
            """)).ToList();
        var header = standards.Select(s => Html.Of($"<th scope=\"col\"><abbr title=\"{s.Offeror}\">{s.Code}</abbr></th>"));
        var rows = regionsBelow.Select(r => Html.Of($"""
            <tr><th scope="row">{view.Page.Name(r)}</th>{standards.Select(s => Cell(view, r, s.Code, s.Adoptions))}</tr>
            """));
        var main = Html.Of($"""
            <h1>{view.T("标准与采用情况", "Standards and adoptions")}</h1>
            <h2>{view.T("本级标准", "This region's standards")}</h2>
            {(own.Count == 0 ? Html.Of($"<p class=\"none\">{view.T("本级没有发布标准。", "This region offers no standard of its own.")}</p>") : Html.Of($"<ul id=\"own-standards\">{own}</ul>"))}
            <h2>{view.T("下级采用矩阵", "Adoption matrix of the regions below")}</h2>
            <p class="meta">{view.T("本级标准在前，上级标准在后。每格：采用的版本、落后的版本数、本地改动数；点击查看该地区相对标准的改动。", "This region's standards first, then those of the regions above. Each cell: the version adopted, how many versions behind, how many local changes; follow it to see the region's changes against the standard.")}</p>
            <div class="table-wrap"><table id="matrix"><thead><tr><th>{view.T("地区", "Region")}</th>{header}</tr></thead><tbody>{rows}</tbody></table></div>
            """);
        return Show(view, view.T("标准与采用情况", "Standards and adoptions"), main);
    }

    private static Html Cell(ConsoleView view, RegionInfo region, string code, Dictionary<string, JsonNode> adoptions)
    {
        if (!adoptions.TryGetValue(region.Id, out var adoption))
        {
            return Html.Of($"<td data-tenant=\"{region.Id}\" data-code=\"{code}\" class=\"none\">—</td>");
        }

        var behind = adoption["behind"]?.GetValue<int>() ?? 0;
        return Html.Of($"""
            <td data-tenant="{region.Id}" data-code="{code}"><a href="/console/t/{Uri.EscapeDataString(region.Id)}/live/{Uri.EscapeDataString(code)}">v{ConsoleView.Str(adoption["adoptedVersion"])}{(behind > 0 ? Html.Of($" <span class=\"behind\">−{behind}</span>") : Html.Empty)} · {ConsoleView.Str(adoption["localChanges"])}{view.T(" 处改动", " changes")}</a></td>
            """);
    }

    /// <summary>A live adopter's changes against its standard (public data: anyone signed in may follow the matrix here).</summary>
    private static async Task<IResult> LiveDiffAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var diff = await api.GetAsync($"/api/t/{view.Tenant}/bundles/{Uri.EscapeDataString(code)}/diff");
        if (!diff.Ok)
        {
            return Notice(view, diff);
        }

        var main = Html.Of($"""
            <h1>{view.Page.Name(view.Region)} · {code}</h1>
            {BundleWorkspace.StandardSection(view, diff.Body?["standard"], null)}
            """);
        return Show(view, code, main);
    }
}
