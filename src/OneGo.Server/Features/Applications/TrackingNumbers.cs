using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// 办件编号: the region's six-digit division code, the day of submission in China Standard Time (yyyyMMdd) and the
/// day's sequence in the region (six digits) — 35020520261205000001. The day's counter is a row of the region's,
/// taken in the submission's own transaction: two submissions that take the same number collide on the counter, and
/// the later one takes the next.
/// </summary>
internal static class TrackingNumbers
{
    public static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

    /// <summary>Takes the region's next number for the day of <paramref name="now"/>; saved with the submission.</summary>
    public static async Task<string> NextAsync(OneGoDbContext db, RegionInfo region, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var day = now.ToOffset(ChinaTime).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var counter = await db.Set<TrackingCounter>().SingleOrDefaultAsync(c => c.Day == day, cancellationToken);
        if (counter is null)
        {
            counter = new TrackingCounter { Day = day };
            db.Add(counter);
        }

        counter.Last++;
        // national has no division code; its numbers start with six zeros.
        return $"{region.DivisionCode ?? "000000"}{day}{counter.Last:D6}";
    }
}
