using System.Net;
using OneGo.Testing;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Audit;
using OneGo.Tenancy;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Hosting;

/// <summary>The command-line entry as an administrator runs it: a real process, its output and its exit code.</summary>
public abstract class CommandLineTests(Provider provider) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private readonly TempFolder _blobs = new("blobs");

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider, Content.Empty);

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _blobs.Dispose();
    }

    private Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) => ServerProcess.RunAsync(_database, _blobs.Path, args);

    /// <summary>
    /// A deployment's first steps, each a command: the first admin cannot be made before the regions are imported;
    /// import, diff (nothing to change), import again (nothing), export; then the first national admin, once, who sets
    /// their own password from the mail and signs in. One import for all of them: each takes the whole tenants/ folder.
    /// </summary>
    [Fact]
    public async Task ImportThenDiffThenImportAgainThenExportThenTheFirstAdminOnce()
    {
        var email = People.Address("first-admin");
        var mail = TestSmtp.Settings;
        var early = await RunAsync("accounts", "bootstrap", $"zhang.wei:{email}", "--Identity:Issuer=http://localhost");
        Assert.True(early.Exit == 1, $"{early.Exit}: {early.Error}");
        Assert.Contains("import the tenants/ folder first", early.Error, StringComparison.Ordinal);
        using var tenants = RepositoryTenants.Copy();

        var import = await RunAsync("tenants", "import", tenants.Path);
        Assert.True(import.Exit == 0, import.Error);
        Assert.Contains("+ tenants/fujian/xiamen/haicang/tenant.yaml (fujian.xiamen.haicang)", import.Out, StringComparison.Ordinal);
        Assert.Contains($"Imported {RepositoryTenants.FileCount(tenants.Path)} file(s).", import.Out, StringComparison.Ordinal);

        var diff = await RunAsync("tenants", "diff", tenants.Path);
        Assert.Equal(0, diff.Exit);
        Assert.Contains("An import would change nothing.", diff.Out, StringComparison.Ordinal);

        var again = await RunAsync("tenants", "import", tenants.Path);
        Assert.Contains("Nothing to import: no file changed.", again.Out, StringComparison.Ordinal);

        using var exported = new TempFolder("tenants");
        var export = await RunAsync("tenants", "export", exported.Path);
        Assert.Equal(0, export.Exit);
        Assert.Equal(RepositoryTenants.RegionCount, Directory.EnumerateFiles(exported.Path, "tenant.yaml", SearchOption.AllDirectories).Count());
        Assert.Contains("name: \"海沧区\"", await File.ReadAllTextAsync(exported.File("fujian/xiamen/haicang/tenant.yaml")), StringComparison.Ordinal);

        var run = await RunAsync("accounts", "bootstrap", $"zhang.wei:{email}", "--Identity:Issuer=http://localhost",
            $"--Mail:Host={mail["Mail:Host"]}", $"--Mail:Port={mail["Mail:Port"]}", "--Mail:Security=none");
        Assert.True(run.Exit == 0, run.Error);
        Assert.Contains("zhang.wei: national admin; the set-password link went to ", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", run.Out + run.Error, StringComparison.Ordinal);

        // Once national has an admin, the rest are proposed and approved in the console: a second bootstrap is refused.
        var second = await RunAsync("accounts", "bootstrap", $"li.na:{People.Address("second-admin")}", "--Identity:Issuer=http://localhost");
        Assert.True(second.Exit == 1, $"{second.Exit}: {second.Error}");
        Assert.Contains("national already has an admin (zhang.wei)", second.Error, StringComparison.Ordinal);

        // The admin sets their own password from the mail and signs in with a second factor they enrol.
        await using var app = new OneGoApp(_database, importOnStartup: false);
        using (var browser = People.Browser(app))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await People.SetPasswordAsync(browser, await People.LinkFromMailAsync(email), "granite-cedar-meadow")).StatusCode);
        }

        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            await Tokens.PersonAsync(() => Tokens.Browser(app), "zhang.wei", "granite-cedar-meadow", authenticatorKey: null));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/t/national/accounts")).StatusCode);
    }

    /// <summary>
    /// The audit log's commands on one import: a checkpoint, and verify passing on the intact log; then Haicang's entry 2
    /// changed and every entry after it re-hashed (consistent in itself): the checkpoint job refuses to anchor it and
    /// verify names it against the last checkpoint (H3); and Siming's entry 2 changed in place: verify names it too.
    /// </summary>
    [Fact]
    public async Task AuditVerifyPassesOnAnIntactLogAndNamesEveryAlteredOrRewrittenChainWithAFailingExitCode()
    {
        using var tenants = RepositoryTenants.Copy();
        Assert.Equal(0, (await RunAsync("tenants", "import", tenants.Path)).Exit);
        var checkpoint = await RunAsync("audit", "checkpoint");
        Assert.True(checkpoint.Exit == 0, checkpoint.Error);
        Assert.Contains($"Checkpoint of {RepositoryTenants.RegionCount} chain(s) written", checkpoint.Out, StringComparison.Ordinal);
        Assert.Equal("000000000001.json", Path.GetFileName(Assert.Single(Directory.EnumerateFiles(_blobs.Path, "0*.json", SearchOption.AllDirectories))));

        var intact = await RunAsync("audit", "verify");
        Assert.True(intact.Exit == 0, intact.Out + intact.Error);
        Assert.Contains("Every chain is intact.", intact.Out, StringComparison.Ordinal);

        // The table's owner changes Haicang's entry 2 and re-hashes every entry after it: consistent in itself.
        long head;
        var scope = new CurrentTenant();
        await using (var db = _database.NewContext(scope))
        using (scope.Enter("fujian.xiamen.haicang"))
        {
            var chain = await db.Set<AuditEntry>().AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
            head = chain[^1].Sequence;
            chain[1].Actor = "someone-else";
            var previous = chain[0].Hash;
            foreach (var entry in chain.Skip(1))
            {
                entry.PreviousHash = previous;
                entry.Hash = entry.ComputeHash();
                previous = entry.Hash;
                await db.Database.ExecuteSqlAsync(
                    $"""UPDATE "AuditEntries" SET "Actor" = {entry.Actor}, "PreviousHash" = {entry.PreviousHash}, "Hash" = {entry.Hash} WHERE "Id" = {entry.Id}""");
            }
        }

        // The job runs again: it refuses to anchor the rewritten chain, and says so.
        var again = await RunAsync("audit", "checkpoint");
        Assert.True(again.Exit == 1, $"{again.Exit}: {again.Error}");
        Assert.Contains($"BROKEN fujian.xiamen.haicang at entry {head} (rewritten)", again.Error, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(_blobs.Path, "0*.json", SearchOption.AllDirectories));

        // Siming's entry 2 changed in place, its hash left as it was.
        await using (var db = _database.NewContext())
        {
            await db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEntries" SET "Actor" = 'someone-else' WHERE "TenantId" = 'fujian.xiamen.siming' AND "Sequence" = 2""");
        }

        var verify = await RunAsync("audit", "verify");
        Assert.Equal(1, verify.Exit);
        Assert.Contains($"BROKEN fujian.xiamen.haicang at entry {head} (rewritten)", verify.Out, StringComparison.Ordinal);
        Assert.Contains("BROKEN fujian.xiamen.siming at entry 2 (altered)", verify.Out, StringComparison.Ordinal);
        Assert.Contains("1 checkpoint(s) walked", verify.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadFolderIsRefusedWithItsLocationsAndAFailingExitCode()
    {
        using var tenants = RepositoryTenants.Copy();
        tenants.Write("fujian/xiamen/haicang/tenant.yaml", "name: 海沧区\nlevel: district\ndivisionCode: 440205\n");

        var validate = await RunAsync("tenants", "validate", tenants.Path);
        Assert.Equal(1, validate.Exit);
        Assert.Contains("tenants/fujian/xiamen/haicang/tenant.yaml:3:15: The division code 440205 does not fit its parent (350200)", validate.Error, StringComparison.Ordinal);

        var import = await RunAsync("tenants", "import", tenants.Path);
        Assert.Equal(1, import.Exit);
        Assert.Contains("nothing was imported", import.Error, StringComparison.Ordinal);
        var diff = await RunAsync("tenants", "diff", tenants.Path);
        Assert.Equal(1, diff.Exit);
    }
}

public sealed class CommandLineTestsOnSqlite() : CommandLineTests(Provider.Sqlite);

public sealed class CommandLineTestsOnPostgres() : CommandLineTests(Provider.Postgres);
