using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Hosting;

namespace OneGo.Server.Identity;

/// <summary>Failed sign-ins counted under one key (a name, a client address, or both); one row per key.</summary>
public sealed class SignInFailures
{
    /// <summary><c>pair:{name}|{client}</c>, <c>name:{name}</c> or <c>client:{client}</c>.</summary>
    public required string Key { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset LastFailureAt { get; set; }
}

/// <summary>
/// Slows password guessing without letting anyone lock an officer out (Identity's lockout stays
/// off). Failures are counted atomically in the database — parallel guesses cannot share one count — under three
/// keys: the name from this client, the client alone, and the name from anywhere. Past a few free failures each key
/// makes the next attempt wait a delay that doubles with every failure, up to a cap; the name-from-anywhere delay
/// is capped low (30 s), and does not apply at all on a browser where that name signed in before (a signed device
/// cookie, OWASP's "device cookies"): someone elsewhere guessing an officer's password cannot keep the officer out
/// of their own browser. A success clears the name's keys. Unknown names are counted and slowed exactly like known ones.
/// </summary>
public sealed class SignInThrottle(OneGoDbContext db, TimeProvider clock)
{
    private sealed record Rule(string Prefix, int Free, TimeSpan Cap);

    private static readonly Rule Pair = new("pair:", 3, TimeSpan.FromMinutes(15));
    private static readonly Rule Client = new("client:", 20, TimeSpan.FromMinutes(15));
    private static readonly Rule Name = new("name:", 10, TimeSpan.FromSeconds(30));

    private static IEnumerable<(string Key, Rule Rule)> Keys(string name, string client, bool knownDevice = false) =>
        knownDevice
            ? [(Pair.Prefix + Normalise(name) + "|" + client, Pair), (Client.Prefix + client, Client)]
            : [(Pair.Prefix + Normalise(name) + "|" + client, Pair), (Client.Prefix + client, Client), (Name.Prefix + Normalise(name), Name)];

    private static string Normalise(string name)
    {
        var trimmed = name.Trim().ToLowerInvariant();
        return trimmed.Length > 100 ? trimmed[..100] : trimmed;
    }

    /// <summary>How long this name from this client must still wait before another attempt is looked at; zero when it may try now.</summary>
    public async Task<TimeSpan> WaitAsync(string name, string client, CancellationToken cancellationToken, bool knownDevice = false)
    {
        var keys = Keys(name, client, knownDevice).ToList();
        var names = keys.Select(k => k.Key).ToList();
        var rows = await db.Set<SignInFailures>().AsNoTracking().Where(f => names.Contains(f.Key)).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var row in rows)
        {
            var rule = keys.First(k => k.Key == row.Key).Rule;
            var until = row.LastFailureAt + Delay(rule, row.Failures);
            if (until - now > wait)
            {
                wait = until - now;
            }
        }

        return wait;
    }

    /// <summary>The wait after <paramref name="failures"/> failures under a rule: nothing for the free ones, then 1 s, 2 s, 4 s … up to the cap.</summary>
    private static TimeSpan Delay(Rule rule, int failures)
    {
        if (failures <= rule.Free)
        {
            return TimeSpan.Zero;
        }

        var seconds = Math.Pow(2, Math.Min(failures - rule.Free - 1, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, rule.Cap.TotalSeconds));
    }

    /// <summary>Counts one failure under each key, atomically (an UPDATE … SET Failures = Failures + 1, or the first row).</summary>
    public async Task FailedAsync(string name, string client, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        foreach (var (key, _) in Keys(name, client))
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var counted = await db.Set<SignInFailures>().Where(f => f.Key == key)
                    .ExecuteUpdateAsync(s => s.SetProperty(f => f.Failures, f => f.Failures + 1).SetProperty(f => f.LastFailureAt, now), cancellationToken);
                if (counted > 0)
                {
                    break;
                }

                db.Add(new SignInFailures { Key = key, Failures = 1, LastFailureAt = now });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    break;
                }
                catch (DbUpdateException)
                {
                    // Another attempt made the row at the same moment: count on it.
                    db.ChangeTracker.Clear();
                }
            }
        }
    }

    /// <summary>A success: the name's own keys start again (the client's count stays, so one client cannot try many names).</summary>
    public async Task SucceededAsync(string name, string client, CancellationToken cancellationToken)
    {
        var keys = Keys(name, client).Where(k => k.Rule != Client).Select(k => k.Key).ToList();
        await db.Set<SignInFailures>().Where(f => keys.Contains(f.Key)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Whether this browser signed in as <paramref name="name"/> before: its device cookie, signed by OneGo, names it.</summary>
    public static bool KnownDevice(HttpContext context, string name)
    {
        if (context.Request.Cookies[DeviceCookie] is not { Length: > 0 } value)
        {
            return false;
        }

        try
        {
            return Protector(context).Unprotect(value).Split('\n').Contains(Normalise(name));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Remembers on this browser that <paramref name="name"/> signed in here (the last five names, 180 days).</summary>
    public static void RememberDevice(HttpContext context, string name)
    {
        var names = new List<string> { Normalise(name) };
        if (context.Request.Cookies[DeviceCookie] is { Length: > 0 } value)
        {
            try
            {
                names.AddRange(Protector(context).Unprotect(value).Split('\n').Where(n => n != Normalise(name)).Take(4));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // A cookie OneGo did not sign, or signed with a retired key: start again.
            }
        }

        context.Response.Cookies.Append(DeviceCookie, Protector(context).Protect(string.Join('\n', names)), new CookieOptions
        {
            Path = "/account", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromDays(180), IsEssential = true,
        });
    }

    private const string DeviceCookie = "onego.device";

    private static IDataProtector Protector(HttpContext context) =>
        context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("OneGo.SignIn.Device");

    /// <summary>The client's address as the rate limiter sees it (the forwarded address only through a configured proxy).</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
