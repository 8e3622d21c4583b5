using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Localization;
using OneGo.Server.ConsoleUi;
using OneGo.Server.Hosting;
using OneGo.Server.Pages;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Pages.ApplyUi;
using OneGo.Server.Pages.ConsoleUi;
using Api = OneGo.Client.Models;

namespace OneGo.Server.Apply;

/// <summary>
/// Where an applicant's application pages are shown: the applicant's own pages (<see cref="Applicant"/>), or the
/// console of a window officer acting for a walk-in applicant (<see cref="Console"/>). <see cref="Root"/> is where
/// this applicant's pages of the region start: <c>/apply/t/{tenant}</c> or <c>/console/t/{tenant}/window/{subject}</c>.
/// </summary>
public sealed record ApplySurface(PageRequest Page, Html Antiforgery, string Root, ConsoleView? Console, ApplyView? Applicant)
{
    public string ApplicationHref(string id) => $"{Root}/applications/{Uri.EscapeDataString(id)}";

    public string StartHref(string bundle) => $"{Root}/bundles/{Uri.EscapeDataString(bundle)}";

    /// <summary>A catalogue text as the generated client reads it, in the page's language.</summary>
    public Html Text(Api.Text? text) => text is null ? Html.Empty : Page.Text(OneGo.Catalogue.Text.Of(text.Zh ?? "", text.En));

    /// <summary>A moment as people here read it: Beijing time, to the minute.</summary>
    public static string When(DateTimeOffset? at) => Moments.When(at);
}

/// <summary>
/// An application's pages, the same for the applicant and for the window officer serving a walk-in: start one for a
/// bundle with the guide's answers; then, on its page, agree to data sharing dataset by dataset (as the child's guardian
/// where the form asks for a child), fill the one form, attach what is still to bring, sign the commitments and submit
/// once; then follow its cases. Every step is one API call made with the person's token (and, at the window, the
/// walk-in's subject); what the API refuses is shown on the page, and nothing typed is lost.
/// </summary>
internal static class ApplicationPages
{
    /// <summary>A page of an application: the surface it is shown on, and the API as the person signed in.</summary>
    public delegate Task<IResult> Handler(HttpContext context, ApplySurface surface, ConsoleApi api);

    /// <summary>Maps the pages under <paramref name="root"/>; <paramref name="surface"/> makes the page's surface, <paramref name="run"/> runs a handler on it.</summary>
    public static void Map(
        RouteGroupBuilder root, Func<HttpContext, ConsoleApi, ApplySurface> surface, Func<HttpContext, ApplySurface, ConsoleApi, Handler, Task<IResult>> run)
    {
        Delegate Page(Handler handler) => (HttpContext context, ConsoleApi api) => run(context, surface(context, api), api, handler);
        Delegate Form(Handler handler) => async (HttpContext context, ConsoleApi api, IAntiforgery antiforgery, IStringLocalizer<ConsoleWords> words) =>
        {
            var on = surface(context, api);
            return await antiforgery.IsRequestValidAsync(context)
                ? await run(context, on, api, handler)
                : Notice(on, ConsolePages.ExpiredAnswer(words));
        };

        root.MapGet("/bundles/{code}", Page((c, s, a) => StartPageAsync(c, s, a, null)));
        root.MapPost("/bundles/{code}", Form(StartAsync));
        root.MapGet("/applications/{id}", Page((c, s, a) => ApplicationAsync(c, s, a, null, null)));
        root.MapPost("/applications/{id}/consents", Form(ConsentAsync));
        root.MapPost("/applications/{id}/consents/{dataset}/withdraw", Form(WithdrawAsync));
        root.MapPost("/applications/{id}/values", Form(ValuesAsync));
        root.MapPost("/applications/{id}/materials/{code}", Form(AttachAsync))
            // A material's file comes through this page as it would to the API: its limit, raised for this route only (with room for the form around it).
            .WithMetadata(new LargerBody(
                services => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Features.Applications.ApplicationsSettings>>().Value.MaxFileBytes + FormOverhead,
                (context, max) => Results.StatusCode(StatusCodes.Status413PayloadTooLarge)));
        root.MapPost("/applications/{id}/submit", Form(SubmitAsync));
        root.MapPost("/applications/{id}/supplied", Form(async (context, surface, api) =>
            await AfterAsync(context, surface, api, await api.PostAsync(ApiPath(context, "/supplied")), "cases")));
        root.MapGet("/applications/{id}/results/{matter}", Page(ResultAsync));
        root.MapPost("/applications/{id}/ratings", Form(RateAsync));
        root.MapPost("/applications/{id}/rating-code", Form(CounterRatingAsync));
    }

