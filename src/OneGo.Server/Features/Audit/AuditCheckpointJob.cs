using Quartz;

namespace OneGo.Server.Features.Audit;

/// <summary>Writes a checkpoint of every audit chain's head to blob storage, every minute by default (<c>Audit:CheckpointInterval</c>).</summary>
[DisallowConcurrentExecution]
internal sealed class AuditCheckpointJob(AuditCheckpoints checkpoints, ILogger<AuditCheckpointJob> logger) : IJob
{
    public const string Name = "audit-checkpoint";
    public const string ScheduleSetting = "Audit:CheckpointInterval";

    /// <summary>The window after the last checkpoint that only the chains cover.</summary>
    public const string DefaultSchedule = "00:01:00";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (await checkpoints.WriteAsync(cancellationToken) is { } written)
        {
            logger.LogInformation("Audit checkpoint of {Chains} chain(s) written at {At:O}", written.Chains.Count, written.At);
        }
    }
}
