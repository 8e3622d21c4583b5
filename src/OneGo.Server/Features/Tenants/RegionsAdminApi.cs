using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Audit;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Tenants;

/// <summary>
/// An admin onboards a region below its own (the national operator a province, a province a city …) and changes
/// a region's settings. Regions created here are kept by imports of <c>tenants/</c>, which report them as only
/// in the database; <c>tenants export</c> writes them into files.
/// </summary>
internal static class RegionsAdminApi
{
    public sealed record NewRegion(string? Segment, string? Name, string? NameEn, RegionLevel? Level, string? DivisionCode);

    public sealed record SettingsView(string Tenant, string Name, string? NameEn, string? DisplayName, string? DisplayNameEn, TenantContact Contact, TenantPublishing Publishing);

    public sealed record SettingsChange(string? Name, string? NameEn, string? DisplayName, string? DisplayNameEn, TenantContact? Contact, string? PublishingSchedule);

    public static IEndpointRouteBuilder MapRegionsAdminApi(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/t/{tenant}").WithTags("Tenants");
        tenant.MapPost("/children", Create).WithName("CreateChildRegion")
            .WithSummary("Onboards a region directly below this one (admins at or above it).").Requires(Capability.Administer);
        tenant.MapGet("/settings", GetSettings).WithName("GetTenantSettings").WithSummary("The region's names and settings, with an ETag.");
        tenant.MapPut("/settings", PutSettings).WithName("PutTenantSettings")
            .WithSummary("Changes the region's names and settings; needs If-Match (admins at or above it).").Requires(Capability.Administer);
        return app;
    }

    private static async Task<IResult> Create(HttpContext context, OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, Zone.PublishingSchedules schedules, TimeProvider clock, NewRegion body, CancellationToken cancellationToken)
    {
        var parent = context.Tenant();
        var errors = new List<ApiError>();
        var badSegment = body.Segment is null ? "segment is required: the region's id below its parent, in lowercase pinyin." : RegionRules.CheckSegment(body.Segment);
        if (badSegment is not null)
        {
            errors.Add(ApiError.At("/segment", "pattern", badSegment));
        }

        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100)
        {
            errors.Add(ApiError.At("/name", "required", "name is required (at most 100 characters)."));
        }

