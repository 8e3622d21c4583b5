using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OneGo.Benchmarks;

/// <summary>The server as its own process, as a node runs it, built beside the benchmarks (or the gateway in front of such nodes).</summary>
internal sealed partial class Node : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string>? _onLine;

    private Node(string assembly, string[] options, string environment, Action<string>? onLine, IReadOnlyDictionary<string, string>? variables)
    {
        _onLine = onLine;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        // Testing by default: the demo accounts a run is requested with.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.WorkingDirectory = Path.GetDirectoryName(assembly);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Read(e.Data);
        _process.ErrorDataReceived += (_, e) => Read(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>
    /// A client calling as the demo admin of <paramref name="tenant"/>, signed in as a person through the sign-in pages
    /// (an admin service account may only import): what publishing runs and reviews need.
    /// </summary>
    public async Task<HttpClient> AdminAsync(string tenant)
    {
        // The demo accounts' published secret and authenticator key (DemoAccounts), as the README gives them.
        var token = await OneGo.Testing.PersonSignIn.PersonAsync(
            () => new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Address },
            $"demo-admin@{tenant}", "demo-secret", "ONEGODEMOAUTHENTICATORKEYSECRET2");
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The server's process id, for what reads its memory from <c>/proc</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The repository the benchmarks run from: the folder above them that holds <c>tenants/</c>.</summary>
    public static string Repository { get; } = FindRepository();

    private static string FindRepository()
    {
        var repository = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repository, "tenants", "tenant.yaml")))
        {
            repository = Path.GetDirectoryName(repository.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("No tenants/ folder above " + AppContext.BaseDirectory);
        }

        return repository;
    }

    /// <param name="onLine">Called with each line the server writes (its log), from the thread that reads it.</param>
    /// <param name="onProcess">Called with the process id as soon as the process runs, before it listens (the import and the seeding come first).</param>
    /// <param name="startTimeout">How long it may take to listen (3 minutes unless given): an import of a whole nation takes longer.</param>
    /// <param name="assembly">What runs: the server unless named (<see cref="GatewayAssembly"/>).</param>
    /// <param name="variables">Environment variables of the process, beside ASPNETCORE_ENVIRONMENT.</param>
    public static async Task<Node> StartAsync(string[] options, string environment = "Testing", Action<string>? onLine = null, Action<int>? onProcess = null,
        TimeSpan? startTimeout = null, string? assembly = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        var node = new Node(assembly ?? ServerAssembly, options, environment, onLine, variables);
        onProcess?.Invoke(node.ProcessId);
        node.Address = await node._address.Task.WaitAsync(startTimeout ?? TimeSpan.FromMinutes(3));
        return node;
    }

    private void Read(string? line)
    {
        if (line is not null)
        {
            _onLine?.Invoke(line);
        }

        if (line is not null && line.Contains("Now listening on", StringComparison.Ordinal) && AddressPattern().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Value));
        }
        else if (line is not null && (line.StartsWith("fail", StringComparison.Ordinal) || line.StartsWith("crit", StringComparison.Ordinal)) && !line.Contains("__EFMigrationsHistory", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("server: " + line);
        }
    }

    /// <summary>The server, built with the benchmarks (a build-only reference).</summary>
    public static string ServerAssembly => Built(Path.Combine("src", "OneGo.Server"), "OneGo.Server.dll");

    /// <summary>The gateway (infra/gateway), to start with <see cref="StartAsync"/> in front of nodes.</summary>
    public static string GatewayAssembly => Built(Path.Combine("infra", "gateway"), "OneGo.Gateway.dll");

    // The server and gateway projects are built with the benchmarks (build-only references), in the same configuration.
    private static string Built(string project, string assembly)
    {
        var bench = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(bench);
        var configuration = Path.GetFileName(Path.GetDirectoryName(bench)!);
        return Path.Combine(Repository, project, "bin", configuration, framework, assembly);
    }

    /// <summary>Kills the process at once (SIGKILL), as a machine that fails would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex AddressPattern();
}
