using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using Polly;
using Polly.Timeout;

namespace OneGo.Server.Features.DataSharing;

/// <summary>What OneGo asks an exchange for: one dataset of one person, for one application.</summary>
/// <param name="Tenant">The region applied in; its exchange (or the nearest region above's) answers.</param>
/// <param name="IdNumber">The applicant's 居民身份证号: the only place it leaves OneGo.</param>
/// <param name="AsGuardian">The data asked for is the applicant's child's, consented to as guardian.</param>
public sealed record ExchangeQuery(string Tenant, Guid Application, string Dataset, string Department, string IdNumber, bool AsGuardian, string Purpose);

/// <summary>How a fetch ended: the outcome, the attempts it took, the record's fields (dictionary code → value) and a detail without personal data.</summary>
public sealed record ExchangeAnswer(FetchOutcome Outcome, int Attempts, IReadOnlyDictionary<string, JsonElement> Fields, string? Detail);

/// <summary>
/// Fetches datasets from a region's data exchange (共享交换平台) over HTTP: <c>POST {url}datasets/{dataset}/query</c>
/// with a JSON body naming the dataset, the department, the person, the purpose and the application, signed like the
/// zone's pushes (<c>X-OneGo-Signature: sha256=</c> hex HMAC-SHA256 with the region's secret over
/// <c>"{X-OneGo-Timestamp}.{body}"</c>). 200 answers the record (<c>{reference, fields}</c>), 404 says the department
/// holds none; anything else, a refused connection or an attempt over the dataset's timeout is tried again, with
/// exponential backoff and jitter, as many times as the dataset's retries say (Microsoft.Extensions.Http.Resilience).
/// Exchanges are reached only on addresses <see cref="DataExchangeSettings.AllowedNetworks"/> allows; the demo
/// stand-in is reached on the node's own loopback address.
/// </summary>
public sealed class DataExchangeClient(
    IHttpClientFactory clients, IOptions<DataExchangeSettings> options, IOptions<DemoSettings> demo, RegionDirectory directory, IServer server,
    IHostEnvironment environment, TimeProvider clock, ILogger<DataExchangeClient> logger)
{
    public const string HttpClientName = "data-exchange";
    public const string DemoClientName = "data-exchange-demo";

    private DataExchangeSettings Settings => options.Value;

    /// <summary>Whether the stand-in answers for regions without an exchange of their own.</summary>
    public bool DemoStandIn => Settings.DemoStandIn ?? (demo.Value.EnabledIn(environment) && environment.IsDevelopment());

    /// <summary>The exchange that answers for <paramref name="tenant"/>: its own, the nearest region above's, or the demo stand-in; null when none does.</summary>
    public async Task<(string Region, ExchangeEndpoint Exchange, bool StandIn)?> ExchangeOfAsync(string tenant, CancellationToken cancellationToken)
    {
        for (var region = await directory.ResolveAsync(tenant, cancellationToken); region is not null;
             region = region.ParentId is null ? null : await directory.ResolveAsync(region.ParentId, cancellationToken))
        {
            if (Settings.Regions.TryGetValue(region.Id, out var exchange)
                || region.DivisionCode is { } code && Settings.Regions.TryGetValue(code, out exchange))
            {
                return (region.Id, exchange, false);
            }
        }

        return DemoStandIn && OwnAddress() is { } own
            ? ("demo", new ExchangeEndpoint { Url = new Uri(own, DemoExchange.Path + "/"), Secret = DemoExchange.Secret }, true)
            : null;
    }

    public async Task<ExchangeAnswer> FetchAsync(ExchangeQuery query, CancellationToken cancellationToken)
    {
        if (await ExchangeOfAsync(query.Tenant, cancellationToken) is not var (_, exchange, standIn))
        {
            return new ExchangeAnswer(FetchOutcome.Failed, 0, new Dictionary<string, JsonElement>(), $"{query.Tenant} has no data exchange configured (DataExchange:Regions).");
        }

        var policy = exchange.Datasets.GetValueOrDefault(query.Dataset);
        var timeout = policy?.Timeout ?? Settings.Timeout;
        var retries = policy?.Retries ?? Settings.Retries;
        var attempts = 0;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (retries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                Delay = Settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // 5xx, 408, 429, a connection that failed and an attempt over its timeout; never an address refused.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not HttpRequestException { InnerException: OutboundAddressRefusedException }
                    && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            });
        }

        // Polly 7 comes along with OpenIddict's HTTP clients, so its exception type is not named here: the strategy says when it timed out.
        var timedOut = false;
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = timeout, OnTimeout = _ => { timedOut = true; return default; } });
        var pipeline = builder.Build();
        var http = clients.CreateClient(standIn ? DemoClientName : HttpClientName);
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            dataset = query.Dataset,
            department = query.Department,
            subject = new { idNumber = query.IdNumber },
            asGuardian = query.AsGuardian,
            purpose = query.Purpose,
            application = query.Application,
        });
        var url = new Uri(exchange.Url!, "datasets/" + Uri.EscapeDataString(query.Dataset) + "/query");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                request.Headers.Add("X-OneGo-Region", query.Tenant);
                request.Headers.Add(RequestSignature.TimestampHeader, timestamp);
                request.Headers.Add(RequestSignature.SignatureHeader, "sha256=" + RequestSignature.Sign(exchange.Secret!, timestamp, body));
                return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            }, cancellationToken);

            var answer = response.StatusCode switch
            {
                HttpStatusCode.OK => await RecordAsync(response, attempts, cancellationToken),
                HttpStatusCode.NotFound => new ExchangeAnswer(FetchOutcome.NotFound, attempts, new Dictionary<string, JsonElement>(), "The source department holds no record."),
                var status => new ExchangeAnswer(FetchOutcome.Failed, attempts, new Dictionary<string, JsonElement>(), $"The exchange answered {(int)status} {response.ReasonPhrase}."),
            };
            logger.LogInformation("Fetched {Dataset} for application {Application} in {Tenant}: {Outcome} after {Attempts} attempt(s), {Elapsed} ms",
                query.Dataset, query.Application, query.Tenant, answer.Outcome, attempts, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return answer;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || timedOut || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var detail = e switch
            {
                HttpRequestException { InnerException: OutboundAddressRefusedException refused } => refused.Message,
                HttpRequestException => "The exchange could not be reached.",
                JsonException => "The exchange's answer was not a record OneGo reads.",
                _ when timedOut => $"The exchange did not answer within {timeout.TotalSeconds:0.#} s.",
                _ => "The fetch was cut short.",
            };
            logger.LogWarning("Fetching {Dataset} for application {Application} in {Tenant} failed after {Attempts} attempt(s): {Detail} ({Error})",
                query.Dataset, query.Application, query.Tenant, attempts, detail, e.GetType().Name);
            return new ExchangeAnswer(FetchOutcome.Failed, attempts, new Dictionary<string, JsonElement>(), detail);
        }
    }

    private static async Task<ExchangeAnswer> RecordAsync(HttpResponseMessage response, int attempts, CancellationToken cancellationToken)
    {
        var record = await response.Content.ReadFromJsonAsync<ExchangeRecord>(cancellationToken)
            ?? throw new JsonException("An empty answer.");
        var reference = record.Reference is { Length: > 0 and <= 200 } r ? r : null;
        return new ExchangeAnswer(FetchOutcome.Fetched, attempts, record.Fields ?? [], reference);
    }

    private sealed record ExchangeRecord(string? Reference, Dictionary<string, JsonElement>? Fields);

    /// <summary>Where this node listens, as an address it can call itself on (a wildcard host becomes loopback).</summary>
    private Uri? OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http", StringComparison.Ordinal));
        if (address is null || !Uri.TryCreate(address.Replace("://+", "://localhost").Replace("://*", "://localhost")
                .Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://[::1]"), UriKind.Absolute, out var uri))
        {
            return null;
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
