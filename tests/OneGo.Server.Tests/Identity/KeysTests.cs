using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// What a deployment keeps and refuses (security review M6, M7, L2, L10; 三员管理 at start): keys protected at rest
/// by a certificate outside the database and rotated, demo accounts never surviving demo mode, a production node
/// that names its issuer, and no start while an account breaks the separation of duties.
/// </summary>
public abstract class KeysTests(Provider provider)
{
    [Fact]
    public async Task M6_ACopyOfTheDatabaseAloneHoldsNoUsableKey()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var app = new OneGoApp(database, importOnStartup: false))
        {
            // A token issued makes the signing and encryption keys; a sign-in page the data-protection ring.
            Assert.False(string.IsNullOrEmpty(await app.CreateClient().TokenAsync("demo-editor@zhejiang")));
            Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/account/signin")).StatusCode);
        }

        await using (var db = database.NewContext())
        {
            var keys = await db.Set<DeploymentKey>().ToListAsync();
            Assert.NotEmpty(keys);
            Assert.All(keys, k => Assert.DoesNotContain("PRIVATE KEY", k.PrivateKey, StringComparison.Ordinal));
            var ring = await db.Set<DataProtectionKey>().ToListAsync();
            Assert.NotEmpty(ring);
            // The ring's master keys are encrypted to the certificate: no key material in the clear.
            Assert.All(ring, k => Assert.Contains("encryptedSecret", k.Xml, StringComparison.Ordinal));
            Assert.All(ring, k => Assert.DoesNotContain("<masterKey", k.Xml, StringComparison.Ordinal));
        }

        // With another certificate (a stolen copy of the database, without the deployment's certificate), no token is issued.
        var other = Path.Combine(Path.GetTempPath(), $"onego-other-{Guid.NewGuid():N}.pfx");
        try
        {
            await using var thief = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Identity:KeyProtection:Certificate"] = other });
            using var client = thief.CreateClient();
            var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "demo-editor@zhejiang", ["client_secret"] = DemoAccounts.Secret,
            }));
            Assert.NotEqual(HttpStatusCode.OK, token.StatusCode);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Refusing to start at all is as good: the keys cannot be read.
        }
        finally
        {
            File.Delete(other);
        }
    }

    [Fact]
    public async Task L10_KeysRotateAndTokensSignedBeforeStillWork()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        string before;
        await using (var app = new OneGoApp(database, importOnStartup: false))
        {
            before = await app.CreateClient().TokenAsync("demo-editor@zhejiang");
        }

        // The keys are now older than the rotation period: the next start makes new ones beside them.
        await using (var db = database.NewContext())
        {
            await db.Set<DeploymentKey>().ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, DateTimeOffset.UtcNow.AddDays(-100)));
        }

        await using (var app = new OneGoApp(database, importOnStartup: false))
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", before);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/t/330000/drafts")).StatusCode);
            var jwks = await (await app.CreateClient().GetAsync("/.well-known/jwks")).JsonAsync();
            Assert.Equal(2, jwks["keys"]!.AsArray().Count);
        }

        await using (var db = database.NewContext())
        {
            Assert.Equal(2, await db.Set<DeploymentKey>().CountAsync(k => k.Use == DeploymentKeys.Signing));
            Assert.Equal(2, await db.Set<DeploymentKey>().CountAsync(k => k.Use == DeploymentKeys.Encryption));
        }
    }

    [Fact]
    public async Task M7_WithoutDemoModeNoDemoAccountOrClientWorks()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Demo:Enabled"] = "false" });
        using var client = app.CreateClient();
        foreach (var clientId in new[] { "demo-editor@zhejiang", "demo-admin@national", DemoAccounts.ZoneReader })
        {
            var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = DemoAccounts.Secret,
            }));
            Assert.Equal("invalid_client", (string?)(await token.JsonAsync())["error"]);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => Tokens.PersonAsync(() => Tokens.Browser(app), "demo-editor@zhejiang", authenticatorKey: null));
        await using var db = database.NewContext();
        Assert.False(await db.Set<Account>().AnyAsync(a => a.CreatedBy == DemoAccounts.CreatedBy && !a.Disabled));
        var tenants = new CurrentTenant();
        await using var scoped = database.NewContext(tenants);
        using (tenants.Enter("zhejiang"))
        {
            Assert.True(await scoped.Set<AuditEntry>().AnyAsync(e => e.Action == "account.disable" && e.Actor == "system:demo"));
        }
    }

    [Fact]
    public async Task AnAccountBreakingTheSeparationOfDutiesStopsTheServerFromStartingNamingIt()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var tenants = new CurrentTenant();
        await using (var db = database.NewContext(tenants))
        {
            // Written behind OneGo's back, as an older version or a hand in the database might have.
            var admin = await db.Set<Account>().SingleAsync(a => a.UserName == "demo-admin@zhejiang");
            using (tenants.Enter("zhejiang"))
            {
                db.Add(new AccountChange
                {
                    AccountId = admin.Id, Kind = AccountChangeKind.GrantRole, Role = Roles.Editor, State = AccountChangeState.Approved,
                    ProposedBy = "someone", DecidedBy = "someone", Revision = 1,
                });
                db.Audit(new AuditEvent("someone", "account.change-approve", "account/demo-admin@zhejiang", null));
                await db.SaveChangesAsync();
            }
        }

        await using var app = new OneGoApp(database, importOnStartup: false);
        var error = Assert.Throws<InvalidOperationException>(() => app.Services);
        Assert.Contains("demo-admin@zhejiang holds admin, editor", error.Message, StringComparison.Ordinal);
    }
}

public sealed class KeysTestsOnSqlite() : KeysTests(Provider.Sqlite);

public sealed class KeysTestsOnPostgres() : KeysTests(Provider.Postgres);

/// <summary>What a production node refuses to start without (no database involved).</summary>
public sealed class ProductionStartTestsOnSqlite
{
    [Theory]
    [InlineData("Identity:Issuer")]
    [InlineData("Identity:KeyProtection:Certificate")]
    [InlineData("Mail:Host")]
    public async Task L2_M6_AProductionNodeRefusesToStartWithoutWhatProtectsIt(string setting)
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        var settings = new Dictionary<string, string?>
        {
            ["Demo:Enabled"] = "false",
            ["Identity:Issuer"] = "https://onego.example.gov.cn",
            ["Identity:KeyProtection:Certificate"] = TestKeys.Certificate,
            ["Mail:Host"] = "mail.example.gov.cn",
            [setting] = null,
        };
        await using var app = new OneGoApp(database, importOnStartup: false, settings: settings).WithWebHostBuilder(b => b.UseEnvironment("Production"));
        Assert.Contains(setting, SettingsRefusal.Of(app), StringComparison.Ordinal);
    }
}
