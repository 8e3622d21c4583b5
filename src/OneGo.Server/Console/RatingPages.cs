using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Pages.ConsoleUi;
using Api = OneGo.Client.Models;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// 差评整改 in the console: a department's officers list their rectifications, oldest due first, and put each right —
/// what they verified, how they contacted the applicant, what they fixed, their reply — or appeal (申诉) a wrongful
/// rating; the region's admin reads them all, the overdue and the appealed first to hand, and decides each appeal with
/// a reason. Every move is one API call with the ETag the page was drawn from; what the API refuses is shown on the page.
/// </summary>
internal static class RatingPages
{
    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/rectifications", ConsolePages.Guarded(ConsolePages.Only(Capability.ReadRectifications, "RectificationsOnly", ListAsync)));
        tenant.MapGet("/rectifications/{id}", ConsolePages.Guarded(ConsolePages.Only(Capability.ReadRectifications, "RectificationsOnly", (c, v, a) => OneAsync(c, v, a, null, null))));
        foreach (var move in (string[])["reply", "appeal", "decision"])
        {
            tenant.MapPost($"/rectifications/{{id}}/{move}", ConsolePages.Posted((c, v, a) => MoveAsync(c, v, a, move)));
        }
    }

    public static string Href(ConsoleView view) => view.Base + "/rectifications";

    private static string ApiBase(ConsoleView view) => $"/api/t/{Uri.EscapeDataString(view.Tenant)}/rectifications";

    private static string Route(HttpContext context) => context.GetRouteValue("id") as string ?? "";

    private static async Task<IResult> ListAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        // A filter the list does not know (a hand-edited address) is the API's 422, shown as such.
        var query = string.Join("&", new[] { "state", "overdue", "appeal" }.Where(k => context.Request.Query[k].ToString().Length > 0)
            .Select(k => $"{k}={Uri.EscapeDataString(context.Request.Query[k].ToString())}"));
        var items = await ConsoleApi.AllAsync(async next =>
        {
            var answer = await api.GetAsync($"{ApiBase(view)}?limit={Hosting.Paging.MaxLimit}" + (query.Length == 0 ? "" : "&" + query) + (next is null ? "" : "&cursor=" + Uri.EscapeDataString(next)));
            var page = answer is { Ok: true, Body: { } body } ? ConsoleApi.Typed(body, Api.PageOfRectificationView.CreateFromDiscriminatorValue) : throw new ConsoleApiException(answer);
            return (page.Items, page.Next);
        });
        return PageResult.Of<RectificationsPage>(view.Page, new { View = view, Items = items, Filter = query }, noStore: true);
    }

    private static async Task<IResult> OneAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var answer = await api.GetAsync($"{ApiBase(view)}/{Uri.EscapeDataString(Route(context))}");
        if (answer is not { Ok: true, Body: { } body })
        {
            throw new ConsoleApiException(answer);
        }

        return PageResult.Of<RectificationPage>(view.Page, new
        {
            View = view,
            Item = ConsoleApi.Typed(body, Api.RectificationView.CreateFromDiscriminatorValue),
            ETag = answer.ETag ?? "",
            Refused = refused,
            Typed = typed,
        }, refused?.Status ?? StatusCodes.Status200OK, noStore: true);
    }

    private static async Task<IResult> MoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var id = Route(context);
        var (path, body) = move switch
        {
            "reply" => ("/reply", new JsonObject
            {
                ["verified"] = form["verified"].ToString(), ["contacted"] = form["contacted"].ToString(), ["fixed"] = form["fixed"].ToString(), ["reply"] = form["reply"].ToString(),
            }),
            "appeal" => ("/appeal", new JsonObject { ["reason"] = form["reason"].ToString() }),
            _ => ("/appeal/decision", new JsonObject
            {
                ["upheld"] = form["upheld"].ToString() switch { "true" => true, "false" => false, _ => null }, ["reason"] = form["decision"].ToString(),
            }),
        };
        var answer = await api.PostAsync($"{ApiBase(view)}/{Uri.EscapeDataString(id)}{path}", body, form["etag"].ToString());
        // Not the person's move (403) or not theirs to see (404): the notice alone, nothing is read for them.
        return answer.Ok ? Results.Redirect($"{Href(view)}/{Uri.EscapeDataString(id)}")
            : answer.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound ? ConsolePages.Notice(view, answer)
            : await OneAsync(context, view, api, answer, form);
    }
}
