using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions.Serialization;
using Models = OneGo.Client.Models;
using OneGo.Server.Pages;
using OneGo.Server.Pages.ConsoleUi;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// One bundle's working copy in the console: its state, the standard it adopts (what is locked, how far behind),
/// its local changes with a form for each kind of change, the effective bundle and the differences, and the review
/// moves — submit, approve, reject, rebase, withdraw. Every form carries the ETag of the working copy it was drawn
/// from, sent as If-Match; what the API refuses is shown next to the form that asked (the API's 422, naming the change).
/// The page is the component <see cref="BundleWorkspacePage"/>; here are its route and the handlers of its forms.
/// </summary>
internal static class BundleWorkspace
{
    /// <summary>A refused form: which section asked, what the API answered, and what was typed, to show it again.</summary>
    private sealed record Failure(string Section, ApiAnswer Answer, IFormCollection? Form);

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

        tenant.MapPost("/bundles/{code}/withdraw", ConsolePages.Posted((c, v, a) => MoveAsync(c, v, a, BundleWorkspacePage.WithdrawSection, "withdrawal")));
        tenant.MapPost("/bundles/{code}/rebase", ConsolePages.Posted(RebaseAsync));
    }

    private static string Code(HttpContext context) => context.GetRouteValue("code")?.ToString() ?? "";

    private static string Api(ConsoleView view, string code) => $"/api/t/{view.Tenant}/bundles/{Uri.EscapeDataString(code)}";

    private static Task<WorkingCopy<Models.DraftView>> WorkingCopyAsync(ConsoleApi api, ConsoleView view, string code) =>
        api.WorkingCopyAsync(Api(view, code) + "/draft", Models.DraftView.CreateFromDiscriminatorValue);

    private static async Task<IResult> AddChangeAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var op = form["op"].ToString();
        var shape = ChangeKind.All.FirstOrDefault(f => f.Op == op);
        if (shape is null)
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

        return await ChangeDocumentAsync(context, view, api, BundleChanges.ChangeSection(shape), form, document =>
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
        return await ChangeDocumentAsync(context, view, api, BundleChanges.Section, form, document =>
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
        return put.Ok ? Back(view, code, "document") : await RenderAsync(context, view, api, new Failure(BundleWorkspacePage.DocumentSection, put, form));
    }

    /// <summary>Applies an edit to the working copy the form was drawn from and saves it with If-Match; a refusal is shown beside the form.</summary>
    private static async Task<IResult> ChangeDocumentAsync(HttpContext context, ConsoleView view, ConsoleApi api, string section, IFormCollection form, Action<JsonObject> edit)
    {
        var code = Code(context);
        var document = (await WorkingCopyAsync(api, view, code)).Document.DeepClone().AsObject();
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
        return answer.Ok ? Back(view, code, "changes") : await RenderAsync(context, view, api, new Failure(BundleWorkspacePage.RebaseSection, answer, form));
    }

    // After a successful post the page is read again (post, redirect, get): a reload does not post twice.
    private static IResult Back(ConsoleView view, string code, string anchor) => Results.Redirect($"{ConsolePages.BundleHref(view, code)}#{anchor}");

    private static async Task<IResult> RenderAsync(HttpContext context, ConsoleView view, ConsoleApi api, Failure? failure)
    {
        var code = Code(context);
        var copy = await WorkingCopyAsync(api, view, code);
        var adopts = copy.View.Document?.Adopts;
        var state = copy.View.State;

        AdoptedStandard? standard = null;
        IReadOnlyList<string> locked = [];
        if (adopts is not null)
        {
            var diff = await api.GetAsync(Api(view, code) + "/draft/diff?against=template");
            standard = diff.Ok ? AdoptedStandard.Of(diff.Body?["standard"]) : null;
            locked = (await api.TemplatesAsync(adopts.Tenant ?? "")).FirstOrDefault(t => t.Code == code)?.Locked ?? [];
        }

        var effective = await api.GetAsync(Api(view, code) + "/draft/effective");
        var againstLive = copy.View.LiveVersion is not null && state != Models.DraftState.Approved ? await api.GetAsync(Api(view, code) + "/draft/diff?against=live") : null;
        return PageResult.Of<BundleWorkspacePage>(view.Page, new
        {
            View = view, BundleCode = code, Copy = copy, Standard = standard, Locked = locked, Effective = effective,
            EffectiveBundle = effective.Ok && effective.Body is not null ? ConsoleApi.Typed(effective.Body, Models.EffectiveBundle.CreateFromDiscriminatorValue) : null,
            AgainstLive = againstLive, Refused = failure is null ? ((string, ApiAnswer)?)null : (failure.Section, failure.Answer), Typed = failure?.Form,
        }, failure?.Answer.Status ?? StatusCodes.Status200OK);
    }
}

/// <summary>A kind of change a form offers: its op, the JSON pointer a standard may lock, and its fields (their words are in ChangeForm's resources).</summary>
public sealed record ChangeKind(string Op, string Target, ChangeField[] Fields)
{
    public static readonly ChangeKind[] All =
    [
        new("setLeadDepartment", "/leadDepartment", [new("department", "text")]),
        new("setMatterDepartment", "/matters", [new("matter", "matter"), new("department", "text")]),
        new("setAddress", "/serviceLocation/address", [new("address", "text")]),
        new("setHours", "/serviceLocation/hours", [new("hours", "text")]),
        new("setContact", "/serviceLocation/contact", [new("contact", "text")]),
        new("shortenPromisedDays", "/promisedDays", [new("matter", "matter?"), new("days", "number")]),
        new("markNotApplicable", "/matters", [new("matter", "matter")]),
        new("setGuideText", "/guideText", [new("text", "textarea")]),
    ];

    /// <summary>The names of the kind's words in ChangeForm's resources: the form's legend, and each field's label.</summary>
    public IEnumerable<string> WordNames => Fields.Select(FieldWords).Prepend(Words);

    public string Words => "Change." + Op;

    public string FieldWords(ChangeField field) => $"Field.{Op}.{field.Name}";
}

/// <summary>A field of a change: the JSON property it fills and its control (text, number, textarea, a matter, or a matter or none).</summary>
public sealed record ChangeField(string Name, string Kind);

/// <summary>
/// The standard an adopter follows, typed (what it adopts, the latest version, how far behind), with the differences as
/// the API wrote them: a difference's before and after are any JSON, shown as JSON text, which a typed model would lose.
/// </summary>
public sealed record AdoptedStandard(Models.StandardStatus Status, JsonArray Differences, JsonArray ChangedSince)
{
    public int Behind => Status.Behind ?? 0;

    public static AdoptedStandard? Of(JsonNode? standard) => standard is null ? null : new(
        ConsoleApi.Typed(standard, Models.StandardStatus.CreateFromDiscriminatorValue),
        standard["differences"] as JsonArray ?? [], standard["standardChangedSince"] as JsonArray ?? []);
}
