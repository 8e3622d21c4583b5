using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// POST /api/t/{tenant}/applications/{id}/submit: 一次提交. In one transaction the draft pins its bundle version and
/// answers, keeps the form's values only, keeps the signed commitments' text, takes its tracking number and is split
/// into one case per matter that applies, each owned by the matter's department: cases whose <c>after</c> matters are
/// not done wait, the rest are ready at once (并联). The submission is audited by number, without personal data.
/// The Idempotency-Key makes it safe to retry: the same key and body answer the first answer again, another body 422;
/// a draft submitted under another key is 409. A draft prepared against a version that is no longer live is 409 naming
/// the live version, and is kept. Nothing half-submitted exists: a submission is saved whole or not at all.
/// </summary>
internal static class SubmitApplication
{
    /// <summary>The commitments (告知承诺) the applicant signs, by material code: every one the guide lists.</summary>
    public sealed record SubmitRequest(List<string>? Commitments);

    /// <summary>The version of the commitment text below; kept with each signature.</summary>
    public const string CommitmentTextVersion = "commitment-v1";

    private const int Attempts = 10;

    public static async Task<Results<CreatedAt<ApplicationView>, SubmissionProblem, BodyProblem, InvalidProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, RegionDirectory directory, ApplicationValues protector, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<ApplicationsSettings> settings, Microsoft.Extensions.Options.IOptions<Cases.CaseWorkSettings> caseWork,
        Calendar.WorkingDayCalendar workingDays, string id, CancellationToken cancellationToken)
    {
        byte[]? body = null;
        for (var attempt = 1; ; attempt++)
        {
            var application = await FindAsync(db, id, cancellationToken);
            if (application is null)
            {
                return new SubmissionProblem(UnknownApplication(context, id).Problem);
            }

            var key = IdempotencyKey.Of(context.Request);
            if (application.State != ApplicationState.Draft)
            {
                if (key.Length == 0 || key != application.SubmitKey)
                {
                    return Conflict("Already submitted", $"Application {application.Id} is submitted as {application.Number}.", application.Number, null);
                }

                body ??= await IdempotencyKey.BufferBodyAsync(context.Request, cancellationToken);
                if (IdempotencyKey.Hash(body) != application.SubmitHash)
                {
                    return ApiProblems.Invalid([ApiError.ForParameter("Idempotency-Key", "idempotency",
                        $"This Idempotency-Key already submitted application {application.Number} with another body: send that body again, or prepare a new application.")]);
                }

                return Created(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken));
            }

            var live = await BundlesApi.LiveVersionAsync(db, application.BundleCode, cancellationToken);
            if (live?.Version != application.BundleVersion)
            {
                return live is null
                    ? Conflict("The bundle is no longer live", $"{application.BundleCode} was withdrawn in {application.TenantId}: the draft is kept, but it cannot be submitted.", null, null)
                    : Conflict("A newer version is live",
                        $"The draft was prepared against version {application.BundleVersion} of {application.BundleCode}; version {live.Version} is live now. The draft is kept: move it with PATCH {{\"version\": {live.Version}}}, check the guide, and submit again.",
                        null, live.Version);
            }

            if (!IdempotencyKey.IsValid(key))
            {
                return new SubmissionProblem(IdempotencyKey.Needed("Submitting", "the same application"));
            }

            body ??= await IdempotencyKey.BufferBodyAsync(context.Request, cancellationToken);
            SubmitRequest request;
            if (body.Length == 0)
            {
                request = new SubmitRequest(null);
            }
            else
            {
                // Read afresh on each attempt: a retry after a conflicting save reads the same bytes again.
                context.Request.Body = new MemoryStream(body);
                var (read, problem) = await JsonBody.ReadAsync<SubmitRequest>(context.Request, cancellationToken);
                if (problem is not null)
                {
                    return problem;
                }

                request = read!;
            }

            var effective = await catalogue.EffectiveOfAsync(live, cancellationToken);
            var guide = GuideEvaluator.Evaluate(effective, AnswersOf(application)).Guide
                ?? throw new InvalidOperationException($"Application {application.Id}'s answers no longer give a guide on its own version.");
            var form = guide.Form.Select(f => f.Code).ToHashSet(StringComparer.Ordinal);
            var values = protector.Reveal(application).Where(v => form.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            var signed = request.Commitments ?? [];
            var attached = application.Files.Select(f => f.Material).ToHashSet(StringComparer.Ordinal);
            var errors = Check(application, guide, values, signed, attached);
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            var now = clock.Now();
            var region = context.Tenant();
            var calendar = await workingDays.CurrentAsync(db, cancellationToken);
            // One transaction from the number on: the counter's row lock orders the region's submissions.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var number = await TrackingNumbers.NextAsync(db, region, now, cancellationToken);
            application.State = ApplicationState.Submitted;
            application.Number = number;
            application.ValuesProtected = protector.Protect(values);
            application.Commitments = JsonSerializer.Serialize(
                guide.ByCommitment.Select(m => new SignedCommitment(m.Code, m.Name, CommitmentText(m), now)).ToList(), CatalogueJson.Options);
            application.SubmitKey = key;
            application.SubmitHash = IdempotencyKey.Hash(body);
            application.SubmittedAt = now;
            application.SubmittedBy = context.Actor();
            application.UpdatedAt = now;
            application.PromisedDays = guide.PromisedDays;
            application.LeadDepartment = effective.LeadDepartment;
            // What the applicant really spends is counted from here: a walk-in came to the counter once, and data sharing fetched what it could.
            application.Trips = Applicants.OnBehalf.IsOfficer(context.User) ? 1 : 0;
            application.MaterialsFetched = guide.FetchedForYou.Count(m => DataSharing.Sharing.IsFetched(application, m.Source.Dataset!));
            // 容缺: what may follow later and has no file yet is due so many working days from today (China Standard Time), on the holiday calendar.
            var today = DateOnly.FromDateTime(now.ToOffset(TrackingNumbers.ChinaTime).DateTime);
            var days = settings.Value.FollowLaterWorkingDays;
            var following = guide.MayFollowLater.Where(m => !attached.Contains(m.Code))
                .Select(m =>
                {
                    var due = calendar.Add(today, days);
                    return new FollowingLater(m.Code, due.Day, days, due.Provisional);
                }).ToList();
            application.FollowLater = following.Count == 0 ? null : JsonSerializer.Serialize(following, CatalogueJson.Options);
            application.DueDatesProvisional = following.Any(f => f.Provisional);
            application.Revision++;
            foreach (var matter in guide.Matters)
            {
                // 告知承诺: what was signed in place of this matter's materials is its department's to check after acceptance.
                var signedFor = guide.ByCommitment.Where(m => m.NeededBy.Contains(matter.Code)).Select(m => m.Code).ToList();
                // Added explicitly: a new case with its id set would otherwise be taken for an existing one.
                db.Add(new ApplicationCase
                {
                    PostCheck = signedFor.Count == 0 ? null : JsonSerializer.Serialize(new Cases.PostCheckTask(signedFor), CatalogueJson.Options),
                    ApplicationId = application.Id,
                    Id = Guid.CreateVersion7(now),
                    Matter = matter.Code,
                    MatterName = JsonSerializer.Serialize(matter.Name, CatalogueJson.Options),
                    Department = matter.Department,
                    After = string.Join(',', matter.After),
                    // 并联: what waits for nothing starts now; the rest waits for its after matters.
                    State = matter.After.Count == 0 ? CaseState.Ready : CaseState.Waiting,
                    PromisedDays = matter.PromisedDays,
                    CreatedAt = now,
                });
            }

            var due = calendar.Add(today, application.PromisedDays);
            application.DueOn = due.Day;
            application.DueDatesProvisional |= due.Provisional;
            // 受理 at once when nothing is left for the window to look at: applied online by the applicant themselves,
            // every material fetched by data sharing or replaced by a commitment, nothing uploaded, nothing to follow later.
            var automatic = !Applicants.OnBehalf.IsOfficer(context.User) && application.Files.Count == 0 && following.Count == 0;
            if (automatic)
            {
                Cases.CaseFlow.Accept(application, calendar, caseWork.Value.PostCheckWorkingDays, now, Cases.CaseFlow.AutomaticAcceptance);
            }

            // Numbers and codes only: the application's personal data never enters the audit log.
            db.Audit(new AuditEvent(context.Actor(), "application.submit", $"application/{number}", new
            {
                bundle = application.BundleCode,
                version = application.BundleVersion,
                cases = guide.Matters.Select(m => new { matter = m.Code, department = m.Department, after = m.After }),
                commitments = guide.ByCommitment.Select(m => m.Code),
                files = application.Files.OrderBy(f => f.Material, StringComparer.Ordinal).Select(f => new { material = f.Material, sha256 = f.Sha256 }),
                followLater = following,
                dueOn = application.DueOn,
                accepted = automatic ? Cases.CaseFlow.AutomaticAcceptance : null,
            }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // This draft was changed or submitted meanwhile, another write took the region's audit chain's next
                // place, or two first submissions of the day both added the counter: read it all again.
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                db.PendingAudit.Clear();
                continue;
            }

            return Created(await ViewAsync(context, db, catalogue, directory, protector, application, cancellationToken, guide));
        }
    }

    /// <summary>What a submission still lacks, each error at its pointer: form values, commitments, materials to bring.</summary>
    private static List<ApiError> Check(Application application, Guide guide, IReadOnlyDictionary<string, JsonElement> values, IReadOnlyList<string> signed, IReadOnlySet<string> attached)
    {
        var errors = FormValues.Missing(values, guide.Form).ToList();
        var commitments = guide.ByCommitment.Select(m => m.Code).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(guide.ByCommitment.Where(m => !signed.Contains(m.Code, StringComparer.Ordinal)).Select(m => ApiError.At(Pointer.Of("commitments", m.Code), "required",
            $"Sign the commitment for {m.Name.Zh} ({m.Name.En ?? m.Code}): it replaces the material. {CommitmentText(m)}")));
        errors.AddRange(signed.Where(c => !commitments.Contains(c)).Distinct(StringComparer.Ordinal).Select(c => ApiError.At(Pointer.Of("commitments", c), "unknown-commitment",
            $"'{c}' is no commitment of this guide; it lists {(commitments.Count == 0 ? "none" : string.Join(", ", commitments))}.")));
        errors.AddRange(DataSharing.Sharing.ToBring(application, guide).Where(m => !attached.Contains(m.Code)).Select(m => ApiError.At(Pointer.Of("materials", m.Code), "file-needed",
            $"{m.Name.Zh} ({m.Name.En ?? m.Code}) must be brought: attach its file (PUT …/materials/{m.Code}) before submitting." +
            (DataSharing.Sharing.WhyBrought(application, m) is { } why ? " " + why.En : ""))));
        return errors;
    }

    /// <summary>告知承诺: the text the applicant signs in place of a material.</summary>
    public static string CommitmentText(GuideMaterial material) => CommitmentText(material.Code, material.Name.Zh, material.Name.En);

    /// <summary>告知承诺: the text signed in place of the material <paramref name="code"/> named <paramref name="zh"/> (<paramref name="en"/>), as the pages show it before signing.</summary>
    public static string CommitmentText(string code, string zh, string? en) =>
        $"本人承诺：所申报的“{zh}”相关信息真实、准确、完整，愿意接受主管部门的事后核查，并承担不实承诺的法律责任。" +
        $" I declare that what I state in place of \"{en ?? code}\" is true, accurate and complete, accept the department's later check, and bear the legal consequences of a false declaration. ({CommitmentTextVersion})";

    private static CreatedAt<ApplicationView> Created(ApplicationView view) =>
        new($"/api/t/{view.Tenant}/applications/{view.Number}", view);

    private static SubmissionProblem Conflict(string title, string detail, string? number, int? liveVersion) =>
        new(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["number"] = number, ["liveVersion"] = liveVersion }));
}
