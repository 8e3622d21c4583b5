using System.Text.Json.Nodes;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Browser.Tests.Infrastructure;

/// <summary>
/// OneGo as a real server process on a free loopback port (Kestrel), on a throwaway SQLite database with the
/// repository's <c>tenants/</c> imported, in demo mode: what a citizen's and an officer's browser reach. One for all the browser tests.
/// </summary>
public sealed class PagesServer : IAsyncLifetime
{
    private TestDatabase? _database;
    private ServerProcess? _server;

    public Uri Address => _server?.Address ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The API of the same server, for what the pages must agree with.</summary>
    public HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Sqlite);
        // A port known before the start: the console's OAuth client accepts its callback at the addresses the server is told to listen on.
        // Every region publishes into the national zone as the server starts, as the embedded default does: the home page searches the zone.
        _server = await ServerProcess.StartAsync(_database, $"--urls=http://127.0.0.1:{FreePort()}", "--Publishing:RunOnStart=true",
            // Access tokens of 20 seconds, shorter than the console's refresh margin: every console page refreshes the person's token.
            "--Identity:AccessTokenLifetime=00:00:20",
            // Set-password links go to the test mail server, where the tests read them.
            $"--Mail:Host={OneGo.Testing.TestSmtp.Settings["Mail:Host"]}", $"--Mail:Port={OneGo.Testing.TestSmtp.Settings["Mail:Port"]}", "--Mail:Security=none",
            // The console registers an integration on this machine's loopback address, which pushes may not reach unless allowed.
            "--Zone:Push:AllowedNetworks=127.0.0.1/32",
            // Applications fetch what the guides share from the stand-in exchange this server serves, over its loopback port.
            "--DataExchange:DemoStandIn=true");
        Api = _server.Client();
    }

    /// <summary>A port free now on the loopback address: the server is told it before it starts.</summary>
    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<JsonNode> JsonAsync(string url) =>
        JsonNode.Parse(await Api.GetStringAsync(url)) ?? throw new InvalidOperationException($"{url} answered nothing");

    public async Task<JsonNode> GuideAsync(string tenant, string code, string question, string option)
    {
        var body = new JsonObject { ["answers"] = new JsonObject { [question] = option } };
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        var response = await Api.PostAsync($"/api/t/{tenant}/bundles/{code}/guide", content);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// <summary>The browser tests share one server and run one after another: two cores do not run several Chromiums well.</summary>
[CollectionDefinition(Name)]
public sealed class PagesCollection : ICollectionFixture<PagesServer>
{
    public const string Name = "citizens' pages in Chromium";
}
