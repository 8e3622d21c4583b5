using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.DataSharing;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// 一表申请、一次提交: an applicant prepares a draft application for a live bundle (answers and form values), changes it
/// while it is a draft, and submits it once with an Idempotency-Key: it gets its tracking number and is split into its
/// cases in the same transaction. The applicant reads their application in its region and all their applications
/// across regions. Every route runs in the applicant's scope of the one tenancy mechanism: another applicant's
/// application is not found, in any region. This is the routing table and the shapes the routes send.
/// </summary>
internal static class ApplicationsApi
{
    public static IServiceCollection AddOneGoApplications(this IServiceCollection services)
    {
        services.AddSettings<ApplicationsSettings>();
        services.AddSingleton<ApplicationValues>();
        services.AddOneGoDataSharing();
        services.AddRecurringJob<ExpireDraftsJob>(ExpireDraftsJob.Name, ExpireDraftsJob.ScheduleSetting,
            sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApplicationsSettings>>().Value.ExpireDraftsSchedule, ExpireDraftsJob.DefaultSchedule);
        return services;
    }

    public static IEndpointRouteBuilder MapApplicationsApi(this IEndpointRouteBuilder app)
    {
        var actingFor = new RequestHeader(Applicants.OnBehalf.Header,
            "Sent by an officer of the region's comprehensive window only: the subject of the walk-in applicant it acts for (POST /api/t/{tenant}/walk-ins); required of officers.",
            Required: false, Pattern: "^[0-9a-fA-F-]{36}$");
        var tenant = app.MapGroup("/api/t/{tenant}/applications").WithTags("Applications").Requires(Capability.Apply).WithMetadata(actingFor);
        tenant.MapPost("", PrepareApplication.CreateAsync).WithName("prepareApplication")
            .WithSummary("A draft application for a live bundle: the guide's answers and the form values so far. Deleted 30 days after its last change.")
            .Accepts<PrepareApplication.DraftRequest>(MediaTypes.Json);
        tenant.MapGet("", ListMineAsync).WithName("listApplications")
            .WithSummary("The applicant's applications in this region (a window officer: the walk-in's they act for), the latest change first, each with its cases' states.");
        tenant.MapGet("/{id}", GetAsync).WithName("getApplication")
            .WithSummary("The application by its id or, once submitted, its tracking number: its guide, values (ID and phone numbers masked), cases and their states.");
        tenant.MapPatch("/{id}", PrepareApplication.ChangeAsync).WithName("changeApplication")
            .WithSummary("Changes a draft: new answers replace the old (values of fields their form no longer has are dropped), values given replace those fields (null clears one), version moves it to the live version.")
            .Accepts<PrepareApplication.ChangeRequest>(MediaTypes.Json);
        tenant.MapPut("/{id}/materials/{code}", MaterialFiles.PutAsync).WithName("attachMaterialFile")
            .WithSummary("The file of a material the guide says to bring, sent as the body: a PDF, OFD, JPEG or PNG by its content, at most Applications:MaxFileBytes (10 MiB). Replaces the material's file while a draft; after submission only a material that may follow later (容缺), once.")
            // Any declared type: the content decides.
            .Accepts<byte[]>("application/pdf", "application/ofd", "image/jpeg", "image/png", "application/octet-stream", "*/*")
            .WithMetadata(new LargerBody(
                services => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApplicationsSettings>>().Value.MaxFileBytes,
                (context, max) => MaterialFiles.TooLarge(context.GetRouteValue("code") as string ?? "", max)));
        tenant.MapGet("/{id}/materials/{code}", MaterialFiles.GetAsync).WithName("getMaterialFile")
            .WithSummary("The file attached for a material, as it was sent; its ETag is its SHA-256.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/pdf", "application/ofd", "image/jpeg", "image/png");
        tenant.MapPost("/{id}/consents", ShareData.ConsentAsync).WithName("consentToDataSharing")
            .WithSummary("Agrees to fetch the named datasets (数据共享) with the consent text of the version the application shows, as the child's guardian where the data is a child's: each is fetched from the region's data exchange at once, recorded, and fills the form where nothing was typed. A dataset not answered or not held leaves its materials to bring, with a notice; agreeing again fetches again.")
            .Accepts<ShareData.ConsentRequest>(MediaTypes.Json);
        tenant.MapDelete("/{id}/consents/{dataset}", ShareData.WithdrawAsync).WithName("withdrawDataSharingConsent")
            .WithSummary("Withdraws the consent to fetch a dataset before submission: the values it filled are dropped, its materials are brought instead.");
        tenant.MapPost("/{id}/submit", SubmitApplication.HandleAsync).WithName("submitApplication")
            .WithSummary("Submits the draft once (Idempotency-Key required), signing the commitments the guide lists: its tracking number, and its cases in the same transaction.")
            .Accepts<SubmitApplication.SubmitRequest>(isOptional: true, MediaTypes.Json)
            .WithMetadata(
                new RequestHeader("Idempotency-Key", "1 to 100 visible ASCII characters chosen by the client: retrying with the same key and body returns the same application; the same key with another body is 422.", Pattern: "^[!-~]{1,100}$"),
                new DeclaredHeader(StatusCodes.Status201Created, "Location", "The submitted application, by its tracking number.", With: typeof(ApplicationView)));

        app.MapGroup("/api/t/{tenant}/bundles").WithTags("Applications").Requires(Capability.Apply)
            .MapPost("/{code}/form", OneForm.HandleAsync).WithName("prepareForm")
            .WithSummary("一表: the merged form for these answers, prefilled by data sharing for the datasets agreed to (consent, with the consent text's version, as guardian where the data is a child's) — a new draft application, every fetch recorded against it.")
            .Accepts<OneForm.FormRequest>(MediaTypes.Json).WithMetadata(actingFor);

        app.MapGroup("/api/me").WithTags("Applicants").Requires(Capability.Apply)
            .MapGet("/applications", ListMineAsync).WithName("listMyApplications")
            .WithSummary("The signed-in applicant's applications in every region, the latest change first, each with its cases' states.");
        return app;
    }

