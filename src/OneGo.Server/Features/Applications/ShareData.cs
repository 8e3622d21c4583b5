using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.DataSharing;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// POST /api/t/{tenant}/applications/{id}/consents and DELETE …/consents/{dataset}: 数据共享 with consent (个人信息保护法).
/// The applicant agrees, dataset by dataset, to the text the application shows (its version named); each dataset
/// agreed to is fetched at once from the region's data exchange, every fetch recorded; the record's fields fill the
/// form where the applicant typed nothing. A dataset the exchange does not answer, or whose department holds no record,
/// leaves its materials to bring, with a notice; agreeing again fetches again. Withdrawing before submission drops
/// what the dataset filled. Consents and fetches are audited by dataset, never by a value.
/// </summary>
internal static class ShareData
{
    /// <summary>Consent to fetch these datasets, as the application's <c>sharing</c> names them, with the text version shown.</summary>
    /// <param name="AsGuardian">The data is a child's and the applicant agrees as the child's guardian (required then).</param>
    public sealed record ConsentRequest(IReadOnlyList<string?>? Datasets, string? TextVersion, bool? AsGuardian);

    public static async Task<Results<Ok<ApplicationView>, NotFoundProblem, ConflictProblem, BodyProblem, InvalidProblem>> ConsentAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, ApplicantIdNumbers idNumbers,
        DataExchangeClient exchange, TimeProvider clock, string id, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        if (application is null)
        {
            return UnknownApplication(context, id);
        }

        if (application.State != ApplicationState.Draft)
        {
            return ApiProblems.Conflict("Already submitted", $"Application {application.Number} is submitted: what it shares no longer changes.");
        }

