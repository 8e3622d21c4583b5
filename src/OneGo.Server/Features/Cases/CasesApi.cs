using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Calendar;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using OneGo.Tenancy;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Cases;

/// <summary><c>CaseWork</c>: how long an applicant has to answer the window's supplement notice, and how the deadlines are watched.</summary>
public sealed class CaseWorkSettings : ISettings
{
    public static string Section => "CaseWork";

    /// <summary>补正: calendar days after the notice by which the applicant supplies what it lists; unanswered, the application is withdrawn (视为撤回).</summary>
    [Positive]
    public int SupplementPeriodDays { get; set; } = 30;

    /// <summary>A case is marked at risk when it is due within this many working days (today included when 0).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 30)]
    public int AtRiskWorkingDays { get; set; } = 2;

    /// <summary>告知承诺: working days after acceptance by which the department checks what was signed in place of a material (事后核查).</summary>
    [Positive]
    public int PostCheckWorkingDays { get; set; } = 20;

    /// <summary>When the deadlines are watched: a Quartz cron (Asia/Shanghai) or an interval <c>hh:mm:ss</c>.</summary>
    public string DeadlineSchedule { get; set; } = DeadlineJob.DefaultSchedule;

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        Scheduling.JobSchedule.Problem(DeadlineSchedule, DeadlineJob.ScheduleSetting) is { } schedule ? [schedule] : [];
}

