using System.Globalization;
using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Pages;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// One bundle's working copy in the console: its state, the standard it adopts (what is locked, how far behind),
/// its local changes with a form for each kind of change, the effective bundle and the differences, and the review
/// moves — submit, approve, reject, rebase, withdraw. Every form carries the ETag of the working copy it was drawn
/// from, sent as If-Match; what the API refuses is shown next to the form that asked (the API's 422, naming the change).
/// </summary>
internal static class BundleWorkspace
{
    /// <summary>A refused form: which section asked, what the API answered, and what was typed, to show it again.</summary>
    private sealed record Failure(string Section, ApiAnswer Answer, IFormCollection? Form);

    /// <summary>The kinds of change the forms offer, each with its fields; a field names the JSON property it fills.</summary>
    private static readonly (string Op, string Zh, string En, string Target, (string Name, string Zh, string En, string Kind)[] Fields)[] ChangeForms =
    [
        ("setLeadDepartment", "牵头部门", "Lead department", "/leadDepartment", [("department", "本地牵头部门", "Local lead department", "text")]),
        ("setMatterDepartment", "事项的办理部门", "A matter's department", "/matters", [("matter", "事项", "Matter", "matter"), ("department", "本地办理部门", "Local department", "text")]),
        ("setAddress", "办理地点", "Address", "/serviceLocation/address", [("address", "地址", "Address", "text")]),
        ("setHours", "办理时间", "Opening hours", "/serviceLocation/hours", [("hours", "时间", "Hours", "text")]),
        ("setContact", "咨询电话", "Contact", "/serviceLocation/contact", [("contact", "电话", "Phone", "text")]),
        ("shortenPromisedDays", "缩短承诺时限", "Shorter promised time limit", "/promisedDays", [("matter", "事项（不选为整件事）", "Matter (none: the whole bundle)", "matter?"), ("days", "承诺时限（工作日）", "Promised working days", "number")]),
        ("markNotApplicable", "本地不适用的事项", "A matter that does not apply here", "/matters", [("matter", "事项", "Matter", "matter")]),
        ("setGuideText", "办事指南说明", "Guide text", "/guideText", [("text", "说明", "Text", "textarea")]),
    ];

    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/bundles/{code}", ConsolePages.Guarded((c, v, a) => RenderAsync(c, v, a, null)));
        tenant.MapPost("/bundles/{code}/changes", ConsolePages.Posted(AddChangeAsync));
        tenant.MapPost("/bundles/{code}/changes/{index:int}/remove", ConsolePages.Posted(RemoveChangeAsync));
        tenant.MapPost("/bundles/{code}/document", ConsolePages.Posted(SaveDocumentAsync));
        foreach (var move in (string[])["submit", "approve", "reject"])
        {
            tenant.MapPost("/bundles/{code}/" + move, ConsolePages.Posted((c, v, a) => MoveAsync(c, v, a, move, $"draft/{move}")));
        }

