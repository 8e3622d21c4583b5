using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OneGo.Server.Features.Audit;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.Audit;

/// <summary>
/// The key that signs the audit checkpoints lives outside the database: a setting a deployment must give, or in
/// Development a file generated once beside the SQLite file of the embedded default.
/// </summary>
public sealed class AuditCheckpointKeyTestsOnSqlite
{
    private static readonly Dictionary<string, string?> Production = new()
    {
        ["Demo:Enabled"] = "false",
        ["Identity:Issuer"] = "https://onego.example.cn",
        ["Audit:CheckpointKey"] = null,
    };

    [Fact]
    public async Task H3_ProductionRefusesToStartWithoutACheckpointKeyAndNamesTheSetting()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: Production).WithWebHostBuilder(b => b.UseEnvironment("Production"));

        var refusal = SettingsRefusal.Of(app);

        Assert.Contains("Audit:CheckpointKey is required outside Development", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c2hvcnQga2V5", "holds a key of 9 bytes; it must be at least 32 bytes")]
    [InlineData("not base64 at all!", "is not base64")]
    public async Task AKeyThatIsNotAKeyIsRefusedNamingTheSettingAndNotItsValue(string key, string why)
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?>(Production) { ["Audit:CheckpointKey"] = key })
            .WithWebHostBuilder(b => b.UseEnvironment("Production"));

        var refusal = SettingsRefusal.Of(app);

        Assert.Contains($"Audit:CheckpointKey {why}", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(key, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevelopmentWithoutAKeyGeneratesOneBesideTheDatabaseOnceAndSaysWhere()
    {
        // The embedded default's layout: a SQLite file in a folder of its own, created and migrated at start, and the
        // blobs beside it.
        using var folder = new TempFolder("App_Data");
        var database = TestDatabase.AtSqliteFile(folder.File("onego.db"));
        var settings = new Dictionary<string, string?>
        {
            ["Blobs:Path"] = folder.File("blobs"),
            ["Audit:CheckpointKey"] = null,
            ["Scheduling:Enabled"] = "false",
            ["Publishing:RunOnStart"] = "false",
        };
        var keyFile = folder.File(AuditCheckpointKey.DefaultFileName);

        await using (var app = new OneGoApp(database, importOnStartup: false, settings: settings)
                         .WithWebHostBuilder(b => b.UseEnvironment("Development").ConfigureTestServices(s => s.AddLogging(l => l.AddFakeLogging()))))
        {
            await using var scope = app.Services.CreateAsyncScope();
            Assert.Equal(CheckpointOutcome.Written, (await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>().WriteAsync(CancellationToken.None)).Outcome);
            Assert.Contains(app.Services.GetFakeLogCollector().GetSnapshot(),
                r => r.Level == LogLevel.Warning && r.Message.Contains($"a key generated into {keyFile}", StringComparison.Ordinal));
        }

        var key = await File.ReadAllTextAsync(keyFile);
        Assert.Equal(32, Convert.FromBase64String(key.Trim()).Length);

        // Started again, the server reads the same key: the checkpoint it signed still verifies.
        await using (var app = new OneGoApp(database, importOnStartup: false, settings: settings).WithWebHostBuilder(b => b.UseEnvironment("Development")))
        {
            await using var scope = app.Services.CreateAsyncScope();
            var verified = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(CancellationToken.None);
            Assert.True(verified.Intact, string.Join("; ", verified.CheckpointBreaks.Select(b => b.Detail)));
            Assert.Equal(1, verified.Checkpoints);
        }

        Assert.Equal(key, await File.ReadAllTextAsync(keyFile));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