    /// <summary>An application as its applicant sees it.</summary>
    /// <param name="Id">The draft's id, which stays the application's id once submitted.</param>
    /// <param name="Tenant">The region it is made in.</param>
    /// <param name="Number">办件编号, once submitted: unique in the region.</param>
    /// <param name="Version">The bundle version it is prepared against; pinned once submitted.</param>
    /// <param name="Values">The form values so far, ID and phone numbers masked.</param>
    /// <param name="Guide">The guide for its answers on its version: the merged form, the materials and how each comes, the commitments to sign, the matters that apply.</param>
    /// <param name="Commitments">The commitments (告知承诺) signed at submission, with their text.</param>
    /// <param name="Materials">The files attached, one per material.</param>
    /// <param name="Sharing">数据共享: each dataset the guide fetches for the applicant, the consent text to agree to, and where it stands.</param>
    /// <param name="Fetches">The data-sharing record: every fetch made for this application, the latest first.</param>
    /// <param name="FetchedFields">The form fields data sharing filled: field code → dataset.</param>
    /// <param name="Owed">What is still owed: before submission every material to bring without its file; after it, each material that may follow later (容缺) without its file, with its due date.</param>
    /// <param name="Cases">One per matter that applies, once submitted.</param>
    /// <param name="DeleteAfter">For a draft: when it is deleted with its files unless changed again (30 days after its last change).</param>
    /// <param name="PromisedDays">Working days the bundle promises from submission for these answers.</param>
    /// <param name="DueOn">The working day the whole application is due by: the promised days from submission, moved on by the working days a supplement stopped the clock.</param>
    /// <param name="AcceptedAt">受理: when the comprehensive window accepted it (at once, for a complete online application).</param>
    /// <param name="Supplement">补正: the window's one notice, listing every item to supply, and whether it was answered.</param>
    /// <param name="Closing">不予受理 or 视为撤回: why it ended without a decision.</param>
    /// <param name="EndedAt">When it ended: refused, withdrawn, or its last case ended.</param>
    /// <param name="Handover">统一出件: how the window handed over the paper results (courier and tracking number, or place and hours), once every case had ended.</param>
    /// <param name="Ratings">好差评: the applicant's ratings of the application and its cases, each bad one with its rectification and the department's reply.</param>
    public sealed record ApplicationView(
        Guid Id, string Tenant, string? Number, ApplicationState State, string Bundle, Text BundleName, int Version,
        IReadOnlyDictionary<string, string> Answers, IReadOnlyDictionary<string, JsonElement> Values, Guide Guide,
        IReadOnlyList<SignedCommitment> Commitments, IReadOnlyList<MaterialFiles.MaterialFileView> Materials,
        IReadOnlyList<SharedDatasetView> Sharing, IReadOnlyList<FetchView> Fetches, IReadOnlyDictionary<string, string> FetchedFields, IReadOnlyList<OwedMaterial> Owed,
        IReadOnlyList<CaseView> Cases, int PromisedDays,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? DeleteAfter,
        DateOnly? DueOn = null, DateTimeOffset? AcceptedAt = null, Cases.SupplementNotice? Supplement = null, Cases.ApplicationClosing? Closing = null, DateTimeOffset? EndedAt = null,
        Cases.Handover? Handover = null, IReadOnlyList<Ratings.RatingsApi.RatingView>? Ratings = null);

