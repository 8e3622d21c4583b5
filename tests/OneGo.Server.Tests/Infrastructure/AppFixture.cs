namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// One OneGo host per test class, on its own database with the repository's <c>tenants/</c> imported, for tests
/// that only read. Tests that change things make their own <see cref="OneGoApp"/>.
/// </summary>
public abstract class AppFixture : IAsyncLifetime
{
    protected abstract Provider Provider { get; }

    public OneGoApp App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await TestDatabase.CreateAsync(Provider);
        App = new OneGoApp(database);
        Client = App.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await App.Database.DisposeAsync();
    }
}

public sealed class SqliteAppFixture : AppFixture
{
    protected override Provider Provider => Provider.Sqlite;
}

public sealed class PostgresAppFixture : AppFixture
{
    protected override Provider Provider => Provider.Postgres;
}