        if (body.Level is not { } level || RegionRules.CheckLevel(level, parent.Level) is { } badLevel)
        {
            errors.Add(ApiError.At("/level", "tree", body.Level is null ? "level is required." : $"level {body.Level.ToString()!.ToLowerInvariant()} cannot sit below a {parent.Level.ToString().ToLowerInvariant()}: {RegionRules.CheckLevel(body.Level.Value, parent.Level)}"));
        }
        else if (RegionRules.CheckDivisionCode(body.DivisionCode, level, parent.DivisionCode, parent.Level) is { } badCode)
        {
            errors.Add(ApiError.At("/divisionCode", "division-code", badCode));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var id = RegionRules.ChildId(parent.Id, body.Segment!);
        if (await directory.ResolveAsync(id, cancellationToken) is not null || await db.Regions.AnyAsync(r => r.Id == id || r.DivisionCode == body.DivisionCode, cancellationToken))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The region exists",
                detail: $"There is already a region with the id {id} or the division code {body.DivisionCode}.");
        }

        var now = clock.Now();
        var region = new Region { Id = id, Name = body.Name!, NameEn = body.NameEn, Level = body.Level!.Value, DivisionCode = body.DivisionCode, ParentId = parent.Id, CreatedAt = now, UpdatedAt = now };
        var created = new { id, region.Name, region.NameEn, level = region.Level, region.DivisionCode, parent = parent.Id };
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            // The region, its settings and both audit entries (the parent's and the new region's first) commit together.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Regions.Add(region);
            db.Audit(new AuditEvent(context.Actor(), "tenant.create", $"tenant/{id}", created));
            await db.SaveChangesAsync(cancellationToken);
            using (tenants.Enter(id))
            {
                db.TenantSettings.Add(new TenantSettings { UpdatedAt = now });
                db.Audit(new AuditEvent(context.Actor(), "tenant.create", $"tenant/{id}", created, $"onboarded by {parent.Id}"));
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });

        directory.Invalidate();
        await schedules.ApplyAsync(id, null, cancellationToken);
        return Results.Created($"/api/tenants/{id}", new { id, divisionCode = body.DivisionCode, name = body.Name, parentId = parent.Id });
    }

    private static async Task<(byte[] Bytes, string ETag)> ViewAsync(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var region = await db.Regions.AsNoTracking().SingleAsync(r => r.Id == context.Tenant().Id, cancellationToken);
        var settings = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        var view = new SettingsView(region.Id, region.Name, region.NameEn, settings?.DisplayName, settings?.DisplayNameEn,
            new TenantContact(settings?.ContactPhone, settings?.ContactEmail, settings?.ContactAddress, settings?.ContactHours),
            new TenantPublishing(settings?.PublishingSchedule ?? TenantSettings.DefaultPublishingSchedule, TenantSettings.TimeZone));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(view, context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        return (bytes, Preconditions.ETagOf(bytes));
    }

    private static async Task<IResult> GetSettings(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var (bytes, etag) = await ViewAsync(context, db, cancellationToken);
        return Preconditions.Json(context, bytes, etag);
    }

    private static async Task<IResult> PutSettings(HttpContext context, OneGoDbContext db, RegionDirectory directory, Zone.PublishingSchedules schedules, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (ifMatch, missing) = Preconditions.RequireIfMatch(context.Request);
        if (missing is not null)
        {
            return missing;
        }

        if (Preconditions.CheckIfMatch(ifMatch!, (await ViewAsync(context, db, cancellationToken)).ETag) is { } stale)
        {
            return stale;
        }

        var change = await context.Request.ReadFromJsonAsync<SettingsChange>(cancellationToken);
        var errors = new List<ApiError>();
        if (change is null || string.IsNullOrWhiteSpace(change.Name))
        {
            errors.Add(ApiError.At("/name", "required", "name is required; a renamed region keeps its id."));
        }

        if (change?.PublishingSchedule is { } cron && !Quartz.CronExpression.TryParse(cron, out _))
        {
            errors.Add(ApiError.At("/publishingSchedule", "cron", $"'{cron}' is not a Quartz cron expression, e.g. \"0 0 2 * * ?\" for 02:00 every day (Asia/Shanghai)."));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var now = clock.Now();
        var region = await db.Regions.SingleAsync(r => r.Id == context.Tenant().Id, cancellationToken);
        var settings = await db.TenantSettings.SingleOrDefaultAsync(cancellationToken) ?? db.TenantSettings.Add(new TenantSettings()).Entity;
        var before = Snapshot(region, settings);
        region.Name = change!.Name!;
        region.NameEn = change.NameEn;
        region.UpdatedAt = now;
        settings.DisplayName = change.DisplayName;
        settings.DisplayNameEn = change.DisplayNameEn;
        settings.ContactPhone = change.Contact?.Phone;
        settings.ContactEmail = change.Contact?.Email;
        settings.ContactAddress = change.Contact?.Address;
        settings.ContactHours = change.Contact?.Hours;
        settings.PublishingSchedule = change.PublishingSchedule ?? TenantSettings.DefaultPublishingSchedule;
        settings.UpdatedAt = now;
        db.Audit(new AuditEvent(context.Actor(), "tenant.settings", $"tenant/{region.Id}", JsonChanges.Between(before, Snapshot(region, settings))));
        await db.SaveChangesAsync(cancellationToken);
        directory.Invalidate();
        // The scheduler's store is shared: every node fires on the new schedule from now on.
        await schedules.ApplyAsync(region.Id, settings.PublishingSchedule, cancellationToken);
        return await GetSettings(context, db, cancellationToken);
    }

    /// <summary>The fields a settings change may touch, for the audit log's diff.</summary>
    private static object Snapshot(Region region, TenantSettings settings) => new
    {
        region.Name, region.NameEn, settings.DisplayName, settings.DisplayNameEn,
        contact = new { phone = settings.ContactPhone, email = settings.ContactEmail, address = settings.ContactAddress, hours = settings.ContactHours },
        publishingSchedule = settings.PublishingSchedule,
    };
}