    /// <summary>A material still owed: its file is needed before submission, or by its due date when it may follow later (容缺).</summary>
    /// <param name="MayFollowLater">容缺: the application is accepted without it; it is due by <c>dueOn</c> once submitted.</param>
    /// <param name="DueOn">The working day it is due by, once submitted; null before.</param>
    /// <param name="Notice">Why a material the guide would fetch is brought instead (not agreed, not held, the exchange did not answer).</param>
    /// <param name="DueProvisional">The due date lies past the last year of the national holiday calendar: counted on weekdays until that year is imported.</param>
    public sealed record OwedMaterial(string Material, Text Name, bool MayFollowLater, DateOnly? DueOn, Text? Notice, bool DueProvisional = false);

    /// <summary>A dataset the guide fetches for the applicant (数据共享), and where it stands.</summary>
    /// <param name="Materials">The materials it stands for, by code.</param>
    /// <param name="ChildData">The data is a child's: the applicant agrees as the child's guardian.</param>
    /// <param name="ConsentText">The text to agree to, in version <c>textVersion</c>.</param>
    /// <param name="Consent">The consent in force, or null.</param>
    /// <param name="State">not-agreed, fetched, not-found (the department holds no record) or failed (the exchange did not answer).</param>
    /// <param name="Notice">What the applicant does when it is not fetched.</param>
    public sealed record SharedDatasetView(
        string Dataset, string Department, string DepartmentName, IReadOnlyList<string> Materials, bool ChildData, Text ConsentText, string TextVersion,
        ConsentView? Consent, string State, Text? Notice);

    /// <summary>A consent given: when, by whom, to which text version, and whether as guardian.</summary>
    public sealed record ConsentView(DateTimeOffset GivenAt, string TextVersion, bool AsGuardian, string Purpose);

    /// <summary>One fetch of the data-sharing record.</summary>
    /// <param name="Fields">The form fields it filled.</param>
    /// <param name="Detail">The exchange's reference for the record, or why the fetch failed.</param>
    public sealed record FetchView(string Dataset, string Department, DateTimeOffset At, FetchOutcome Outcome, int Attempts, IReadOnlyList<string> Fields, string? Detail);

    /// <summary>A material that may follow later, as kept at submission with its due date.</summary>
    /// <param name="WorkingDays">The working days it was given from the day of submission (China Standard Time).</param>
    /// <param name="Provisional">The count went past the last year of the holiday calendar: weekdays there, counted again when that year is imported.</param>
    public sealed record FollowingLater(string Material, DateOnly DueOn, int WorkingDays = 0, bool Provisional = false);

