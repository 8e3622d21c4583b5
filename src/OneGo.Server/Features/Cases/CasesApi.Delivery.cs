using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using OneGo.Server.Storage;
using OneGo.Tenancy;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Cases;

/// <summary>
/// 综窗统一出件: a department sends the electronic document of an online result before issuing it; when the last case has
/// ended, the applicant downloads the electronic results and the window hands over the paper ones, all at once — by
/// courier with its tracking number, or for pick-up at the window's place and hours.
/// </summary>
internal static partial class CasesApi
{
    /// <summary>统一出件 by the window: the paper results, by courier (courier and tracking number) and/or for pick-up (place and hours).</summary>
    /// <param name="Courier">The courier company, when a result goes by post.</param>
    /// <param name="TrackingNumber">The courier's tracking number, when a result goes by post.</param>
    /// <param name="Place">Where the applicant picks up the results at the window; the bundle's service address when not given.</param>
    /// <param name="Hours">When they may pick them up; the bundle's service hours when not given.</param>
    public sealed record HandoverRequest(string? Courier, string? TrackingNumber, string? Place, string? Hours);

    private static void MapDelivery(IEndpointRouteBuilder app, RouteGroupBuilder cases, RequestHeader actingFor)
    {
        cases.MapPut("/{id}/document", AttachResultAsync).WithName("attachCaseDocument")
            .WithSummary("The electronic document of the approved case's result (电子证照), sent as the body before the result is issued online: a PDF or OFD file by its content, with the case's If-Match.")
            .Accepts<byte[]>("application/pdf", "application/ofd", "application/octet-stream", "*/*")
            .WithMetadata(new LargerBody(
                services => services.GetRequiredService<IOptions<ApplicationsSettings>>().Value.MaxFileBytes,
                (_, max) => MaterialFiles.TooLarge("document", max)));
        app.MapGroup("/api/t/{tenant}/applications").WithTags("Case work").Requires(Capability.ServeAtWindow)
            .MapPost("/{id}/handover", HandOverAsync).WithName("handOverResults")
            .WithSummary("综窗统一出件: once every case has ended, the window hands over the paper results together — courier and tracking number for those by post, place and hours for those picked up. Once, with If-Match.")
            .Accepts<HandoverRequest>(MediaTypes.Json);
        app.MapGroup("/api/t/{tenant}/applications").WithTags("Applications").Requires(Capability.Apply).WithMetadata(actingFor)
            .MapGet("/{id}/results/{matter}", ResultDocumentAsync).WithName("getResultDocument")
            .WithSummary("The electronic document of a case's online result, once every case of the application has ended (统一出件: the results come together); its ETag is its SHA-256.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/pdf", "application/ofd");
    }

    /// <summary>
    /// How a matter's result may reach the applicant in this bundle: the bundle's ways the matter offers; the matter's own
    /// when it offers none of them (a booklet picked up at the window whatever the bundle says of the rest); the bundle's
    /// when the matter names none; any when neither does.
    /// </summary>
    internal static IReadOnlyList<Delivery> WaysOf(EffectiveBundle bundle, string matter)
    {
        var own = bundle.Matters.SingleOrDefault(m => m.Code == matter)?.ResultDelivery ?? [];
        var both = bundle.ResultDelivery.Intersect(own).ToList();
        return both.Count > 0 ? both : own.Count > 0 ? own : bundle.ResultDelivery.Count > 0 ? bundle.ResultDelivery : Enum.GetValues<Delivery>();
    }

    /// <summary>How the result is delivered: one of its ways (<see cref="WaysOf"/>), given or the only one; online only with the document sent.</summary>
    private static Delivery DeliveryOf(string? given, IReadOnlyList<Delivery> allowed, ApplicationCase @case, List<ApiError> errors)
    {
        Delivery delivery;
        if (given is null)
        {
            if (allowed.Count != 1)
            {
                errors.Add(ApiError.At("/delivery", "required", $"Say how the result reaches the applicant: {string.Join(", ", allowed.Select(EnumWords.Of))}."));
                return Delivery.Window;
            }

            delivery = allowed[0];
        }
        else if (allowed.Where(d => EnumWords.Of(d) == given).Select(d => (Delivery?)d).FirstOrDefault() is { } named)
        {
            delivery = named;
        }
        else
        {
            errors.Add(ApiError.At("/delivery", "enum", $"This bundle delivers its results {string.Join(", ", allowed.Select(EnumWords.Of))}."));
            return Delivery.Window;
        }

        if (delivery == Delivery.Online && @case.ResultFile is null)
        {
            errors.Add(ApiError.At("/delivery", "document-needed", $"An online result is the electronic document itself: send it first (PUT …/cases/{@case.Id}/document), then issue."));
        }

        return delivery;
    }

    /// <summary>Where a case's electronic result is kept: under its region, by content.</summary>
    private static string ResultBlob(Application application, ApplicationCase @case, string sha256) => $"{application.TenantId}/cases/{@case.Id:N}/result/{sha256}";

