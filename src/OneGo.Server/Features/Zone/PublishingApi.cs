using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Scheduling;
using Quartz;

namespace OneGo.Server.Features.Zone;

/// <summary>A tenant's publishing runs: publish now (202 with the run), the runs, and what each published.</summary>
internal static class PublishingApi
{
    public sealed record RunView(
        Guid Id, string Tenant, string Trigger, RunStatus Status, string? RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? StartedAt,
        DateTimeOffset? FinishedAt, int Published, int Withdrawn, string? Error);

    public sealed record PublishedItem(string Id, long Sequence, string Bundle, int Version, PublicationKind Kind, DateTimeOffset PublishedAt);

    public sealed record RunDetail(RunView Run, IReadOnlyList<PublishedItem> Publications);

    public static IEndpointRouteBuilder MapPublishingApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/t/{tenant}/publishing-runs").WithTags("Publishing");
        runs.MapPost("", PublishNowAsync).WithName("publishNow")
            .WithSummary("Publishes the tenant's approved items now: 202 with the run's Location; a run already queued or under way is returned instead of a second.")
            .Requires(Capability.Administer);
        runs.MapGet("", ListAsync).WithName("listPublishingRuns").WithSummary("The tenant's runs, newest first.").Requires(Capability.ReadDrafts);
        runs.MapGet("/{id:guid}", GetAsync).WithName("getPublishingRun").WithSummary("One run and what it published.").Requires(Capability.ReadDrafts);
        return app;
    }

    private static RunView View(PublishingRun r) =>
        new(r.Id, r.TenantId, r.Trigger, r.Status, r.RequestedBy, r.RequestedAt, r.StartedAt, r.FinishedAt, r.Published, r.Withdrawn, r.Error);

    private static async Task<AcceptedAt<RunView>> PublishNowAsync(HttpContext context, ZonePublisher publisher, Jobs jobs, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant().Id;
        var (run, created) = await publisher.QueueAsync(tenant, "manual", context.Actor(), cancellationToken);
        if (!created && run.Status == RunStatus.Running && !await jobs.IsRunningAsync(PublishingJob.KeyOf(tenant), cancellationToken))
        {
            // Marked running, yet no node runs the tenant's job: its node died. Take up the rest now.
            await publisher.AbandonRunningAsync(tenant, cancellationToken);
            (run, created) = await publisher.QueueAsync(tenant, "manual", context.Actor(), cancellationToken);
        }

        if (created)
        {
            await jobs.RunNowAsync(PublishingJob.KeyOf(tenant), cancellationToken, new JobDataMap { [PublishingJob.RunKey] = run.Id.ToString() });
        }

        return new AcceptedAt<RunView>($"/api/t/{tenant}/publishing-runs/{run.Id}", View(run), CatalogueJson.Options);
    }

    private static async Task<Results<OkDocument<Page<RunView>>, InvalidProblem>> ListAsync(OneGoDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var (paging, errors) = Paging.Read(limit, cursor);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // Newest first: the cursor is the request time of the last run shown (a tenant queues one run at a time).
        var query = db.Set<PublishingRun>().AsNoTracking();
        if (paging.After is { } after && long.TryParse(after, System.Globalization.CultureInfo.InvariantCulture, out var lastTicks))
        {
            var lastAt = new DateTimeOffset(lastTicks, TimeSpan.Zero);
            query = query.Where(r => r.RequestedAt < lastAt);
        }

        var rows = await query.OrderByDescending(r => r.RequestedAt).Take(paging.Limit + 1).ToListAsync(cancellationToken);
        string? next = null;
        if (rows.Count > paging.Limit)
        {
            rows.RemoveAt(paging.Limit);
            next = Paging.Encode(rows[^1].RequestedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new OkDocument<Page<RunView>>(new Page<RunView>(rows.Select(View).ToList(), next));
    }

    private static async Task<Results<OkDocument<RunDetail>, NotFoundProblem>> GetAsync(HttpContext context, OneGoDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var run = await db.Set<PublishingRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is null)
        {
            return ApiProblems.NotFound("No such run", $"{context.Tenant().Id} has no publishing run {id}.");
        }

        var items = await db.Set<Publication>().AsNoTracking().Where(p => p.RunId == id).OrderBy(p => p.Sequence)
            .Select(p => new PublishedItem(p.PublicId, p.Sequence, p.BundleCode, p.Version, p.Kind, p.PublishedAt)).ToListAsync(cancellationToken);
        return new OkDocument<RunDetail>(new RunDetail(View(run), items));
    }
}
