using System.Text.Json.Nodes;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Pages.ConsoleUi;
using Api = OneGo.Client.Models;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// 前台综合受理、后台分类审批、综窗统一出件 in the console: the window's officers open a submitted application from their
/// queue (or by its tracking number) and accept it, give its one supplement notice or refuse it, and hand over its
/// paper results once every case has ended; a department's officers work their cases, oldest due first — decide, send
/// the electronic document, issue. Every move is one API call with the ETag the page was drawn from; what the API
/// refuses is shown on the page with what was typed.
/// </summary>
internal static class CaseWorkPages
{
    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/window/find", ConsolePages.Guarded(WindowPages.AtTheWindow(FindAsync)));
        tenant.MapGet("/window/applications/{number}", ConsolePages.Guarded(WindowPages.AtTheWindow((c, v, a) => ApplicationAsync(c, v, a, null, null))));
        foreach (var move in (string[])["accept", "supplement", "refuse", "handover"])
        {
            tenant.MapPost($"/window/applications/{{number}}/{move}", ConsolePages.Posted(WindowPages.AtTheWindow((c, v, a) => WindowMoveAsync(c, v, a, move))));
        }

        tenant.MapGet("/cases", ConsolePages.Guarded(CasesAsync));
        tenant.MapGet("/cases/{id}", ConsolePages.Guarded((c, v, a) => CaseAsync(c, v, a, null, null)));
        tenant.MapPost("/cases/{id}/decide", ConsolePages.Posted((c, v, a) => CaseMoveAsync(c, v, a, "decide")));
        tenant.MapPost("/cases/{id}/issue", ConsolePages.Posted((c, v, a) => CaseMoveAsync(c, v, a, "issue")));
        tenant.MapPost("/cases/{id}/post-check", ConsolePages.Posted((c, v, a) => CaseMoveAsync(c, v, a, "post-check")));
        tenant.MapPost("/cases/{id}/document", ConsolePages.Posted(DocumentAsync))
            .WithMetadata(new Hosting.LargerBody(
                services => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Features.Applications.ApplicationsSettings>>().Value.MaxFileBytes + 64 * 1024,
                (_, _) => Results.StatusCode(StatusCodes.Status413PayloadTooLarge)));
    }

    public static string ApplicationHref(ConsoleView view, string number) => $"{WindowPages.Href(view)}/applications/{Uri.EscapeDataString(number)}";

    public static string CasesHref(ConsoleView view) => view.Base + "/cases";

    public static string CaseHref(ConsoleView view, string id) => $"{CasesHref(view)}/{Uri.EscapeDataString(id)}";

    private static string Route(HttpContext context, string name) => context.GetRouteValue(name) as string ?? "";

    private static string ApiBase(ConsoleView view) => $"/api/t/{Uri.EscapeDataString(view.Tenant)}";

    /// <summary>What a page is drawn from, with its ETag: the moves send it back as If-Match.</summary>
    private static async Task<(JsonObject Body, string ETag)> ReadAsync(ConsoleApi api, string path)
    {
        var answer = await api.GetAsync(path);
        return answer is { Ok: true, Body: JsonObject body } ? (body, answer.ETag ?? "") : throw new ConsoleApiException(answer);
    }

    /// <summary>The applications waiting for the window, the oldest due first (what the window page lists).</summary>
    public static Task<List<Api.WindowItem>> QueueAsync(ConsoleView view, ConsoleApi api) => ConsoleApi.AllAsync(async next =>
    {
        var answer = await api.GetAsync($"{ApiBase(view)}/window/applications?limit={Hosting.Paging.MaxLimit}" + (next is null ? "" : "&cursor=" + Uri.EscapeDataString(next)));
        var page = answer is { Ok: true, Body: { } body } ? ConsoleApi.Typed(body, Api.PageOfWindowItem.CreateFromDiscriminatorValue) : throw new ConsoleApiException(answer);
        return (page.Items, page.Next);
    });

    /// <summary>An application brought to the window by its tracking number.</summary>
    private static Task<IResult> FindAsync(HttpContext context, ConsoleView view, ConsoleApi api) =>
        Task.FromResult(Results.Redirect(ApplicationHref(view, context.Request.Query["number"].ToString().Trim())));

    private static async Task<IResult> ApplicationAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var (body, etag) = await ReadAsync(api, $"{ApiBase(view)}/window/applications/{Uri.EscapeDataString(Route(context, "number"))}");
        return PageResult.Of<WindowApplicationPage>(view.Page, new
        {
            View = view,
            Application = ConsoleApi.Typed(body, Api.ApplicationView.CreateFromDiscriminatorValue),
            Values = body["values"] as JsonObject ?? [],
            ETag = etag,
            Refused = refused,
            Typed = typed,
        }, refused?.Status ?? StatusCodes.Status200OK, noStore: true);
    }

    /// <summary>The window's move the form names, with the ETag the page was drawn from; the page again, or what the API refused on it.</summary>
    private static async Task<IResult> WindowMoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var number = Route(context, "number");
        JsonObject? body = move switch
        {
            "supplement" => new JsonObject
            {
                ["items"] = new JsonArray([.. form["material"].Select(m => new JsonObject { ["material"] = m, ["reason"] = form["reason." + m].ToString() })]),
                ["note"] = form["note"].ToString(),
            },
            "refuse" => new JsonObject { ["reason"] = form["reason"].ToString(), ["legalBasis"] = form["legalBasis"].ToString() },
            "handover" => new JsonObject
            {
                ["courier"] = form["courier"].ToString(), ["trackingNumber"] = form["trackingNumber"].ToString(),
                ["place"] = form["place"].ToString(), ["hours"] = form["hours"].ToString(),
            },
            _ => null,
        };
        var answer = await api.PostAsync($"{ApiBase(view)}/applications/{Uri.EscapeDataString(number)}/{move}", body, form["etag"].ToString());
        return answer.Ok ? Results.Redirect(ApplicationHref(view, number)) : await ApplicationAsync(context, view, api, answer, form);
    }

    private static async Task<IResult> CasesAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var status = context.Request.Query["status"].ToString();
        var cases = await ConsoleApi.AllAsync(async next =>
        {
            var answer = await api.GetAsync($"{ApiBase(view)}/cases?limit={Hosting.Paging.MaxLimit}" + (status.Length == 0 ? "" : "&status=" + Uri.EscapeDataString(status))
                + (next is null ? "" : "&cursor=" + Uri.EscapeDataString(next)));
            var page = answer is { Ok: true, Body: { } body } ? ConsoleApi.Typed(body, Api.PageOfCaseLine.CreateFromDiscriminatorValue) : throw new ConsoleApiException(answer);
            return (page.Items, page.Next);
        });
        // The inbox: what the deadline job told the officer's department (the window: every department), the newest first.
        var notices = await api.GetAsync($"{ApiBase(view)}/notices?limit=20");
        var inbox = notices is { Ok: true, Body: { } body } ? ConsoleApi.Typed(body, Api.PageOfNoticeView.CreateFromDiscriminatorValue).Items ?? [] : throw new ConsoleApiException(notices);
        return PageResult.Of<CasesPage>(view.Page, new { View = view, Cases = cases, Status = status, Notices = inbox }, noStore: true);
    }

    private static async Task<IResult> CaseAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var (body, etag) = await ReadAsync(api, $"{ApiBase(view)}/cases/{Uri.EscapeDataString(Route(context, "id"))}");
        return PageResult.Of<CasePage>(view.Page, new
        {
            View = view,
            Detail = ConsoleApi.Typed(body, Api.CaseDetail.CreateFromDiscriminatorValue),
            Values = body["values"] as JsonObject ?? [],
            ETag = etag,
            Refused = refused,
            Typed = typed,
        }, refused?.Status ?? StatusCodes.Status200OK, noStore: true);
    }

    private static async Task<IResult> CaseMoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var id = Route(context, "id");
        var body = move switch
        {
            "decide" => new JsonObject { ["outcome"] = form["outcome"].ToString(), ["legalBasis"] = form["legalBasis"].ToString(), ["reason"] = form["reason"].ToString() },
            "post-check" => new JsonObject { ["truthful"] = form["truthful"].ToString() switch { "true" => true, "false" => false, _ => null }, ["note"] = form["note"].ToString() },
            _ => new JsonObject { ["document"] = form["document"].ToString(), ["number"] = form["number"].ToString(), ["delivery"] = form["delivery"].ToString() is { Length: > 0 } way ? way : null },
        };
        var answer = await api.PostAsync($"{ApiBase(view)}/cases/{Uri.EscapeDataString(id)}/{move}", body, form["etag"].ToString());
        return await AfterCaseMoveAsync(context, view, api, answer, form);
    }

    /// <summary>The electronic document of the result, sent to the API as it was chosen: the API checks who may, its size and its type by content.</summary>
    private static async Task<IResult> DocumentAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var id = Route(context, "id");
        // No file chosen is an empty body: the API says who may first, then that it is no PDF or OFD.
        await using var stream = form.Files["file"]?.OpenReadStream() ?? Stream.Null;
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        var answer = await api.SendAsync(HttpMethod.Put, $"{ApiBase(view)}/cases/{Uri.EscapeDataString(id)}/document", content, form["etag"].ToString());
        return await AfterCaseMoveAsync(context, view, api, answer, form);
    }

    /// <summary>
    /// After a move: the case's page again; refused, the page with the refusal and what was typed — except a move that
    /// was not the person's to make (403) or a case they cannot see (404), which is the notice alone: nothing is read for them.
    /// </summary>
    private static async Task<IResult> AfterCaseMoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer answer, IFormCollection form) =>
        answer.Ok ? Results.Redirect(CaseHref(view, Route(context, "id")))
        : answer.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound ? ConsolePages.Notice(view, answer)
        : await CaseAsync(context, view, api, answer, form);
}
