using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Zone;

/// <summary>The national operator's push integrations and their dead letters.</summary>
internal static class IntegrationsApi
{
    public sealed record NewIntegration(string? Name, string? Url, string? Secret, IReadOnlyList<string?>? Regions);

    public sealed record IntegrationView(Guid Id, string Name, string Url, IReadOnlyList<string> Regions, bool Enabled, DateTimeOffset CreatedAt, int Pending, int DeadLetters);

    /// <summary>A dead letter as replaying it answers: it waits to be delivered again.</summary>
    /// <param name="Id">The dead letter's id.</param>
    /// <param name="Status">pending: it is delivered again, from its first attempt.</param>
    public sealed record Replay(long Id, string Status);

    public sealed record DeadLetter(long Id, string Tenant, string Publication, string Bundle, int Version, OutboxKind Kind, Guid? Integration,
        int Attempts, int? LastStatus, string? LastError, DateTimeOffset CreatedAt);

    public static IEndpointRouteBuilder MapIntegrationsApi(this IEndpointRouteBuilder app)
    {
        var zone = app.MapGroup("/api/zone").WithTags("Zone integrations").Requires(Capability.OperateNation);
        zone.MapPost("/integrations", CreateAsync).WithName("createIntegration").Accepts<NewIntegration>(MediaTypes.Json)
            .WithSummary("Registers a push integration: its URL, its HMAC secret and the regions it wants (each with everything below it).");
        zone.MapGet("/integrations", ListAsync).WithName("listIntegrations").WithSummary("The push integrations, with what waits and what was dead-lettered.");
        zone.MapGet("/integrations/{id:guid}", GetAsync).WithName("getIntegration").WithSummary("One push integration, with what waits and what was dead-lettered.");
        zone.MapGet("/dead-letters", DeadLettersAsync).WithName("listDeadLetters").WithSummary("Deliveries given up, each with its reason.");
        zone.MapPost("/dead-letters/{id:long}/replay", ReplayAsync).WithName("replayDeadLetter").WithSummary("Delivers a dead letter again, from its first attempt.");
        return app;
    }

    /// <summary>How many regions one integration names; each stands for everything below it.</summary>
    private const int MaxRegions = 50;

