using System.Security.Cryptography;
using OneGo.Server.Data;
using OneGo.Server.Scheduling;

namespace OneGo.Server.Features.Audit;

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
    /// Registers the key. A configured key is checked now, so that a server with a bad one, or none outside
    /// Development and Testing, refuses to start and names the setting; a key to generate is made on first use.
    /// </summary>
    public static void Register(IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration[Setting] is { Length: > 0 } configured)
        {
            services.AddSingleton(new AuditCheckpointKey(Decode(configured, Setting), Setting));
            return;
        }

        var file = configuration[FileSetting] is { Length: > 0 } named ? Path.GetFullPath(Path.Combine(environment.ContentRootPath, named)) : null;
        if (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        {
            services.AddSingleton(provider => FromFile(file ?? Path.Combine(DatabaseSetup.EmbeddedFolder(provider, environment), DefaultFileName),
                create: true, provider.GetRequiredService<ILogger<AuditCheckpointKey>>()));
            return;
        }

        if (file is null)
        {
            throw new InvalidOperationException(
                $"{Setting} is required outside Development: the base64 key (at least {AuditCryptography.MinimumKeyBytes} bytes, e.g. from " +
                $"'openssl rand -base64 32') that signs the audit checkpoints, kept outside the database (e.g. Audit__CheckpointKey from a secret store), " +
                $"or {FileSetting}, a file that holds it.");
        }

        services.AddSingleton(FromFile(file, create: false, logger: null));
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
        return new AuditCheckpointKey(Decode(text.Trim(), $"The file {path} ({FileSetting})"), path);
    }

    /// <summary>The key's bytes; a message naming <paramref name="source"/>, never the value, when it is not a key.</summary>
    private static byte[] Decode(string text, string source)
    {
        var key = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, key, out var length))
        {
            throw new InvalidOperationException($"{source} is not base64: it must hold a base64 key of at least {AuditCryptography.MinimumKeyBytes} bytes, e.g. from 'openssl rand -base64 32'.");
        }

        if (length < AuditCryptography.MinimumKeyBytes)
        {
            throw new InvalidOperationException($"{source} holds a key of {length} bytes; it must be at least {AuditCryptography.MinimumKeyBytes} bytes, e.g. from 'openssl rand -base64 32'.");
        }

        return key[..length];
    }
}

/// <summary>The audit log's services: the checkpoints, their key, the verifier and the checkpoint job.</summary>
internal static class AuditSetup
{
    public static IServiceCollection AddOneGoAudit(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        AuditCheckpointKey.Register(services, configuration, environment);
        services.AddSingleton<CheckpointsSeen>();
        services.AddScoped<AuditCheckpoints>();
        services.AddScoped<AuditVerifier>();
        services.AddRecurringJob<AuditCheckpointJob>(AuditCheckpointJob.Name, AuditCheckpointJob.ScheduleSetting, AuditCheckpointJob.DefaultSchedule);
        return services;
    }
}
