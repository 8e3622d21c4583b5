using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Server.Tests.Features.TenantFiles;

/// <summary>Matter and bundle files with mistakes: each reported at its file, line and column, nothing imported.</summary>
public sealed class CatalogueFilesTests : IDisposable
{
    private const string Bundles = "fujian/xiamen/haicang/bundles/";
    private const string Matters = "fujian/xiamen/haicang/matters/";
    private readonly TempFolder _tenants = RepositoryTenants.Copy();

    public void Dispose() => _tenants.Dispose();

    private List<string> Problems() => TenantImport.Validate(_tenants.Path).Select(p => p.ToString()).ToList();

    private void WriteBundle(string body) => _tenants.Write(Bundles + "test.yaml", body);

    // Seven lines: the first matter line of a test is line 7.
    private const string Head = """
        definition:
          code: test
          name: 测试一件事
          audience: personal
          theme: other
          leadDepartment: administrative-approval

        """;

    [Fact]
    public void ABundleNamingAnUnknownMatterIsReportedAtThatMatter()
    {
        WriteBundle(Head + """
              matters:
                - { code: vaccination-check }
                - { code: nowhere }
            """);
        var problem = Assert.Single(Problems());
        Assert.StartsWith($"tenants/{Bundles}test.yaml:9:7:", problem, StringComparison.Ordinal);
        Assert.Contains("nowhere", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ABundleWithOneMatterIsReported()
    {
        WriteBundle(Head + """
              matters:
                - { code: vaccination-check }
            """);
        var problem = Assert.Single(Problems());
        Assert.StartsWith($"tenants/{Bundles}test.yaml:8:5:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ACycleInMatterOrderIsReported()
    {
        WriteBundle(Head + """
              matters:
                - { code: vaccination-check, after: [kindergarten-enrolment] }
                - { code: kindergarten-enrolment, after: [vaccination-check] }
            """);
        // One problem, at the "after" that closes the circle (line 9, column 46), naming the circle.
        Assert.Equal([$"tenants/{Bundles}test.yaml:9:46: The matters kindergarten-enrolment → vaccination-check → kindergarten-enrolment wait for each other in a circle, so none of them can start. Remove one of these “after” entries."],
            Problems());
    }

    [Fact]
    public void ARuleNamingAnUnknownQuestionOrOptionIsReportedAtTheRule()
    {
        WriteBundle(Head + """
              matters: [ { code: vaccination-check }, { code: kindergarten-enrolment } ]
              scenarios:
                - id: q
                  text: 问题
                  options: [ { id: a, label: 甲 }, { id: b, label: 乙 } ]
              rules:
                - { id: r1, when: { question: nope, option: a }, exclude: { matters: [vaccination-check] } }
                - { id: r2, when: { question: q, option: c }, exclude: { matters: [vaccination-check] } }
            """);
        var problems = Problems();
        Assert.Contains(problems, p => p.StartsWith($"tenants/{Bundles}test.yaml:13:", StringComparison.Ordinal) && p.Contains("nope", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"tenants/{Bundles}test.yaml:14:", StringComparison.Ordinal) && p.Contains("'c'", StringComparison.Ordinal));
    }

    [Fact]
    public void AMatterWithoutDepartmentTimeLimitOrMaterialIsReportedForEach()
    {
        _tenants.Write(Matters + "bare.yaml", "code: bare\nname: 空事项\nkind: publicService\ntripsAlone: 1\n");
        var problems = Problems();
        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.StartsWith($"tenants/{Matters}bare.yaml:1:1:", p, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("department", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void AnUnknownFieldOrAWrongWordIsReportedWhereItIs()
    {
        _tenants.Write(Matters + "typo.yaml", "code: typo\nname: 事项\ndepartmant: 教育局\n");
        Assert.Equal([$"tenants/{Matters}typo.yaml:3:1: 'departmant' is not a field here."], Problems());

        _tenants.Write(Matters + "typo.yaml", "code: typo\nname: 事项\ndepartment: education\nkind: license\npromisedDays: 3\ntripsAlone: 1\nmaterials: [ { code: id-card, name: 身份证 } ]\n");
        var problem = Assert.Single(Problems());
        Assert.StartsWith($"tenants/{Matters}typo.yaml:4:7:", problem, StringComparison.Ordinal);
    }
}

/// <summary>An import of files that validate one by one but break a standard: reported at the change, nothing imported.</summary>
public sealed class CatalogueFilesImportTestsOnSqlite : IDisposable
{
    private const string Bundles = "fujian/xiamen/haicang/bundles/";
    private readonly TempFolder _tenants = RepositoryTenants.Copy();

    public void Dispose() => _tenants.Dispose();

    private List<string> Problems() => TenantImport.Validate(_tenants.Path).Select(p => p.ToString()).ToList();

    [Fact]
    public async Task AnOverlayBreakingItsStandardIsReportedAtTheChangeAndNothingIsImported()
    {
        // Xiamen offers a standard; Haicang adopts it and changes what it locks.
        _tenants.Write("fujian/xiamen/matters/a.yaml", "code: a\nname: 甲\ndepartment: health\nkind: confirmation\npromisedDays: 5\ntripsAlone: 1\nmaterials: [ { code: id-card, name: 身份证 } ]\n");
        _tenants.Write("fujian/xiamen/matters/b.yaml", "code: b\nname: 乙\ndepartment: public-security\nkind: confirmation\npromisedDays: 3\ntripsAlone: 1\nmaterials: [ { code: id-card, name: 身份证 } ]\n");
        _tenants.Write("fujian/xiamen/bundles/std.yaml", """
            definition:
              code: std
              name: 标准一件事
              audience: personal
              theme: birth
              leadDepartment: health
              matters: [ { code: a }, { code: b, after: [a] } ]
            standard: { locked: [/leadDepartment] }
            """);
        _tenants.Write(Bundles + "std.yaml", """
            adopts: { tenant: fujian.xiamen, code: std, version: 1 }
            changes:
              - { op: setContact, contact: "12345" }
              - { op: setLeadDepartment, department: health }
            """);
        Assert.Empty(Problems());

        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, _tenants.Path, importOnStartup: false);
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<TenantImport>().ImportAsync(_tenants.Path, CancellationToken.None);
        var problem = Assert.Single(result.Problems).ToString();
        Assert.StartsWith($"tenants/{Bundles}std.yaml:4:5: The standard locks /leadDepartment", problem, StringComparison.Ordinal);
        Assert.Empty(await RowSnapshot.TakeAsync(database));
    }
}
