using System.Text.Json.Nodes;
using OneGo.Server.Apply;
using OneGo.Server.Pages;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Pages.ConsoleUi;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// 综窗 in the console: an officer of the region's comprehensive window registers a walk-in applicant whose identity
/// card they checked, chooses the bundle the person came for, and prepares, fills and submits the application with
/// them on the same application pages an applicant uses (<see cref="ApplicationPages"/>), each call made with the
/// officer's token and the walk-in's subject (<c>X-OneGo-Applicant</c>): the API decides who may, and records both.
/// </summary>
internal static class WindowPages
{
    public static void Map(RouteGroupBuilder tenant)
    {
        tenant.MapGet("/window", ConsolePages.Guarded(AtTheWindow((context, view, api) => WindowAsync(context, view, api, null, null))));
        tenant.MapPost("/window/walk-ins", ConsolePages.Posted(AtTheWindow(RegisterAsync)));
        tenant.MapGet("/window/{applicant}", ConsolePages.Guarded(AtTheWindow(WalkInAsync)));
        ApplicationPages.Map(tenant.MapGroup("/window/{applicant}"), Surface, (context, surface, api, handler) =>
            ConsolePages.RunAsync(context, surface.Console!, api, AtTheWindow((c, _, a) => handler(c, surface, a))));
    }

    /// <summary>
    /// The window's pages are for the officers of the region (by the rule the API applies to walk-ins): anyone else is
    /// told so, as the 403 the API would answer, before any page reads or writes anything for an applicant.
    /// </summary>
    public static ConsolePages.PageHandler AtTheWindow(ConsolePages.PageHandler handler) =>
        ConsolePages.Only(Identity.Capability.ServeAtWindow, "WindowOnly", handler);

    public static string Href(ConsoleView view) => view.Base + "/window";

    /// <summary>The walk-in's pages of the route's region, in the officer's console, every call acting for them.</summary>
    private static ApplySurface Surface(HttpContext context, ConsoleApi api)
    {
        var view = ConsoleView.Of(context, context.Tenant());
        var applicant = context.GetRouteValue("applicant") as string ?? "";
        api.ActingFor = applicant;
        return new ApplySurface(view.Page, view.Antiforgery, $"{Href(view)}/{Uri.EscapeDataString(applicant)}", view, null);
    }

    private static async Task<IResult> WindowAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed) =>
        PageResult.Of<WindowPage>(view.Page, new { View = view, Queue = await CaseWorkPages.QueueAsync(view, api), Refused = refused, Typed = typed },
            refused?.Status ?? StatusCodes.Status200OK, noStore: true);

    /// <summary>Registers the walk-in (name and ID number as on the card checked) and opens their page.</summary>
    private static async Task<IResult> RegisterAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject { ["name"] = form["name"].ToString(), ["idNumber"] = form["idNumber"].ToString() };
        var answer = await api.PostAsync($"/api/t/{Uri.EscapeDataString(view.Tenant)}/walk-ins", body);
        return answer.Ok && answer.Body?["subject"]?.GetValue<string>() is { } subject
            ? Results.Redirect($"{Href(view)}/{Uri.EscapeDataString(subject)}")
            : await WindowAsync(context, view, api, answer, form);
    }

    /// <summary>A walk-in's page: their applications in the region, and the region's live bundles, each a start of an application for them.</summary>
    private static async Task<IResult> WalkInAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var applicant = context.GetRouteValue("applicant") as string ?? "";
        api.ActingFor = applicant;
        var applications = await ConsoleApi.AllAsync(async next =>
        {
            var answer = await api.GetAsync($"/api/t/{Uri.EscapeDataString(view.Tenant)}/applications?limit={Hosting.Paging.MaxLimit}"
                + (next is null ? "" : "&cursor=" + Uri.EscapeDataString(next)));
            var page = answer is { Ok: true, Body: { } body } ? ConsoleApi.Typed(body, OneGo.Client.Models.PageOfApplicationItem.CreateFromDiscriminatorValue) : throw new ConsoleApiException(answer);
            return (page.Items, page.Next);
        });
        return PageResult.Of<WalkInPage>(view.Page, new { View = view, Applicant = applicant, Applications = applications, Bundles = await api.LiveAsync(view.Tenant) }, noStore: true);
    }
}
