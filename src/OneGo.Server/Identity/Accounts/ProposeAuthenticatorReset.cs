using OneGo.Server.Data;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/accounts/{userName}/authenticator/reset: an admin proposes resetting a person's authenticator; a second admin decides it.</summary>
internal static class ProposeAuthenticatorReset
{
    public static async Task<ProposalAnswer> HandleAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var (account, comment, unknown, unreadable) = await ReadTargetAsync(context, db, userName, cancellationToken);
        if (account is null || unreadable is not null)
        {
            return unknown is not null ? unknown : unreadable!;
        }

        return account.Kind != AccountKind.Person
            ? ApiProblems.Conflict("Not a person", "A service account has no authenticator.")
            : await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.ResetAuthenticator }, comment, cancellationToken);
    }
}
