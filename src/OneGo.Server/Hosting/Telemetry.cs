using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OneGo.Server.Hosting;

/// <summary>
/// Structured logs, and OpenTelemetry traces and metrics (ASP.NET Core, EF Core, HTTP client, OneGo's own).
/// <c>Telemetry:Exporter</c> chooses where they go: <c>none</c> (default), <c>console</c> or <c>otlp</c>
/// (<c>Telemetry:OtlpEndpoint</c>, else the standard OTEL_EXPORTER_OTLP_* variables).
/// </summary>
internal static class Telemetry
{
    public const string SourceName = "OneGo";

    public static WebApplicationBuilder AddOneGoTelemetry(this WebApplicationBuilder builder)
    {
        // Structured logs: JSON lines outside Development (Logging:Format overrides), readable text in it.
        var format = builder.Configuration["Logging:Format"] ?? (builder.Environment.IsDevelopment() ? "simple" : "json");
        builder.Logging.ClearProviders();
        if (format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz ");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }

        var exporter = (builder.Configuration["Telemetry:Exporter"] ?? "none").Trim().ToLowerInvariant();
        if (exporter == "none")
        {
            return builder;
        }

        if (exporter is not ("console" or "otlp"))
        {
            throw new InvalidOperationException($"Telemetry:Exporter is '{exporter}'; it must be none, console or otlp.");
        }

        var endpoint = builder.Configuration["Telemetry:OtlpEndpoint"];
        void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions o)
        {
            if (endpoint is { Length: > 0 })
            {
                o.Endpoint = new Uri(endpoint);
            }
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("onego", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing =>
            {
                tracing.AddSource(SourceName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddEntityFrameworkCoreInstrumentation();
                _ = exporter == "console" ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter(Otlp);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SourceName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                _ = exporter == "console" ? metrics.AddConsoleExporter() : metrics.AddOtlpExporter(Otlp);
            });
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            logging.IncludeFormattedMessage = true;
            _ = exporter == "console" ? logging.AddConsoleExporter() : logging.AddOtlpExporter(Otlp);
        });
        return builder;
    }
}
