using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Pages;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The region's own matters (事项): the list, and one matter edited as its JSON document (the national matter
/// elements), saved with If-Match; a new matter is written under a new basic code. What the API refuses is listed
/// with each error's JSON pointer above the editor, and what was typed stays in it.
/// </summary>
internal static class MatterPages
{
    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/matters", ConsolePages.Guarded(ListAsync));
        tenant.MapGet("/matters/{code}", ConsolePages.Guarded((c, v, a) => EditAsync(c, v, a, null, null)));
        tenant.MapPost("/matters/{code}", ConsolePages.Posted(SaveAsync));
        tenant.MapPost("/matters", ConsolePages.Posted(NewAsync));
    }

    private static string Href(ConsoleView view, string code) => $"{view.Base}/matters/{Uri.EscapeDataString(code)}";

    private static async Task<IResult> ListAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var matters = await api.AllAsync($"/api/t/{view.Tenant}/matters");
        var rows = matters.Select(m => Html.Of($"""
            <tr><th scope="row"><a href="{Href(view, ConsoleView.Str(m["code"]))}">{ConsoleView.Str(m["code"])}</a></th><td>{view.Text(m["name"])}</td><td>{ConsoleView.Str(m["department"])}</td><td>{view.When(m["updatedAt"])}</td><td>{ConsoleView.Str(m["origin"])}</td></tr>
            """));
        var create = !view.May(Capability.EditCatalogue) ? Html.Empty : Html.Of($"""
            <h2 id="new-matter">{view.T("新建事项", "New matter")}</h2>
            {view.Form($"{view.Base}/matters", Html.Of($"<div class=\"field\"><label for=\"new-matter-code\">{view.T("基本编码", "Basic code")}</label><input id=\"new-matter-code\" name=\"code\" type=\"text\" autocomplete=\"off\"></div>"), view.T("新建", "Create"))}
            """);
        var main = Html.Of($"""
            <h1>{view.T("事项", "Matters")}</h1>
            <div class="table-wrap"><table id="matters-list"><thead><tr><th>{view.T("编码", "Code")}</th><th>{view.T("名称", "Name")}</th><th>{view.T("部门", "Department")}</th><th>{view.T("修改时间", "Changed")}</th><th>{view.T("来源", "Origin")}</th></tr></thead><tbody>{rows}</tbody></table></div>
            {create}
            """);
        return ConsolePages.Show(view, view.T("事项", "Matters"), main);
    }

    private static async Task<IResult> NewAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = form["code"].ToString().Trim();
        return code.Length == 0 ? Results.Redirect($"{view.Base}/matters#new-matter") : Results.Redirect(Href(view, code));
    }

    private static async Task<IResult> EditAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, string? typed)
    {
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var answer = await api.GetAsync($"/api/t/{view.Tenant}/matters/{Uri.EscapeDataString(code)}");
        var exists = answer.Ok;
        if (!exists && answer.Status != StatusCodes.Status404NotFound)
        {
            return ConsolePages.Notice(view, answer);
        }

        // A new matter starts from the elements every matter has, for the editor to fill in.
        var document = exists ? answer.Body! : new JsonObject
        {
            ["code"] = code, ["name"] = "", ["department"] = "", ["kind"] = "", ["channels"] = new JsonArray("window"), ["promisedDays"] = 1,
            ["resultDelivery"] = new JsonArray("window"), ["tripsAlone"] = 1, ["materials"] = new JsonArray(), ["formFields"] = new JsonArray(),
        };
        var editor = view.May(Capability.EditCatalogue);
        var main = Html.Of($"""
            <h1>{(exists ? view.Text(document["name"]) : Html.Text(view.T("新事项", "New matter")))} <span class="meta">{code}</span></h1>
            <p><a href="{view.Base}/matters">{view.T("全部事项", "All matters")}</a></p>
            {view.Problem(refused, "matter-problem")}
            <form method="post" action="{Href(view, code)}" class="stack">{view.Antiforgery}<input type="hidden" name="etag" value="{(exists ? answer.ETag : "")}">
            <div class="field"><label for="matter-json">{view.T("事项要素（JSON）", "The matter's elements (JSON)")}</label>
            <textarea id="matter-json" name="document" rows="24" spellcheck="false"{(editor ? Html.Empty : Html.Of($" readonly"))}>{typed ?? document.ToJsonString(ConsoleView.Readable)}</textarea></div>
            {(editor ? Html.Of($"<button type=\"submit\">{view.T("保存", "Save")}</button>") : Html.Empty)}</form>
            """);
        return ConsolePages.Show(view, code, main, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> SaveAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var typed = form["document"].ToString();
        var etag = form["etag"].ToString();
        var answer = await api.PutAsync($"/api/t/{view.Tenant}/matters/{Uri.EscapeDataString(code)}", typed, etag.Length == 0 ? null : etag);
        return answer.Ok ? Results.Redirect($"{view.Base}/matters") : await EditAsync(context, view, api, answer, typed);
    }
}