    /// <summary>好差评 online: the level and comment chosen, for the application ("") or a case, under the key the page was written with.</summary>
    private static async Task<IResult> RateAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["level"] = form["level"].ToString(),
            ["comment"] = form["comment"].ToString() is { Length: > 0 } comment ? comment : null,
            ["matter"] = form["matter"].ToString() is { Length: > 0 } matter ? matter : null,
        };
        var key = form["key"].ToString() is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N");
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        var answer = await api.SendAsync(HttpMethod.Post, ApiPath(context, "/ratings"), content, null, new Dictionary<string, string> { ["Idempotency-Key"] = key });
        return await AfterAsync(context, surface, api, answer, "ratings-heading");
    }

    /// <summary>At the window: the counter's rating page opened for the applicant in front of it, where they choose the level.</summary>
    private static async Task<IResult> CounterRatingAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var answer = await api.PostAsync(ApiPath(context, "/rating-code"));
        return answer.Ok && answer.Body?["url"]?.GetValue<string>() is { } url ? Results.Redirect(url) : await ApplicationAsync(context, surface, api, answer, null);
    }

    /// <summary>统一出件: an electronic result, downloaded through the page as the API gives it to the person signed in.</summary>
    private static async Task<IResult> ResultAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        // Through the page's own API calls, which carry the walk-in's subject at the window.
        var (bytes, type) = await api.FileAsync(ApiPath(context, "/results/" + Uri.EscapeDataString(Route(context, "matter"))));
        context.Response.Headers.CacheControl = "no-store";
        return Results.File(bytes, type, $"{Route(context, "matter")}{(type == "application/ofd" ? ".ofd" : ".pdf")}");
    }

    /// <summary>What a form around a file adds to it: the antiforgery token, the boundaries and the part's headers.</summary>
    private const long FormOverhead = 64 * 1024;

    public static IResult Notice(ApplySurface surface, ApiAnswer answer) =>
        PageResult.Of<ApplyNotice>(surface.Page, new { Surface = surface, Answer = answer }, answer.Status is >= 400 and < 600 ? answer.Status : StatusCodes.Status502BadGateway, noStore: true);

    private static string Route(HttpContext context, string name) => context.GetRouteValue(name) as string ?? "";

    private static string ApiPath(HttpContext context, string rest = "") =>
        $"/api/t/{Uri.EscapeDataString(context.Tenant().Id)}/applications/{Uri.EscapeDataString(Route(context, "id"))}{rest}";

    /// <summary>The start of an application for a live bundle: its guide's questions, answered already when the bundle's page sent them.</summary>
    private static async Task<IResult> StartPageAsync(HttpContext context, ApplySurface surface, ConsoleApi api, ApiAnswer? refused, IReadOnlyDictionary<string, string>? answers = null)
    {
        var bundle = await api.Client.Api.T[context.Tenant().Id].Bundles[Route(context, "code")].GetAsync(cancellationToken: context.RequestAborted);
        return PageResult.Of<StartApplicationPage>(surface.Page, new
        {
            Surface = surface,
            Region = context.Tenant(),
            Bundle = bundle!,
            Answers = answers ?? Questionnaire.Read(context.Request.Query).Answers,
            Refused = refused,
        }, refused?.Status ?? StatusCodes.Status200OK, noStore: true);
    }

    /// <summary>Prepares the draft (its own id) with the guide's answers, and opens its page.</summary>
    private static async Task<IResult> StartAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var answers = Questionnaire.Read(form).Answers;
        var body = new JsonObject { ["bundle"] = Route(context, "code"), ["answers"] = new JsonObject(answers.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))) };
        var answer = await api.SendAsync(HttpMethod.Post, $"/api/t/{Uri.EscapeDataString(context.Tenant().Id)}/applications", body.ToJsonString(), null);
        return answer.Ok && answer.Body?["id"]?.GetValue<string>() is { } id
            ? Results.Redirect(surface.ApplicationHref(id))
            : await StartPageAsync(context, surface, api, answer, answers);
    }

    /// <summary>The application: a draft with its forms, or a submitted one with its number and cases.</summary>
    private static async Task<IResult> ApplicationAsync(HttpContext context, ApplySurface surface, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var answer = await api.GetAsync(ApiPath(context));
        if (!answer.Ok || answer.Body is not JsonObject body)
        {
            throw new ConsoleApiException(answer);
        }

        return PageResult.Of<ApplicationPage>(surface.Page, new
        {
            Surface = surface,
            Application = ConsoleApi.Typed(body, Api.ApplicationView.CreateFromDiscriminatorValue),
            Region = context.Tenant(),
            Values = body["values"] as JsonObject ?? [],
            FetchedFields = body["fetchedFields"] as JsonObject ?? [],
            Refused = refused,
            Typed = typed,
        }, refused?.Status ?? StatusCodes.Status200OK, noStore: true);
    }

    /// <summary>After a form: its page again (GET, so a reload sends nothing twice), or the API's refusal shown on it with what was typed.</summary>
    private static async Task<IResult> AfterAsync(HttpContext context, ApplySurface surface, ConsoleApi api, ApiAnswer answer, string section, IFormCollection? typed = null) =>
        answer.Ok
            ? Results.Redirect(surface.ApplicationHref(Route(context, "id")) + "#" + section)
            : await ApplicationAsync(context, surface, api, answer, typed);

    /// <summary>数据共享: the datasets ticked, agreed to with the text shown (its version in the form), as guardian when ticked.</summary>
    private static async Task<IResult> ConsentAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["datasets"] = new JsonArray([.. form["datasets"].Select(d => (JsonNode?)d)]),
            ["textVersion"] = form["textVersion"].ToString(),
            // Unticked is not an answer the API takes for a child's data: it says so, at /asGuardian.
            ["asGuardian"] = form.ContainsKey("asGuardian") ? true : null,
        };
        return await AfterAsync(context, surface, api, await api.SendAsync(HttpMethod.Post, ApiPath(context, "/consents"), body.ToJsonString(), null), "sharing");
    }

    private static async Task<IResult> WithdrawAsync(HttpContext context, ApplySurface surface, ConsoleApi api) =>
        await AfterAsync(context, surface, api, await api.SendAsync(HttpMethod.Delete, ApiPath(context, "/consents/" + Uri.EscapeDataString(Route(context, "dataset"))), null, null), "sharing");

    /// <summary>
    /// The one form: only the fields changed from what the page showed are sent (an ID number shown masked and left
    /// alone stays as it is), each as its type needs; an emptied field is cleared.
    /// </summary>
    private static async Task<IResult> ValuesAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var values = new JsonObject();
        foreach (var (key, typed) in form.Where(f => f.Key.StartsWith(FieldPrefix, StringComparison.Ordinal)))
        {
            var code = key[FieldPrefix.Length..];
            var text = typed.ToString().Trim();
            if (text == form[ShownPrefix + code].ToString().Trim())
            {
                continue;
            }

            values[code] = text.Length == 0 ? null : form[TypePrefix + code].ToString() switch
            {
                "number" when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) => number,
                "boolean" when bool.TryParse(text, out var yes) => yes,
                _ => text,
            };
        }

        if (values.Count == 0)
        {
            return Results.Redirect(surface.ApplicationHref(Route(context, "id")) + "#form");
        }

        return await AfterAsync(context, surface, api, await api.SendAsync(HttpMethod.Patch, ApiPath(context), new JsonObject { ["values"] = values }.ToJsonString(), null), "form", form);
    }

    /// <summary>The names of the one form's inputs: the value typed, the value shown, the field's type.</summary>
    public const string FieldPrefix = "v.", ShownPrefix = "shown.", TypePrefix = "type.";

    /// <summary>A material's file, sent to the API as it was chosen: the API checks its size and its type by content.</summary>
    private static async Task<IResult> AttachAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var code = Route(context, "code");
        if (form.Files["file"] is not { Length: > 0 } file)
        {
            var words = context.RequestServices.GetRequiredService<IStringLocalizer<ApplicationPage>>();
            return await ApplicationAsync(context, surface, api, new ApiAnswer(StatusCodes.Status422UnprocessableEntity, new JsonObject
            {
                ["title"] = words["NoFileChosen"].Value,
                ["errors"] = new JsonArray(new JsonObject { ["pointer"] = "/materials/" + code, ["message"] = words["NoFileChosen"].Value }),
            }, null, null), null);
        }

        await using var stream = file.OpenReadStream();
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return await AfterAsync(context, surface, api, await api.SendAsync(HttpMethod.Put, ApiPath(context, "/materials/" + Uri.EscapeDataString(code)), content, null), "owed");
    }

    /// <summary>一次提交 with the commitments ticked, under the Idempotency-Key the page was written with: a second click returns the same application.</summary>
    private static async Task<IResult> SubmitAsync(HttpContext context, ApplySurface surface, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject { ["commitments"] = new JsonArray([.. form["commitments"].Select(c => (JsonNode?)c)]) };
        var key = form["key"].ToString() is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N");
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        var answer = await api.SendAsync(HttpMethod.Post, ApiPath(context, "/submit"), content, null, new Dictionary<string, string> { ["Idempotency-Key"] = key });
        return await AfterAsync(context, surface, api, answer, "application");
    }
}