        tenant.MapPost("/bundles/{code}/withdraw", ConsolePages.Posted((c, v, a) => MoveAsync(c, v, a, "withdraw", "withdrawal")));
        tenant.MapPost("/bundles/{code}/rebase", ConsolePages.Posted(RebaseAsync));
    }

    private static string Code(HttpContext context) => context.GetRouteValue("code")?.ToString() ?? "";

    private static string Api(ConsoleView view, string code) => $"/api/t/{view.Tenant}/bundles/{Uri.EscapeDataString(code)}";

    private static async Task<(JsonNode Draft, string ETag)> DraftAsync(ConsoleApi api, ConsoleView view, string code)
    {
        var answer = await api.GetAsync(Api(view, code) + "/draft");
        return answer.Ok ? (answer.Body!, answer.ETag ?? "") : throw new ConsoleApiException(answer);
    }

    private static async Task<IResult> AddChangeAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var op = form["op"].ToString();
        var shape = ChangeForms.FirstOrDefault(f => f.Op == op);
        if (shape.Op is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Unknown change '{op}'.");
        }

        var change = new JsonObject { ["op"] = op };
        foreach (var field in shape.Fields)
        {
            var value = form[field.Name].ToString().Trim();
            if (field.Kind == "matter?" && value.Length == 0)
            {
                continue;
            }

            change[field.Name] = field.Kind == "number" && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : value;
        }

        return await ChangeDocumentAsync(context, view, api, "change-" + op, form, document =>
        {
            var changes = document["changes"] as JsonArray ?? [];
            changes.Add(change);
            document["changes"] = changes;
        });
    }

    private static async Task<IResult> RemoveChangeAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var index = int.Parse(context.GetRouteValue("index")!.ToString()!, CultureInfo.InvariantCulture);
        return await ChangeDocumentAsync(context, view, api, "changes", form, document =>
        {
            if (document["changes"] is JsonArray changes && index >= 0 && index < changes.Count)
            {
                changes.RemoveAt(index);
            }
        });
    }

    private static async Task<IResult> SaveDocumentAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = Code(context);
        var put = await api.PutAsync(Api(view, code) + "/draft", form["document"].ToString(), form["etag"].ToString());
        return put.Ok ? Back(view, code, "document") : await RenderAsync(context, view, api, new Failure("document", put, form));
    }

    /// <summary>Applies an edit to the working copy the form was drawn from and saves it with If-Match; a refusal is shown beside the form.</summary>
    private static async Task<IResult> ChangeDocumentAsync(HttpContext context, ConsoleView view, ConsoleApi api, string section, IFormCollection form, Action<JsonObject> edit)
    {
        var code = Code(context);
        var (draft, _) = await DraftAsync(api, view, code);
        var document = draft["document"]!.DeepClone().AsObject();
        edit(document);
        var put = await api.PutAsync(Api(view, code) + "/draft", document, form["etag"].ToString());
        return put.Ok ? Back(view, code, "changes") : await RenderAsync(context, view, api, new Failure(section, put, form));
    }

    private static async Task<IResult> MoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string section, string path)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = Code(context);
        var comment = form["comment"].ToString().Trim();
        var answer = await api.PostAsync(Api(view, code) + "/" + path, comment.Length == 0 ? null : new JsonObject { ["comment"] = comment }, form["etag"].ToString());
        return answer.Ok ? Back(view, code, "state") : await RenderAsync(context, view, api, new Failure(section, answer, form));
    }

    private static async Task<IResult> RebaseAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = Code(context);
        var version = int.TryParse(form["version"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var answer = await api.PostAsync(Api(view, code) + "/draft/rebase", new JsonObject { ["version"] = version }, form["etag"].ToString());
        return answer.Ok ? Back(view, code, "changes") : await RenderAsync(context, view, api, new Failure("rebase", answer, form));
    }

    // After a successful post the page is read again (post, redirect, get): a reload does not post twice.
    private static IResult Back(ConsoleView view, string code, string anchor) => Results.Redirect($"{ConsolePages.BundleHref(view, code)}#{anchor}");

    private static async Task<IResult> RenderAsync(HttpContext context, ConsoleView view, ConsoleApi api, Failure? failure)
    {
        var code = Code(context);
        var (draft, etag) = await DraftAsync(api, view, code);
        var document = draft["document"]!;
        var state = ConsoleView.Str(draft["state"]);
        var adopts = document["adopts"];
        var editor = view.May(Capability.EditCatalogue);
        var editable = editor && state is "draft" or "rejected" or "approved";

        JsonNode? standard = null;
        var locked = new List<string>();
        if (adopts is not null)
        {
            var diff = await api.GetAsync(Api(view, code) + "/draft/diff?against=template");
            standard = diff.Ok ? diff.Body?["standard"] : null;
            var templates = await api.AllAsync($"/api/t/{Uri.EscapeDataString(ConsoleView.Str(adopts["tenant"]))}/templates");
            locked = (templates.FirstOrDefault(t => ConsoleView.Str(t["code"]) == code)?["locked"] as JsonArray ?? []).Select(ConsoleView.Str).ToList();
        }

        var effective = await api.GetAsync(Api(view, code) + "/draft/effective");
        var liveVersion = draft["liveVersion"];
        ApiAnswer? againstLive = liveVersion is not null && state != "approved" ? await api.GetAsync(Api(view, code) + "/draft/diff?against=live") : null;
        var matters = effective.Body?["matters"] as JsonArray ?? [];
        var conflicts = draft["conflicts"] as JsonArray ?? [];

        Html Refusal(string section) => failure?.Section == section ? view.Problem(failure.Answer, "problem-" + section) : Html.Empty;
        Html Etag() => Html.Of($"<input type=\"hidden\" name=\"etag\" value=\"{etag}\">");

        var facts = Html.Of($"""
            <dl class="facts" id="state">
            <div><dt>{view.T("工作副本", "Working copy")}</dt><dd id="draft-state" data-state="{state}">{view.State(state)}{(ConsoleView.Str(draft["proposal"]) == "withdrawal" ? view.T("（撤下申请）", " (withdrawal)") : "")}</dd></div>
            <div><dt>{view.T("上线版本", "Live version")}</dt><dd id="live-version">{(liveVersion is null ? view.T("未上线", "Not live") : "v" + ConsoleView.Str(liveVersion))}</dd></div>
            <div><dt>{view.T("最后修改", "Last changed")}</dt><dd>{ConsoleView.Str(draft["updatedBy"])} · {view.When(draft["updatedAt"])}</dd></div>
            {(draft["submittedBy"] is null ? Html.Empty : Html.Of($"<div><dt>{view.T("提交", "Submitted")}</dt><dd>{ConsoleView.Str(draft["submittedBy"])} · {view.When(draft["submittedAt"])}</dd></div>"))}
            </dl>
            {(draft["comment"] is null ? Html.Empty : Html.Of($"<p id=\"review-comment\" class=\"situation\"><strong>{(state == "rejected" ? view.T("退回意见：", "Returned with: ") : view.T("说明：", "Comment: "))}</strong>{ConsoleView.Str(draft["comment"])}</p>"))}
            """);

        var changes = adopts is null ? Html.Empty : ChangesSection(view, draft, etag, editable, locked, matters, failure, Refusal);
        var conflictList = conflicts.Count == 0 ? Html.Empty : Html.Of($"""
            <h2 id="conflicts-heading">{view.T("变基后待解决的冲突", "Conflicts left by the rebase")}</h2>
            <p class="lead">{view.T("这些本地改动在新版本上不再适用。请按需要重新添加，然后保存；冲突解决前不能提交。", "These local changes no longer apply to the new version. Add again what still makes sense and save: the draft cannot be submitted before.")}</p>
            <ul id="conflicts">{conflicts.Select(c => Html.Of($"<li><code>{ConsoleView.Str(c?["target"])}</code> — {ConsoleView.Str(c?["message"])} <span class=\"meta\">({ConsoleView.Str(c?["rule"])})</span></li>"))}</ul>
            {(editable ? Html.Of($"<div id=\"resolve-conflicts\">{view.Form($"{ConsolePages.BundleHref(view, code)}/document", Html.Of($"{Etag()}<input type=\"hidden\" name=\"document\" value=\"{ConsoleView.Str(document)}\">"), view.T("保留现有改动，标记冲突已解决", "Keep the changes as they are: conflicts resolved"))}</div>") : Html.Empty)}
            """);

        var ownDefinition = adopts is not null || !editable ? Html.Empty : Html.Of($"""
            <h2 id="document">{view.T("编辑一件事", "Edit the bundle")}</h2>
            {Refusal("document")}
            <form method="post" action="{ConsolePages.BundleHref(view, code)}/document" class="stack">{view.Antiforgery}{Etag()}
            <div class="field"><label for="document-json">{view.T("一件事的定义（JSON）", "The bundle's definition (JSON)")}</label>
            <textarea id="document-json" name="document" rows="18" spellcheck="false">{(failure?.Section == "document" ? failure.Form?["document"].ToString() : document.ToJsonString(ConsoleView.Readable))}</textarea></div>
            <button type="submit">{view.T("保存", "Save")}</button></form>
            """);

        var moves = Moves(view, draft, etag, state, editor, standard, conflicts.Count > 0, Refusal);
        var effectiveSection = Html.Of($"""
            <h2 id="effective">{view.T("生效内容", "Effective bundle")}</h2>
            {(effective.Ok ? Effective(view, effective.Body!) : view.Problem(effective))}
            """);
        var liveDiff = againstLive is null ? Html.Empty : Html.Of($"""
            <h2 id="diff-live">{view.T("相对上线版本的变化", "Changes against the live version")}</h2>
            {(againstLive.Ok ? Differences(view, againstLive.Body as JsonArray ?? [], "diff-live-list") : view.Problem(againstLive))}
            """);

        var main = Html.Of($"""
            <h1>{view.Text(effective.Body?["name"])} <span class="meta">{code}</span></h1>
            {facts}
            {moves}
            {StandardSection(view, standard, locked)}
            {conflictList}
            {changes}
            {ownDefinition}
            {liveDiff}
            {effectiveSection}
            """);
        return ConsolePages.Show(view, code, main, failure?.Answer.Status ?? StatusCodes.Status200OK);
    }

    /// <summary>The standard an adopter follows: at which version, how far behind, what it locks, what the adopter changes and what the standard changed since.</summary>
    public static Html StandardSection(ConsoleView view, JsonNode? standard, IReadOnlyList<string>? locked)
    {
        if (standard is null)
        {
            return Html.Empty;
        }

        var adopts = standard["adopts"];
        var behind = standard["behind"]?.GetValue<int>() ?? 0;
        return Html.Of($"""
            <h2 id="standard">{view.T("所采用的标准", "The standard adopted")}</h2>
            <dl class="facts">
            <div><dt>{view.T("标准", "Standard")}</dt><dd>{ConsoleView.Str(adopts?["tenant"])} / {ConsoleView.Str(adopts?["code"])}</dd></div>
            <div><dt>{view.T("采用的版本", "Adopted version")}</dt><dd id="adopted-version">v{ConsoleView.Str(adopts?["version"])}</dd></div>
            <div><dt>{view.T("最新版本", "Latest version")}</dt><dd>v{ConsoleView.Str(standard["latestVersion"])}{(behind > 0 ? Html.Of($" <span id=\"behind-by\" class=\"behind\">{view.T("落后", "behind by")} {behind}</span>") : Html.Empty)}</dd></div>
            {(locked is null ? Html.Empty : Html.Of($"<div><dt>{view.T("锁定的字段", "Locked fields")}</dt><dd id=\"locked\">{(locked.Count == 0 ? view.T("无", "none") : string.Join(", ", locked))}</dd></div>"))}
            </dl>
            <h3>{view.T("本地相对标准的改动", "What this region changes against the standard")}</h3>
            {Differences(view, standard["differences"] as JsonArray ?? [], "diff-template")}
            {(behind > 0 ? Html.Of($"<h3>{view.T("标准此后的变化", "What the standard changed since")}</h3>{Differences(view, standard["standardChangedSince"] as JsonArray ?? [], "upstream")}") : Html.Empty)}
            """);
    }

    private static Html Differences(ConsoleView view, JsonArray differences, string id) => differences.Count == 0
        ? Html.Of($"<p class=\"none\" id=\"{id}\">{view.T("没有差异。", "No differences.")}</p>")
        : Html.Of($"""
            <div class="table-wrap"><table id="{id}" class="diff"><thead><tr><th>{view.T("字段", "Field")}</th><th>{view.T("之前", "Before")}</th><th>{view.T("之后", "After")}</th></tr></thead>
            <tbody>{differences.Select(d => Html.Of($"<tr data-kind=\"{ConsoleView.Str(d?["kind"])}\"><th scope=\"row\"><code>{ConsoleView.Str(d?["pointer"])}</code></th><td>{Value(d?["before"])}</td><td>{Value(d?["after"])}</td></tr>"))}</tbody></table></div>
            """);

    private static string Value(JsonNode? node)
    {
        var text = node is null ? "—" : ConsoleView.Str(node);
        return text.Length > 240 ? text[..240] + "…" : text;
    }

    private static Html ChangesSection(ConsoleView view, JsonNode draft, string etag, bool editable, IReadOnlyList<string> locked,
        JsonArray matters, Failure? failure, Func<string, Html> refusal)
    {
        var code = ConsoleView.Str(draft["code"]);
        var changes = draft["document"]?["changes"] as JsonArray ?? [];
        var list = changes.Count == 0
            ? Html.Of($"<p class=\"none\" id=\"no-changes\">{view.T("还没有本地改动。", "No local changes yet.")}</p>")
            : Html.Of($"<ol id=\"change-list\">{changes.Select((c, i) => Html.Of($"""
                <li><code>{ConsoleView.Str(c?["op"])}</code> {Describe(c)}{(editable ? view.Form($"{ConsolePages.BundleHref(view, code)}/changes/{i}/remove", Html.Of($"<input type=\"hidden\" name=\"etag\" value=\"{etag}\">"), view.T("删除", "Remove"), "inline") : Html.Empty)}</li>
                """))}</ol>");
        var forms = !editable ? Html.Empty : Html.Join(ChangeForms.Select(shape =>
        {
            var isLocked = locked.Contains(shape.Target);
            var mine = failure is not null && failure.Section == "change-" + shape.Op;
            var fields = shape.Fields.Select(f =>
            {
                var id = $"{shape.Op}-{f.Name}";
                var typed = mine ? failure!.Form?[f.Name].ToString() : null;
                var control = f.Kind switch
                {
                    "matter" or "matter?" => Html.Of($"<select id=\"{id}\" name=\"{f.Name}\">{(f.Kind == "matter?" ? Html.Of($"<option value=\"\">{view.T("（整件事）", "(the whole bundle)")}</option>") : Html.Empty)}{matters.Select(m => Html.Of($"<option value=\"{ConsoleView.Str(m?["code"])}\"{(typed == ConsoleView.Str(m?["code"]) ? Html.Of($" selected") : Html.Empty)}>{view.Text(m?["name"])}（{ConsoleView.Str(m?["code"])}）</option>"))}</select>"),
                    "number" => Html.Of($"<input id=\"{id}\" name=\"{f.Name}\" type=\"number\" min=\"0\" inputmode=\"numeric\" value=\"{typed}\">"),
                    "textarea" => Html.Of($"<textarea id=\"{id}\" name=\"{f.Name}\" rows=\"3\">{typed}</textarea>"),
                    _ => Html.Of($"<input id=\"{id}\" name=\"{f.Name}\" type=\"text\" value=\"{typed}\">"),
                };
                return Html.Of($"<div class=\"field\"><label for=\"{id}\">{view.T(f.Zh, f.En)}</label>{control}</div>");
            });
            var errors = mine ? failure!.Answer.Errors : [];
            var refused = !mine ? Html.Empty : Html.Of($"""
                <div class="error-summary" role="alert" id="error-{shape.Op}"><p class="error">{view.T("未能保存：", "Not saved: ")}{view.Heading(failure!.Answer)}</p>
                {(errors.Count == 0 ? Html.Of($"<p>{failure.Answer.Detail}</p>") : Html.Of($"<ul>{errors.Select(e => Html.Of($"<li>{e.Message} <span class=\"meta\">{e.Rule} · <code>{e.Pointer}</code></span></li>"))}</ul>"))}</div>
                """);
            return Html.Of($"""
                <fieldset id="form-{shape.Op}"{(mine ? Html.Of($" class=\"invalid\"") : Html.Empty)}><legend>{view.T(shape.Zh, shape.En)}</legend>
                {(isLocked ? Html.Of($"<p class=\"locked\" id=\"locked-{shape.Op}\"><span class=\"badge\">{view.T("锁定", "Locked")}</span>{view.T("标准锁定了这个字段，改动会被拒绝。", "The standard locks this field: a change will be refused.")}</p>") : Html.Empty)}
                {refused}
                <form method="post" action="{ConsolePages.BundleHref(view, code)}/changes">{view.Antiforgery}<input type="hidden" name="etag" value="{etag}"><input type="hidden" name="op" value="{shape.Op}">{fields}<button type="submit">{view.T("添加改动", "Add the change")}</button></form>
                </fieldset>
                """);
        }));
        return Html.Of($"""
            <h2 id="changes">{view.T("本地改动", "Local changes")}</h2>
            {refusal("changes")}
            {list}
            {(editable ? Html.Of($"<h3>{view.T("添加改动", "Add a change")}</h3>{forms}") : Html.Empty)}
            """);
    }

    private static string Describe(JsonNode? change)
    {
        if (change is not JsonObject o)
        {
            return "";
        }

        return string.Join(" · ", o.Where(p => p.Key != "op").Select(p => $"{p.Key}: {Value(p.Value)}"));
    }

    private static Html Moves(ConsoleView view, JsonNode draft, string etag, string state, bool editor, JsonNode? standard, bool conflicted, Func<string, Html> refusal)
    {
        var code = ConsoleView.Str(draft["code"]);
        var href = ConsolePages.BundleHref(view, code);
        var etagField = Html.Of($"<input type=\"hidden\" name=\"etag\" value=\"{etag}\">");
        Html Comment(string id, bool required) => Html.Of($"""
            <div class="field"><label for="{id}">{(required ? view.T("意见（必填）", "Comment (required)") : view.T("说明（可选）", "Comment (optional)"))}</label><textarea id="{id}" name="comment" rows="2"></textarea></div>
            """);
        var parts = new List<Html>();
        if (editor && state is "draft" or "rejected")
        {
            parts.Add(Html.Of($"""
                <section id="submit">{refusal("submit")}{(conflicted ? Html.Of($"<p class=\"error\">{view.T("冲突解决前不能提交。", "Resolve the conflicts before submitting.")}</p>") : Html.Empty)}
                {view.Form(href + "/submit", Html.Of($"{etagField}{Comment("submit-comment", false)}"), view.T("提交审核", "Submit for review"))}</section>
                """));
        }

        if (view.May(Capability.Review) && state == "submitted")
        {
            parts.Add(Html.Of($"""
                <section id="review">{refusal("approve")}{view.Form(href + "/approve", Html.Of($"{etagField}{Comment("approve-comment", false)}"), view.T("通过", "Approve"))}
                {refusal("reject")}{view.Form(href + "/reject", Html.Of($"{etagField}{Comment("reject-comment", true)}"), view.T("退回", "Reject"), "reject")}</section>
                """));
        }

        if (editor && standard?["behind"]?.GetValue<int>() is > 0 && state is "draft" or "rejected" or "approved")
        {
            var adopted = standard["adopts"]?["version"]?.GetValue<int>() ?? 0;
            var latest = standard["latestVersion"]?.GetValue<int>() ?? adopted;
            var options = Enumerable.Range(adopted + 1, Math.Max(0, latest - adopted)).Reverse()
                .Select(v => Html.Of($"<option value=\"{v}\">v{v}</option>"));
            parts.Add(Html.Of($"""
                <section id="rebase">{refusal("rebase")}{view.Form(href + "/rebase", Html.Of($"{etagField}<div class=\"field\"><label for=\"rebase-version\">{view.T("变基到标准版本", "Rebase onto the standard's version")}</label><select id=\"rebase-version\" name=\"version\">{options}</select></div>"), view.T("变基", "Rebase"))}</section>
                """));
        }

        if (editor && state == "approved" && draft["liveVersion"] is not null)
        {
            parts.Add(Html.Of($"""
                <details id="withdraw"><summary>{view.T("申请撤下这件事", "Propose withdrawing this bundle")}</summary>{refusal("withdraw")}
                {view.Form(href + "/withdraw", Html.Of($"{etagField}{Comment("withdraw-comment", true)}"), view.T("申请撤下", "Propose withdrawal"), "reject")}</details>
                """));
        }

        return parts.Count == 0 ? Html.Empty : Html.Of($"<div class=\"moves\">{parts}</div>");
    }

    private static Html Effective(ConsoleView view, JsonNode bundle)
    {
        var matters = bundle["matters"] as JsonArray ?? [];
        var location = bundle["serviceLocation"];
        return Html.Of($"""
            <dl class="facts">
            <div><dt>{view.T("牵头部门", "Lead department")}</dt><dd id="effective-lead">{ConsoleView.Str(bundle["leadDepartment"])}</dd></div>
            <div><dt>{view.T("承诺时限", "Promised time limit")}</dt><dd>{ConsoleView.Str(bundle["promisedDays"])} {view.T("个工作日", "working days")}</dd></div>
            {(location is null ? Html.Empty : Html.Of($"<div><dt>{view.T("办理地点", "Where")}</dt><dd id=\"effective-address\">{view.Text(location["address"])}</dd></div><div><dt>{view.T("办理时间", "Hours")}</dt><dd>{view.Text(location["hours"])}</dd></div>"))}
            </dl>
            <div class="table-wrap"><table id="effective-matters"><thead><tr><th>{view.T("事项", "Matter")}</th><th>{view.T("部门", "Department")}</th><th>{view.T("承诺时限", "Days")}</th></tr></thead>
            <tbody>{matters.Select(m => Html.Of($"<tr><th scope=\"row\">{view.Text(m?["name"])} <span class=\"meta\">{ConsoleView.Str(m?["code"])}</span></th><td>{ConsoleView.Str(m?["department"])}</td><td class=\"number\">{ConsoleView.Str(m?["promisedDays"])}</td></tr>"))}</tbody></table></div>
            <details><summary>{view.T("完整 JSON", "The whole JSON")}</summary><pre class="json">{bundle.ToJsonString(ConsoleView.Readable)}</pre></details>
            """);
    }
}
