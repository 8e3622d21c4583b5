using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/account-changes/{id}/approve: a second admin approves a proposed change, which then takes effect (a grant, a credential sent, an authenticator reset, an address changed).</summary>
internal static class ApproveAccountChange
{
    private static async Task BeginTransactionAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            await db.Database.BeginTransactionAsync(cancellationToken);
        }
    }

    /// <summary>Where a mailed link points: <c>Identity:Issuer</c> (the public address behind a load balancer), else this request's origin.</summary>
    private static string Origin(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<IdentitySettings>>().Value.Issuer is { Length: > 0 } issuer
            ? issuer
            : $"{context.Request.Scheme}://{context.Request.Host}";

    public static async Task<Results<Ok<ChangeView>, DecisionProblem, BodyProblem>> HandleAsync(
        HttpContext context, OneGoDbContext db, UserManager<Account> users, Credentials credentials, AccountRoles held, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        var (change, account, answer) = await BeginDecisionAsync(context, db, id, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        string? comment = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var (note, problem) = await JsonBody.ReadAsync<Note>(context.Request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            comment = note!.Comment;
        }

        var origin = Origin(context);
        var revokeTokens = false;
        switch (change!.Kind)
        {
            case AccountChangeKind.GrantRole:
                var roles = await held.HeldAsync(account!, cancellationToken);
                if (AccountRules.Conflict([.. roles, change.Role!]) is { } conflict)
                {
                    return new DecisionProblem(TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Separation of duties",
                        detail: $"{account!.Name} now holds '{conflict.Held}', which cannot be held together with '{conflict.Asked}'."));
                }

                // The first role of an account without a credential sends one; a later role changes what its tokens carry.
                if (account!.Kind == AccountKind.Person && account.PasswordHash is null && roles.Count == 0)
                {
                    await credentials.IssueLinkAsync(account, origin, cancellationToken);
                }
                else if (account.Kind == AccountKind.Service && roles.Count == 0)
                {
                    await BeginTransactionAsync(db, cancellationToken);
                    await credentials.IssueSecretAsync(account, cancellationToken);
                }

                revokeTokens = roles.Count > 0;
                break;

            case AccountChangeKind.ReissueCredential:
                if (account!.Kind == AccountKind.Person)
                {
                    await credentials.IssueLinkAsync(account, origin, cancellationToken);
                }
                else
                {
                    await BeginTransactionAsync(db, cancellationToken);
                    await credentials.IssueSecretAsync(account, cancellationToken);
                }

                credentials.Notify(account, account.Email!, $"已按两位管理员的决定重新发出凭据（{change.ProposedBy}、{context.Actor()}）。 A new credential was issued, as two admins decided ({change.ProposedBy}, {context.Actor()}).");
                revokeTokens = true;
                break;

            case AccountChangeKind.ResetAuthenticator:
                // In one update (Identity's store saves nothing itself): key and recovery codes gone, the person enrols again at the next sign-in.
                var tokens = (IUserAuthenticationTokenStore<Account>)context.RequestServices.GetRequiredService<IUserStore<Account>>();
                await tokens.RemoveTokenAsync(account!, "[AspNetUserStore]", "AuthenticatorKey", cancellationToken);
                await tokens.RemoveTokenAsync(account!, "[AspNetUserStore]", "RecoveryCodes", cancellationToken);
                account!.TwoFactorEnabled = false;
                await users.UpdateSecurityStampAsync(account);
                credentials.Notify(account!, account!.Email!, $"身份验证器已重置，下次登录时请重新设置（{change.ProposedBy}、{context.Actor()}）。 Your authenticator was reset: set it up again at your next sign-in ({change.ProposedBy}, {context.Actor()}).");
                revokeTokens = true;
                break;

            case AccountChangeKind.ChangeEmail:
                var old = account!.Email;
                await users.SetEmailAsync(account, change.Email);
                if (old is not null)
                {
                    credentials.Notify(account, old, $"账号的电子邮件地址已改为 {AccountRules.Mask(change.Email)}（{change.ProposedBy}、{context.Actor()}）。 The account's e-mail address was changed to {AccountRules.Mask(change.Email)} ({change.ProposedBy}, {context.Actor()}).");
                }

                credentials.Notify(account, change.Email!, "这是账号今后使用的电子邮件地址。 This is the account's e-mail address from now on.");
                break;
        }

        change.State = AccountChangeState.Approved;
        change.DecidedBy = context.Actor();
        change.DecidedAt = clock.Now();
        change.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "account.change-approve", $"account/{account!.Name}",
            new { change = change.Id, kind = change.Kind, role = change.Role, email = AccountRules.Mask(change.Email), proposedBy = change.ProposedBy }, comment));
        var lost = await SaveDecisionAsync(db, cancellationToken);
        if (db.Database.CurrentTransaction is { } transaction)
        {
            if (lost is null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }

        if (revokeTokens)
        {
            await held.RevokeTokensAsync(account, cancellationToken);
        }

        return lost is null ? TypedResults.Ok(Change(change, account.Name)) : lost;
    }
}
