using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>
/// A standard's history kept in <c>tenants/</c>: <c>std.v1.yaml</c> beside <c>std.yaml</c> is imported as version 1,
/// then the bundle's own file as version 2, so that a fresh import shows the adopters that pin version 1 behind; a
/// file of an earlier version that contradicts the history is refused at its line and column, and nothing is kept.
/// </summary>
public sealed class BundleHistoryFilesTestsOnSqlite : IAsyncLifetime
{
    private const string Xiamen = "fujian/xiamen/";
    private const string Haicang = "fujian/xiamen/haicang/bundles/";
    private readonly TempFolder _tenants = RepositoryTenants.Copy();
    private TestDatabase _database = null!;
    private OneGoApp _app = null!;

    private static string Standard(string leadDepartment, int promisedDays) => $$"""
        definition:
          code: std
          name: 标准一件事
          audience: personal
          theme: birth
          leadDepartment: {{leadDepartment}}
          matters: [ { code: a }, { code: b, after: [a] } ]
          promisedDays: {{promisedDays}}
        standard: { locked: [] }
        provenance: illustrative
        """;

    public async Task InitializeAsync()
    {
        _tenants.Write(Xiamen + "matters/a.yaml", "code: a\nname: 甲\ndepartment: health\nkind: confirmation\npromisedDays: 5\ntripsAlone: 1\nmaterials: [ { code: id-card, name: 身份证 } ]\n");
        _tenants.Write(Xiamen + "matters/b.yaml", "code: b\nname: 乙\ndepartment: public-security\nkind: confirmation\npromisedDays: 3\ntripsAlone: 1\nmaterials: [ { code: id-card, name: 身份证 } ]\n");
        _tenants.Write(Xiamen + "bundles/std.v1.yaml", Standard("health", 10));
        _tenants.Write(Xiamen + "bundles/std.yaml", Standard("health", 8));
        _tenants.Write(Haicang + "std.yaml", """
            adopts: { tenant: fujian.xiamen, code: std, version: 1 }
            changes:
              - { op: setContact, contact: "12345" }
            provenance: illustrative
            """);
        _database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        _app = new OneGoApp(_database, _tenants.Path, importOnStartup: false);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private async Task<ImportResult> ImportAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TenantImport>().ImportAsync(_tenants.Path, CancellationToken.None);
    }

    /// <summary>Runs the import; asserts it stopped, changed no row, and returns its problems.</summary>
    private async Task<List<string>> RefusedAsync()
    {
        var before = await RowSnapshot.TakeAsync(_database);
        var result = await ImportAsync();
        Assert.False(result.Succeeded);
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
        return result.Problems.Select(p => p.ToString()).ToList();
    }

