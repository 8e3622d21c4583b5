using OneGo.Server.Hosting;
using Quartz;

namespace OneGo.Server.Features.Audit;

/// <summary>
/// Writes a checkpoint of every audit chain's head to blob storage, every minute by default (<c>Audit:CheckpointInterval</c>).
/// When a chain does not extend the latest checkpoint, or the latest checkpoint is not this deployment's, it writes
/// nothing and raises a critical alert naming what broke — at every run, until someone restores what was changed.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class AuditCheckpointJob(AuditCheckpoints checkpoints, ILogger<AuditCheckpointJob> logger) : IJob
{
    public const string Name = "audit-checkpoint";
    public const string ScheduleSetting = "Audit:CheckpointInterval";

    /// <summary>The window after the last checkpoint that only the chains cover.</summary>
    public const string DefaultSchedule = "00:01:00";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await RunAsync(cancellationToken);

    /// <summary>One run, as the scheduler fires it.</summary>
    public async Task<CheckpointRun> RunAsync(CancellationToken cancellationToken)
    {
        var run = await checkpoints.WriteAsync(cancellationToken);
        switch (run.Outcome)
        {
            case CheckpointOutcome.Written:
                logger.LogInformation("Audit checkpoint #{Number} of {Chains} chain(s) written at {At:O} as {Path}",
                    run.Checkpoint!.Number, run.Checkpoint.Chains.Count, run.Checkpoint.At, run.Path);
                break;
            case CheckpointOutcome.Refused:
                foreach (var broken in run.ChainBreaks)
                {
                    if (run.Checkpoint is null)
                    {
                        logger.LogCritical(
                            "Audit chain {Tenant} is broken before the first checkpoint: entry {Sequence} {Kind}. {Detail} No checkpoint is written until it is restored",
                            broken.Tenant, broken.Sequence, EnumWords.Of(broken.Kind), broken.Detail);
                    }
                    else
                    {
                        logger.LogCritical(
                            "Audit chain {Tenant} does not extend checkpoint #{Checkpoint}: entry {Sequence} {Kind}. {Detail} No checkpoint is written until it is restored",
                            broken.Tenant, run.Checkpoint.Number, broken.Sequence, EnumWords.Of(broken.Kind), broken.Detail);
                    }
                }

                foreach (var broken in run.CheckpointBreaks)
                {
                    logger.LogCritical("Audit checkpoint #{Checkpoint} {Kind}. {Detail} No checkpoint is written until it is restored",
                        broken.Number, EnumWords.Of(broken.Kind), broken.Detail);
                }

                break;
        }

        return run;
    }
}