/// <summary>
/// 前台综合受理、后台分类审批: the comprehensive window's moves on an application (accept once, one supplement notice,
/// or refuse to accept), the applicant's answer to the notice, and the departments' moves on their cases (decide, then
/// issue), each with If-Match, audited, and 409 from a state it does not apply to. Officers of a department work in
/// their department's scope of the tenancy mechanism: another department's case is not found. The rules themselves
/// are <see cref="CaseFlow"/>; this is the routing table and the shapes the routes send.
/// </summary>
internal static partial class CasesApi
{
    public static IServiceCollection AddOneGoCaseWork(this IServiceCollection services)
    {
        services.AddSettings<CaseWorkSettings>();
        services.AddScoped<DeadlineTelling>();
        services.AddSingleton<WebhookRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookRelay>());
        services.AddRecurringJob<DeadlineJob>(DeadlineJob.Name, DeadlineJob.ScheduleSetting,
            sp => sp.GetRequiredService<IOptions<CaseWorkSettings>>().Value.DeadlineSchedule, DeadlineJob.DefaultSchedule);
        return services;
    }

    public static IEndpointRouteBuilder MapCasesApi(this IEndpointRouteBuilder app)
    {
        var window = app.MapGroup("/api/t/{tenant}").WithTags("Case work").Requires(Capability.ServeAtWindow);
        window.MapGet("/window/applications", ListAtWindowAsync).WithName("listWindowApplications")
            .WithSummary("The comprehensive window's applications: those waiting for acceptance or a supplement (state= narrows), the oldest due first; applicants' names masked.");
        window.MapGet("/window/applications/{number}", GetAtWindowAsync).WithName("getWindowApplication")
            .WithSummary("A submitted application as the window accepts it: the form, materials, cases and the supplement notice; its ETag for the moves. Every read is audited.");
        window.MapPost("/applications/{id}/accept", AcceptAsync).WithName("acceptApplication")
            .WithSummary("受理, once, of the application named by its tracking number (or id): the cases' due dates start, each its matter's promised working days from today on the holiday calendar.");
        window.MapPost("/applications/{id}/supplement", SupplementAsync).WithName("requestSupplement")
            .WithSummary("补正, 一次性告知: the one notice, listing every item of every case to supply; the clock stops until the applicant answers. A second notice is 409.")
            .Accepts<SupplementRequest>(MediaTypes.Json);
        window.MapPost("/applications/{id}/refuse", RefuseAsync).WithName("refuseApplication")
            .WithSummary("不予受理, with reason and legal basis: the application and its cases end.")
            .Accepts<RefuseRequest>(MediaTypes.Json);

        var actingFor = new RequestHeader(OnBehalf.Header,
            "Sent by an officer of the region's comprehensive window only: the subject of the walk-in applicant it acts for.", Required: false, Pattern: "^[0-9a-fA-F-]{36}$");
        app.MapGroup("/api/t/{tenant}/applications").WithTags("Applications").Requires(Capability.Apply).WithMetadata(actingFor)
            .MapPost("/{id}/supplied", SuppliedAsync).WithName("answerSupplement")
            .WithSummary("The applicant has supplied every item of the supplement notice (each material's file sent after the notice): back to the window, the clock running again.");

        var cases = app.MapGroup("/api/t/{tenant}/cases").WithTags("Case work").Requires(Capability.WorkCases);
        cases.MapGet("", ListAsync).WithName("listCases")
            .WithSummary("The cases of the officer's department (the window: every department, or department=), the oldest due first; status= and due= (due on or before that day) narrow it; postCheck=open lists those whose post-check of commitments is open, the oldest due first.");
        cases.MapGet("/{id}", GetAsync).WithName("getCase")
            .WithSummary("One case with its application's form values (masked), materials and history; its ETag for the moves. Every read is audited.");
        cases.MapPost("/{id}/decide", DecideAsync).WithName("decideCase")
            .WithSummary("The department decides its ready case: approve or deny, with legal basis (a denial with its reason closes the cases that wait for it as not applicable).")
            .Accepts<DecisionRequest>(MediaTypes.Json);
        cases.MapPost("/{id}/issue", IssueAsync).WithName("issueCase")
            .WithSummary("The department issues the result of its approved case: the document or licence and its number. The cases waiting for it alone start.")
            .Accepts<IssueRequest>(MediaTypes.Json);
        MapDelivery(app, cases, actingFor);
        MapPostCheck(cases);
        return app;
    }

    /// <summary>An item the window asks for: a material of the guide, and what is wrong or missing.</summary>
    public sealed record SupplementItemRequest(string? Material, string? Reason);

    /// <summary>The one supplement notice: every item at once, and a note for the applicant.</summary>
    public sealed record SupplementRequest(IReadOnlyList<SupplementItemRequest?>? Items, string? Note);

    /// <summary>不予受理: why, and on what legal basis.</summary>
    public sealed record RefuseRequest(string? Reason, string? LegalBasis);

    /// <summary>A department's decision.</summary>
    /// <param name="Outcome">approve or deny.</param>
    /// <param name="Reason">Required for a denial: it is given to the applicant and to the cases it closes.</param>
    public sealed record DecisionRequest(string? Outcome, string? LegalBasis, string? Reason);

    /// <summary>The result issued.</summary>
    /// <param name="Document">The document or licence issued (its name).</param>
    /// <param name="Number">Its number.</param>
    /// <param name="Delivery">How it reaches the applicant, one of the bundle's ways (online, post, window); optional when the bundle has one way. Online needs the electronic document sent first (PUT …/document).</param>
    public sealed record IssueRequest(string? Document, string? Number, string? Delivery = null);

    /// <summary>A line of the window's list.</summary>
    /// <param name="ApplicantName">Masked: the surname only.</param>
    /// <param name="AnswerBy">The last day to answer the supplement notice, while it is open.</param>
    public sealed record WindowItem(
        Guid Id, string Number, ApplicationState State, string Bundle, Text BundleName, string ApplicantName, DateTimeOffset SubmittedAt, DateOnly? DueOn, DateOnly? AnswerBy);

    /// <summary>A line of a department's list.</summary>
    /// <param name="PostCheckDueOn">告知承诺: the day the post-check of its commitments is due, while it is open.</param>
    public sealed record CaseLine(
        Guid Id, string Application, ApplicationState ApplicationState, string Matter, Text Name, string Department, CaseState State, DateOnly? DueOn, bool DueProvisional,
        CaseWatch Watch, string ApplicantName, DateTimeOffset? AcceptedAt, DateOnly? PostCheckDueOn = null);

    /// <summary>One case as its department works it.</summary>
    /// <param name="Application">The application's tracking number.</param>
    /// <param name="Values">The form values, ID and phone numbers masked.</param>
    /// <param name="Materials">The files the applicant sent.</param>
    /// <param name="History">What happened to the application and this case, the oldest first.</param>
    /// <param name="Ways">How this case's result may reach the applicant: what issuing it may name as its delivery.</param>
    public sealed record CaseDetail(
        ApplicationsApi.CaseView Case, string Application, ApplicationState ApplicationState, string Bundle, Text BundleName, string ApplicantName,
        DateTimeOffset SubmittedAt, DateTimeOffset? AcceptedAt, DateOnly? ApplicationDueOn,
        IReadOnlyDictionary<string, JsonElement> Values, IReadOnlyList<MaterialFiles.MaterialFileView> Materials, IReadOnlyList<SignedCommitment> Commitments,
        IReadOnlyList<HistoryEntry> History, IReadOnlyList<Delivery> Ways);

    /// <summary>A step of an application's or a case's history.</summary>
    public sealed record HistoryEntry(DateTimeOffset At, string What, string By, string? Detail);

    internal static string ETagOf(Application application) => $"\"a{application.Revision}\"";

    internal static string ETagOf(ApplicationCase @case) => $"\"c{@case.Revision}\"";

    /// <summary>A name as lists show it: the surname, then a star for each other character.</summary>
    internal static string MaskName(string name) => name.Length <= 1 ? name : name[..1] + new string('*', name.Length - 1);

    // ---- The comprehensive window ----

    private static async Task<Results<Ok<Page<WindowItem>>, InvalidProblem, ProblemHttpResult>> ListAtWindowAsync(
        HttpContext context, OneGoDbContext db, string? state, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (await OnBehalf.WindowRefusalAsync(context, context.Tenant()) is { } refusal)
        {
            return refusal;
        }

        var (paging, errors) = Paging.Read(limit, cursor);
        ApplicationState[] states = [ApplicationState.Submitted, ApplicationState.Supplementing];
        if (state is not null)
        {
            if (EnumWords.Parse<ApplicationState>(state) is { } one && one != ApplicationState.Draft)
            {
                states = [one];
            }
            else
            {
                errors.Add(ApiError.ForParameter("state", "enum", $"state is one of {string.Join(", ", Enum.GetValues<ApplicationState>().Where(s => s != ApplicationState.Draft).Select(EnumWords.Of))}."));
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var applications = await db.Set<Application>().AsNoTracking().Where(a => states.Contains(a.State)).ToListAsync(cancellationToken);
        var ordered = applications.Select(a => (application: a, key: $"{DueKey(a.DueOn)}{a.Id:N}")).OrderBy(a => a.key, StringComparer.Ordinal);
        var page = paging.Take(ordered, a => a.key);
        return TypedResults.Ok(new Page<WindowItem>(page.Items.Select(i => i.application).Select(a => new WindowItem(
            a.Id, a.Number!, a.State, a.BundleCode, TextOf(a.BundleName), MaskName(a.ApplicantName), a.SubmittedAt!.Value, a.DueOn,
            a.State == ApplicationState.Supplementing ? CaseFlow.SupplementOf(a)!.AnswerBy : null)).ToList(), page.Next));
    }

    private static async Task<Results<Ok<ApplicationView>, NotFoundProblem, ProblemHttpResult>> GetAtWindowAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, string number,
        CancellationToken cancellationToken)
    {
        if (await OnBehalf.WindowRefusalAsync(context, context.Tenant()) is { } refusal)
        {
            return refusal;
        }

        var application = await SubmittedAsync(db, number, cancellationToken);
        if (application is null)
        {
            return NoSuchApplication(context, number);
        }

        context.AuditOnAnswer($"applicant/{application.ApplicantId}", "at the comprehensive window: acceptance");
        context.Response.Headers.ETag = ETagOf(application);
        return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
    }

    private static async Task<Results<Ok<ApplicationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> AcceptAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, WorkingDayCalendar workingDays,
        IOptions<CaseWorkSettings> settings, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (application, refused) = await WindowMoveAsync(context, db, id, "accepted", a => a.State == ApplicationState.Submitted, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var calendar = await workingDays.CurrentAsync(db, cancellationToken);
        CaseFlow.Accept(application!, calendar, settings.Value.PostCheckWorkingDays, clock.Now(), context.Actor());
        db.Audit(new AuditEvent(context.Actor(), "application.accept", $"application/{application!.Number}", new
        {
            cases = application.Cases.OrderBy(c => c.Matter, StringComparer.Ordinal).Select(c => new { matter = c.Matter, department = c.Department, dueOn = c.DueOn, postCheckDueOn = c.PostCheckDueOn }),
        }));
        return await SavedAsync(context, db, catalogue, directory, protector, application, cancellationToken);
    }

    private static async Task<Results<Ok<ApplicationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> SupplementAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, IOptions<CaseWorkSettings> settings,
        TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (application, refused) = await WindowMoveAsync(context, db, id, "given a supplement notice",
            a => a.State == ApplicationState.Submitted && a.Supplement is null, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<SupplementRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var guide = await GuideOfAsync(db, catalogue, application!, cancellationToken);
        var materials = Suppliable(guide).ToDictionary(m => m.Code, m => m.Name, StringComparer.Ordinal);
        var errors = new List<ApiError>();
        var items = new List<SupplementItem>();
        if (request.Items is not { Count: > 0 })
        {
            errors.Add(ApiError.At("/items", "required", "List every item to supply, at once (一次性告知): a material of the guide and what is wrong or missing."));
        }
        else if (request.Items.Count > materials.Count)
        {
            errors.Add(ApiError.At("/items", "too-many", $"This application's guide has {materials.Count} materials to supply: one item each at most."));
        }

        foreach (var (item, index) in (request.Items ?? []).Select((item, index) => (item, index)))
        {
            var at = $"/items/{index}";
            if (item?.Material is not { Length: > 0 } material || !materials.TryGetValue(material, out var name))
            {
                errors.Add(ApiError.At(at + "/material", "unknown-material",
                    $"Name a material of this application's guide: {string.Join(", ", materials.Keys)}."));
                continue;
            }

            if (items.Any(i => i.Material == material))
            {
                errors.Add(ApiError.At(at + "/material", "duplicate", $"{material} is listed already: say everything about it in one item."));
            }

            if (string.IsNullOrWhiteSpace(item.Reason))
            {
                errors.Add(ApiError.At(at + "/reason", "required", $"Say what is wrong with or missing from {name.Zh}: the applicant supplies it from this notice alone."));
            }

            errors.CheckLength(at + "/reason", item.Reason, 500);
            items.Add(new SupplementItem(material, name, (item.Reason ?? "").Trim()));
        }

        errors.CheckLength("/note", request.Note, 2000);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        CaseFlow.Notice(application!, items, string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(), clock.Now(), context.Actor(), settings.Value.SupplementPeriodDays);
        db.Audit(new AuditEvent(context.Actor(), "application.supplement", $"application/{application!.Number}", new
        {
            items = items.Select(i => i.Material),
            answerBy = CaseFlow.SupplementOf(application)!.AnswerBy,
        }));
        return await SavedAsync(context, db, catalogue, directory, protector, application, cancellationToken);
    }

    private static async Task<Results<Ok<ApplicationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> RefuseAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (application, refused) = await WindowMoveAsync(context, db, id, "refused",
            a => a.State is ApplicationState.Submitted or ApplicationState.Supplementing, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<RefuseRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = Required(("/reason", request.Reason, 1000, "Say why it is not accepted: the applicant is told."),
            ("/legalBasis", request.LegalBasis, 1000, "Name the legal basis of the refusal (不予受理)."));
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        CaseFlow.Close(application!, ApplicationState.Refused, request.Reason!.Trim(), request.LegalBasis!.Trim(), clock.Now(), context.Actor());
        db.Audit(new AuditEvent(context.Actor(), "application.refuse", $"application/{application!.Number}", new { legalBasis = request.LegalBasis.Trim() }));
        return await SavedAsync(context, db, catalogue, directory, protector, application, cancellationToken);
    }

    /// <summary>The materials a supplement may name: what the applicant brings, what was fetched for them, what follows later, what a commitment replaced.</summary>
    internal static IEnumerable<GuideMaterial> Suppliable(Guide guide) =>
        guide.Bring.Concat(guide.FetchedForYou).Concat(guide.MayFollowLater).Concat(guide.ByCommitment).DistinctBy(m => m.Code);

    // The window's checks in the contract's order: 403 not its window, 404, 409 the state, 428, 412.
    private static async Task<(Application? Application, CaseMoveProblem? Refused)> WindowMoveAsync(
        HttpContext context, OneGoDbContext db, string number, string move, Func<Application, bool> applies, CancellationToken cancellationToken,
        Func<Application, string>? whyNot = null)
    {
        if (await OnBehalf.WindowRefusalAsync(context, context.Tenant()) is { } refusal)
        {
            return (null, new CaseMoveProblem(refusal));
        }

        var application = await SubmittedAsync(db, number, cancellationToken);
        if (application is null)
        {
            return (null, new CaseMoveProblem(NoSuchApplication(context, number).Problem));
        }

        if (!applies(application))
        {
            return (null, StateConflict(EnumWords.Of(application.State), whyNot is not null ? whyNot(application)
                : application.State == ApplicationState.Submitted && application.Supplement is not null
                ? $"Application {application.Number} had its one supplement notice ({CaseFlow.SupplementOf(application)!.NoticedAt:yyyy-MM-dd}): 一次性告知 — everything to supply is listed at once. Accept it or refuse it."
                : $"Application {application.Number} is {EnumWords.Of(application.State)}: it cannot be {move}."));
        }

        return Precondition(context, ETagOf(application)) is { } precondition ? (null, precondition) : (application, null);
    }

    internal static CaseMoveProblem StateConflict(string state, string detail) => new(TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: "Not from this state", detail: detail, type: "https://onego.gov.cn/problems/state",
        extensions: new Dictionary<string, object?> { ["state"] = state }));

    internal static CaseMoveProblem? Precondition(HttpContext context, string current)
    {
        var (ifMatch, missing) = Preconditions.RequireIfMatch(context.Request);
        return missing is not null ? new CaseMoveProblem(missing)
            : Preconditions.CheckIfMatch(ifMatch!, current) is { } stale ? new CaseMoveProblem(stale) : null;
    }

    private static async Task<Results<Ok<ApplicationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> SavedAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, Application application,
        CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new CaseMoveProblem(Preconditions.Stale(null));
        }

        context.Response.Headers.ETag = ETagOf(application);
        return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
    }

    /// <summary>A submitted application of the scope's region by its tracking number (or id); drafts are the applicant's alone.</summary>
    private static async Task<Application?> SubmittedAsync(OneGoDbContext db, string number, CancellationToken cancellationToken) =>
        await FindAsync(db, number, cancellationToken) is { State: not ApplicationState.Draft } application ? application : null;

    private static NotFoundProblem NoSuchApplication(HttpContext context, string number) =>
        ApiProblems.NotFound("No such application", $"{context.Tenant().Id} has no submitted application '{number}'.");

    // ---- The applicant's answer ----

    private static async Task<Results<Ok<ApplicationView>, NotFoundProblem, ConflictProblem, InvalidProblem>> SuppliedAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, WorkingDayCalendar workingDays,
        TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        if (application is null)
        {
            return UnknownApplication(context, id);
        }

        if (application.State != ApplicationState.Supplementing)
        {
            return ApiProblems.Conflict("No supplement notice open", $"Application {application.Number ?? application.Id.ToString()} is {EnumWords.Of(application.State)}: there is no supplement notice to answer.");
        }

        var notice = CaseFlow.SupplementOf(application)!;
        var errors = notice.Items.Select((item, index) => (item, index))
            .Where(i => application.Files.SingleOrDefault(f => f.Material == i.item.Material) is not { } file || file.UploadedAt < notice.NoticedAt)
            .Select(i => ApiError.At($"/items/{i.index}", "file-needed",
                $"Send the file of {i.item.Name.Zh} ({i.item.Material}) first (PUT …/materials/{i.item.Material}): {i.item.Reason}"))
            .ToList();
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "Everything the notice lists is supplied together: send each file, then answer.");
        }

        var calendar = await workingDays.CurrentAsync(db, cancellationToken);
        CaseFlow.Supplied(application, calendar, clock.Now(), OnBehalf.IsOfficer(context.User));
        db.Audit(new AuditEvent(context.Actor(), "application.supplied", $"application/{application.Number}", new
        {
            files = application.Files.Where(f => notice.Items.Any(i => i.Material == f.Material)).OrderBy(f => f.Material, StringComparer.Ordinal)
                .Select(f => new { material = f.Material, sha256 = f.Sha256 }),
            pausedDays = CaseFlow.SupplementOf(application)!.PausedDays,
            dueOn = application.DueOn,
        }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Changed meanwhile", "The application changed while the answer was on its way: read it again.");
        }

        return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
    }

    // ---- The departments ----

    private static async Task<Results<Ok<Page<CaseLine>>, InvalidProblem>> ListAsync(
        OneGoDbContext db, string? department, string? status, DateOnly? due,
        [System.ComponentModel.Description("open: only the cases whose post-check of commitments (事后核查) is open, ordered by its due date.")] string? postCheck,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (postCheck is not (null or "open"))
        {
            errors.Add(ApiError.ForParameter("postCheck", "enum", $"postCheck is open, or absent for every case; it was '{postCheck}'."));
        }

        CaseState? state = null;
        if (status is not null)
        {
            state = EnumWords.Parse<CaseState>(status);
            if (state is null)
            {
                errors.Add(ApiError.ForParameter("status", "enum", $"status is one of {string.Join(", ", Enum.GetValues<CaseState>().Select(EnumWords.Of))}."));
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // The department's scope: an officer sees their department's cases, whatever department= says.
        var cases = db.Set<ApplicationCase>().AsNoTracking();
        cases = department is null ? cases : cases.Where(c => c.Department == department);
        cases = state is null ? cases : cases.Where(c => c.State == state);
        cases = due is null ? cases : cases.Where(c => c.DueOn <= due);
        cases = postCheck is null ? cases : cases.Where(c => c.PostCheckDueOn != null);
        var rows = await cases.Join(db.Set<Application>().AsNoTracking(), c => c.ApplicationId, a => a.Id, (c, a) => new { Case = c, a.Number, a.State, a.ApplicantName, a.AcceptedAt })
            .ToListAsync(cancellationToken);
        var ordered = rows.Select(r => (row: r, key: $"{DueKey(postCheck is null ? r.Case.DueOn : r.Case.PostCheckDueOn)}{r.Case.Id:N}")).OrderBy(r => r.key, StringComparer.Ordinal);
        var page = paging.Take(ordered, r => r.key);
        return TypedResults.Ok(new Page<CaseLine>(page.Items.Select(i => i.row).Select(r => new CaseLine(
            r.Case.Id, r.Number!, r.State, r.Case.Matter, TextOf(r.Case.MatterName), r.Case.Department, r.Case.State, r.Case.DueOn, r.Case.DueProvisional,
            r.Case.Watch, MaskName(r.ApplicantName), r.AcceptedAt, r.Case.PostCheckDueOn)).ToList(), page.Next));
    }

    private static async Task<Results<Ok<CaseDetail>, NotFoundProblem>> GetAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, string id,
        CancellationToken cancellationToken)
    {
        var found = await CaseAsync(db, id, cancellationToken);
        if (found is null)
        {
            return NoSuchCase(context, id);
        }

        context.AuditOnAnswer($"applicant/{found.Value.Application.ApplicantId}", $"case work: {found.Value.Case.Department}");
        context.Response.Headers.ETag = ETagOf(found.Value.Case);
        return TypedResults.Ok(await DetailAsync(db, catalogue, directory, protector, found.Value.Application, found.Value.Case, cancellationToken));
    }

    private static async Task<Results<Ok<CaseDetail>, CaseMoveProblem, BodyProblem, InvalidProblem>> DecideAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        WorkingDayCalendar workingDays, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (found, refused) = await CaseMoveAsync(context, db, tenants, id, "decided", CaseFlow.MayDecide, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<DecisionRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = Required(("/legalBasis", request.LegalBasis, 1000, "Name the legal basis of the decision."));
        if (request.Outcome is not ("approve" or "deny"))
        {
            errors.Add(ApiError.At("/outcome", "enum", "outcome is approve or deny."));
        }

        if (request.Outcome == "deny")
        {
            errors.AddRange(Required(("/reason", request.Reason, 1000, "Say why it is denied: the applicant is told, and the cases waiting for it are closed with it.")));
        }

        errors.CheckLength("/reason", request.Reason, 1000);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var (application, @case) = found!.Value;
        var calendar = await workingDays.CurrentAsync(db, cancellationToken);
        return await ConsequencesAsync(context, db, tenants, catalogue, directory, protector, application, @case, () =>
        {
            CaseFlow.Decide(application, @case, request.Outcome == "approve", request.LegalBasis!.Trim(), request.Reason?.Trim() is { Length: > 0 } reason ? reason : null, calendar, clock.Now(), context.Actor());
            return new AuditEvent(context.Actor(), "case.decide", $"case/{@case.Id}", new
            {
                application = application.Number, matter = @case.Matter, outcome = request.Outcome, legalBasis = request.LegalBasis.Trim(),
                closed = application.Cases.Where(c => c.State == CaseState.NotApplicable).Select(c => c.Matter).Order(StringComparer.Ordinal),
            });
        }, cancellationToken);
    }

    private static async Task<Results<Ok<CaseDetail>, CaseMoveProblem, BodyProblem, InvalidProblem>> IssueAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        WorkingDayCalendar workingDays, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (found, refused) = await CaseMoveAsync(context, db, tenants, id, "issued",
            (application, @case) => application.State == ApplicationState.Accepted && @case.State == CaseState.Approved, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<IssueRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = Required(("/document", request.Document, 200, "Name the document or licence issued."), ("/number", request.Number, 100, "Give the number of the document or licence issued."));
        var (application, @case) = found!.Value;
        var delivery = DeliveryOf(request.Delivery, WaysOf(await BundleOfAsync(db, catalogue, application, cancellationToken), @case.Matter), @case, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var calendar = await workingDays.CurrentAsync(db, cancellationToken);
        return await ConsequencesAsync(context, db, tenants, catalogue, directory, protector, application, @case, () =>
        {
            CaseFlow.Issue(application, @case, request.Document!.Trim(), request.Number!.Trim(), delivery, calendar, clock.Now(), context.Actor());
            return new AuditEvent(context.Actor(), "case.issue", $"case/{@case.Id}", new
            {
                application = application.Number, matter = @case.Matter, document = request.Document.Trim(), number = request.Number.Trim(), delivery = EnumWords.Of(delivery),
                started = application.Cases.Where(c => c.State == CaseState.Ready && c.Id != @case.Id).Select(c => c.Matter).Order(StringComparer.Ordinal),
            });
        }, cancellationToken);
    }

    // A department's checks in the contract's order: 404 (another department's case is not found), 403 the window, 409 the state, 428, 412.
    private static async Task<((Application Application, ApplicationCase Case)? Found, CaseMoveProblem? Refused)> CaseMoveAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, string id, string move, Func<Application, ApplicationCase, bool> applies,
        CancellationToken cancellationToken, Func<Application, ApplicationCase, string>? why = null)
    {
        var found = await CaseAsync(db, id, cancellationToken);
        if (found is null)
        {
            return (null, new CaseMoveProblem(NoSuchCase(context, id).Problem));
        }

        if (tenants.Scope?.Department is null)
        {
            return (null, new CaseMoveProblem(TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Decided by its department",
                detail: "The comprehensive window accepts applications and delivers their results; a case is decided and issued by its own department's officers.")));
        }

        var (application, @case) = found.Value;
        if (!applies(application, @case))
        {
            return (null, StateConflict(application.State == ApplicationState.Accepted ? EnumWords.Of(@case.State) : EnumWords.Of(application.State),
                why?.Invoke(application, @case) ?? WhyNot(application, @case, move)));
        }

        return Precondition(context, ETagOf(@case)) is { } precondition ? (null, precondition) : (found, null);
    }

    private static string WhyNot(Application application, ApplicationCase @case, string move)
    {
        if (application.State != ApplicationState.Accepted)
        {
            return $"Application {application.Number} is {EnumWords.Of(application.State)}, not accepted: its cases cannot be {move}.";
        }

        return @case.State == CaseState.Waiting
            ? $"Case {@case.Matter} waits for {string.Join(", ", SplitAfter(@case.After))} to be issued first: it cannot be {move} yet."
            : $"Case {@case.Matter} is {EnumWords.Of(@case.State)}: it cannot be {move}.";
    }

    /// <summary>
    /// The department's move and what follows from it. The case is the department's; what follows — releasing or
    /// closing the cases that wait for it in other departments, ending the application — is the region's rule, so it
    /// runs in the region's scope, in the same save as the move.
    /// </summary>
    private static async Task<Results<Ok<CaseDetail>, CaseMoveProblem, BodyProblem, InvalidProblem>> ConsequencesAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        Application application, ApplicationCase @case, Func<AuditEvent> move, CancellationToken cancellationToken)
    {
        using (tenants.Enter(context.Tenant().Id))
        {
            await db.Entry(application).Collection(a => a.Cases).LoadAsync(cancellationToken);
            db.Audit(move());
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return new CaseMoveProblem(Preconditions.Stale(null));
            }
        }

        context.Response.Headers.ETag = ETagOf(@case);
        return TypedResults.Ok(await DetailAsync(db, catalogue, directory, protector, application, @case, cancellationToken));
    }

    /// <summary>The case the scope sees, with its application; null when there is none (another department's, another region's).</summary>
    private static async Task<(Application Application, ApplicationCase Case)?> CaseAsync(OneGoDbContext db, string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var caseId) || await db.Set<ApplicationCase>().SingleOrDefaultAsync(c => c.Id == caseId, cancellationToken) is not { } @case)
        {
            return null;
        }

        var application = await db.Set<Application>().Include(a => a.Files).SingleAsync(a => a.Id == @case.ApplicationId, cancellationToken);
        return (application, @case);
    }

    private static NotFoundProblem NoSuchCase(HttpContext context, string id) =>
        ApiProblems.NotFound("No such case", $"Your department has no case '{id}' in {context.Tenant().Id}.");

    private static async Task<CaseDetail> DetailAsync(
        OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, Application application, ApplicationCase @case,
        CancellationToken cancellationToken)
    {
        var bundle = await BundleOfAsync(db, catalogue, application, cancellationToken);
        var guide = GuideEvaluator.Evaluate(bundle, AnswersOf(application)).Guide!;
        var names = await directory.DepartmentNamesAsync(application.TenantId, cancellationToken);
        var commitments = application.Commitments is null ? [] : JsonSerializer.Deserialize<List<SignedCommitment>>(application.Commitments, CatalogueJson.Options) ?? [];
        return new CaseDetail(
            CaseViewOf(@case, names), application.Number!, application.State, application.BundleCode, TextOf(application.BundleName), application.ApplicantName,
            application.SubmittedAt!.Value, application.AcceptedAt, application.DueOn,
            FormValues.Masked(protector.Reveal(application), guide.Form),
            application.Files.OrderBy(f => f.Material, StringComparer.Ordinal).Select(MaterialFiles.View).ToList(), commitments, History(application, @case),
            WaysOf(bundle, @case.Matter));
    }

    /// <summary>What happened to the application and to this case, from the rows themselves.</summary>
    internal static List<HistoryEntry> History(Application application, ApplicationCase? @case)
    {
        var history = new List<HistoryEntry> { new(application.SubmittedAt!.Value, "submitted", application.SubmittedBy ?? "", null) };
        if (CaseFlow.SupplementOf(application) is { } notice)
        {
            history.Add(new(notice.NoticedAt, "supplement", notice.NoticedBy, string.Join("; ", notice.Items.Select(i => $"{i.Material}: {i.Reason}"))));
            if (notice.AnsweredAt is { } answered)
            {
                history.Add(new(answered, "supplied", "applicant", $"{notice.PausedDays} working day(s) paused"));
            }
        }

        if (application.AcceptedAt is { } accepted)
        {
            history.Add(new(accepted, "accepted", application.AcceptedBy ?? "", null));
        }

        if (CaseFlow.ClosingOf(application) is { } closing)
        {
            history.Add(new(closing.At, EnumWords.Of(closing.State), closing.By, closing.Reason + (closing.LegalBasis is null ? "" : $" ({closing.LegalBasis})")));
        }

        if (@case is not null && CaseFlow.DecisionOf(@case) is { } decision)
        {
            history.Add(new(decision.At, decision.Approved ? "approved" : "denied", decision.By, decision.LegalBasis + (decision.Reason is null ? "" : $": {decision.Reason}")));
        }

        if (@case is not null && CaseFlow.ResultOf(@case) is { } result)
        {
            history.Add(new(result.At, "issued", result.By, $"{result.Document} {result.Number}"));
        }

        if (@case is { State: CaseState.NotApplicable, EndedAt: { } ended })
        {
            history.Add(new(ended, "notApplicable", "", @case.ClosedReason));
        }

        return history.OrderBy(h => h.At).ToList();
    }

    internal static List<ApiError> Required(params (string Pointer, string? Value, int Max, string Message)[] fields)
    {
        var errors = new List<ApiError>();
        foreach (var (pointer, value, max, message) in fields)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(ApiError.At(pointer, "required", message));
            }

            errors.CheckLength(pointer, value, max);
        }

        return errors;
    }

    // Oldest due first; what has no due date yet (not accepted) last.
    private static string DueKey(DateOnly? due) => due?.ToString("yyyyMMdd") ?? "99999999";

}