    private async Task<JsonElement> AdoptionOfHaicangAsync()
    {
        using var client = _app.CreateClient();
        var adoptions = await client.GetFromJsonAsync<JsonElement>("/api/t/fujian.xiamen/templates/std/adoptions");
        return adoptions.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("tenant").GetString() == "fujian.xiamen.haicang");
    }

    [Fact]
    public async Task AFreshImportRecordsTheEarlierVersionFirstAndTheAdopterPinningItIsBehind()
    {
        var result = await ImportAsync();
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Contains(result.Applied!.Changes, c => c.Path == $"tenants/{Xiamen}bundles/std.v1.yaml" && c.Details.Single() == "bundle std: version 1 (a file of an earlier version)");

        using var client = _app.CreateClient();
        var first = await client.GetFromJsonAsync<JsonElement>("/api/t/fujian.xiamen/bundles/std/versions/1");
        var live = await client.GetFromJsonAsync<JsonElement>("/api/t/fujian.xiamen/bundles/std");
        Assert.Contains("health", first.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("health", live.GetRawText(), StringComparison.Ordinal);

        var haicang = await AdoptionOfHaicangAsync();
        Assert.Equal(1, haicang.GetProperty("adoptedVersion").GetInt32());
        Assert.Equal(1, haicang.GetProperty("behind").GetInt32());

        // Imported twice, the folder changes nothing.
        var before = await RowSnapshot.TakeAsync(_database);
        Assert.True((await ImportAsync()).Applied!.IsEmpty);
        Assert.Empty(RowSnapshot.Changed(before, await RowSnapshot.TakeAsync(_database)));
    }

    [Fact]
    public async Task AVersionFileThatContradictsTheHistoryIsRefusedAtItsCodeAndNothingIsKept()
    {
        Assert.True((await ImportAsync()).Succeeded);

        // Version 1 was approved with health as its lead; a file that says otherwise rewrites history.
        _tenants.Write(Xiamen + "bundles/std.v1.yaml", Standard("window", 10));
        var problem = Assert.Single(await RefusedAsync());
        Assert.StartsWith($"tenants/{Xiamen}bundles/std.v1.yaml:2:9: version 1 of the bundle 'std' (imported from a file on ", problem, StringComparison.Ordinal);
        Assert.Contains("holds other content than this file: an approved version never changes", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExistingBundleGainsItsHistoryWhenItsFileMovesToVersionOneAndTheNewContentIsTheNextVersion()
    {
        // The database holds version 1 from the bundle's own file, as before the history was kept in files.
        File.Delete(_tenants.File(Xiamen + "bundles/std.v1.yaml"));
        _tenants.Write(Xiamen + "bundles/std.yaml", Standard("health", 10));
        Assert.True((await ImportAsync()).Succeeded);
        Assert.Equal(0, (await AdoptionOfHaicangAsync()).GetProperty("behind").GetInt32());

        // The old content moves, with a comment, to std.v1.yaml; the bundle's file holds the next version.
        _tenants.Write(Xiamen + "bundles/std.v1.yaml", "# 2026 首版\n" + Standard("health", 10));
        _tenants.Write(Xiamen + "bundles/std.yaml", Standard("health", 8));
        var result = await ImportAsync();
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal(1, (await AdoptionOfHaicangAsync()).GetProperty("behind").GetInt32());
    }

    [Fact]
    public async Task ANewEarlierVersionBesideAnUnchangedBundleFileIsRefused()
    {
        Assert.True((await ImportAsync()).Succeeded);

        // Version 2, the live one, is also kept as a file of its own: it agrees with what was approved.
        _tenants.Write(Xiamen + "bundles/std.v2.yaml", Standard("health", 8));
        // A version 3 can only be the bundle's own file: as a file of an earlier version, it would become the live one.
        _tenants.Write(Xiamen + "bundles/std.v3.yaml", Standard("health", 9));
        var problem = Assert.Single(await RefusedAsync());
        Assert.StartsWith($"tenants/{Xiamen}bundles/std.v3.yaml:2:9: this file holds version 3 of the bundle 'std', which the database does not hold yet", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void VersionFilesAreNumberedFromOneBesideTheirBundleAndNameItsCode()
    {
        _tenants.Write(Xiamen + "bundles/std.v3.yaml", Standard("health", 9));
        _tenants.Write(Xiamen + "bundles/other.v1.yaml", Standard("health", 9));
        _tenants.Write(Haicang + "std.v1.yaml", """
            adopts: { tenant: fujian.xiamen, code: another, version: 1 }
            provenance: illustrative
            """);
        var problems = TenantImport.Validate(_tenants.Path).Select(p => p.ToString()).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith($"tenants/{Xiamen}bundles/other.v1.yaml:1:1: this file holds version 1 of a bundle, but tenants/{Xiamen}bundles/other.yaml, the bundle's own file", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"tenants/{Xiamen}bundles/std.v3.yaml:1:1: this file holds version 3, but there is no file of version 2 beside it", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"tenants/{Haicang}std.v1.yaml:1:40: this file holds an earlier version of tenants/{Haicang}std.yaml, whose code is 'std', but it names the code 'another'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABundleOfItsOwnNamesTheStandardItCorrespondsToAndAnUnknownOneIsRefusedAtItsLine()
    {
        _tenants.Write(Haicang + "own.yaml", """
            definition:
              code: own
              name: 海沧自己的一件事
              audience: personal
              theme: birth
              leadDepartment: health
              matters: [ { code: birth-medical-certificate }, { code: birth-household-registration } ]
            correspondsTo: { tenant: fujian.xiamen, code: nothing-like-it }
            provenance: illustrative
            """);
        var problem = Assert.Single(await RefusedAsync());
        Assert.StartsWith($"tenants/{Haicang}own.yaml:8:47: fujian.xiamen offers no standard 'nothing-like-it'.", problem, StringComparison.Ordinal);

        File.WriteAllText(_tenants.File(Haicang + "own.yaml"), File.ReadAllText(_tenants.File(Haicang + "own.yaml")).Replace("nothing-like-it", "std", StringComparison.Ordinal));
        Assert.True((await ImportAsync()).Succeeded);
        using var client = _app.CreateClient();
        var own = await client.GetFromJsonAsync<JsonElement>("/api/t/fujian.xiamen.haicang/bundles?limit=500");
        var summary = own.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("summary")).Single(s => s.GetProperty("code").GetString() == "own");
        Assert.Equal("fujian.xiamen", summary.GetProperty("correspondsTo").GetProperty("tenant").GetString());
        Assert.Equal("std", summary.GetProperty("correspondsTo").GetProperty("code").GetString());
    }
}