    private static async Task<Results<Ok<CaseDetail>, CaseMoveProblem, UploadProblem>> AttachResultAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        IBlobStore blobs, IOptions<ApplicationsSettings> settings, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (found, refused) = await CaseMoveAsync(context, db, tenants, id, "given its document",
            (application, @case) => application.State == ApplicationState.Accepted && @case.State == CaseState.Approved, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var max = settings.Value.MaxFileBytes;
        var bytes = await MaterialFiles.ReadAtMostAsync(context.Request, max, cancellationToken);
        if (bytes is null)
        {
            return MaterialFiles.TooLarge("document", max);
        }

        var contentType = MaterialFiles.ContentTypeOf(bytes);
        if (contentType is not ("application/pdf" or "application/ofd"))
        {
            return new UploadProblem(TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not a PDF or OFD file",
                detail: "An electronic result (电子证照) is a PDF or an OFD (GB/T 33190) file, as its content shows.", type: "https://onego.gov.cn/problems/material-file",
                extensions: new Dictionary<string, object?> { ["material"] = "document" }));
        }

        var (application, @case) = found!.Value;
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // Kept under the region, by content: a document sent again beside an earlier one keeps both, the case naming the last.
        await blobs.PutAsync(ResultBlob(application, @case, sha), bytes, contentType, BlobWrite.Overwrite, cancellationToken);
        CaseFlow.AttachResult(@case, new ResultFile(contentType, bytes.Length, sha, clock.Now(), context.Actor()));
        db.Audit(new AuditEvent(context.Actor(), "case.document", $"case/{@case.Id}", new { application = application.Number, matter = @case.Matter, sha256 = sha, length = bytes.Length }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new CaseMoveProblem(Preconditions.Stale(null));
        }

        context.Response.Headers.ETag = ETagOf(@case);
        return TypedResults.Ok(await DetailAsync(db, catalogue, directory, protector, application, @case, cancellationToken));
    }

    private static async Task<Results<Ok<ApplicationView>, CaseMoveProblem, BodyProblem, InvalidProblem>> HandOverAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (application, refused) = await WindowMoveAsync(context, db, id, "handed over", CaseFlow.AwaitsHandover, cancellationToken, a =>
            a.State != ApplicationState.Completed ? $"Application {a.Number} is {EnumWords.Of(a.State)}: its results are handed over together once every case has ended."
            : a.Handover is not null ? $"Application {a.Number}'s results were handed over on {CaseFlow.HandoverOf(a)!.At:yyyy-MM-dd}: once."
            : $"Application {a.Number} has no paper result: its results are downloaded online.");
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<HandoverRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var ways = CaseFlow.ToHandOver(application!);
        // Pick-up is at the bundle's service location unless the window says otherwise.
        var location = (await BundleOfAsync(db, catalogue, application!, cancellationToken)).ServiceLocation;
        request = request with
        {
            Place = string.IsNullOrWhiteSpace(request.Place) ? location?.Address?.Zh : request.Place,
            Hours = string.IsNullOrWhiteSpace(request.Hours) ? location?.Hours?.Zh : request.Hours,
        };
        var errors = new List<ApiError>();
        if (ways.Contains(Delivery.Post))
        {
            errors.AddRange(Required(("/courier", request.Courier, 100, "Name the courier that carries the results sent by post."),
                ("/trackingNumber", request.TrackingNumber, 100, "Give the courier's tracking number: the applicant follows the parcel with it.")));
        }

        if (ways.Contains(Delivery.Window))
        {
            errors.AddRange(Required(("/place", request.Place, 500, "Say where the applicant picks up the results (the bundle gives no service address)."),
                ("/hours", request.Hours, 200, "Say when the applicant may pick them up (the bundle gives no service hours).")));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        static string? Kept(bool wanted, string? value) => wanted ? value!.Trim() : null;
        var post = ways.Contains(Delivery.Post);
        var window = ways.Contains(Delivery.Window);
        var handover = new Handover(Kept(post, request.Courier), Kept(post, request.TrackingNumber), Kept(window, request.Place), Kept(window, request.Hours), context.Actor(), clock.Now());
        CaseFlow.HandOver(application!, handover);
        db.Audit(new AuditEvent(context.Actor(), "application.handover", $"application/{application!.Number}", new
        {
            ways = ways.Select(EnumWords.Of), courier = handover.Courier, trackingNumber = handover.TrackingNumber, place = handover.Place,
        }));
        return await SavedAsync(context, db, catalogue, directory, protector, application, cancellationToken);
    }

    private static async Task<Results<FileContentHttpResult, NotFoundProblem, ConflictProblem>> ResultDocumentAsync(
        HttpContext context, OneGoDbContext db, IBlobStore blobs, string id, string matter, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        if (application is null)
        {
            return UnknownApplication(context, id);
        }

        if (application.State != ApplicationState.Completed)
        {
            return ApiProblems.Conflict("Not yet delivered", $"Application {application.Number ?? application.Id.ToString()} is {EnumWords.Of(application.State)}: its results are delivered together once every case has ended (统一出件).");
        }

        var @case = application.Cases.SingleOrDefault(c => c.Matter == matter);
        if (@case is null || CaseFlow.ResultOf(@case) is not { Delivery: Delivery.Online } || CaseFlow.ResultFileOf(@case) is not { } file)
        {
            return ApiProblems.NotFound("No electronic result", $"Application {application.Number} has no electronic result of '{matter}'.");
        }

        var bytes = await blobs.GetAsync(ResultBlob(application, @case, file.Sha256), cancellationToken)
            ?? throw new InvalidOperationException($"The result document of case {@case.Id} is missing from blob storage.");
        return TypedResults.Bytes(bytes, file.ContentType, fileDownloadName: $"{application.Number}-{matter}{(file.ContentType == "application/pdf" ? ".pdf" : ".ofd")}",
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{file.Sha256}\""));
    }
}
