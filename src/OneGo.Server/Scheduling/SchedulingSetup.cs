using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneGo.Server.Data;
using OneGo.Server.Hosting;
using Quartz;

namespace OneGo.Server.Scheduling;

/// <summary>The <c>Scheduling</c> settings.</summary>
internal sealed class SchedulingSettings : ISettings
{
    public static string Section => "Scheduling";

    /// <summary>Whether this node runs jobs. A node with it off can still store jobs and run them now on the others.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How late a firing may start before it counts as missed and is skipped to the next slot. A slot's triggers start
    /// as the node's job threads come free: every region of a nation on the default 02:00 (3,209 triggers) takes over a
    /// minute to start, and with a threshold of one minute the regions at the end of the slot would skip every night.
    /// </summary>
    [Positive]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a clustered node records in the database that it is alive (Quartz's default).</summary>
    [Positive]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>
    /// How long past a missed check-in the other nodes wait before they take a node for dead and fire what it had
    /// reserved (Quartz's default). Shorter takes over sooner, but a node paused longer than this is written off
    /// while it still works.
    /// </summary>
    [Positive]
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(7.5);
}

/// <summary>
/// Quartz on OneGo's own database: the job store is the database EF Core uses, through the same connection string,
/// so jobs and their schedules survive restarts and every node of a deployment shares them. On PostgreSQL and SQL
/// Server the nodes form a Quartz cluster and each firing runs on one node; SQLite is a single node's database.
/// </summary>
internal static class SchedulingSetup
{
    /// <summary>The scheduler's name in the QRTZ_ tables: every node of a deployment must share it to form one cluster.</summary>
    public const string SchedulerName = "OneGo";

    public static WebApplicationBuilder AddOneGoScheduling(this WebApplicationBuilder builder)
    {
        // Quartz takes its store and cluster timings as it is registered.
        var settings = builder.ReadSettings<SchedulingSettings>();
        var database = builder.ReadSettings<DatabaseSettings>();
        var services = builder.Services;

        // A node that stops checking in (killed, or cut off from the database) is taken for dead after the interval
        // plus the threshold; the others then fire the slots it had reserved.
        void Cluster(ClusteringOptions cluster)
        {
            cluster.CheckinInterval = settings.ClusterCheckinInterval;
            cluster.CheckinMisfireThreshold = settings.ClusterCheckinMisfireThreshold;
        }

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = SchedulerName;
                // On shutdown running jobs see their cancellation token, and the node waits for them to stop.
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            quartz.UsePersistentStore(store =>
            {
                switch (database.Provider.Trim().ToLowerInvariant())
                {
                    case "sqlite":
                        // One node only: Quartz's SQLite store locks within the process, not across processes.
                        store.UseSqlite(source => source.DataSourceFactory = ApplicationDatabase(SqliteFactory.Instance));
                        break;
                    case "postgres" or "postgresql":
                        store.UsePostgres(source => source.DataSourceFactory = ApplicationDatabase(NpgsqlFactory.Instance));
                        store.UseClustering(Cluster);
                        break;
                    case "sqlserver":
                        store.UseSqlServer(source => source.DataSourceFactory = ApplicationDatabase(SqlClientFactory.Instance));
                        store.UseClustering(Cluster);
                        break;
                    default:
                        // DatabaseSetup refuses the provider with its own message before anything runs.
                        break;
                }

                store.UseSystemTextJsonSerializer();
                store.ConfigureStore(options =>
                {
                    options.TablePrefix = QuartzSchema.TablePrefix;
                    options.StoreJobDataAsStrings = true;
                    options.MisfireThreshold = settings.MisfireThreshold;
                    // The migrations create the tables; the store only checks they are there.
                    options.SchemaProvisioning = SchemaProvisioning.Validate;
                });
            });
        });

        services.AddSingleton<Jobs>();
        services.AddHostedService<SchedulerHost>();
        return builder;
    }

    /// <summary>
    /// Declares a job that runs on a schedule its settings give at start-up (<paramref name="configured"/>, the setting
    /// named <paramref name="setting"/>; unset or empty, <paramref name="defaultSchedule"/>): a Quartz cron in
    /// Asia/Shanghai time or an interval (<c>hh:mm:ss</c>). The job is stored under
    /// <see cref="Jobs.RecurringKey"/>(<paramref name="name"/>); when the configured schedule changes, the next start
    /// replaces its trigger. Each run gets its own DI scope (a DbContext of its own).
    /// </summary>
    public static IServiceCollection AddRecurringJob<TJob>(
        this IServiceCollection services, string name, string setting, Func<IServiceProvider, string?> configured, string defaultSchedule)
        where TJob : IJob
    {
        services.AddSingleton(new RecurringJob(Jobs.RecurringKey(name), typeof(TJob), setting, configured, defaultSchedule));
        return services;
    }

    /// <summary>
    /// Connections to the database the application uses, with the connection string its DbContext was given (on
    /// PostgreSQL the application's role when one is configured; on SQLite the resolved file with its busy timeout),
    /// read when the scheduler first connects. Connections come from the provider's shared pools, as EF Core's do.
    /// </summary>
    private static Func<IServiceProvider, DbDataSource> ApplicationDatabase(DbProviderFactory provider) => services =>
    {
        using var scope = services.CreateScope();
        var connectionString = scope.ServiceProvider.GetRequiredService<OneGoDbContext>().Database.GetConnectionString()
            ?? throw new InvalidOperationException("The application's DbContext has no connection string for the scheduler to use.");
        return new PooledDataSource(provider, connectionString);
    };

    private sealed class PooledDataSource(DbProviderFactory provider, string connectionString) : DbDataSource
    {
        public override string ConnectionString => connectionString;

        protected override DbConnection CreateDbConnection()
        {
            var connection = provider.CreateConnection() ?? throw new InvalidOperationException($"{provider.GetType().Name} made no connection.");
            connection.ConnectionString = connectionString;
            return connection;
        }
    }
}

/// <summary>A job declared with <see cref="SchedulingSetup.AddRecurringJob{TJob}"/>.</summary>
internal sealed record RecurringJob(JobKey Key, Type JobType, string Setting, Func<IServiceProvider, string?> Configured, string DefaultSchedule)
{
    public JobSchedule Schedule(IServiceProvider services) =>
        JobSchedule.Parse(Configured(services) is { Length: > 0 } configured ? configured : DefaultSchedule, Setting);
}
