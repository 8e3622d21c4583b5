using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Features.Zone;

/// <summary>
/// Pushes stay out of the node's own network (SSRF): an integration URL that is, or resolves to, an internal address is
/// refused when it is registered, and again when the relay connects — on the address it actually connects to — and a
/// redirect is never followed. The receivers run on this machine's loopback address, which only
/// <c>Zone:Push:AllowedNetworks</c> opens.
/// </summary>
public abstract class PushTargetsTests(Provider provider) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const string Secret = "a-shared-secret-of-the-platform";
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private OneGoApp Node(string? allowedNetworks = null, bool? requireHttps = null) => new(_database, settings: new Dictionary<string, string?>
    {
        ["Zone:FirstRetry"] = "00:00:00.200",
        ["Zone:MaxDelay"] = "00:00:01",
        ["Zone:PollInterval"] = "00:00:00.200",
        ["Zone:MaxAttempts"] = "3",
        // Long enough that no push is retried for being slow on a busy machine: each arrival below is one attempt.
        ["Zone:PushTimeout"] = "00:00:30",
        ["Zone:Push:AllowedNetworks"] = allowedNetworks,
        ["Zone:Push:RequireHttps"] = requireHttps?.ToString(),
    });

    private static Task<HttpResponseMessage> RegisterAsync(HttpClient nationalOperator, string name, string url) =>
        nationalOperator.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations", new { name, url, secret = Secret, regions = new[] { "350000" } });

    private async Task<int> IntegrationsAsync()
    {
        await using var db = _database.NewContext();
        return await db.Set<Integration>().CountAsync();
    }

    /// <summary>Publishes Haicang now and waits for the run; returns the public ids it published.</summary>
    private static async Task<List<string>> PublishAsync(OneGoApp node)
    {
        using var admin = await node.AsAsync(Roles.Admin, Haicang);
        return Publishing.Published(await admin.PublishNowAsync(Haicang));
    }

    private static Task<JsonArray> DeadLettersAsync(HttpClient nationalOperator, int count) =>
        Eventually.HoldsAsync(async () => (await (await nationalOperator.GetAsync("/api/zone/dead-letters")).JsonAsync())["items"]!.AsArray(),
            d => d.Count >= count, $"{count} dead letter(s)", d => d.ToJsonString(), TimeSpan.FromSeconds(60));

    [Fact]
    public async Task M4_AnIntegrationUrlThatIsOrResolvesToAnInternalAddressIsRefusedAtRegistration()
    {
        await using var node = Node();
        using var nationalOperator = await node.AsAsync(Roles.Admin, RegionRules.NationalId);
        var before = await IntegrationsAsync();
        string[] internalUrls =
        [
            "http://127.0.0.1:5080/api/tenants", "http://localhost:6379/", "http://127.1/", "http://2130706433/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.5:6379/", "http://172.16.3.4/", "http://192.168.1.1/admin", "http://100.64.0.1/",
            "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/meta-data/", "http://[fe80::1]/", "http://[fc00::1]/",
            "http://0.0.0.0:5080/", "http://[::]/", "http://224.0.0.1/", "http://[ff02::1]/", "http://255.255.255.255/",
        ];
        foreach (var url in internalUrls)
        {
            var refused = await RegisterAsync(nationalOperator, "internal", url);
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{url}: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            var error = Assert.Single((await refused.JsonAsync())["errors"]!.AsArray());
            Assert.Equal(("/url", "address"), ((string?)error!["pointer"], (string?)error["rule"]));
            Assert.Contains("does not push into its own network", (string?)error["message"], StringComparison.Ordinal);
        }

        var withCredentials = await RegisterAsync(nationalOperator, "credentials", "http://user:secret@203.0.113.7/hook");
        Assert.Equal("/url", (string?)(await withCredentials.JsonAsync())["errors"]![0]!["pointer"]);
        Assert.Equal(before, await IntegrationsAsync());

        // An outside address is taken; outside Development and Testing only over https.
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(nationalOperator, "outside", "http://203.0.113.7/hook")).StatusCode);
        await using var strict = Node(requireHttps: true);
        using var strictOperator = await strict.AsAsync(Roles.Admin, RegionRules.NationalId);
        var plain = await RegisterAsync(strictOperator, "plain", "http://203.0.113.8/hook");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, plain.StatusCode);
        Assert.Contains("https", (string?)(await plain.JsonAsync())["errors"]![0]!["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(strictOperator, "secure", "https://203.0.113.8/hook")).StatusCode);
        Assert.Equal(before + 2, await IntegrationsAsync());
    }

    [Fact]
    public async Task M4_AHostAllowedAtRegistrationThatResolvesToLoopbackWhenDeliveringIsRefusedAtConnectTime()
    {
        await using var receiver = await PushReceiver.StartAsync(Secret);
        // A name, not an address: the relay resolves it again for each connection, as it would after a DNS change.
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        // Registered while the loopback network was allowed (as when a name pointed elsewhere at registration) …
        await using (var allowing = Node("127.0.0.1/32, ::1/128"))
        {
            using var registrar = await allowing.AsAsync(Roles.Admin, RegionRules.NationalId);
            Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(registrar, "rebound", url)).StatusCode);
        }

        // … and delivered by a node that does not allow it: the connection is refused before anything is sent.
        await using var node = Node();
        using var nationalOperator = await node.AsAsync(Roles.Admin, RegionRules.NationalId);
        var published = await PublishAsync(node);
        var dead = await DeadLettersAsync(nationalOperator, published.Count);
        Assert.Equal(published.Order(StringComparer.Ordinal), dead.Select(d => (string)d!["publication"]!).Order(StringComparer.Ordinal));
        Assert.All(dead, d => Assert.Equal(("address not allowed", 1, (int?)null), ((string?)d!["lastError"], (int)d["attempts"]!, (int?)d["lastStatus"])));
        Assert.Empty(receiver.Arrivals);
    }

    [Fact]
    public async Task M4_ARedirectIsNotFollowedAndIsAFailedDelivery()
    {
        await using var receiver = await PushReceiver.StartAsync(Secret);
        await using var node = Node("127.0.0.1/32");
        using var nationalOperator = await node.AsAsync(Roles.Admin, RegionRules.NationalId);
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(nationalOperator, "redirecting", receiver.Url)).StatusCode);

        // 307 keeps the method and the body: a client that followed it would deliver the push a second time, there.
        receiver.ThenRedirect(307, receiver.Url + "?followed=1");
        var published = await PublishAsync(node);
        var dead = Assert.Single(await DeadLettersAsync(nationalOperator, 1));
        Assert.Equal((307, "HTTP 307", 1), ((int)dead!["lastStatus"]!, (string?)dead["lastError"], (int)dead["attempts"]!));
        var redirected = (string)dead["publication"]!;
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Accepted.Count), n => n == published.Count - 1, "every other push");
        Assert.Equal(1, receiver.Arrivals.Count(a => a.Key == redirected));
        Assert.Equal(published.Count, receiver.Arrivals.Count);
    }
}

public sealed class PushTargetsTestsOnSqlite() : PushTargetsTests(Provider.Sqlite);

public sealed class PushTargetsTestsOnPostgres() : PushTargetsTests(Provider.Postgres);
