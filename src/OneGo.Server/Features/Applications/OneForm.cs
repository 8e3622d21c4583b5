using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Server.Data;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.DataSharing;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// POST /api/t/{tenant}/bundles/{code}/form: 一表 in one call — the merged form for these answers, prefilled by data
/// sharing for the datasets agreed to. It is a new draft application of the live bundle (the form lives with its
/// application, so that every fetch is recorded against one), the consents given and the datasets fetched as
/// <c>POST …/applications/{id}/consents</c> would: the answer is the draft, 201 with its Location. Every wrong answer,
/// value or consent is a 422 at its pointer, and then nothing is kept.
/// </summary>
internal static class OneForm
{
    /// <summary>The guide's answers, any values already known, and the datasets agreed to (with the consent text's version, and as guardian where the data is a child's).</summary>
    public sealed record FormRequest(
        Dictionary<string, string>? Answers, Dictionary<string, JsonElement>? Values, IReadOnlyList<string?>? Consent, string? TextVersion, bool? AsGuardian);

    public static async Task<Results<CreatedAt<ApplicationView>, BodyProblem, InvalidProblem, NotFoundProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, ApplicantIdNumbers idNumbers,
        DataExchangeClient exchange, TimeProvider clock, string code, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<FormRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (application, guide, errors) = await PrepareApplication.NewDraftAsync(
            context, db, catalogue, protector, clock, code, request!.Answers ?? [], request.Values ?? [], cancellationToken);
        if (errors.Any(e => e.Pointer == "/bundle"))
        {
            return ApiProblems.NotFound("No such live bundle", $"{context.Tenant().Id} has no live bundle '{code}'.");
        }

        if (application is null)
        {
            return ApiProblems.Invalid(errors);
        }

        List<SharedDataset> chosen = [];
        Applicant? applicant = null;
        if (request.Consent is { Count: > 0 })
        {
            (chosen, applicant, errors) = await ShareData.CheckAsync(db, guide!, application.ApplicantId.Length > 0 ? application.ApplicantId : context.ApplicantSubject(),
                request.Consent, request.TextVersion, request.AsGuardian, "/consent", cancellationToken);
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }
        }

        db.Add(application);
        if (chosen.Count > 0)
        {
            await ShareData.AgreeAndFetchAsync(context, db, directory, protector, idNumbers, exchange, clock, application, guide!, chosen, applicant!, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new CreatedAt<ApplicationView>($"/api/t/{context.Tenant().Id}/applications/{application.Id}",
            await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken, guide));
    }
}
