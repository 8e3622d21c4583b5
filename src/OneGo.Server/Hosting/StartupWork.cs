using OneGo.Server.ConsoleUi;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Server.Data;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Identity;

namespace OneGo.Server.Hosting;

/// <summary>
/// Before the server takes requests: apply migrations (or, when they are a step of their own, refuse to start while any
/// is pending), check that the database's defences bind the role OneGo connects as, then import <c>tenants/</c> (the
/// embedded default). Once it listens: say where to open it.
/// </summary>
internal sealed class StartupWork(
    IServiceScopeFactory scopes,
    IOptions<DatabaseSettings> database,
    IOptions<TenantFilesSettings> files,
    IOptions<DemoSettings> demoSettings,
    IServer server,
    IHostEnvironment environment,
    ILogger<StartupWork> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var turn = await DatabaseSetup.StartTurnAsync(database.Value, cancellationToken);
        await using (var scope = scopes.CreateAsyncScope())
        {
            if (database.Value.MigrateOnStartup)
            {
                await DatabaseSetup.MigrateAsync(scope.ServiceProvider, cancellationToken);
            }

            await RefuseWithPendingMigrationsAsync(scope.ServiceProvider.GetRequiredService<OneGoDbContext>(), cancellationToken);
            await DatabaseRoleCheck.CheckAsync(scope.ServiceProvider, environment, logger, cancellationToken);
            await ImportAsync(scope.ServiceProvider, cancellationToken);
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            await ConsoleClient.EnsureAsync(scopes, cancellationToken);
            var demo = scope.ServiceProvider.GetRequiredService<DemoAccounts>();
            if (demoSettings.Value.EnabledIn(environment))
            {
                await demo.EnsureAsync(cancellationToken);
            }
            else
            {
                await demo.RetireAsync(cancellationToken);
            }

            await CheckSeparationOfDutiesAsync(scope.ServiceProvider, cancellationToken);
        }
    }

    /// <summary>
    /// With migrations a step of their own (<c>Database:MigrateOnStartup=false</c>, as in production), a node on a schema
    /// older than its code would fail request by request: it refuses to start instead, naming what is pending, and is
    /// started again once <c>migrate</c> has run (Kubernetes restarts it; the migration Job runs meanwhile).
    /// </summary>
    private static async Task RefuseWithPendingMigrationsAsync(OneGoDbContext db, CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"OneGo refuses to start: {pending.Count} migration(s) are not applied to its database ({string.Join(", ", pending.Take(5))}{(pending.Count > 5 ? ", …" : "")}). " +
                "Run the server's 'migrate' command as the tables' owner first (in Kubernetes the onego-migrate Job), or set Database:MigrateOnStartup=true on a single node.");
        }
    }

    /// <summary>
    /// 三员管理: an account holding admin or auditor beside another role is listed; outside Development the server then
    /// refuses to start — nothing is dropped silently, an admin revokes what is wrong (or fixes it in the database).
    /// </summary>
    private async Task CheckSeparationOfDutiesAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var broken = await services.GetRequiredService<AccountRoles>().BreakingSeparationOfDutiesAsync(cancellationToken);
        foreach (var (account, roles) in broken)
        {
            logger.LogCritical("Account {Account} of {Tenant} holds {Roles}: admin and auditor are each held alone (三员管理)", account.Name, account.TenantId, string.Join(", ", roles));
        }

        if (broken.Count > 0 && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"{broken.Count} account(s) break the separation of duties (listed above: {string.Join("; ", broken.Select(b => $"{b.Account.Name} holds {string.Join(", ", b.Roles)}"))}). Revoke the extra roles before starting OneGo outside Development.");
        }
    }

    private async Task ImportAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (files.Value.ImportsOnStartup(database.Value))
        {
            if (files.Value.FolderIn(environment) is not { } folder)
            {
                logger.LogWarning("No tenants/ folder was found above {ContentRoot}; set TenantFiles:Folder to import one", AppContext.BaseDirectory);
                return;
            }

            var result = await services.GetRequiredService<TenantImport>().ImportAsync(folder, cancellationToken);
            if (!result.Succeeded)
            {
                foreach (var problem in result.Problems)
                {
                    logger.LogError("{Problem}", problem.ToString());
                }

                logger.LogError("The tenants/ folder was not imported ({Count} problem(s) above); the database is unchanged", result.Problems.Count);
            }
            else
            {
                logger.LogInformation("tenants/ imported from {Folder}: {Changed} file(s) applied, {Unchanged} unchanged",
                    folder, result.Applied!.Changes.Count, result.Applied.UnchangedFiles);
            }
        }
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            var at = address.TrimEnd('/');
            logger.LogInformation("OneGo is ready: open {Address}/ (the citizens' pages), {Address}/console (the console) or {Address}/scalar (the API reference)", at, at, at);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
