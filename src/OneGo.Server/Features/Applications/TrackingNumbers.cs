using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// 办件编号: the region's six-digit division code, the day of submission in China Standard Time (yyyyMMdd) and the
/// day's sequence in the region (six digits) — 35020520261205000001. The day's counter is a row of the region's, moved
/// by one statement in the submission's own transaction: its row lock makes concurrent submissions of a region take
/// their numbers one after the other, each waiting for the one before to commit, instead of colliding and retrying.
/// </summary>
internal static class TrackingNumbers
{
    public static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

    /// <summary>
    /// Takes the region's next number for the day of <paramref name="now"/>, inside the caller's transaction (which
    /// holds the counter until it ends). The day's first number adds the counter, saved with the submission.
    /// </summary>
    public static async Task<string> NextAsync(OneGoDbContext db, RegionInfo region, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A tracking number is taken inside the submission's transaction.");
        }

        var day = now.ToOffset(ChinaTime).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        int last;
        if (await db.Set<TrackingCounter>().Where(c => c.Day == day).ExecuteUpdateAsync(s => s.SetProperty(c => c.Last, c => c.Last + 1), cancellationToken) == 1)
        {
            last = await db.Set<TrackingCounter>().Where(c => c.Day == day).Select(c => c.Last).SingleAsync(cancellationToken);
        }
        else
        {
            // Two first submissions of a day both add the counter: the second collides on its unique day and retries.
            db.Add(new TrackingCounter { Day = day, Last = 1 });
            last = 1;
        }

        // national has no division code; its numbers start with six zeros.
        return $"{region.DivisionCode ?? "000000"}{day}{last:D6}";
    }
}
