using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OneGo.Server.Storage;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Testing;

namespace OneGo.Server.Tests.Storage;

/// <summary>What every blob store does, run against each: a folder on disk, and Azure Blob Storage through Azurite.</summary>
public abstract class BlobStoreTests
{
    private const string Json = "application/json";
    private const string Publication = "fujian.xiamen.haicang/enrolment/3.json";

    private protected abstract IBlobStore Store { get; }

    [Fact]
    public async Task JsonWithChineseTextComesBackByteForByte()
    {
        var json = Encoding.UTF8.GetBytes("""{"tenant":"fujian.xiamen.haicang","title":"入园入学一件事","materials":["户口簿","出生医学证明"]}""");

        Assert.True(await Store.PutAsync(Publication, json, Json));

        var read = await Store.GetAsync(Publication);
        Assert.NotNull(read);
        Assert.Equal(json, read);
        using var document = JsonDocument.Parse(read);
        Assert.Equal("入园入学一件事", document.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ANameInChineseIsListedAndReadAsWritten()
    {
        const string path = "海沧区/入园入学/一件事.json";
        Assert.True(await Store.PutAsync(path, Encoding.UTF8.GetBytes("""{"办理":"一次"}"""), Json));

        Assert.Equal([path], await ListAsync(""));
        Assert.Equal("""{"办理":"一次"}""", Encoding.UTF8.GetString((await Store.GetAsync(path))!));
    }

    [Fact]
    public async Task CreateOnlyRefusesASecondWriteAndKeepsTheFirstContent()
    {
        var first = Encoding.UTF8.GetBytes("""{"version":3,"approvedBy":"reviewer-a"}""");
        var second = Encoding.UTF8.GetBytes("""{"version":3,"approvedBy":"someone else"}""");

        Assert.True(await Store.PutAsync(Publication, first, Json, BlobWrite.CreateOnly));
        Assert.False(await Store.PutAsync(Publication, second, Json, BlobWrite.CreateOnly));

        Assert.Equal(first, await Store.GetAsync(Publication));
    }

    [Fact]
    public async Task OfConcurrentCreateOnlyWritesExactlyOneWinsAndItsContentIsKept()
    {
        var attempts = Enumerable.Range(0, 8).Select(i => Encoding.UTF8.GetBytes($$"""{"node":{{i}}}""")).ToArray();

        var written = await Task.WhenAll(attempts.Select(content => Task.Run(() => Store.PutAsync(Publication, content, Json, BlobWrite.CreateOnly))));

        Assert.Single(written, w => w);
        Assert.Equal(attempts[Array.IndexOf(written, true)], await Store.GetAsync(Publication));
        Assert.Equal([Publication], await ListAsync(""));
    }

    [Fact]
    public async Task OverwriteReplacesTheWholeContent()
    {
        var longer = Encoding.UTF8.GetBytes("""{"checkpoint":1,"entries":["first","second","third"]}""");
        var shorter = Encoding.UTF8.GetBytes("""{"checkpoint":2}""");

        Assert.True(await Store.PutAsync("audit/checkpoint.json", longer, Json));
        Assert.True(await Store.PutAsync("audit/checkpoint.json", shorter, Json, BlobWrite.Overwrite));

        Assert.Equal(shorter, await Store.GetAsync("audit/checkpoint.json"));
    }

    [Fact]
    public async Task ListingUnderAPrefixReturnsExactlyTheNamesBelowItInNameOrder()
    {
        string[] below = ["fujian.xiamen.haicang/enrolment/2.json", "fujian.xiamen.haicang/enrolment/10.json", "fujian.xiamen.haicang/enrolment/1.json", "fujian.xiamen.haicang/enrolment/drafts/a.json"];
        string[] beside = ["fujian.xiamen.haicang/enrolment.json", "fujian.xiamen.haicang/enrolment-2/1.json", "fujian.xiamen.siming/enrolment/1.json"];
        foreach (var path in beside.Concat(below).Reverse())
        {
            await Store.PutAsync(path, "{}"u8.ToArray(), Json);
        }

        // Name order, not number order: 10 before 2.
        string[] expected = ["fujian.xiamen.haicang/enrolment/1.json", "fujian.xiamen.haicang/enrolment/10.json", "fujian.xiamen.haicang/enrolment/2.json", "fujian.xiamen.haicang/enrolment/drafts/a.json"];
        Assert.Equal(expected, await ListAsync("fujian.xiamen.haicang/enrolment"));
        Assert.Equal(expected, await ListAsync("fujian.xiamen.haicang/enrolment/"));
        Assert.Equal(below.Concat(beside).Order(StringComparer.Ordinal), await ListAsync(""));
        Assert.Empty(await ListAsync("fujian.xiamen.haicang/newborn"));
    }

    [Fact]
    public async Task ADeletedBlobIsGoneAndItsNeighboursStay()
    {
        // Before anything was written (no container yet on Azure): nothing to delete.
        Assert.False(await Store.DeleteAsync("fujian.xiamen.haicang/applications/a/photo/1"));
        await Store.PutAsync("fujian.xiamen.haicang/applications/a/photo/1", new byte[] { 0x89, 0x50 }, "image/png");
        await Store.PutAsync("fujian.xiamen.haicang/applications/a/photo/2", new byte[] { 0x89, 0x51 }, "image/png");

        Assert.True(await Store.DeleteAsync("fujian.xiamen.haicang/applications/a/photo/1"));
        Assert.False(await Store.DeleteAsync("fujian.xiamen.haicang/applications/a/photo/1"));
        Assert.Null(await Store.GetAsync("fujian.xiamen.haicang/applications/a/photo/1"));
        Assert.Equal(["fujian.xiamen.haicang/applications/a/photo/2"], await ListAsync("fujian.xiamen.haicang/applications"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync("../outside"));
    }

    [Fact]
    public async Task AMissingBlobIsNull()
    {
        Assert.Null(await Store.GetAsync(Publication));

        await Store.PutAsync("fujian.xiamen.haicang/enrolment/1.json", "{}"u8.ToArray(), Json);

        Assert.Null(await Store.GetAsync(Publication));
        // Only a prefix of other blobs (a folder on disk): still no blob.
        Assert.Null(await Store.GetAsync("fujian.xiamen.haicang/enrolment"));
    }

    [Theory]
    [InlineData("../outside.json")]
    [InlineData("fujian/../../outside.json")]
    [InlineData("fujian/./1.json")]
    [InlineData("/fujian/1.json")]
    [InlineData("fujian\\1.json")]
    [InlineData("fujian//1.json")]
    [InlineData("fujian/")]
    [InlineData("")]
    public async Task ABadPathIsRejectedWithAMessageNamingItAndNothingIsWritten(string path)
    {
        var put = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(path, "{}"u8.ToArray(), Json));
        Assert.Contains($"'{path}'", put.Message, StringComparison.Ordinal);
        Assert.Contains("A blob path is", put.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(path));

        Assert.Empty(await ListAsync(""));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/fujian")]
    [InlineData("fujian\\haicang")]
    [InlineData("fujian//haicang")]
    public void ABadPrefixIsRejected(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => Store.ListAsync(prefix));
        Assert.Contains($"'{prefix}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadinessReportsHealthy()
    {
        var result = await Store.CheckReadyAsync();

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.False(string.IsNullOrEmpty(result.Description));
    }

    private protected async Task<List<string>> ListAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var name in Store.ListAsync(prefix))
        {
            names.Add(name);
        }

        return names;
    }
}

public sealed class BlobStoreTestsOnFileSystem : BlobStoreTests, IDisposable
{
    private readonly TempFolder _folder = new("blobs");

    public BlobStoreTestsOnFileSystem() => Store = new FileSystemBlobStore(_folder.Path);

    private protected override IBlobStore Store { get; }

    [Fact]
    public async Task APathCannotReachOutsideTheFolder()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("../outside.json", "{}"u8.ToArray(), "application/json"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("fujian/../../outside.json", "{}"u8.ToArray(), "application/json"));

        var parent = Path.GetDirectoryName(_folder.Path)!;
        Assert.Equal([_folder.Path], Directory.EnumerateFileSystemEntries(parent));
    }

    [Fact]
    public async Task AWriteLeavesNoPartialFileBehind()
    {
        await Store.PutAsync("fujian/1.json", "{}"u8.ToArray(), "application/json");
        await Store.PutAsync("fujian/1.json", "{}"u8.ToArray(), "application/json", BlobWrite.CreateOnly);
        await Store.PutAsync("fujian/1.json", "[]"u8.ToArray(), "application/json");
        await Store.CheckReadyAsync();

        Assert.Equal([_folder.File("fujian/1.json")], Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task L7_ReadinessWritesIntoTheBlobFolderAtMostOnceAMinute()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new FileSystemBlobStore(_folder.Path, clock);
        // The folder's modification time moves when a probe file is written and removed in it.
        var untouched = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal(HealthStatus.Healthy, (await store.CheckReadyAsync()).Status);
        Directory.SetLastWriteTimeUtc(_folder.Path, untouched);
        for (var probe = 0; probe < 10; probe++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(HealthStatus.Healthy, (await store.CheckReadyAsync()).Status);
        }

        Assert.Equal(untouched, Directory.GetLastWriteTimeUtc(_folder.Path));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HealthStatus.Healthy, (await store.CheckReadyAsync()).Status);
        Assert.NotEqual(untouched, Directory.GetLastWriteTimeUtc(_folder.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task ReadinessIsUnhealthyNamingTheSettingWhenTheFolderCannotBeMade()
    {
        // A file where the folder should be: even root, which ignores permissions, cannot make a folder there.
        _folder.Write("taken", "not a folder");
        var store = new FileSystemBlobStore(_folder.File("taken"));

        var result = await store.CheckReadyAsync();

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains(_folder.File("taken"), result.Description, StringComparison.Ordinal);
        Assert.Contains("Blobs:Path", result.Description, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}

public sealed class BlobStoreTestsOnAzurite : BlobStoreTests, IAsyncLifetime
{
    // A container of its own for every test, so that each starts empty.
    private readonly BlobContainerClient _container = new(TestAzurite.ConnectionString, TestAzurite.NewContainerName());

    public BlobStoreTestsOnAzurite() => Store = new AzureBlobStore(_container);

    private protected override IBlobStore Store { get; }

    [Fact]
    public async Task TheFirstWriteCreatesAPrivateContainerAndKeepsTheContentType()
    {
        Assert.False((await _container.ExistsAsync()).Value);

        await Store.PutAsync("fujian/1.json", "{}"u8.ToArray(), "application/json; charset=utf-8");

        Assert.True((await _container.ExistsAsync()).Value);
        Assert.Equal(PublicAccessType.None, (await _container.GetAccessPolicyAsync()).Value.BlobPublicAccess);
        Assert.Equal("application/json; charset=utf-8", (await _container.GetBlobClient("fujian/1.json").GetPropertiesAsync()).Value.ContentType);
    }

    [Fact]
    public async Task ReadinessIsUnhealthyWhenTheServiceDoesNotAnswer()
    {
        var connection = TestAzurite.ConnectionString.Replace(new Uri(BlobEndpoint()).Authority, $"127.0.0.1:{ClosedPort()}", StringComparison.Ordinal);
        // No retries: the point is the answer, not the client's patience.
        var options = new BlobClientOptions { Retry = { MaxRetries = 0 } };
        var store = new AzureBlobStore(new BlobContainerClient(connection, _container.Name, options));

        var result = await store.CheckReadyAsync();

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains(_container.Name, result.Description, StringComparison.Ordinal);
    }

    private static string BlobEndpoint() =>
        TestAzurite.ConnectionString.Split(';').Single(part => part.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..];

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _container.DeleteIfExistsAsync();
}
