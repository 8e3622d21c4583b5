using Microsoft.AspNetCore.Http.HttpResults;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using static OneGo.Server.Identity.AccountsApi;

namespace OneGo.Server.Identity.Accounts;

/// <summary>POST …/account-changes/{id}/refuse: a second admin refuses a proposed change, saying why.</summary>
internal static class RefuseAccountChange
{
    public static async Task<Results<Ok<ChangeView>, DecisionProblem, BodyProblem, InvalidProblem>> HandleAsync(HttpContext context, OneGoDbContext db, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        var (change, account, answer) = await BeginDecisionAsync(context, db, id, cancellationToken);
        if (answer is not null)
        {
            return answer;
        }

        var (note, problem) = await JsonBody.ReadAsync<Note>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<ApiError>();
        if (string.IsNullOrWhiteSpace(note!.Comment))
        {
            errors.Add(ApiError.At("/comment", "required", "Say why: the proposing admin reads the reason."));
        }

        CheckComment(note.Comment, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        change!.State = AccountChangeState.Refused;
        change.DecidedBy = context.Actor();
        change.DecidedAt = clock.Now();
        change.Comment = note.Comment;
        change.Revision++;
        db.Audit(new AuditEvent(context.Actor(), "account.change-refuse", $"account/{account!.Name}", new { change = change.Id, kind = change.Kind, role = change.Role }, note.Comment));
        return await SaveDecisionAsync(db, cancellationToken) is { } lost ? lost : TypedResults.Ok(Change(change, account.Name));
    }
}
