using System.Text.Json.Nodes;
using OneGo.Client.Models;
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
        tenant.MapGet("/matters/{code}", ConsolePages.Guarded((c, v, a) => EditAsync(c, v, a, null, null)));
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
    private static async Task<IResult> EditAsync(HttpContext context, ConsoleView view, ConsoleApi api, (string Move, ApiAnswer Answer)? refused, string? typed)
    {
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        WorkingCopy<MatterDraftView>? copy;
        try
        {
            copy = await api.WorkingCopyAsync(Api(view, code) + "/draft", MatterDraftView.CreateFromDiscriminatorValue);
        }
        catch (ConsoleApiException missing) when (missing.Answer.Status == StatusCodes.Status404NotFound)
        {
            copy = null;
        }

        // A new matter starts from the elements every matter has, for the editor to fill in.
        var document = copy?.Document ?? new JsonObject
        {
            ["code"] = code, ["name"] = "", ["department"] = "", ["kind"] = "", ["channels"] = new JsonArray("window"), ["promisedDays"] = 1,
            ["resultDelivery"] = new JsonArray("window"), ["tripsAlone"] = 1, ["materials"] = new JsonArray(), ["formFields"] = new JsonArray(),
        };
        return PageResult.Of<MatterPage>(view.Page, new { View = view, Code = code, Copy = copy, Document = document, Refused = refused, Typed = typed },
            refused?.Answer.Status ?? StatusCodes.Status200OK);
    }

    // After a successful post the page is read again (post, redirect, get): a reload does not post twice.
    private static async Task<IResult> SaveAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var typed = form["document"].ToString();
        var etag = form["etag"].ToString();
        var answer = await api.PutAsync(Api(view, code) + "/draft", typed, etag.Length == 0 ? null : etag);
        return answer.Ok ? Results.Redirect(Href(view, code) + "#state") : await EditAsync(context, view, api, ("document", answer), typed);
    }

    private static async Task<IResult> MoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = context.GetRouteValue("code")?.ToString() ?? "";
        var comment = form["comment"].ToString().Trim();
        var answer = await api.PostAsync(Api(view, code) + "/draft/" + move, comment.Length == 0 ? null : new JsonObject { ["comment"] = comment }, form["etag"].ToString());
        return answer.Ok ? Results.Redirect(Href(view, code) + "#state") : await EditAsync(context, view, api, (move, answer), null);
    }
}