        var (request, problem) = await JsonBody.ReadAsync<ConsentRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var guide = await GuideOfAsync(db, catalogue, application, cancellationToken);
        var (chosen, applicant, errors) = await CheckAsync(db, guide, application.ApplicantId, request!.Datasets, request.TextVersion, request.AsGuardian, "/datasets", cancellationToken);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        if (!await AgreeAndFetchAsync(context, db, directory, protector, idNumbers, exchange, clock, application, guide, chosen, applicant!, cancellationToken))
        {
            // Agreed to already, and fetched: nothing changes.
            return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken, guide));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Changed meanwhile", "The draft was changed or submitted while its data was fetched: read it again, then agree again.");
        }

        return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken, guide));
    }

    /// <summary>
    /// What an applicant agrees to fetch, checked: each dataset one the guide fetches (errors at <paramref name="pointer"/>),
    /// the consent text's current version, guardianship where the data is a child's, and a real-name verified person.
    /// </summary>
    internal static async Task<(List<SharedDataset> Chosen, Applicant? Applicant, List<ApiError> Errors)> CheckAsync(
        OneGoDbContext db, Guide guide, string applicantId, IReadOnlyList<string?>? datasets, string? textVersion, bool? asGuardian, string pointer,
        CancellationToken cancellationToken)
    {
        var shared = Sharing.DatasetsOf(guide).ToDictionary(d => d.Dataset, StringComparer.Ordinal);
        var child = Sharing.ConcernsChild(guide);
        var errors = new List<ApiError>();
        var chosen = new List<SharedDataset>();
        if (datasets is not { Count: > 0 })
        {
            errors.Add(ApiError.At(pointer, "required", $"Name the datasets you agree to fetch; this application fetches {Names(shared.Keys)}."));
        }
        else
        {
            for (var i = 0; i < datasets.Count; i++)
            {
                if (datasets[i] is { } name && shared.TryGetValue(name, out var dataset))
                {
                    chosen.Add(dataset);
                }
                else
                {
                    errors.Add(ApiError.At($"{pointer}/{i}", "unknown-dataset", $"This application fetches no dataset '{datasets[i]}'; it fetches {Names(shared.Keys)}."));
                }
            }
        }

        if (textVersion != Sharing.TextVersion)
        {
            errors.Add(ApiError.At("/textVersion", "text-version", $"Agree to the consent text of version {Sharing.TextVersion}, as the application shows it: read it again."));
        }

        if (child && asGuardian != true)
        {
            errors.Add(ApiError.At("/asGuardian", "guardian", "The data fetched for this application is a child's: only the child's guardian may agree (个人信息保护法 Art. 31). Set asGuardian to true if you are."));
        }

        var applicant = await db.Set<Applicant>().AsNoTracking()
            .SingleAsync(a => a.AccountId == Guid.Parse(applicantId), cancellationToken);
        if (!applicant.RealNameVerified)
        {
            errors.Add(ApiError.At(pointer, "not-verified",
                "Data sharing fetches records from the departments by your ID number, so it needs an account real-name verified by the national identity service; yours is not. Attach the materials instead."));
        }

        return (chosen, applicant, errors);
    }

    /// <summary>
    /// Records a consent for each dataset chosen that has none in force, fetches each that is not fetched yet — side by
    /// side, the database waiting for the answers — and fills the form where nothing was typed; audited. Saves nothing;
    /// false when nothing was to do.
    /// </summary>
    internal static async Task<bool> AgreeAndFetchAsync(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, ApplicationValues protector, ApplicantIdNumbers idNumbers, DataExchangeClient exchange,
        TimeProvider clock, Application application, Guide guide, List<SharedDataset> chosen, Applicant applicant, CancellationToken cancellationToken)
    {
        var child = Sharing.ConcernsChild(guide);
        // The route's region: a new draft has its tenant only once saved.
        var region = context.Tenant();
        var bundleName = TextOf(application.BundleName);
        var purpose = Sharing.Purpose(region.Name, bundleName);
        var now = clock.Now();
        var actor = context.Actor();
        var newConsents = 0;
        foreach (var dataset in chosen.DistinctBy(d => d.Dataset))
        {
            if (Sharing.ConsentTo(application, dataset.Dataset) is { } given && given.AsGuardian == child && given.TextVersion == Sharing.TextVersion)
            {
                continue;
            }

            db.Add(new DataConsent
            {
                Id = Guid.CreateVersion7(now), ApplicationId = application.Id, Dataset = dataset.Dataset, Department = dataset.Department,
                Purpose = purpose, TextVersion = Sharing.TextVersion, AsGuardian = child, GivenBy = actor, GivenAt = now,
            });
            newConsents++;
        }

        db.ChangeTracker.DetectChanges();
        // Each dataset agreed to and not yet fetched is fetched now, side by side; the database waits for the answers.
        var idNumber = idNumbers.Reveal(applicant);
        var toFetch = chosen.DistinctBy(d => d.Dataset).Where(d => !Sharing.IsFetched(application, d.Dataset)).ToList();
        if (newConsents == 0 && toFetch.Count == 0)
        {
            return false;
        }

        var answers = await Task.WhenAll(toFetch.Select(d => exchange.FetchAsync(
            new ExchangeQuery(region.Id, application.Id, d.Dataset, d.Department, idNumber, child, purpose), cancellationToken)));

        var values = protector.Reveal(application);
        var fetchedFields = Sharing.FetchedFieldsOf(application);
        var today = DateOnly.FromDateTime(clock.Now().ToOffset(TrackingNumbers.ChinaTime).DateTime);
        var fetchedAt = clock.Now();
        for (var i = 0; i < toFetch.Count; i++)
        {
            var (dataset, answer) = (toFetch[i], answers[i]);
            var filled = new List<string>();
            if (answer.Outcome == FetchOutcome.Fetched)
            {
                // Only the form's fields, each as its type wants it; a value the applicant typed stays theirs.
                var offered = answer.Fields.Where(f => guide.Form.Any(g => g.Code == f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
                var (usable, _) = FormValues.Check(offered, guide.Form, today);
                foreach (var (code, value) in usable.Where(u => !values.ContainsKey(u.Key) || fetchedFields.ContainsKey(u.Key)))
                {
                    values[code] = value;
                    fetchedFields[code] = dataset.Dataset;
                    filled.Add(code);
                }
            }

            db.Add(new DataFetch
            {
                Id = Guid.CreateVersion7(fetchedAt), ApplicationId = application.Id, Dataset = dataset.Dataset, Department = dataset.Department,
                At = fetchedAt, Outcome = answer.Outcome, Attempts = answer.Attempts, Fields = string.Join(',', filled.Order(StringComparer.Ordinal)),
                Detail = answer.Detail is { Length: > DataFetch.MaxDetail } detail ? detail[..DataFetch.MaxDetail] : answer.Detail,
            });
        }

        application.ValuesProtected = protector.Protect(values);
        Sharing.SetFetchedFields(application, fetchedFields);
        application.UpdatedAt = clock.Now();
        application.Revision++;
        db.Audit(new AuditEvent(actor, "application.share", $"application/{application.Id}", new
        {
            datasets = chosen.Select(d => d.Dataset).Distinct().ToList(),
            asGuardian = child,
            textVersion = Sharing.TextVersion,
            fetched = toFetch.Select((d, i) => new { dataset = d.Dataset, outcome = answers[i].Outcome.ToString(), attempts = answers[i].Attempts }).ToList(),
        }));
        return true;
    }

    public static async Task<Results<Ok<ApplicationView>, NotFoundProblem, ConflictProblem>> WithdrawAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, TimeProvider clock,
        string id, string dataset, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        if (application is null)
        {
            return UnknownApplication(context, id);
        }

        if (application.State != ApplicationState.Draft)
        {
            return ApiProblems.Conflict("Already submitted", $"Application {application.Number} is submitted: the data it shared is with the departments, for this application only.");
        }

        if (Sharing.ConsentTo(application, dataset) is not { } consent)
        {
            return ApiProblems.NotFound("No such consent", $"Application {application.Id} has no consent in force to fetch '{dataset}'.");
        }

        consent.WithdrawnAt = clock.Now();
        // What the dataset filled goes with the consent; what the applicant typed stays.
        var values = protector.Reveal(application);
        var fetchedFields = Sharing.FetchedFieldsOf(application);
        var dropped = fetchedFields.Where(f => f.Value == dataset).Select(f => f.Key).ToList();
        foreach (var code in dropped)
        {
            values.Remove(code);
            fetchedFields.Remove(code);
        }

        application.ValuesProtected = protector.Protect(values);
        Sharing.SetFetchedFields(application, fetchedFields);
        application.UpdatedAt = clock.Now();
        application.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "application.share.withdraw", $"application/{application.Id}", new { dataset, dropped }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Changed meanwhile", "The draft was changed or submitted meanwhile: read it again, then withdraw.");
        }

        return TypedResults.Ok(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
    }

    private static string Names(IEnumerable<string> datasets) =>
        datasets.Any() ? string.Join(", ", datasets.Select(d => $"'{d}'")) : "none";
}
