using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Server.Data;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Cases;

/// <summary>
/// 告知承诺's post-check (事后核查): what an applicant signed in place of a material is checked after acceptance by the
/// department of the matter that needed it, by its own due date (<c>CaseWork:PostCheckWorkingDays</c> working days from
/// acceptance); the department records what it found, once, with the case's If-Match. The deadline job marks an
/// unrecorded one overdue and tells that department.
/// </summary>
internal static partial class CasesApi
{
    /// <summary>What the department found checking the commitments.</summary>
    /// <param name="Truthful">true: the commitments hold as signed; false: one does not (承诺不实).</param>
    /// <param name="Note">What was checked, and for a false commitment what was found.</param>
    public sealed record PostCheckRequest(bool? Truthful, string? Note);

    private static void MapPostCheck(RouteGroupBuilder cases) =>
        cases.MapPost("/{id}/post-check", PostCheckAsync).WithName("recordPostCheck")
            .WithSummary("The department records its post-check (事后核查) of the commitments signed in place of the case's materials: truthful or not, with what it checked; once, from acceptance on, whatever the case's state.")
            .Accepts<PostCheckRequest>(MediaTypes.Json);

    private static async Task<Results<Ok<CaseDetail>, CaseMoveProblem, BodyProblem, InvalidProblem>> PostCheckAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector,
        TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var (found, refused) = await CaseMoveAsync(context, db, tenants, id, "post-checked", (_, @case) => CaseFlow.MayPostCheck(@case), cancellationToken,
            why: (application, @case) => CaseFlow.PostCheckOf(@case) switch
            {
                null => $"Case {@case.Matter} has no commitment to check: nothing was signed in place of its materials.",
                { Finding: not null } => $"The post-check of case {@case.Matter} was recorded already.",
                _ => $"Application {application.Number} is not accepted: the post-check starts at acceptance.",
            });
        if (refused is not null)
        {
            return refused;
        }

        var (request, problem) = await JsonBody.ReadAsync<PostCheckRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = Required(("/note", request.Note, 1000, request.Truthful == false
            ? "Say which commitment is untrue and what was found: it is kept with the case and audited."
            : "Say what was checked (the register consulted, the visit made)."));
        if (request.Truthful is null)
        {
            errors.Add(ApiError.At("/truthful", "required", "truthful is true when the commitments hold as signed, false when one does not (承诺不实)."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var (application, @case) = found!.Value;
        return await ConsequencesAsync(context, db, tenants, catalogue, directory, protector, application, @case, () =>
        {
            var materials = CaseFlow.PostCheckOf(@case)!.Materials;
            CaseFlow.RecordPostCheck(@case, new PostCheckFinding(request.Truthful!.Value, request.Note!.Trim(), context.Actor(), clock.Now()));
            return new AuditEvent(context.Actor(), "case.post-check", $"case/{@case.Id}", new
            {
                application = application.Number, matter = @case.Matter, materials, truthful = request.Truthful.Value, note = request.Note.Trim(),
            });
        }, cancellationToken);
    }
}
