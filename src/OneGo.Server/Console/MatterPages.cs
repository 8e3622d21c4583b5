using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Pages.ConsoleUi;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The region's own matters (事项): the live ones and the working copies, and one matter's working copy edited as
/// its JSON document (the national matter elements), saved with If-Match, submitted, and approved or rejected by
/// a reviewer — reviewed like a bundle before it becomes the live revision. What the API refuses is listed with each
/// error's JSON pointer above the editor, and what was typed stays in it.
/// </summary>
internal static class MatterPages
{
    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/matters", ConsolePages.Guarded(ListAsync));
        tenant.MapGet("/matters/{code}", ConsolePages.Guarded((c, v, a) => EditAsync(c, v, a, null, null, null)));
        tenant.MapPost("/matters/{code}", ConsolePages.Posted(SaveAsync));
        foreach (var move in (string[])["submit", "approve", "reject"])
        {
            tenant.MapPost("/matters/{code}/" + move, ConsolePages.Posted((c, v, a) => MoveAsync(c, v, a, move)));
        }

        tenant.MapPost("/matters", ConsolePages.Posted(NewAsync));
    }

    public static string Href(ConsoleView view, string code) => $"{view.Base}/matters/{Uri.EscapeDataString(code)}";

    private static string Api(ConsoleView view, string code) => $"/api/t/{view.Tenant}/matters/{Uri.EscapeDataString(code)}";

    private static async Task<IResult> ListAsync(HttpContext context, ConsoleView view, ConsoleApi api) =>
        PageResult.Of<MattersPage>(view.Page, new { View = view, Live = await api.MattersAsync(view.Tenant), Copies = await api.DraftsAsync(view.Tenant, kind: "matter") });

    private static async Task<IResult> NewAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = form["code"].ToString().Trim();
        return code.Length == 0 ? Results.Redirect($"{view.Base}/matters#new-matter") : Results.Redirect(Href(view, code));
    }

    /// <summary>The working copy's page; <paramref name="refused"/> is the API's answer to a save or a move, shown beside its form.</summary>
    private static async Task<IResult> EditAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, string? section, string? typed)
    {
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var answer = await api.GetAsync(Api(view, code) + "/draft");
        var exists = answer.Ok;
        if (!exists && answer.Status != StatusCodes.Status404NotFound)
        {
            return ConsolePages.Notice(view, answer);
        }

        // A new matter starts from the elements every matter has, for the editor to fill in.
        var draft = answer.Body;
        var document = exists ? draft!["document"]! : new JsonObject
        {
            ["code"] = code, ["name"] = "", ["department"] = "", ["kind"] = "", ["channels"] = new JsonArray("window"), ["promisedDays"] = 1,
            ["resultDelivery"] = new JsonArray("window"), ["tripsAlone"] = 1, ["materials"] = new JsonArray(), ["formFields"] = new JsonArray(),
        };
        var state = exists ? ConsoleView.Str(draft!["state"]) : "draft";
        var etag = exists ? answer.ETag ?? "" : "";
        var editor = view.May(Capability.EditCatalogue);
        var editable = editor && state != "submitted";
        var etagField = Html.Of($"<input type=\"hidden\" name=\"etag\" value=\"{etag}\">");
        Html Refusal(string move) => section == move ? view.Problem(refused, $"{move}-problem") : Html.Empty;
        Html Comment(string id, bool required) => Html.Of($"""
            <div class="field"><label for="{id}">{(required ? view.T("意见（必填）", "Comment (required)") : view.T("说明（可选）", "Comment (optional)"))}</label><textarea id="{id}" name="comment" rows="2"></textarea></div>
            """);
        var moves = new List<Html>();
        if (exists && editor && state is "draft" or "rejected")
        {
            moves.Add(Html.Of($"<section id=\"submit\">{Refusal("submit")}{view.Form(Href(view, code) + "/submit", Html.Of($"{etagField}{Comment("submit-comment", false)}"), view.T("提交审核", "Submit for review"))}</section>"));
        }

        if (exists && view.May(Capability.Review) && state == "submitted")
        {
            moves.Add(Html.Of($"""
                <section id="review">{Refusal("approve")}{view.Form(Href(view, code) + "/approve", Html.Of($"{etagField}{Comment("approve-comment", false)}"), view.T("通过", "Approve"))}
                {Refusal("reject")}{view.Form(Href(view, code) + "/reject", Html.Of($"{etagField}{Comment("reject-comment", true)}"), view.T("退回", "Reject"), "reject")}</section>
                """));
        }

        var facts = !exists ? Html.Empty : Html.Of($"""
            <dl class="facts" id="state"><div><dt>{view.T("工作副本", "Working copy")}</dt><dd id="matter-state" data-state="{state}">{view.State(state)}</dd></div>
            <div><dt>{view.T("上线修订", "Live revision")}</dt><dd>{(draft!["liveRevision"] is null ? view.T("尚未上线", "not live yet") : "r" + ConsoleView.Str(draft["liveRevision"]))}</dd></div>
            <div><dt>{view.T("修改", "Changed")}</dt><dd>{ConsoleView.Str(draft["updatedBy"])} · {view.When(draft["updatedAt"])}</dd></div>
            {(draft["submittedBy"] is null ? Html.Empty : Html.Of($"<div><dt>{view.T("提交", "Submitted")}</dt><dd>{ConsoleView.Str(draft["submittedBy"])} · {view.When(draft["submittedAt"])}</dd></div>"))}</dl>
            {(draft["comment"] is null ? Html.Empty : Html.Of($"<p id=\"review-comment\" class=\"situation\"><strong>{(state == "rejected" ? view.T("退回意见：", "Returned with: ") : view.T("说明：", "Comment: "))}</strong>{ConsoleView.Str(draft["comment"])}</p>"))}
            """);
        var main = Html.Of($"""
            <h1>{(exists ? view.Text(document["name"]) : Html.Text(view.T("新事项", "New matter")))} <span class="meta">{code}</span></h1>
            <p><a href="{view.Base}/matters">{view.T("全部事项", "All matters")}</a></p>
            {facts}
            {(section == "document" ? view.Problem(refused, "matter-problem") : Html.Empty)}
            <form method="post" action="{Href(view, code)}" class="stack">{view.Antiforgery}{etagField}
            <div class="field"><label for="matter-json">{view.T("事项要素（JSON）", "The matter's elements (JSON)")}</label>
            <textarea id="matter-json" name="document" rows="24" spellcheck="false"{(editable ? Html.Empty : Html.Of($" readonly"))}>{typed ?? document.ToJsonString(ConsoleView.Readable)}</textarea></div>
            {(editable ? Html.Of($"<button type=\"submit\">{view.T("保存", "Save")}</button>") : Html.Empty)}</form>
            {moves}
            """);
        return ConsolePages.Show(view, code, main, refused?.Status ?? StatusCodes.Status200OK);
    }

    // After a successful post the page is read again (post, redirect, get): a reload does not post twice.
    private static async Task<IResult> SaveAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var typed = form["document"].ToString();
        var etag = form["etag"].ToString();
        var answer = await api.PutAsync(Api(view, code) + "/draft", typed, etag.Length == 0 ? null : etag);
        return answer.Ok ? Results.Redirect(Href(view, code) + "#state") : await EditAsync(context, view, api, answer, "document", typed);
    }

    private static async Task<IResult> MoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var comment = form["comment"].ToString().Trim();
        var answer = await api.PostAsync(Api(view, code) + "/draft/" + move, comment.Length == 0 ? null : new JsonObject { ["comment"] = comment }, form["etag"].ToString());
        return answer.Ok ? Results.Redirect(Href(view, code) + "#state") : await EditAsync(context, view, api, answer, move, null);
    }
}
