using System.Net;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.DataSharing;

/// <summary>
/// <c>DataExchange</c>: each region's data exchange (共享交换平台) — where it answers, the secret requests are signed
/// with, and how long and how often each dataset is tried. A region without its own uses the nearest region above's
/// (a district the city's, a city the province's). The exchanges are the provinces' and cities' infrastructure, reached
/// on the government network: their addresses and secrets are the deployment's configuration, kept by its operator.
/// </summary>
public sealed class DataExchangeSettings : ISettings
{
    public static string Section => "DataExchange";

    /// <summary>Each region's exchange, by tenant id or division code.</summary>
    public Dictionary<string, ExchangeEndpoint> Regions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long one attempt at a dataset may take, unless the region sets it for the dataset.</summary>
    [Positive]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a failed or timed-out fetch is tried again, unless the region sets it for the dataset.</summary>
    [Positive(orZero: true)]
    public int Retries { get; set; } = 2;

    /// <summary>The first retry's delay; each further one doubles it, with jitter.</summary>
    [Positive]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Networks in CIDR notation, separated by commas, that an exchange may be on although they are internal (the
    /// government network, 政务外网): OneGo calls no loopback, private or link-local address otherwise.
    /// </summary>
    public string? AllowedNetworks { get; set; }

    /// <summary>
    /// Whether regions without an exchange use the stand-in this node serves under <c>/demo/exchange</c> (synthetic
    /// residents for the demo applicants), called over loopback HTTP like any exchange. Unset: wherever the demo
    /// accounts are on (Development).
    /// </summary>
    public bool? DemoStandIn { get; set; }

    public IEnumerable<string> Networks() =>
        (AllowedNetworks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment)
    {
        foreach (var network in Networks().Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return $"DataExchange:AllowedNetworks has '{network}', which is not a network in CIDR notation such as 10.20.0.0/16.";
        }

        foreach (var (region, exchange) in Regions)
        {
            if (exchange.Url is not { IsAbsoluteUri: true, Scheme: "https" or "http" } url || url.Query.Length > 0 || url.UserInfo.Length > 0)
            {
                yield return $"DataExchange:Regions:{region}:Url must be an absolute http(s) address without query or user name, e.g. https://exchange.xm.gov.cn/onego/.";
            }
            else if (url.Scheme != "https" && environment.IsProduction())
            {
                yield return $"DataExchange:Regions:{region}:Url must be https in Production: personal information is not sent in clear.";
            }

            if (exchange.Secret is not { Length: >= 16 })
            {
                yield return $"DataExchange:Regions:{region}:Secret needs at least 16 characters: every request is signed with it.";
            }

            foreach (var (dataset, policy) in exchange.Datasets)
            {
                if (policy.Timeout is { } timeout && timeout <= TimeSpan.Zero || policy.Retries is < 0)
                {
                    yield return $"DataExchange:Regions:{region}:Datasets:{dataset} needs a positive Timeout and Retries of 0 or more.";
                }
            }
        }

        if (DemoStandIn == true && environment.IsProduction())
        {
            yield return "DataExchange:DemoStandIn is true in Production: synthetic residents must never answer there. Set it to false.";
        }
    }
}

/// <summary>One region's data exchange.</summary>
public sealed class ExchangeEndpoint
{
    /// <summary>The exchange's base address; OneGo POSTs <c>datasets/{dataset}/query</c> under it.</summary>
    public Uri? Url { get; set; }

    /// <summary>The HMAC secret both sides hold: every request carries its signature.</summary>
    public string? Secret { get; set; }

    /// <summary>Per dataset (by its name, as matters name it): its own timeout and retries.</summary>
    public Dictionary<string, DatasetPolicy> Datasets { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>How long and how often one dataset is tried; unset, <c>DataExchange:Timeout</c> and <c>DataExchange:Retries</c>.</summary>
public sealed class DatasetPolicy
{
    public TimeSpan? Timeout { get; set; }

    public int? Retries { get; set; }
}
