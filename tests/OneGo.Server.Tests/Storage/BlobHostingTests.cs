using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Storage;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Storage;

/// <summary>The blob store as the server picks it from <c>Blobs:*</c>, and its place in <c>/health/ready</c>.</summary>
public sealed class BlobHostingTestsOnSqlite
{
    [Fact]
    public async Task AzureWithoutAConnectionStringFailsAtStartUpNamingTheSetting()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Blobs:Provider"] = "Azure" });

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.Contains(Messages(error), m => m.Contains("Blobs:ConnectionString", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheEmbeddedDefaultKeepsItsBlobsBesideItsDatabaseFile()
    {
        using var folder = new TempFolder("app-data");
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, Content.Migrated);
        var file = folder.File("onego.db");
        File.Copy(new SqliteConnectionStringBuilder(database.ConnectionString).DataSource, file);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = $"Data Source={file}",
            ["Blobs:Path"] = null, // undo the test host's own blob folder: the default is what is tested
        });
        using var client = app.CreateClient();

        await app.Services.GetRequiredService<IBlobStore>().PutAsync("fujian.xiamen.haicang/enrolment/1.json", "{}"u8.ToArray(), "application/json");

        Assert.True(File.Exists(folder.File("blobs/fujian.xiamen.haicang/enrolment/1.json")));
        var ready = await client.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("blobs").GetProperty("status").GetString());
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task ReadinessFailsWhenTheBlobFolderCannotBeWritten()
    {
        using var folder = new TempFolder("blobs");
        folder.Write("taken", "a file where the folder should be");
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
        await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?> { ["Blobs:Path"] = folder.File("taken") });
        using var nationalOperator = await app.AsAsync(OneGo.Server.Identity.Roles.Admin, OneGo.Tenancy.RegionRules.NationalId);

        var ready = await nationalOperator.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("migrations").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", checks.GetProperty("blobs").GetProperty("status").GetString());
        Assert.Contains("Blobs:Path", checks.GetProperty("blobs").GetProperty("description").GetString(), StringComparison.Ordinal);

        // Anyone else (a load balancer) reads the statuses, and not where the folder is or what the file system said.
        using var anonymous = app.CreateClient();
        var seen = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, seen.StatusCode);
        var text = await seen.Content.ReadAsStringAsync();
        Assert.Equal("Unhealthy", JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("blobs").GetProperty("status").GetString());
        Assert.DoesNotContain("taken", text, StringComparison.Ordinal);
        Assert.DoesNotContain("description", text, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Messages(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e.Message;
        }
    }
}

/// <summary>The server on Azure Blob Storage (Azurite): readiness names the container, and snapshots land in it.</summary>
public sealed class BlobHostingTestsOnSqliteAndAzurite
{
    [Fact]
    public async Task OnAzureReadinessReportsTheContainerAndTheServerWritesIntoIt()
    {
        var container = new BlobContainerClient(TestAzurite.ConnectionString, TestAzurite.NewContainerName());
        try
        {
            // Seeded: the national operator, who reads what the checks found, has an account.
            await using var database = await TestDatabase.CreateAsync(Provider.Sqlite);
            await using var app = new OneGoApp(database, importOnStartup: false, settings: new Dictionary<string, string?>
            {
                ["Blobs:Provider"] = "Azure",
                ["Blobs:ConnectionString"] = TestAzurite.ConnectionString,
                ["Blobs:Container"] = container.Name,
            });
            using var client = await app.AsAsync(OneGo.Server.Identity.Roles.Admin, OneGo.Tenancy.RegionRules.NationalId);

            var ready = await client.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var blobs = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("blobs");
            Assert.Equal("Healthy", blobs.GetProperty("status").GetString());
            Assert.Contains(container.Name, blobs.GetProperty("description").GetString(), StringComparison.Ordinal);

            await app.Services.GetRequiredService<IBlobStore>().PutAsync("national/audit/1.json", "{}"u8.ToArray(), "application/json");
            Assert.True((await container.GetBlobClient("national/audit/1.json").ExistsAsync()).Value);
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }
}