    /// <summary>A case of an application: the matter, the department that owns it and where it is.</summary>
    /// <param name="After">The matters of this application it waits for.</param>
    /// <param name="PromisedDays">The matter's promised working days, counted from acceptance.</param>
    /// <param name="DueOn">The working day it is due by, from acceptance on; null before.</param>
    /// <param name="DueProvisional">The due date lies past the last year of the holiday calendar: counted on weekdays until that year is imported.</param>
    /// <param name="Decision">The department's decision, once made.</param>
    /// <param name="Result">The result issued: the document or licence and its number.</param>
    /// <param name="ClosedReason">Why it ended without a decision of its own: a case it waited for was denied, or the application was refused or withdrawn.</param>
    /// <param name="Watch">How a case stands against its due date, as the deadline job last marked it.</param>
    /// <param name="PostCheck">告知承诺: the commitments signed for this matter, the post-check's due date from acceptance, and its finding once recorded.</param>
    /// <param name="PostCheckOverdue">The post-check is past its due date, unrecorded (as the deadline job marked it).</param>
    public sealed record CaseView(
        Guid Id, string Matter, Text Name, string Department, string DepartmentName, CaseState State, IReadOnlyList<string> After, int PromisedDays,
        DateOnly? DueOn = null, bool DueProvisional = false, Cases.CaseDecision? Decision = null, Cases.CaseResult? Result = null, string? ClosedReason = null,
        CaseWatch Watch = CaseWatch.OnTime, Cases.ResultFile? ResultFile = null, Cases.PostCheckTask? PostCheck = null, bool PostCheckOverdue = false);

    internal static CaseView CaseViewOf(ApplicationCase c, DepartmentNames names) => new(
        c.Id, c.Matter, TextOf(c.MatterName), c.Department, names.Of(c.Department), c.State, SplitAfter(c.After), c.PromisedDays,
        c.DueOn, c.DueProvisional, Cases.CaseFlow.DecisionOf(c), Cases.CaseFlow.ResultOf(c), c.ClosedReason, c.Watch, Cases.CaseFlow.ResultFileOf(c),
        Cases.CaseFlow.PostCheckOf(c), c.PostCheckOverdue && c.PostCheckDueOn is not null);

    /// <summary>告知承诺: a commitment signed in place of a material, kept with the application for the department's post-check.</summary>
    public sealed record SignedCommitment(string Material, Text Name, string Text, DateTimeOffset SignedAt);

    /// <summary>A line of the applicant's list across regions.</summary>
    public sealed record ApplicationItem(
        Guid Id, string Tenant, string? Number, ApplicationState State, string Bundle, Text BundleName, int Version,
        IReadOnlyList<CaseItem> Cases, DateTimeOffset UpdatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? DeleteAfter);

    /// <summary>A case as the applicant's list shows it.</summary>
    public sealed record CaseItem(string Matter, string Department, CaseState State);

    /// <summary>How long a draft is kept after its last change.</summary>
    public static readonly TimeSpan DraftKeptFor = TimeSpan.FromDays(30);

