using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Applicants;

/// <summary>
/// POST /api/t/{tenant}/walk-ins: a window officer registers the person in front of them, whose 居民身份证 they checked
/// in person. The person gets an applicant record of their own — an immutable subject, no password (they do not sign
/// in with it), real-name verified by the officer at the window — and the officer then acts for them on the
/// applicants' routes with <c>X-OneGo-Applicant</c>. Audited in the region's log by subject, never by name or number.
/// </summary>
internal static class WalkIns
{
    public sealed record WalkInRequest(string? Name, string? IdNumber);

    /// <param name="Subject">What the officer sends in <c>X-OneGo-Applicant</c> to act for this person.</param>
    public sealed record WalkInView(string Subject, string Name, string IdNumber, string VerifiedBy);

    public static IEndpointRouteBuilder MapWalkIns(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/t/{tenant}/walk-ins").WithTags("Applicants").Requires(Capability.ServeAtWindow)
            .MapPost("", RegisterAsync).WithName("registerWalkIn")
            .WithSummary("Registers a walk-in applicant whose identity card the window officer checked in person: their subject, to act for them with X-OneGo-Applicant.")
            .Accepts<WalkInRequest>(MediaTypes.Json);
        return app;
    }

    private static async Task<Results<Created<WalkInView>, BodyProblem, InvalidProblem, ProblemHttpResult>> RegisterAsync(
        HttpContext context, OneGoDbContext db, UserManager<Account> users, ApplicantIdNumbers idNumbers, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await OnBehalf.WindowRefusalAsync(context, context.Tenant()) is { } refusal)
        {
            return refusal;
        }

        var (request, problem) = await JsonBody.ReadAsync<WalkInRequest>(context.Request, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var errors = new List<ApiError>();
        var name = (request.Name ?? "").Trim();
        if (name.Length == 0)
        {
            errors.Add(ApiError.At("/name", "required", $"The name on the identity card is required (at most {Applicant.MaxName} characters)."));
        }

        errors.CheckLength("/name", name, Applicant.MaxName);
        var idNumber = ResidentIdNumber.Normalise(request.IdNumber ?? "");
        if (ResidentIdNumber.Check(idNumber, DateOnly.FromDateTime(clock.Now().ToOffset(Applications.TrackingNumbers.ChinaTime).DateTime)) is { } wrong)
        {
            errors.Add(ApiError.At("/idNumber", wrong.Rule, wrong.Message));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var now = clock.Now();
        var officer = context.Actor();
        var account = new Account
        {
            Id = Guid.NewGuid(), UserName = "walk-in-" + Guid.NewGuid().ToString("N")[..12], TenantId = null, Kind = AccountKind.Person, DisplayName = name,
            CreatedAt = now, CreatedBy = officer,
        };
        // No password: the person does not sign in with this record; the officer acts for them.
        var created = await users.CreateAsync(account);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"A walk-in applicant's record was refused: {string.Join("; ", created.Errors.Select(e => e.Description))}");
        }

        var verifiedBy = $"window {context.Tenant().Id} ({officer})";
        db.Add(new Applicant
        {
            AccountId = account.Id, Name = name, IdNumberProtected = idNumbers.Protect(idNumber), IdNumberMasked = ResidentIdNumber.Mask(idNumber),
            RegisteredAt = now, VerifiedBy = verifiedBy.Length > 200 ? verifiedBy[..200] : verifiedBy, VerifiedAt = now, WindowTenantId = context.Tenant().Id,
        });
        db.Audit(new AuditEvent(officer, "applicant.register.walk-in", $"applicant/{account.Id}", new { realName = "checked at the window" }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created((string?)null, new WalkInView(account.Id.ToString(), name, ResidentIdNumber.Mask(idNumber), verifiedBy));
    }
}
