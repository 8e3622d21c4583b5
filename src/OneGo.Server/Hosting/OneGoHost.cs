using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OneGo.Server.Apply;
using OneGo.Server.ConsoleUi;
using OneGo.Server.Data;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Calendar;
using OneGo.Server.Features.Cases;
using OneGo.Server.Features.Statistics;
using OneGo.Server.Features.Ratings;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Features.DataSharing;
using OneGo.Server.Features.Templates;
using OneGo.Server.Features.TenantFiles;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Scheduling;
using OneGo.Server.Storage;
using OneGo.Tenancy;
using Scalar.AspNetCore;

namespace OneGo.Server.Hosting;

/// <summary>
/// <c>urls</c> (or <c>ASPNETCORE_URLS</c>), ASP.NET Core's own setting of where the server listens, at the root of the
/// configuration: OneGo reads it for the console's origins when <c>Console:Origins</c> does not name them.
/// </summary>
internal sealed class ServerSettings : ISettings
{
    public static string Section => "";

    /// <summary>The addresses, separated by semicolons, e.g. <c>http://localhost:5080</c>.</summary>
    public string? Urls { get; set; }
}

/// <summary>How the host is put together: the services, then the pipeline and the routes of each feature.</summary>
internal static class OneGoHost
{
    public static WebApplicationBuilder AddOneGo(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddOneGoTelemetry();

        services.AddSettings<ClockSettings>();
        services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClockSettings>>().Value.Provider());
        services.AddSingleton<CurrentTenant>();
        builder.AddOneGoDatabase();
        services.AddOneGoBlobs();
        services.AddSettings<TenantFilesSettings>();
        services.AddSettings<TenancySettings>();
        services.AddSingleton<RegionDirectory>();
        services.AddSingleton<Features.Calendar.WorkingDayCalendar>();
        services.AddScoped<TenantImport>();
        services.AddScoped<TenantExport>();
        services.AddScoped<BundleCatalogue>();
        services.AddSettings<CatalogueSettings>();
        services.AddNodeCache();
        services.AddSingleton<ResolvedBundles>();
        services.AddSingleton<LiveBundles>();
        services.AddOneGoAudit();
        services.AddOneGoZone();
        services.AddHostedService<StartupWork>();
        builder.AddOneGoScheduling();

        services.AddCitizenPages();
        services.AddProblemDetails();
        services.AddOneGoBadRequests();
        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        services.AddOneGoOpenApi();
        services.AddOneGoHealth();
        services.AddSettings<DiagnosticsSettings>();
        services.AddOneGoLimits();
        services.AddOneGoApplications();
        services.AddOneGoCaseWork();
        services.AddOneGoStatistics();
        builder.AddOneGoIdentity();
        builder.AddOneGoConsole();
        return builder;
    }

    /// <summary>
    /// JSON as every route writes it: camelCase, enums as camelCase words, Chinese unescaped; and read as
    /// <see cref="JsonBody"/> reads it: an unknown field, a key sent twice or an enum given as a number is refused.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.AllowDuplicateProperties = false;
    }

    public static WebApplication MapOneGo(this WebApplication app)
    {
        app.UseExceptionHandler();
        if (app.Environment.IsProduction())
        {
            app.UseHsts();
        }

        app.UseStatusCodePages();
        app.UseStaticFiles();
        // Routing first, so that the body limit knows the route (a material file's is larger); it reads no body.
        app.UseRouting();
        app.UseBodyLimit();
        app.UseReadableBodies();
        app.UseForwardedAddresses();
        // Sign-in and token requests are counted per address before any password or client secret is hashed;
        // every other request per client once its token says who the client is.
        app.UseIdentityLimit();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseTenantResolution();
        app.UseOneGoIdentity();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", o => o.WithTitle("OneGo API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        app.MapGet("/openapi", () => Results.Redirect("/scalar/v1")).ExcludeFromDescription();
        app.MapOneGoHealth();
        app.MapLoadProbe();
        app.MapTenantsApi();
        app.MapDepartmentsApi();
        app.MapRegionsAdminApi();
        app.MapImportApi();
        app.MapMattersApi();
        app.MapBundlesApi();
        app.MapDraftsApi();
        app.MapApplicationsApi();
        app.MapCalendarApi();
        app.MapDemoExchange();
        app.MapWalkIns();
        app.MapCasesApi();
        app.MapNoticesApi();
        app.MapStatisticsApi();
        app.MapRatingsApi();
        app.MapTemplatesApi();
        app.MapAuditApi();
        app.MapPublishingApi();
        app.MapZoneApi();
        app.MapIntegrationsApi();
        app.MapCitizenPages();
        app.MapOneGoConsole();
        app.MapApplicantPages();
        return app;
    }
}
