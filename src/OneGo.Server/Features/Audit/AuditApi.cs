using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Audit;

/// <summary>A tenant's audit log for its own auditors, newest first; and the national auditors' verification of every chain (三员管理: admins read neither).</summary>
internal static class AuditApi
{
    /// <summary>An entry as the API shows it, with its place in the chain.</summary>
    public sealed record AuditItem(
        long Sequence, DateTimeOffset At, string Actor, string Action, string Subject, string? Comment, JsonNode? Changes, string Hash, string PreviousHash);

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/t/{tenant}/audit", List).WithTags("Audit").WithName("listAuditEntries")
            .WithSummary("The tenant's audit log, newest first; filters subject (bundle/{code}, matter/{code}, account/{user} …), action and actor.")
            .Requires(Capability.ReadAudit);
        app.MapGet("/api/audit/verify", Verify).WithTags("Audit").WithName("verifyAuditChains")
            .WithSummary("Walks every checkpoint in order (signature, predecessor, heads never going back), then every tenant's chain against every checkpoint; names the first entry altered, removed or reordered, a chain rewritten before any checkpoint, and each break in the checkpoints.")
            .Requires(Capability.VerifyAudit);
        return app;
    }

    private static async Task<Results<Ok<Page<AuditItem>>, InvalidProblem>> List(
        OneGoDbContext db,
        int? limit,
        string? cursor,
        [System.ComponentModel.Description("Only the entries about this subject: bundle/{code}, matter/{code}, account/{user}, tenant/{id} …")] string? subject,
        [System.ComponentModel.Description("Only the entries of this action, e.g. bundle.approve.")] string? action,
        [System.ComponentModel.Description("Only the entries of this actor (a user name or a client id).")] string? actor,
        CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        long? before = null;
        if (paging.After is { } after)
        {
            if (long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                before = sequence;
            }
            else
            {
                errors.Add(ApiError.ForParameter("cursor", "cursor", "cursor is not one this server handed out; pass the 'next' value of the previous page unchanged."));
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var query = db.Set<AuditEntry>().AsNoTracking();
        if (before is not null)
        {
            query = query.Where(e => e.Sequence < before);
        }

        if (!string.IsNullOrEmpty(subject))
        {
            query = query.Where(e => e.Subject == subject);
        }

        if (!string.IsNullOrEmpty(action))
        {
            query = query.Where(e => e.Action == action);
        }

        if (!string.IsNullOrEmpty(actor))
        {
            query = query.Where(e => e.Actor == actor);
        }

        var rows = await query.OrderByDescending(e => e.Sequence).Take(paging.Limit + 1).ToListAsync(cancellationToken);
        string? next = null;
        if (rows.Count > paging.Limit)
        {
            rows.RemoveAt(paging.Limit);
            next = Paging.Encode(rows[^1].Sequence.ToString(CultureInfo.InvariantCulture));
        }

        var items = rows.Select(e => new AuditItem(e.Sequence, e.At, e.Actor, e.Action, e.Subject, e.Comment,
            e.Changes is null ? null : JsonNode.Parse(e.Changes), e.Hash, e.PreviousHash)).ToList();
        return TypedResults.Ok(new Page<AuditItem>(items, next));
    }

    private static async Task<Ok<AuditVerification>> Verify(AuditVerifier verifier, CancellationToken cancellationToken) =>
        TypedResults.Ok(await verifier.VerifyAsync(cancellationToken));
}
