using Microsoft.Extensions.Options;
using OneGo.Server.Scheduling;
using OpenIddict.Abstractions;
using Quartz;

namespace OneGo.Server.Identity;

/// <summary>
/// Removes tokens and authorizations that can no longer be used (expired, revoked, redeemed) once they are older than
/// <c>Identity:PruneAfter</c> (14 days by default), so the token tables do not grow for ever. OpenIddict's own Quartz
/// integration is not available to OneGo; this is the same work as its pruning job, on OneGo's scheduler.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PruneTokensJob(
    IOpenIddictTokenManager tokens,
    IOpenIddictAuthorizationManager authorizations,
    TimeProvider clock,
    IOptions<IdentitySettings> settings,
    ILogger<PruneTokensJob> logger) : IJob
{
    public const string Name = "prune-tokens";
    public const string ScheduleSetting = "Identity:PruneSchedule";

    /// <summary>Every hour, on the hour (Asia/Shanghai; the zone matters only to schedules of a day or more).</summary>
    public const string DefaultSchedule = "0 0 * * * ?";

    public static JobKey Key { get; } = Jobs.RecurringKey(Name);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var threshold = clock.GetUtcNow() - settings.Value.PruneAfter;
        var prunedTokens = await tokens.PruneAsync(threshold, cancellationToken);
        var prunedAuthorizations = await authorizations.PruneAsync(threshold, cancellationToken);
        logger.LogInformation("Pruned {Tokens} token(s) and {Authorizations} authorization(s) created before {Threshold:O}",
            prunedTokens, prunedAuthorizations, threshold);
    }
}
