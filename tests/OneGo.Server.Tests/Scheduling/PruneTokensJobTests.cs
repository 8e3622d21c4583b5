using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using OneGo.Server.Tests.Infrastructure;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OneGo.Server.Tests.Scheduling;

/// <summary>The token-pruning job, run now through the scheduler as an operator or a feature would.</summary>
public abstract class PruneTokensJobTests(Provider provider)
{
    [Fact]
    public async Task RunNowRemovesWhatExpiredOrWasRevokedBeforeTheThresholdAndKeepsTheRest()
    {
        await using var database = await TestDatabase.CreateAsync(provider, Content.Migrated);
        await using var app = SchedulingTestSupport.Node(database);
        var now = DateTimeOffset.UtcNow;
        string oldExpired, oldStillValid, recentlyExpired, oldRevokedAuthorization, oldValidAuthorization;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
            async Task<string> TokenAsync(int createdDaysAgo, TimeSpan expiresIn) => (await tokens.GetIdAsync(await tokens.CreateAsync(new OpenIddictTokenDescriptor
            {
                CreationDate = now.AddDays(-createdDaysAgo),
                ExpirationDate = now + expiresIn,
                Status = Statuses.Valid,
                Subject = "prune-test",
                Type = TokenTypeHints.RefreshToken,
            })))!;

            oldExpired = await TokenAsync(20, -TimeSpan.FromDays(19));
            oldStillValid = await TokenAsync(20, TimeSpan.FromDays(10));
            recentlyExpired = await TokenAsync(1, -TimeSpan.FromHours(1));

            var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
            async Task<string> AuthorizationAsync(string status) => (await authorizations.GetIdAsync(await authorizations.CreateAsync(new OpenIddictAuthorizationDescriptor
            {
                CreationDate = now.AddDays(-20),
                Status = status,
                Subject = "prune-test",
                Type = AuthorizationTypes.Permanent,
            })))!;

            oldRevokedAuthorization = await AuthorizationAsync(Statuses.Revoked);
            oldValidAuthorization = await AuthorizationAsync(Statuses.Valid);
        }

        var jobs = app.Services.GetRequiredService<Jobs>();
        await jobs.RunNowAsync(PruneTokensJob.Key, CancellationToken.None);

        async Task<bool> TokenExistsAsync(string id)
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().FindByIdAsync(id) is not null;
        }

        async Task<bool> AuthorizationExistsAsync(string id)
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().FindByIdAsync(id) is not null;
        }

        await SchedulingTestSupport.EventuallyAsync(async () => await TokenExistsAsync(oldExpired) || await AuthorizationExistsAsync(oldRevokedAuthorization), exists => !exists, "the pruning run");
        await SchedulingTestSupport.EventuallyAsync(() => jobs.IsRunningAsync(PruneTokensJob.Key, CancellationToken.None), running => !running, "the pruning run to end");

        Assert.True(await TokenExistsAsync(oldStillValid), "a token that has not expired is kept, however old");
        Assert.True(await TokenExistsAsync(recentlyExpired), "a token that expired after the threshold is kept");
        Assert.True(await AuthorizationExistsAsync(oldValidAuthorization), "a valid authorization is kept");
    }
}

public sealed class PruneTokensJobTestsOnSqlite() : PruneTokensJobTests(Provider.Sqlite);

public sealed class PruneTokensJobTestsOnPostgres() : PruneTokensJobTests(Provider.Postgres);
