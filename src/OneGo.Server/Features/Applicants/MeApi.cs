using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Features.Applicants;

/// <summary>The signed-in applicant as they see themselves: the ID number masked, and whether their real name is verified.</summary>
/// <param name="Subject">The immutable subject of their tokens, which records name them by; never their ID number.</param>
/// <param name="IdNumber">Their 居民身份证号, masked: the first three and the last four characters.</param>
/// <param name="CreditCode">The enterprise they act for, or null.</param>
/// <param name="RealNameVerified">False until a federated identity provider vouched for the name and ID number.</param>
/// <param name="VerifiedBy">The provider that vouched, once one has.</param>
public sealed record ApplicantView(
    Guid Subject, string UserName, string Name, string IdNumber, string? CreditCode, string? EnterpriseName, bool RealNameVerified, string? VerifiedBy,
    DateTimeOffset RegisteredAt);

internal static class MeApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/me").WithTags("Applicants").Requires(Capability.Apply)
            .MapGet("", GetMe).WithName("getMe")
            .WithSummary("The signed-in applicant: name, masked ID number, the enterprise they act for, and whether their real name is verified.");
    }

    private static async Task<Results<Ok<ApplicantView>, NotFoundProblem>> GetMe(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var subject = Guid.TryParse(context.User.FindFirstValue(Claims.Subject), out var id) ? id : Guid.Empty;
        var found = await (
            from account in db.Set<Account>().AsNoTracking()
            join applicant in db.Set<Applicant>().AsNoTracking() on account.Id equals applicant.AccountId
            where account.Id == subject && account.TenantId == null && !account.Disabled
            select new { account.UserName, applicant }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound("No such applicant", "The token's subject is no applicant's (any more).");
        }

        var a = found.applicant;
        return TypedResults.Ok(new ApplicantView(subject, found.UserName!, a.Name, a.IdNumberMasked, a.CreditCode, a.EnterpriseName, a.RealNameVerified, a.VerifiedBy, a.RegisteredAt));
    }
}