    private static async Task<Results<CreatedAt<IntegrationView>, BodyProblem, InvalidProblem, ConflictProblem>> CreateAsync(
        HttpContext context, OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, IDataProtectionProvider protection, PushTargets targets, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<NewIntegration>(context.Request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var errors = new List<ApiError>();
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            errors.Add(ApiError.At("/name", "required", "A name is required (at most 200 characters)."));
        }

        errors.CheckLength("/name", body.Name, 200);
        Uri? url = null;
        if (errors.CheckLength("/url", body.Url, 1000))
        {
            if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var candidate) || candidate.Scheme is not ("https" or "http"))
            {
                errors.Add(ApiError.At("/url", "url", targets.RequireHttps
                    ? "url must be an absolute https address the zone POSTs publications to."
                    : "url must be an absolute http(s) address the zone POSTs publications to."));
            }
            else if (await targets.CheckAsync(candidate, cancellationToken) is { } refused)
            {
                errors.Add(ApiError.At("/url", "address", refused));
            }
            else
            {
                url = candidate;
            }
        }

        if (body.Secret is not { Length: >= 16 })
        {
            errors.Add(ApiError.At("/secret", "length", "The signing secret needs at least 16 characters."));
        }

        errors.CheckLength("/secret", body.Secret, 256);
        var regions = new List<string>();
        if (body.Regions is not { Count: > 0 })
        {
            errors.Add(ApiError.At("/regions", "required", "Name at least one region (a tenant id or division code; national for all)."));
        }
        else if (body.Regions.Count > MaxRegions)
        {
            errors.Add(ApiError.At("/regions", "length", $"An integration names at most {MaxRegions} regions; each stands for itself and everything below it."));
        }
        else
        {
            for (var i = 0; i < body.Regions.Count; i++)
            {
                if (body.Regions[i] is { } raw && await directory.ResolveAsync(raw, cancellationToken) is { } region)
                {
                    regions.Add(region.Id);
                }
                else
                {
                    errors.Add(ApiError.At($"/regions/{i}", "unknown-tenant", $"No region has the id or division code '{body.Regions[i]}'."));
                }
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        if (await db.Set<Integration>().AnyAsync(i => i.Name == body.Name, cancellationToken))
        {
            return ApiProblems.Conflict("The name is taken", $"There is already an integration '{body.Name}'.");
        }

        var integration = new Integration
        {
            Id = Guid.CreateVersion7(),
            Name = body.Name!,
            Url = url!.ToString(),
            ProtectedSecret = protection.CreateProtector(OutboxRelay.SecretPurpose).Protect(body.Secret!),
            Regions = string.Join(' ', regions.Distinct(StringComparer.Ordinal)),
            CreatedAt = clock.Now(),
            CreatedBy = context.Actor(),
        };
        using (tenants.Enter(RegionRules.NationalId))
        {
            db.Add(integration);
            db.Audit(new AuditEvent(context.Actor(), "integration.create", $"integration/{integration.Name}", new { integration.Name, integration.Url, regions }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return new CreatedAt<IntegrationView>($"/api/zone/integrations/{integration.Id}", await ViewAsync(db, tenants, integration, cancellationToken), CatalogueJson.Options);
    }

    private static async Task<Results<OkDocument<IntegrationView>, NotFoundProblem>> GetAsync(OneGoDbContext db, CurrentTenant tenants, Guid id, CancellationToken cancellationToken)
    {
        var integration = await db.Set<Integration>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        return integration is null
            ? ApiProblems.NotFound("No such integration", $"The zone has no push integration '{id}'.")
            : new OkDocument<IntegrationView>(await ViewAsync(db, tenants, integration, cancellationToken));
    }

    private static async Task<IntegrationView> ViewAsync(OneGoDbContext db, CurrentTenant tenants, Integration i, CancellationToken cancellationToken)
    {
        using var scope = tenants.EnterReadingBelow(RegionRules.NationalId);
        var counts = await db.Set<OutboxItem>().Where(o => o.IntegrationId == i.Id && o.Status != OutboxStatus.Delivered)
            .GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return new IntegrationView(i.Id, i.Name, i.Url, i.RegionList, i.Enabled, i.CreatedAt,
            counts.FirstOrDefault(c => c.Key == OutboxStatus.Pending)?.Count ?? 0, counts.FirstOrDefault(c => c.Key == OutboxStatus.DeadLetter)?.Count ?? 0);
    }

    private static async Task<OkDocument<Page<IntegrationView>>> ListAsync(OneGoDbContext db, CurrentTenant tenants, CancellationToken cancellationToken)
    {
        var views = new List<IntegrationView>();
        foreach (var integration in await db.Set<Integration>().AsNoTracking().OrderBy(i => i.Name).ToListAsync(cancellationToken))
        {
            views.Add(await ViewAsync(db, tenants, integration, cancellationToken));
        }

        return new OkDocument<Page<IntegrationView>>(new Page<IntegrationView>(views, null));
    }

    private static async Task<OkDocument<Page<DeadLetter>>> DeadLettersAsync(OneGoDbContext db, CurrentTenant tenants, CancellationToken cancellationToken)
    {
        using var scope = tenants.EnterReadingBelow(RegionRules.NationalId);
        var rows = await db.Set<OutboxItem>().AsNoTracking().Where(o => o.Status == OutboxStatus.DeadLetter).OrderBy(o => o.Id).Take(Paging.MaxLimit)
            .Select(o => new DeadLetter(o.Id, o.TenantId, o.Publication!.PublicId, o.Publication.BundleCode, o.Publication.Version, o.Kind, o.IntegrationId,
                o.Attempts, o.LastStatus, o.LastError, o.CreatedAt))
            .ToListAsync(cancellationToken);
        return new OkDocument<Page<DeadLetter>>(new Page<DeadLetter>(rows, null));
    }

    private static async Task<Results<AcceptedAt<Replay>, NotFoundProblem>> ReplayAsync(HttpContext context, OneGoDbContext db, CurrentTenant tenants, OutboxSignal signal, TimeProvider clock, long id, CancellationToken cancellationToken)
    {
        string? tenant;
        using (tenants.EnterReadingBelow(RegionRules.NationalId))
        {
            tenant = await db.Set<OutboxItem>().Where(o => o.Id == id && o.Status == OutboxStatus.DeadLetter).Select(o => o.TenantId).SingleOrDefaultAsync(cancellationToken);
        }

        if (tenant is null)
        {
            return ApiProblems.NotFound("No such dead letter", $"No dead letter has the id {id}.");
        }

        var now = clock.Now();
        using (tenants.Enter(tenant))
        {
            await db.Set<OutboxItem>().Where(o => o.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, OutboxStatus.Pending).SetProperty(o => o.Attempts, 0).SetProperty(o => o.NextAttemptAt, now)
                .SetProperty(o => o.LockedUntil, (DateTimeOffset?)null), cancellationToken);
        }

        using (tenants.Enter(RegionRules.NationalId))
        {
            db.Audit(new AuditEvent(context.Actor(), "outbox.replay", $"outbox/{id}", new { tenant }));
            await db.SaveChangesAsync(cancellationToken);
        }

        signal.Wake();
        return new AcceptedAt<Replay>("/api/zone/dead-letters", new Replay(id, "pending"));
    }
}
