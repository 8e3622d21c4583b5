using System.Text.Json;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.DataSharing;

/// <summary>
/// The embedded default's stand-in for a data exchange (共享交换平台): synthetic residents — the demo applicants and
/// their children — answered under <c>/demo/exchange</c> on this node, which OneGo calls over loopback HTTP with signed
/// requests exactly as it calls a region's exchange. Mapped only when <c>DataExchange:DemoStandIn</c> is on (never in
/// Production); requests without the stand-in's signature are 401.
/// </summary>
internal static class DemoExchange
{
    public const string Path = "/demo/exchange";

    /// <summary>The published secret the stand-in checks signatures with: it guards nothing real.</summary>
    public const string Secret = "demo-exchange-secret";

    /// <summary>A synthetic resident: the fields every dataset of theirs fills, and their child's, given to them as guardian.</summary>
    private sealed record Resident(IReadOnlyDictionary<string, string> Own, IReadOnlyDictionary<string, string> Child);

    /// <summary>By ID number; each passes the GB 11643 check and belongs to nobody.</summary>
    private static readonly Dictionary<string, Resident> Residents = new(StringComparer.Ordinal)
    {
        ["350205198806121231"] = new(
            new Dictionary<string, string>
            {
                ["name"] = "张晓明", ["applicant-name"] = "张晓明", ["id-number"] = "350205198806121231",
                ["guardian-name"] = "张晓明", ["guardian-id-number"] = "350205198806121231",
                ["address"] = "厦门市海沧区沧林东路188号3幢1201室",
            },
            new Dictionary<string, string>
            {
                ["child-name"] = "张小宇", ["child-id-number"] = "350205202005100034", ["child-birth-date"] = "2020-05-10", ["child-gender"] = "男",
            }),
        ["35020519920318246X"] = new(
            new Dictionary<string, string>
            {
                ["name"] = "陈静", ["applicant-name"] = "陈静", ["id-number"] = "35020519920318246X",
                ["guardian-name"] = "陈静", ["guardian-id-number"] = "35020519920318246X",
                ["address"] = "厦门市海沧区马青路1688号",
            },
            new Dictionary<string, string>
            {
                ["child-name"] = "林可欣", ["child-id-number"] = "350205202209010022", ["child-birth-date"] = "2022-09-01", ["child-gender"] = "女",
            }),
        // No demo account: a person who comes to the window, registered there as a walk-in.
        ["350205198503152022"] = new(
            new Dictionary<string, string>
            {
                ["name"] = "王丽", ["applicant-name"] = "王丽", ["id-number"] = "350205198503152022",
                ["guardian-name"] = "王丽", ["guardian-id-number"] = "350205198503152022",
                ["address"] = "厦门市海沧区新阳街道兴港路66号",
            },
            new Dictionary<string, string>
            {
                ["child-name"] = "王子涵", ["child-id-number"] = "350205202107080038", ["child-birth-date"] = "2021-07-08", ["child-gender"] = "男",
            }),
    };

    public static IEndpointRouteBuilder MapDemoExchange(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<DataExchangeClient>().DemoStandIn)
        {
            return app;
        }

        app.MapPost(Path + "/datasets/{dataset}/query", QueryAsync).ExcludeFromDescription();
        return app;
    }

    private sealed record Query(string? Dataset, Subject? Subject, bool AsGuardian);

    private sealed record Subject(string? IdNumber);

    private static async Task<IResult> QueryAsync(HttpContext context, string dataset, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        if (!RequestSignature.Verify(Secret, context.Request.Headers[RequestSignature.TimestampHeader], context.Request.Headers[RequestSignature.SignatureHeader], body))
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unsigned", detail: "The stand-in answers requests signed with its secret only.");
        }

        var query = JsonSerializer.Deserialize<Query>(body, JsonSerializerOptions.Web);
        if (query?.Subject?.IdNumber is not { } idNumber || !Residents.TryGetValue(idNumber, out var resident))
        {
            return Results.NotFound();
        }

        var fields = new Dictionary<string, string>(resident.Own);
        if (query.AsGuardian)
        {
            foreach (var (code, value) in resident.Child)
            {
                fields[code] = value;
            }
        }

        return Results.Ok(new { reference = "DEMO-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), fields });
    }
}
