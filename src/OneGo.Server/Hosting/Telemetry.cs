using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OneGo.Server.Hosting;

/// <summary><c>Telemetry</c>: where traces, metrics and logs are exported.</summary>
internal sealed class TelemetrySettings : ISettings
{
    public static string Section => "Telemetry";

    [OneOf("none", "console", "otlp")]
    public string Exporter { get; set; } = "none";

    /// <summary>Where <c>otlp</c> sends them; unset, the standard OTEL_EXPORTER_OTLP_* variables say.</summary>
    [WebAddress]
    public string? OtlpEndpoint { get; set; }
}

/// <summary><c>Logging:Format</c>, OneGo's one setting beside ASP.NET Core's own <c>Logging:LogLevel</c>.</summary>
internal sealed class LoggingSettings : ISettings
{
    public static string Section => "Logging";

    /// <summary><c>simple</c> text lines or structured <c>json</c>; unset, text in Development and JSON elsewhere.</summary>
    [OneOf("simple", "json")]
    public string? Format { get; set; }
}

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
        var format = builder.ReadSettings<LoggingSettings>().Format is { Length: > 0 } configured
            ? configured
            : builder.Environment.IsDevelopment() ? "simple" : "json";
        builder.Logging.ClearProviders();
        if (OneOfAttribute.Is(format, "json"))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz ");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }

        var telemetry = builder.ReadSettings<TelemetrySettings>();
        var exporter = telemetry.Exporter.Trim().ToLowerInvariant();
        if (exporter is "none" or "")
        {
            return builder;
        }

        var endpoint = telemetry.OtlpEndpoint;
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