    private static async Task<Results<Ok<ApplicationView>, NotFoundProblem>> GetAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, string id,
        CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        return application is null
            ? UnknownApplication(context, id)
            : TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
    }

    /// <summary>The application named by its id or its tracking number, with its cases; null when the scope sees none.</summary>
    internal static async Task<Application?> FindAsync(OneGoDbContext db, string idOrNumber, CancellationToken cancellationToken)
    {
        var applications = db.Set<Application>().Include(a => a.Cases).Include(a => a.Files);
        var application = Guid.TryParse(idOrNumber, out var id)
            ? await applications.SingleOrDefaultAsync(a => a.Id == id, cancellationToken)
            : await applications.SingleOrDefaultAsync(a => a.Number == idOrNumber, cancellationToken);
        if (application is not null)
        {
            // Consents and fetches multiply with each other: each in a query of its own, not joined to the cases and files.
            await db.Entry(application).Collection(a => a.Consents).LoadAsync(cancellationToken);
            await db.Entry(application).Collection(a => a.Fetches).LoadAsync(cancellationToken);
        }

        return application;
    }

    internal static NotFoundProblem UnknownApplication(HttpContext context, string id) =>
        ApiProblems.NotFound("No such application", $"You have no application '{id}' in {context.Tenant().Id}.");

    /// <summary>The version of the tenant's bundle an application is prepared against, or null when the tenant has no such version.</summary>
    internal static Task<BundleVersion?> VersionAsync(OneGoDbContext db, string bundle, int version, CancellationToken cancellationToken) =>
        db.Set<BundleVersion>().AsNoTracking().SingleOrDefaultAsync(v => v.BundleCode == bundle && v.Version == version, cancellationToken);

    /// <summary>The guide of an application's answers on its own version.</summary>
    internal static async Task<Guide> GuideOfAsync(OneGoDbContext db, BundleCatalogue catalogue, Application application, CancellationToken cancellationToken)
    {
        var effective = await BundleOfAsync(db, catalogue, application, cancellationToken);
        // The answers were checked when saved against this very version, whose content never changes.
        return GuideEvaluator.Evaluate(effective, AnswersOf(application)).Guide
            ?? throw new InvalidOperationException($"Application {application.Id}'s answers no longer give a guide on its own version.");
    }

    /// <summary>The bundle version the application pinned, resolved.</summary>
    internal static async Task<EffectiveBundle> BundleOfAsync(OneGoDbContext db, BundleCatalogue catalogue, Application application, CancellationToken cancellationToken)
    {
        var version = await VersionAsync(db, application.BundleCode, application.BundleVersion, cancellationToken)
            ?? throw new InvalidOperationException($"Application {application.Id} names version {application.BundleVersion} of {application.BundleCode}, which {application.TenantId} does not have.");
        return await catalogue.EffectiveOfAsync(version, cancellationToken);
    }

    internal static Dictionary<string, string> AnswersOf(Application application) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(application.Answers) ?? [];

    internal static Text TextOf(string json) => JsonSerializer.Deserialize<Text>(json, CatalogueJson.Options)!;

    /// <summary>The application as its applicant sees it; <paramref name="guide"/> when the caller has its guide already.</summary>
    internal static async Task<ApplicationView> ViewAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        Application application, CancellationToken cancellationToken, Guide? guide = null)
    {
        guide ??= await GuideOfAsync(db, catalogue, application, cancellationToken);
        var names = await directory.DepartmentNamesAsync(application.TenantId, cancellationToken);
        var commitments = application.Commitments is null ? [] : JsonSerializer.Deserialize<List<SignedCommitment>>(application.Commitments, CatalogueJson.Options) ?? [];
        var region = await directory.ResolveAsync(application.TenantId, cancellationToken);
        var child = Sharing.ConcernsChild(guide);
        var bundleName = TextOf(application.BundleName);
        var sharing = Sharing.DatasetsOf(guide).Select(d =>
        {
            var consent = Sharing.ConsentTo(application, d.Dataset);
            var fetch = Sharing.FetchOf(application, d.Dataset);
            var state = consent is null ? "not-agreed" : fetch?.Outcome switch
            {
                FetchOutcome.Fetched => "fetched",
                FetchOutcome.NotFound => "not-found",
                _ => "failed",
            };
            return new SharedDatasetView(d.Dataset, d.Department, names.Of(d.Department), d.Materials.Select(m => m.Code).ToList(), child,
                Sharing.ConsentText(region?.Name ?? application.TenantId, bundleName, d.Dataset, names.Of(d.Department), child), Sharing.TextVersion,
                consent is null ? null : new ConsentView(consent.GivenAt, consent.TextVersion, consent.AsGuardian, consent.Purpose), state,
                Sharing.WhyBrought(application, d.Materials[0]));
        }).ToList();
        var fetches = application.Fetches.OrderByDescending(f => f.At).ThenByDescending(f => f.Id)
            .Select(f => new FetchView(f.Dataset, f.Department, f.At, f.Outcome, f.Attempts, f.Fields.Length == 0 ? [] : f.Fields.Split(','), f.Detail)).ToList();
        return new ApplicationView(
            application.Id, application.TenantId, application.Number, application.State, application.BundleCode, TextOf(application.BundleName),
            application.BundleVersion, AnswersOf(application), FormValues.Masked(protector.Reveal(application), guide.Form), guide, commitments,
            application.Files.OrderBy(f => f.Material, StringComparer.Ordinal).Select(MaterialFiles.View).ToList(),
            sharing, fetches, Sharing.FetchedFieldsOf(application), Owed(application, guide),
            application.Cases.OrderBy(c => c.Matter, StringComparer.Ordinal).Select(c => CaseViewOf(c, names)).ToList(),
            application.PromisedDays, application.CreatedAt, application.UpdatedAt, application.SubmittedAt, DeleteAfter(application),
            application.DueOn, application.AcceptedAt, Cases.CaseFlow.SupplementOf(application), Cases.CaseFlow.ClosingOf(application), application.EndedAt,
            Cases.CaseFlow.HandoverOf(application), application.Number is null ? [] : await Ratings.RatingsApi.OfApplicationAsync(db, application.Id, cancellationToken));
    }

    /// <summary>What the application still owes: every material to bring without its file while a draft; once submitted, those that follow later.</summary>
    internal static List<OwedMaterial> Owed(Application application, Guide guide)
    {
        var attached = application.Files.Select(f => f.Material).ToHashSet(StringComparer.Ordinal);
        if (application.State == ApplicationState.Draft)
        {
            return Sharing.ToBring(application, guide).Concat(guide.MayFollowLater).Where(m => !attached.Contains(m.Code))
                .Select(m => new OwedMaterial(m.Code, m.Name, m.MayFollowLater, null, Sharing.WhyBrought(application, m))).ToList();
        }

        var names = guide.MayFollowLater.ToDictionary(m => m.Code, m => m.Name, StringComparer.Ordinal);
        return FollowingLaterOf(application).Where(f => !attached.Contains(f.Material))
            .Select(f => new OwedMaterial(f.Material, names[f.Material], true, f.DueOn, null, f.Provisional)).ToList();
    }

    internal static List<FollowingLater> FollowingLaterOf(Application application) =>
        application.FollowLater is null ? [] : JsonSerializer.Deserialize<List<FollowingLater>>(application.FollowLater, CatalogueJson.Options) ?? [];

    internal static IReadOnlyList<string> SplitAfter(string after) => after.Length == 0 ? [] : after.Split(',');

    private static DateTimeOffset? DeleteAfter(Application application) =>
        application.State == ApplicationState.Draft ? application.UpdatedAt + DraftKeptFor : null;

    private static async Task<Results<Ok<Page<ApplicationItem>>, InvalidProblem>> ListMineAsync(
        OneGoDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // The applicant's scope: in a region, their applications there; on /api/me, theirs in every region — no one else's.
        var applications = await db.Set<Application>().AsNoTracking().Include(a => a.Cases).ToListAsync(cancellationToken);
        // The latest change first: the cursor's key sorts ascending as the changes go back in time.
        var ordered = applications.Select(a => (application: a, key: $"{DateTimeOffset.MaxValue.UtcTicks - a.UpdatedAt.UtcTicks:D19}{a.Id:N}"))
            .OrderBy(a => a.key, StringComparer.Ordinal);
        var page = paging.Take(ordered, a => a.key);
        return TypedResults.Ok(new Page<ApplicationItem>(page.Items.Select(i => i.application).Select(a => new ApplicationItem(
            a.Id, a.TenantId, a.Number, a.State, a.BundleCode, TextOf(a.BundleName), a.BundleVersion,
            a.Cases.OrderBy(c => c.Matter, StringComparer.Ordinal).Select(c => new CaseItem(c.Matter, c.Department, c.State)).ToList(),
            a.UpdatedAt, a.SubmittedAt, DeleteAfter(a))).ToList(), page.Next));
    }
}
