using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/accounts/{userName}/email: an admin proposes a new address; a second admin decides it, and the old address is told.</summary>
internal static class ProposeEmail
{
    public static async Task<ProposalAnswer> HandleAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var account = await FindAsync(context, db, userName, cancellationToken);
        if (account is null)
        {
            return UnknownAccount(context, userName);
        }

        var (body, problem) = await JsonBody.ReadAsync<NewEmail>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ApiError>();
        if (AccountRules.CheckEmail(body!.Email) is { } bad)
        {
            errors.Add(ApiError.At("/email", "email", bad));
        }

        CheckComment(body.Comment, errors);
        return errors.Count > 0
            ? ApiProblems.Invalid(errors)
            : await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.ChangeEmail, Email = body.Email }, body.Comment, cancellationToken);
    }
}
