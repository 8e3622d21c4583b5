using OneGo.Server.Data;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/accounts/{userName}/credential: an admin proposes re-issuing the credential; once approved, the link or secret goes to the account's own address.</summary>
internal static class ProposeCredential
{
    public static async Task<ProposalAnswer> HandleAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, string userName, CancellationToken cancellationToken)
    {
        var (account, comment, unknown, unreadable) = await ReadTargetAsync(context, db, userName, cancellationToken);
        if (account is null || unreadable is not null)
        {
            return unknown is not null ? unknown : unreadable!;
        }

        return await AddProposalAsync(context, db, clock, account, new AccountChange { Kind = AccountChangeKind.ReissueCredential }, comment, cancellationToken);
    }
}
