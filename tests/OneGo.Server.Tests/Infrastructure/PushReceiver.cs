using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>
/// A real integration endpoint on a loopback port, as the national platform would run one: it verifies every
/// signature with the shared secret, keeps what it accepted by Idempotency-Key, and answers as the test tells it
/// (500, 503 with Retry-After, 429, 422, accept and drop the connection without an answer, or accept and answer too late), or stops listening
/// altogether for a while and comes back on the same address.
/// </summary>
public sealed class PushReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Func<HttpContext, Task<bool>>> _script = new();
    private WebApplication? _app;
    private int _port;

    private PushReceiver(string secret) => Secret = secret;

    /// <summary>The shared secret signatures are checked with; set it when the sender gives it at registration.</summary>
    public string Secret { get; set; }

    /// <summary>Every delivery that arrived, in order: its key, whether its signature was right, and the answer given.</summary>
    public ConcurrentQueue<(string Key, bool SignatureValid, int Status)> Arrivals { get; } = new();

    /// <summary>What was accepted (2xx), by Idempotency-Key: the body of the first acceptance.</summary>
    public ConcurrentDictionary<string, string> Accepted { get; } = new();

    public string Url { get; private set; } = "";

    /// <summary>What a scripted 503 or 429 sends as its Retry-After header (delta seconds or an HTTP date).</summary>
    public string RetryAfter { get; set; } = "1";

    public static async Task<PushReceiver> StartAsync(string secret)
    {
        var receiver = new PushReceiver(secret);
        await receiver.ListenAsync(0);
        return receiver;
    }

    /// <summary>Stops listening: a delivery now finds nothing on the port (connection refused), as when the endpoint is down.</summary>
    public async Task StopListeningAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Listens again at the same <see cref="Url"/>, keeping what arrived before.</summary>
    public Task ListenAgainAsync() => ListenAsync(_port);

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapPost("/hook", ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _port = new Uri(address).Port;
        Url = address.TrimEnd('/') + "/hook";
        _app = app;
    }

    /// <summary>The next deliveries get these answers, one each, before the receiver goes back to accepting.</summary>
    public void Then(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(context =>
            {
                context.Response.StatusCode = status;
                if (status is 503 or 429)
                {
                    context.Response.Headers.RetryAfter = RetryAfter;
                }

                return Task.FromResult(false);
            });
        }
    }

    /// <summary>The next delivery is answered with a redirect (e.g. 307, which keeps the method and body) to <paramref name="location"/>.</summary>
    public void ThenRedirect(int status, string location) => _script.Enqueue(context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.FromResult(false);
    });

    /// <summary>The next delivery is accepted (kept) but its connection dropped before any answer: the sender cannot know.</summary>
    public void ThenAcceptAndDropTheAnswer() => _script.Enqueue(context =>
    {
        context.Abort();
        return Task.FromResult(true);
    });

    /// <summary>
    /// The next delivery is accepted (kept) but answered only after <paramref name="delay"/>, longer than the sender
    /// waits: the sender times out not knowing, and must send it again under the same Idempotency-Key.
    /// </summary>
    public void ThenAcceptSlowly(TimeSpan delay) => _script.Enqueue(async context =>
    {
        // 202, recorded among the arrivals, marks the one answered too late.
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The sender gave up first, as it should.
        }

        return true;
    });

    /// <summary>A fixed answer for every delivery of one publication: a poison item.</summary>
    public ConcurrentDictionary<string, int> Refuse { get; } = new();

    private async Task ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        var timestamp = context.Request.Headers["X-OneGo-Timestamp"].ToString();
        var signature = context.Request.Headers["X-OneGo-Signature"].ToString();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
        if (!valid)
        {
            context.Response.StatusCode = 401;
            Arrivals.Enqueue((key, false, 401));
            return;
        }

        if (Refuse.TryGetValue(key, out var refusal))
        {
            context.Response.StatusCode = refusal;
            Arrivals.Enqueue((key, true, refusal));
            return;
        }

        if (_script.TryDequeue(out var step))
        {
            var keep = await step(context);
            if (keep)
            {
                Accepted.TryAdd(key, body);
            }

            Arrivals.Enqueue((key, true, context.Response.StatusCode));
            return;
        }

        Accepted.TryAdd(key, body);
        context.Response.StatusCode = 204;
        Arrivals.Enqueue((key, true, 204));
    }

    public async ValueTask DisposeAsync() => await StopListeningAsync();
}
