using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// POST /api/t/{tenant}/applications and PATCH …/{id}: a draft application is prepared against the bundle's live
/// version, its answers giving a guide and its values checked against that guide's form, and changed while it is a
/// draft. Nothing invalid is kept: every wrong answer and value is named by its pointer at once.
/// </summary>
internal static class PrepareApplication
{
    /// <summary>A new draft: the live bundle, the guide's answers (question id → option id) and the form values so far (field code → value).</summary>
    public sealed record DraftRequest(string? Bundle, Dictionary<string, string>? Answers, Dictionary<string, JsonElement>? Values);

    /// <summary>A change of a draft: new answers replace the old; each value given replaces its field's (null clears it); version moves the draft to the bundle's live version.</summary>
    public sealed record ChangeRequest(int? Version, Dictionary<string, string>? Answers, Dictionary<string, JsonElement>? Values);

    public static async Task<Results<CreatedAt<ApplicationView>, BodyProblem, InvalidProblem>> CreateAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<DraftRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (application, guide, errors) = await NewDraftAsync(context, db, catalogue, protector, clock, request!.Bundle, request.Answers ?? [], request.Values ?? [], cancellationToken);
        if (application is null)
        {
            return ApiProblems.Invalid(errors);
        }

        db.Add(application);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedAt<ApplicationView>($"/api/t/{context.Tenant().Id}/applications/{application.Id}",
            await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken, guide));
    }

    /// <summary>
    /// A new draft of the applicant's (or the walk-in applicant's a window officer acts for) for the live version of
    /// <paramref name="bundle"/>, its answers giving a guide and its values checked against the guide's form; not yet
    /// added. Null with every error when something is wrong.
    /// </summary>
    internal static async Task<(Application? Application, Guide? Guide, List<ApiError> Errors)> NewDraftAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, ApplicationValues protector, TimeProvider clock,
        string? bundle, IReadOnlyDictionary<string, string> answers, IReadOnlyDictionary<string, JsonElement> givenValues, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(bundle))
        {
            return (null, null, [ApiError.At("/bundle", "required", "Name the live bundle to apply for by its code.")]);
        }

        var version = await BundlesApi.LiveVersionAsync(db, bundle, cancellationToken);
        if (version is null)
        {
            return (null, null, [ApiError.At("/bundle", "not-live", $"{context.Tenant().Id} has no live bundle '{bundle}'.")]);
        }

        var effective = await catalogue.EffectiveOfAsync(version, cancellationToken);
        var (guide, values, errors) = Check(effective, answers, givenValues, clock);
        if (errors.Count > 0)
        {
            return (null, null, errors);
        }

        // The applicant's own subject, or the walk-in applicant a window officer acts for.
        var subject = context.ApplicantSubject();
        var name = await db.Set<Applicant>().Where(a => a.AccountId == Guid.Parse(subject)).Select(a => a.Name).SingleAsync(cancellationToken);
        var now = clock.Now();
        return (new Application
        {
            Id = Guid.CreateVersion7(now),
            ApplicantName = name,
            BundleCode = version.BundleCode,
            BundleName = JsonSerializer.Serialize(effective.Name, CatalogueJson.Options),
            BundleVersion = version.Version,
            State = ApplicationState.Draft,
            Answers = JsonSerializer.Serialize(answers),
            ValuesProtected = protector.Protect(values),
            CreatedBy = context.Actor(),
            CreatedAt = now,
            UpdatedAt = now,
            Revision = 1,
        }, guide, []);
    }

    public static async Task<Results<Ok<ApplicationView>, NotFoundProblem, ConflictProblem, BodyProblem, InvalidProblem>> ChangeAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, TimeProvider clock,
        string id, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        if (application is null)
        {
            return UnknownApplication(context, id);
        }

        if (application.State != ApplicationState.Draft)
        {
            return ApiProblems.Conflict("Already submitted", $"Application {application.Number} is submitted: it no longer changes.");
        }

        var (request, problem) = await JsonBody.ReadAsync<ChangeRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var versionNumber = request!.Version ?? application.BundleVersion;
        if (versionNumber != application.BundleVersion)
        {
            var live = await BundlesApi.LiveVersionAsync(db, application.BundleCode, cancellationToken);
            if (live?.Version != versionNumber)
            {
                return ApiProblems.Invalid([ApiError.At("/version", "not-live", live is null
                    ? $"{application.BundleCode} is no longer live in {application.TenantId}."
                    : $"A draft moves to the live version only: {application.BundleCode} is live at version {live.Version}.")]);
            }
        }

        var version = await VersionAsync(db, application.BundleCode, versionNumber, cancellationToken)
            ?? throw new InvalidOperationException($"{application.TenantId} lost version {versionNumber} of {application.BundleCode}.");
        var effective = await catalogue.EffectiveOfAsync(version, cancellationToken);
        var answers = request.Answers ?? AnswersOf(application);
        var given = request.Values ?? [];
        var (guide, values, errors) = Check(effective, answers, given, clock);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var merged = protector.Reveal(application);
        // A value the applicant gives is theirs, no longer what data sharing filled.
        var fetched = DataSharing.Sharing.FetchedFieldsOf(application);
        foreach (var (code, value) in given)
        {
            fetched.Remove(code);
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                merged.Remove(code);
            }
            else
            {
                merged[code] = values[code];
            }
        }

        // A value of a field the new answers' form no longer has is dropped with the answers that asked for it.
        var form = guide!.Form.Select(f => f.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var code in merged.Keys.Where(c => !form.Contains(c)).ToList())
        {
            merged.Remove(code);
            fetched.Remove(code);
        }

        DataSharing.Sharing.SetFetchedFields(application, fetched);

        application.BundleVersion = version.Version;
        application.BundleName = JsonSerializer.Serialize(effective.Name, CatalogueJson.Options);
        application.Answers = JsonSerializer.Serialize(answers);
        application.ValuesProtected = protector.Protect(merged);
        application.UpdatedAt = clock.Now();
        application.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Changed meanwhile", "The draft was changed or submitted while this change was made: read it again, then change it.");
        }

        return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
    }

    /// <summary>The guide for the answers on this version, and the values checked against its form; every error at once.</summary>
    private static (Guide? Guide, Dictionary<string, JsonElement> Values, List<ApiError> Errors) Check(
        EffectiveBundle effective, IReadOnlyDictionary<string, string> answers, IReadOnlyDictionary<string, JsonElement> values, TimeProvider clock)
    {
        var guide = GuideEvaluator.Evaluate(effective, answers);
        if (guide.Guide is null)
        {
            return (null, [], guide.Errors.Select(e => ApiError.At(e.Pointer, e.Rule, e.Message)).ToList());
        }

        var (checkedValues, errors) = FormValues.Check(values, guide.Guide.Form, DateOnly.FromDateTime(clock.Now().ToOffset(TrackingNumbers.ChinaTime).DateTime));
        return (guide.Guide, checkedValues, errors);
    }
}
