using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>OneGo as a real server process on a free loopback port, as a node of a deployment runs it.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private ServerProcess(TestDatabase database, IEnumerable<string> options)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OneGo.Server.dll"));
        foreach (var option in new[]
                 {
                     "--urls=http://127.0.0.1:0",
                     "--TenantFiles:ImportOnStartup=false",
                     "--Logging:Format=simple",
                     $"--Blobs:Path={database.BlobFolder}",
                     $"--Identity:KeyProtection:Certificate={TestKeys.Certificate}",
                     $"--Mail:PickupFolder={Path.Combine(database.BlobFolder, "mail")}",
                     $"--Audit:CheckpointKey={OneGoApp.CheckpointKey}",
                 }.Concat(database.CommandLineOptions).Concat(options))
        {
            start.ArgumentList.Add(option);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Read(e.Data);
        _process.ErrorDataReceived += (_, e) => Read(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // A node that refuses to start says why and exits: the test hears it at once rather than after the timeout.
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            _process.WaitForExit();
            _address.TrySetException(new InvalidOperationException($"The server exited with {_process.ExitCode} before it listened:\n" + Output));
        };
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>A loopback port free now: for a server whose address must be known before it starts (the console's sign-in redirect names it).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static async Task<ServerProcess> StartAsync(TestDatabase database, params string[] options)
    {
        var server = new ServerProcess(database, options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using (timeout.Token.Register(() => server._address.TrySetCanceled()))
        {
            try
            {
                server.Address = await server._address.Task;
            }
            catch (TaskCanceledException)
            {
                throw new InvalidOperationException("The server did not start listening:\n" + server.Output);
            }
        }

        return server;
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.Contains("Now listening on", StringComparison.Ordinal) && AddressPattern().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Value));
        }
    }

    /// <summary>
    /// One command of the server's command line (<c>tenants import</c>, <c>audit verify</c> …) as an administrator runs
    /// it, on <paramref name="database"/> with its blobs in <paramref name="blobFolder"/>: the exit code and the output.
    /// </summary>
    public static async Task<(int Exit, string Out, string Error)> RunAsync(TestDatabase database, string blobFolder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OneGo.Server.dll"));
        foreach (var arg in args.Concat(database.CommandLineOptions))
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add($"--Blobs:Path={blobFolder}");
        start.ArgumentList.Add($"--Audit:CheckpointKey={OneGoApp.CheckpointKey}");
        start.ArgumentList.Add($"--Identity:KeyProtection:Certificate={TestKeys.Certificate}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Waits for the process to end by itself (a crash the test armed); returns its exit code.</summary>
    public async Task<int> ExitedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server was still running after {timeout}:\n" + Output);
        }

        return _process.ExitCode;
    }

    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client that calls with a token of <paramref name="account"/> (a demo client id), issued by this process.</summary>
    public async Task<HttpClient> ClientAsync(string account, string? scope = null)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Tokens.RequestAsync(client, account, scope: scope));
        return client;
    }

    /// <summary>A client that calls as the demo account of a role in a tenant: admins, auditors and officers signed in as people, with their second factor.</summary>
    public async Task<HttpClient> AsAsync(string role, string tenant)
    {
        var client = Client();
        var token = Tokens.ActsAsPerson(role)
            ? await Tokens.PersonAsync(() => Tokens.Browser(Address), OneGo.Server.Identity.DemoAccounts.UserName(role, tenant))
            : await Tokens.RequestAsync(client, OneGo.Server.Identity.DemoAccounts.UserName(role, tenant));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Kills the process at once (SIGKILL), as a machine that fails would: no shutdown, nothing handed back.</summary>
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
