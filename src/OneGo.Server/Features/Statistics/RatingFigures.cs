using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Ratings;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Statistics;

/// <summary>The share of each level among the ratings counted, in percent (one decimal).</summary>
public sealed record LevelShares(double VerySatisfied, double Satisfied, double BasicallySatisfied, double Dissatisfied, double VeryDissatisfied);

/// <summary>
/// 好差评 figures of a bundle, a department or the region: the ratings given (in the month, or ever), less those an
/// upheld appeal took out, and how their rectifications went.
/// </summary>
/// <param name="Ratings">How many; absent in the public view when there are too few.</param>
/// <param name="Shares">The share of each level.</param>
/// <param name="Satisfaction">满意率: the share of 非常满意, 满意 and 基本满意, in percent.</param>
/// <param name="RectifiedOnTime">Bad ratings whose department replied by the due date.</param>
/// <param name="RectifiedLate">Bad ratings replied to after the due date, or still unreplied past it.</param>
/// <param name="RectificationsOpen">Bad ratings not replied to yet, within their time.</param>
/// <param name="TooFew">Fewer ratings than the public minimum: the public is not shown the figures.</param>
public sealed record RatingFigures(int? Ratings, LevelShares? Shares, double? Satisfaction, int? RectifiedOnTime, int? RectifiedLate, int? RectificationsOpen, bool TooFew);

/// <summary>A department's ratings: those of its cases, and of the applications it leads rated as a whole.</summary>
public sealed record DepartmentStatistics(string Code, string Name, RatingFigures Ratings);

/// <summary>
/// Counts the ratings of a region in one grouped query, in the region's own scope whoever asks: only counts leave it,
/// never a rating or its comment. A rating an upheld appeal took out counts nowhere.
/// </summary>
internal sealed class RatingCounts(OneGoDbContext db, CurrentTenant tenants)
{
    /// <summary>One group of the query: ratings alike in bundle, department, level and how their rectification went.</summary>
    public sealed record Group(string Bundle, string Department, RatingLevel Level, RectificationState? Rectification, bool Overdue, bool? OnTime, int Count);

    public async Task<List<Group>> OfAsync(string tenant, DateOnly? month, string? bundle, CancellationToken cancellationToken)
    {
        using (tenants.Enter(tenant))
        {
            var ratings = db.Set<Rating>().AsNoTracking().Where(r => !r.Excluded);
            if (bundle is not null)
            {
                ratings = ratings.Where(r => r.BundleCode == bundle);
            }

            if (month is { } first)
            {
                var (from, to) = MeasuredReductions.Bounds(first);
                ratings = ratings.Where(r => r.GivenAt >= from && r.GivenAt < to);
            }

            return await ratings.GroupBy(r => new { r.BundleCode, r.Department, r.Level, r.Rectification, r.Overdue, r.RepliedOnTime })
                .Select(g => new Group(g.Key.BundleCode, g.Key.Department, g.Key.Level, g.Key.Rectification, g.Key.Overdue, g.Key.RepliedOnTime, g.Count()))
                .ToListAsync(cancellationToken);
        }
    }

    /// <summary>The figures of <paramref name="groups"/>; in the public view none below <paramref name="minimum"/> ratings.</summary>
    public static RatingFigures Figures(IEnumerable<Group> groups, bool full, int minimum)
    {
        var list = groups.ToList();
        var count = list.Sum(g => g.Count);
        var tooFew = count < minimum;
        if (tooFew && !full)
        {
            return new RatingFigures(null, null, null, null, null, null, true);
        }

        if (count == 0)
        {
            return new RatingFigures(0, null, null, 0, 0, 0, tooFew);
        }

        double Share(params RatingLevel[] levels) =>
            Math.Round(100.0 * list.Where(g => levels.Contains(g.Level)).Sum(g => g.Count) / count, 1, MidpointRounding.AwayFromZero);
        var shares = new LevelShares(Share(RatingLevel.VerySatisfied), Share(RatingLevel.Satisfied), Share(RatingLevel.BasicallySatisfied),
            Share(RatingLevel.Dissatisfied), Share(RatingLevel.VeryDissatisfied));
        var onTime = list.Where(g => g.Rectification == RectificationState.Replied && g.OnTime == true).Sum(g => g.Count);
        var late = list.Where(g => (g.Rectification == RectificationState.Replied && g.OnTime != true) || (g.Rectification == RectificationState.Open && g.Overdue)).Sum(g => g.Count);
        var open = list.Where(g => g.Rectification == RectificationState.Open && !g.Overdue).Sum(g => g.Count);
        return new RatingFigures(count, shares, Share(RatingLevel.VerySatisfied, RatingLevel.Satisfied, RatingLevel.BasicallySatisfied), onTime, late, open, tooFew);
    }
}
