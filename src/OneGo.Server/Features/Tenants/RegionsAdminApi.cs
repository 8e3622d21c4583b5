using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
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
    // Level has no description of its own here, as in TenantSummary and TenantDetail: Kiota gives an enum the description
    // of whichever use it reads first, so the generated client changed at random while only this one had one.
    /// <summary>A region to onboard directly below the route's region, its level one below the parent's.</summary>
    /// <param name="Segment">Its id below its parent, in lowercase pinyin: the new id is the parent's id, a dot and this.</param>
    /// <param name="Name">Its Chinese name (at most 100 characters).</param>
    /// <param name="NameEn">Its English name.</param>
    /// <param name="DivisionCode">Its GB/T 2260 six-digit division code, agreeing with the parent's.</param>
    /// <param name="DivisionCodeOutsideStandard">True for a province-level region whose code is not a GB/T 2260 code: only 660000, the national government service platform's code for 新疆生产建设兵团, which is refused unmarked.</param>
    public sealed record NewRegion(string? Segment, string? Name, string? NameEn, RegionLevel? Level, string? DivisionCode, bool? DivisionCodeOutsideStandard);

    /// <summary>A region just onboarded.</summary>
    /// <param name="Id">Its id, canonical from now on.</param>
    /// <param name="DivisionCode">Its division code.</param>
    /// <param name="DivisionCodeOutsideStandard">True when the division code is not a GB/T 2260 code (660000, 新疆生产建设兵团).</param>
    /// <param name="Name">Its Chinese name.</param>
    /// <param name="ParentId">The region it was onboarded below.</param>
    public sealed record CreatedRegion(string Id, string? DivisionCode, bool DivisionCodeOutsideStandard, string? Name, string ParentId);

    /// <summary>A region's names and settings, as its admins change them.</summary>
    public sealed record SettingsView(string Tenant, string Name, string? NameEn, string? DisplayName, string? DisplayNameEn, TenantContact Contact, TenantPublishing Publishing);

    /// <summary>A region's names and settings as a change sends them: every field, the unchanged ones too.</summary>
    /// <param name="PublishingSchedule">A Quartz cron expression in Asia/Shanghai; the default schedule when absent.</param>
    public sealed record SettingsChange(string? Name, string? NameEn, string? DisplayName, string? DisplayNameEn, TenantContact? Contact, string? PublishingSchedule);

    public static IEndpointRouteBuilder MapRegionsAdminApi(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("/api/t/{tenant}").WithTags("Tenants");
        tenant.MapPost("/children", Create).WithName("createChildRegion").Accepts<NewRegion>(MediaTypes.Json)
            .WithSummary("Onboards a region directly below this one (admins at or above it).").Requires(Capability.Administer);
        tenant.MapGet("/settings", GetSettings).WithName("getTenantSettings").WithSummary("The region's names and settings, with an ETag.");
        tenant.MapPut("/settings", PutSettings).WithName("updateTenantSettings").Accepts<SettingsChange>(MediaTypes.Json)
            .WithSummary("Changes the region's names and settings; needs If-Match (admins at or above it).").Requires(Capability.Administer);
        return app;
    }

    private static async Task<Results<CreatedAt<CreatedRegion>, BodyProblem, InvalidProblem, ConflictProblem>> Create(HttpContext context, OneGoDbContext db, CurrentTenant tenants, RegionDirectory directory, Zone.PublishingSchedules schedules, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<NewRegion>(context.Request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var parent = context.Tenant();
        var outsideStandard = body.DivisionCodeOutsideStandard ?? false;
        var errors = new List<ApiError>();
        var badSegment = body.Segment is null ? "segment is required: the region's id below its parent, in lowercase pinyin." : RegionRules.CheckSegment(body.Segment);
        if (badSegment is not null)
        {
            errors.Add(ApiError.At("/segment", "pattern", badSegment));
        }
        else if (RegionRules.ChildId(parent.Id, body.Segment!) is { Length: > TenancyModel.TenantIdMaxLength } longId)
        {
            errors.Add(ApiError.At("/segment", "length", $"The region's id would have {longId.Length:N0} characters with this segment; an id has at most {TenancyModel.TenantIdMaxLength}: choose a shorter segment."));
        }

        if (string.IsNullOrWhiteSpace(body.Name))
        {
            errors.Add(ApiError.At("/name", "required", "name is required (at most 100 characters)."));
        }

        errors.CheckLength("/name", body.Name, 100);
        errors.CheckLength("/nameEn", body.NameEn, 200);

        if (body.Level is not { } level || RegionRules.CheckLevel(level, parent.Level) is { } badLevel)
        {
            errors.Add(ApiError.At("/level", "tree", body.Level is null ? "level is required." : $"level {body.Level.ToString()!.ToLowerInvariant()} cannot sit below a {parent.Level.ToString().ToLowerInvariant()}: {RegionRules.CheckLevel(body.Level.Value, parent.Level)}"));
        }
        else if (RegionRules.CheckDivisionCode(body.DivisionCode, level, parent.DivisionCode, parent.Level, outsideStandard) is { } badCode)
        {
            errors.Add(ApiError.At(outsideStandard ? "/divisionCodeOutsideStandard" : "/divisionCode", "division-code", badCode));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var id = RegionRules.ChildId(parent.Id, body.Segment!);
        if (await directory.ResolveAsync(id, cancellationToken) is not null || await db.Regions.AnyAsync(r => r.Id == id || r.DivisionCode == body.DivisionCode, cancellationToken))
        {
            return ApiProblems.Conflict("The region exists", $"There is already a region with the id {id} or the division code {body.DivisionCode}.");
        }

        var now = clock.Now();
        var region = new Region { Id = id, Name = body.Name!, NameEn = body.NameEn, Level = body.Level!.Value, DivisionCode = body.DivisionCode, DivisionCodeOutsideStandard = outsideStandard, ParentId = parent.Id, CreatedAt = now, UpdatedAt = now };
        var created = new { id, region.Name, region.NameEn, level = region.Level, region.DivisionCode, region.DivisionCodeOutsideStandard, parent = parent.Id };
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
        return new CreatedAt<CreatedRegion>($"/api/tenants/{id}", new CreatedRegion(id, body.DivisionCode, outsideStandard, body.Name, parent.Id));
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

    private static async Task<Conditional<SettingsView>> GetSettings(HttpContext context, OneGoDbContext db, CancellationToken cancellationToken)
    {
        var (bytes, etag) = await ViewAsync(context, db, cancellationToken);
        return Preconditions.Json<SettingsView>(bytes, etag);
    }

    private static async Task<Results<Conditional<SettingsView>, PreconditionProblem, BodyProblem, InvalidProblem>> PutSettings(
        HttpContext context, OneGoDbContext db, RegionDirectory directory, Zone.PublishingSchedules schedules, Zone.PublishingScheduleRule rule, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (ifMatch, missing) = Preconditions.RequireIfMatch(context.Request);
        if (missing is not null)
        {
            return new PreconditionProblem(missing);
        }

        if (Preconditions.CheckIfMatch(ifMatch!, (await ViewAsync(context, db, cancellationToken)).ETag) is { } stale)
        {
            return new PreconditionProblem(stale);
        }

        var (change, problem) = await JsonBody.ReadAsync<SettingsChange>(context.Request, cancellationToken);
        if (change is null)
        {
            return problem!;
        }

        var errors = new List<ApiError>();
        if (string.IsNullOrWhiteSpace(change.Name))
        {
            errors.Add(ApiError.At("/name", "required", "name is required; a renamed region keeps its id."));
        }

        // The columns' lengths: checked here, so that a long value is a 422 naming the field rather than the database's error.
        errors.CheckLength("/name", change.Name, 100);
        errors.CheckLength("/nameEn", change.NameEn, 200);
        errors.CheckLength("/displayName", change.DisplayName, 200);
        errors.CheckLength("/displayNameEn", change.DisplayNameEn, 300);
        errors.CheckLength("/contact/phone", change.Contact?.Phone, 50);
        errors.CheckLength("/contact/email", change.Contact?.Email, 200);
        errors.CheckLength("/contact/address", change.Contact?.Address, 300);
        errors.CheckLength("/contact/hours", change.Contact?.Hours, 200);
        if (change.PublishingSchedule is { } cron && errors.CheckLength("/publishingSchedule", cron, 120) && rule.Check(cron) is { } badSchedule)
        {
            errors.Add(ApiError.At("/publishingSchedule", "schedule", badSchedule));
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var now = clock.Now();
        var region = await db.Regions.SingleAsync(r => r.Id == context.Tenant().Id, cancellationToken);
        var settings = await db.TenantSettings.SingleOrDefaultAsync(cancellationToken) ?? db.TenantSettings.Add(new TenantSettings()).Entity;
        var before = Snapshot(region, settings);
        region.Name = change.Name!;
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
