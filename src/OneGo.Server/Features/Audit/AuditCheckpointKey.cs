using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Features.Audit;

/// <summary><c>Audit</c>: how often the chains are checkpointed, and the key that signs the checkpoints.</summary>
internal sealed class AuditSettings : ISettings
{
    public static string Section => "Audit";

    /// <summary>An interval <c>hh:mm:ss</c> or a Quartz cron (Asia/Shanghai).</summary>
    public string CheckpointInterval { get; set; } = AuditCheckpointJob.DefaultSchedule;

    /// <summary>The base64 key, at least 32 bytes; never in the database.</summary>
    public string? CheckpointKey { get; set; }

    /// <summary>Instead of the key: a file that holds it, relative to the content root.</summary>
    public string? CheckpointKeyFile { get; set; }

    public string? KeyFileIn(IHostEnvironment environment) =>
        CheckpointKeyFile is { Length: > 0 } named ? Path.GetFullPath(Path.Combine(environment.ContentRootPath, named)) : null;

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment) =>
        new[] { JobSchedule.Problem(CheckpointInterval, AuditCheckpointJob.ScheduleSetting), AuditCheckpointKey.Problem(this, environment) }.OfType<string>();
}

/// <summary>
/// The key that signs the audit checkpoints, which is never kept in the database: whoever can rewrite the chains there
/// must not be able to sign checkpoints to match. <c>Audit:CheckpointKey</c> (base64, at least 32 bytes) or a file named
/// by <c>Audit:CheckpointKeyFile</c>; outside Development and Testing one of them is required. In Development and
/// Testing without either, a key is generated once into <c>audit-checkpoint.key</c> beside the SQLite file (or under
/// <c>App_Data</c>) and read from there at every start.
/// </summary>
internal sealed class AuditCheckpointKey
{
    public const string Setting = "Audit:CheckpointKey";
    public const string FileSetting = "Audit:CheckpointKeyFile";
    public const string DefaultFileName = "audit-checkpoint.key";

    private readonly byte[] _key;

    private AuditCheckpointKey(byte[] key, string source)
    {
        _key = key;
        Id = AuditCryptography.KeyId(key);
        Source = source;
    }

    /// <summary>The key's public name, recorded in every checkpoint it signs.</summary>
    public string Id { get; }

    /// <summary>Where the key came from: the setting, or the file's path.</summary>
    public string Source { get; }

    public string Sign(ReadOnlySpan<byte> data) => AuditCryptography.Sign(_key, data);

    public bool Verifies(ReadOnlySpan<byte> data, string signature) => AuditCryptography.Verifies(_key, data, signature);

    /// <summary>
    /// The key <paramref name="settings"/> name. A configured key, or one outside Development and Testing, was checked
    /// as the server started (<see cref="AuditSettings"/>); in Development and Testing a missing one is made here.
    /// </summary>
    public static AuditCheckpointKey Load(AuditSettings settings, IHostEnvironment environment, IServiceProvider services)
    {
        if (settings.CheckpointKey is { Length: > 0 } configured)
        {
            return new AuditCheckpointKey(Decode(configured, Setting, out var problem) ?? throw new InvalidOperationException(problem), Setting);
        }

        var file = settings.KeyFileIn(environment);
        return environment.IsDevelopment() || environment.IsEnvironment("Testing")
            ? FromFile(file ?? Path.Combine(DatabaseSetup.EmbeddedFolder(services, environment), DefaultFileName),
                create: true, services.GetRequiredService<ILogger<AuditCheckpointKey>>())
            : FromFile(file!, create: false, logger: null);
    }

    /// <summary>What is wrong with the configured key, or with its absence, naming the setting and never the value.</summary>
    public static string? Problem(AuditSettings settings, IHostEnvironment environment)
    {
        if (settings.CheckpointKey is { Length: > 0 } configured)
        {
            _ = Decode(configured, Setting, out var problem);
            return problem;
        }

        if (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        {
            return null;
        }

        if (settings.KeyFileIn(environment) is not { } file)
        {
            return $"{Setting} is required outside Development: the base64 key (at least {AuditCryptography.MinimumKeyBytes} bytes, e.g. from " +
                   $"'openssl rand -base64 32') that signs the audit checkpoints, kept outside the database (e.g. Audit__CheckpointKey from a secret store), " +
                   $"or {FileSetting}, a file that holds it.";
        }

        try
        {
            _ = Decode(File.ReadAllText(file).Trim(), $"The file {file} ({FileSetting})", out var problem);
            return problem;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{FileSetting} names {file}, which cannot be read: {e.Message}";
        }
    }

    private static AuditCheckpointKey FromFile(string path, bool create, ILogger? logger)
    {
        if (create && !File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var writer = new StreamWriter(path, options);
                writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(AuditCryptography.MinimumKeyBytes)));
                logger?.LogWarning(
                    "{Setting} is not set: audit checkpoints are signed with a key generated into {Path}. Keep that file with the database; outside Development set {Setting}",
                    Setting, path, Setting);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process of the same deployment made it first: its key is the one.
            }
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{FileSetting} names {path}, which cannot be read: {e.Message}", e);
        }

        logger?.LogInformation("Audit checkpoints are signed with the key in {Path}", path);
        var source = $"The file {path} ({FileSetting})";
        return new AuditCheckpointKey(Decode(text.Trim(), source, out var problem) ?? throw new InvalidOperationException(problem), path);
    }

    /// <summary>The key's bytes; null and a message naming <paramref name="source"/>, never the value, when it is not a key.</summary>
    private static byte[]? Decode(string text, string source, out string? problem)
    {
        var key = new byte[text.Length];
        problem = null;
        if (!Convert.TryFromBase64String(text, key, out var length))
        {
            problem = $"{source} is not base64: it must hold a base64 key of at least {AuditCryptography.MinimumKeyBytes} bytes, e.g. from 'openssl rand -base64 32'.";
            return null;
        }

        if (length < AuditCryptography.MinimumKeyBytes)
        {
            problem = $"{source} holds a key of {length} bytes; it must be at least {AuditCryptography.MinimumKeyBytes} bytes, e.g. from 'openssl rand -base64 32'.";
            return null;
        }

        return key[..length];
    }
}

/// <summary>The audit log's services: the checkpoints, their key, the verifier and the checkpoint job.</summary>
internal static class AuditSetup
{
    public static IServiceCollection AddOneGoAudit(this IServiceCollection services)
    {
        services.AddSettings<AuditSettings>();
        services.AddSingleton(sp => AuditCheckpointKey.Load(sp.GetRequiredService<IOptions<AuditSettings>>().Value, sp.GetRequiredService<IHostEnvironment>(), sp));
        services.AddSingleton<CheckpointsSeen>();
        services.AddScoped<AuditCheckpoints>();
        services.AddScoped<AuditVerifier>();
        services.AddRecurringJob<AuditCheckpointJob>(AuditCheckpointJob.Name, AuditCheckpointJob.ScheduleSetting,
            sp => sp.GetRequiredService<IOptions<AuditSettings>>().Value.CheckpointInterval, AuditCheckpointJob.DefaultSchedule);
        return services;
    }
}
