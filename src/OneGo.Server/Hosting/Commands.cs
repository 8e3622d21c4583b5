using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.TenantFiles;

namespace OneGo.Server.Hosting;

/// <summary>
/// The command-line entry: <c>migrate</c>, <c>audit verify|checkpoint</c>, <c>accounts bootstrap</c> (the first national admins), and <c>tenants validate|import|export|diff [folder]</c> for the
/// <c>tenants/</c> folder. Options such as <c>--Database:Provider=postgres</c> configure it as they do the server.
/// </summary>
internal static class Commands
{
    private static readonly string[] Known = ["migrate", "tenants", "audit", "accounts", "help"];

    /// <summary>Splits the arguments into the command's words and the configuration options (<c>--key=value</c>).</summary>
    public static (string[] Command, string[] Options) Split(string[] args)
    {
        var command = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        return command.Length > 0 && Known.Contains(command[0]) ? (command, args[command.Length..]) : ([], args);
    }

    public static async Task<int> RunAsync(WebApplication app, string[] command)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var files = services.GetRequiredService<IOptions<TenantFilesSettings>>().Value;
        var cancellationToken = CancellationToken.None;

        switch (command)
        {
            case ["migrate"]:
                await DatabaseSetup.MigrateAsync(services, cancellationToken);
                Console.WriteLine("The database is up to date.");
                return 0;

            case ["tenants", var verb, .. var rest] when rest.Length <= 1:
                var folder = rest.Length == 1 ? Path.GetFullPath(rest[0]) : files.FolderIn(app.Environment);
                if (folder is null)
                {
                    Console.Error.WriteLine("No tenants/ folder found: name one, e.g. 'tenants validate ./tenants'.");
                    return 2;
                }

                return verb switch
                {
                    "validate" => Validate(folder, services.GetRequiredService<Features.Zone.PublishingScheduleRule>()),
                    "import" => await ImportAsync(services, folder, cancellationToken),
                    "diff" => await DiffAsync(services, folder, cancellationToken),
                    "export" => await ExportAsync(services, folder, cancellationToken),
                    _ => Usage(),
                };

            case ["accounts", "bootstrap", .. var people] when people.Length > 0:
                // As the schema's owner where there is one: the application's role may not create tables.
                await DatabaseSetup.MigrateAsync(services, cancellationToken);
                return await services.GetRequiredService<Identity.Bootstrap>().RunAsync(people, Console.Out, Console.Error, cancellationToken);

            case ["audit", "verify"]:
                return await VerifyAuditAsync(services, cancellationToken);

            case ["audit", "checkpoint"]:
                return await CheckpointAsync(services, cancellationToken);

            default:
                return Usage();
        }
    }

    /// <summary>
    /// Prints each broken chain with its first bad entry and each break in the series of checkpoints; exit code 1 when
    /// anything is broken.
    /// </summary>
    private static async Task<int> VerifyAuditAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<AuditVerifier>().VerifyAsync(cancellationToken);
        var latest = result.Checkpoint is null ? "none" : $"#{result.Checkpoint.Number} of {result.Checkpoint.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}";
        Console.WriteLine($"{result.Chains} chain(s), {result.Entries} entries; {result.Checkpoints} checkpoint(s) walked, the latest: {latest}.");
        Print(Console.Out, result.CheckpointBreaks, result.Breaks);
        Console.WriteLine(result.Intact
            ? "Every chain is intact."
            : $"{result.Breaks.Count} chain(s) broken, {result.CheckpointBreaks.Count} break(s) in the checkpoints.");
        Console.WriteLine(result.Window);
        return result.Intact ? 0 : 1;
    }

    /// <summary>Writes the next checkpoint as the job does; exit code 1, naming what broke, when it refuses.</summary>
    private static async Task<int> CheckpointAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var run = await services.GetRequiredService<AuditCheckpoints>().WriteAsync(cancellationToken);
        switch (run.Outcome)
        {
            case CheckpointOutcome.Written:
                Console.WriteLine($"Checkpoint of {run.Checkpoint!.Chains.Count} chain(s) written at {run.Checkpoint.At:O}: #{run.Checkpoint.Number}, {run.Path}.");
                return 0;
            case CheckpointOutcome.Unchanged:
                Console.WriteLine($"No chain moved since checkpoint #{run.Checkpoint!.Number}.");
                return 0;
            default:
                Print(Console.Error, run.CheckpointBreaks, run.ChainBreaks);
                Console.Error.WriteLine(run.Checkpoint is null
                    ? "No checkpoint written: a chain is not intact from its first entry. Run 'audit verify'."
                    : $"No checkpoint written: the chains do not extend checkpoint #{run.Checkpoint.Number}, or it is not this deployment's. Run 'audit verify'.");
                return 1;
        }
    }

    private static void Print(TextWriter output, IEnumerable<CheckpointBreak> checkpointBreaks, IEnumerable<ChainBreak> chainBreaks)
    {
        foreach (var broken in checkpointBreaks)
        {
            output.WriteLine($"BROKEN checkpoint #{broken.Number} ({EnumWords.Of(broken.Kind)}): {broken.Detail}");
        }

        foreach (var broken in chainBreaks)
        {
            output.WriteLine($"BROKEN {broken.Tenant} at entry {broken.Sequence} ({EnumWords.Of(broken.Kind)}): {broken.Detail}");
        }
    }

    private static int Validate(string folder, Features.Zone.PublishingScheduleRule schedules)
    {
        var problems = TenantImport.Validate(folder, schedules);
        return Report(problems, () => Console.WriteLine($"{folder}: every file is valid."));
    }

    private static async Task<int> ImportAsync(IServiceProvider services, string folder, CancellationToken cancellationToken)
    {
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        var result = await services.GetRequiredService<TenantImport>().ImportAsync(folder, cancellationToken);
        return Report(result.Problems, () =>
        {
            Print(result.Applied!);
            Console.WriteLine(result.Applied!.IsEmpty ? "Nothing to import: no file changed." : $"Imported {result.Applied.Changes.Count} file(s).");
        });
    }

    private static async Task<int> DiffAsync(IServiceProvider services, string folder, CancellationToken cancellationToken)
    {
        // The diff runs the import and rolls it back, so the schema must be there; migrating changes no content.
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        var (problems, plan) = await services.GetRequiredService<TenantImport>().DiffAsync(folder, cancellationToken);
        return Report(problems, () =>
        {
            Print(plan!);
            Console.WriteLine(plan!.IsEmpty ? "An import would change nothing." : $"An import would apply {plan.Changes.Count} file(s).");
        });
    }

    private static async Task<int> ExportAsync(IServiceProvider services, string folder, CancellationToken cancellationToken)
    {
        var written = await services.GetRequiredService<TenantExport>().ExportAsync(folder, cancellationToken);
        Console.WriteLine($"Wrote {written.Count} file(s) under {folder}.");
        return 0;
    }

    private static void Print(ImportPlan plan)
    {
        foreach (var change in plan.Changes)
        {
            Console.WriteLine($"{(change.Kind == FileChangeKind.Added ? "+" : "~")} {change.Path} ({change.TenantId})");
            foreach (var detail in change.Details)
            {
                Console.WriteLine($"    {detail}");
            }
        }

        foreach (var id in plan.RegionsOnlyInDatabase)
        {
            Console.WriteLine($"= {id}: in the database but not in the files; an import keeps it.");
        }
    }

    private static int Report(IReadOnlyList<FileProblem> problems, Action onSuccess)
    {
        if (problems.Count == 0)
        {
            onSuccess();
            return 0;
        }

        foreach (var problem in problems)
        {
            Console.Error.WriteLine(problem);
        }

        Console.Error.WriteLine($"{problems.Count} problem(s); nothing was imported.");
        return 1;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: OneGo.Server migrate
                   OneGo.Server tenants validate|import|export|diff [folder]
                   OneGo.Server audit verify|checkpoint
                   OneGo.Server accounts bootstrap user:email [user:email …] --Identity:Issuer=https://…
            options: --Database:Provider=sqlite|postgres|sqlserver --Database:ConnectionString=...
            """);
        return 2;
    }
}
