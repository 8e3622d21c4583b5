using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Applications;
using OneGo.Server.Features.Catalogue;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Statistics;

/// <summary>What applicants of a bundle or a region really spent, on average per completed application.</summary>
/// <param name="Days">Working days from the day after submission to the day the last case ended, less the days a supplement stopped the clock.</param>
/// <param name="Trips">Visits to a counter: to apply at the window, to answer a supplement there, to pick up results there.</param>
/// <param name="MaterialsBrought">Materials brought as files, those of a supplement or a 容缺 follow-up included.</param>
/// <param name="MaterialsFetched">Materials data sharing fetched instead.</param>
public sealed record MeasuredFigures(double Days, double Trips, double MaterialsBrought, double MaterialsFetched);

/// <summary>One bundle's reductions: what it declares (the matters one by one against the bundle) beside what its applicants spent.</summary>
/// <param name="Name">The bundle's name, as its live version gives it (or its applications, once withdrawn).</param>
/// <param name="Live">Whether it is live in the region now.</param>
/// <param name="Declared">The reductions its live version declares; absent when it is not live.</param>
/// <param name="Applications">The completed applications the figures rest on; absent in the public view when there are too few.</param>
/// <param name="Measured">The averages; absent when no application completed, and in the public view when there are too few.</param>
/// <param name="TooFew">Fewer completed applications than the public minimum: the public is not shown the figures.</param>
/// <param name="Ratings">好差评: the ratings of its applications and their cases.</param>
public sealed record BundleStatistics(string Code, Text Name, bool Live, Reductions? Declared, int? Applications, MeasuredFigures? Measured, bool TooFew, RatingFigures Ratings);

/// <summary>The region's reductions over every completed application of its bundles, and its ratings.</summary>
public sealed record RegionStatistics(int? Applications, MeasuredFigures? Measured, bool TooFew, RatingFigures Ratings);

/// <summary>
/// 减环节、减时间、减材料、减跑动 measured: per bundle and for the region, what applicants really spent beside what the
/// bundles declare, over the applications completed in <see cref="Month"/> (China Standard Time), or ever when absent.
/// </summary>
/// <param name="Month">yyyy-MM, or absent for every month.</param>
/// <param name="MinimumApplications">A public figure rests on at least this many completed applications.</param>
/// <param name="Public">The public view (live bundles, figures resting on the minimum); otherwise the region's staff's view with every count.</param>
/// <param name="Departments">好差评 per department answerable, those with a rating in the period.</param>
public sealed record StatisticsView(
    string Tenant, string? Month, int MinimumApplications, bool Public, RegionStatistics Region, IReadOnlyList<BundleStatistics> Bundles,
    IReadOnlyList<DepartmentStatistics> Departments);

/// <summary>
/// Counts what applicants really spent. Each completed application carries its own measures (set by the case flow as
/// it goes: <see cref="Application.TookDays"/>, <see cref="Application.Trips"/> and the materials), so a region's
/// figures are one grouped query over its completed applications, read in the region's own scope whoever asks: only
/// the counts and sums leave it, never a row.
/// </summary>
internal sealed class MeasuredReductions(OneGoDbContext db, CurrentTenant tenants, RatingCounts ratingCounts, Tenants.RegionDirectory directory)
{
    /// <summary>The rule of the public figures: at least this many completed applications, or none is shown.</summary>
    public const int MinimumApplications = 10;

    /// <summary>A month as the statistics name it (yyyy-MM), or the problem with what was given.</summary>
    public static (DateOnly? Month, string? Problem) ReadMonth(string? month)
    {
        if (string.IsNullOrEmpty(month))
        {
            return (null, null);
        }

        return DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? (first, null)
            : (null, $"month is a month as yyyy-MM, e.g. 2026-11; it was '{month}'.");
    }

    public static string NameOf(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The month before the one <paramref name="now"/> falls in, in China Standard Time.</summary>
    public static DateOnly PreviousMonth(DateTimeOffset now)
    {
        var today = Cases.CaseFlow.DayOf(now);
        return new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
    }

    /// <summary>The statistics of <paramref name="tenant"/>: the public view, or with <paramref name="full"/> the region's staff's.</summary>
    public async Task<StatisticsView> OfAsync(string tenant, DateOnly? month, bool full, CancellationToken cancellationToken)
    {
        List<LiveBundleItem> live;
        using (tenants.Enter(tenant))
        {
            live = await BundlesApi.LiveAsync(db, new BundlesApi.LiveFilter(), "", int.MaxValue, cancellationToken);
        }

        var sums = await SumsAsync(tenant, month, null, cancellationToken);
        var byCode = sums.ToDictionary(s => s.Bundle, StringComparer.Ordinal);
        var rated = (await ratingCounts.OfAsync(tenant, month, null, cancellationToken)).ToLookup(g => g.Bundle, StringComparer.Ordinal);
        var bundles = live.Select(l => Bundle(l.Summary.Code, l.Summary.Name, l.Summary.Reductions, byCode.GetValueOrDefault(l.Summary.Code), rated[l.Summary.Code], full)).ToList();
        if (full)
        {
            // The region's staff see the bundles that are no longer live too, by the name their applications kept.
            var liveCodes = live.Select(l => l.Summary.Code).ToHashSet(StringComparer.Ordinal);
            bundles.AddRange(sums.Where(s => !liveCodes.Contains(s.Bundle))
                .Select(s => Bundle(s.Bundle, ApplicationsApi.TextOf(s.Name), null, s, rated[s.Bundle], full)));
        }

        // The region's figure rests on the applications of every bundle the view shows.
        var shown = bundles.Select(b => b.Code).ToHashSet(StringComparer.Ordinal);
        var total = sums.Where(s => shown.Contains(s.Bundle)).Aggregate(new Sums("", "", 0, 0, 0, 0, 0), (a, s) =>
            new Sums("", "", a.Count + s.Count, a.Days + s.Days, a.Trips + s.Trips, a.Brought + s.Brought, a.Fetched + s.Fetched));
        var region = Figures(total, full);
        var ratings = rated.Where(g => shown.Contains(g.Key)).SelectMany(g => g).ToList();
        var names = await directory.DepartmentNamesAsync(tenant, cancellationToken);
        var departments = ratings.GroupBy(g => g.Department, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DepartmentStatistics(g.Key, names.Of(g.Key), RatingCounts.Figures(g, full, MinimumApplications))).ToList();
        return new StatisticsView(tenant, month is { } m ? NameOf(m) : null, MinimumApplications, !full,
            new RegionStatistics(region.Applications, region.Measured, region.TooFew, RatingCounts.Figures(ratings, full, MinimumApplications)),
            bundles.OrderBy(b => b.Code, StringComparer.Ordinal).ToList(), departments);
    }

    /// <summary>One live bundle's public figures, ever: what its page shows.</summary>
    public async Task<BundleStatistics> OfBundleAsync(string tenant, string code, Text name, Reductions declared, CancellationToken cancellationToken) =>
        Bundle(code, name, declared, (await SumsAsync(tenant, null, code, cancellationToken)).SingleOrDefault(),
            await ratingCounts.OfAsync(tenant, null, code, cancellationToken), full: false);

    /// <summary>A month's bounds in China Standard Time, as instants in UTC (what PostgreSQL's timestamptz takes).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Bounds(DateOnly month)
    {
        var start = new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), Applications.TrackingNumbers.ChinaTime);
        return (start.ToUniversalTime(), start.AddMonths(1).ToUniversalTime());
    }

    // The completed applications' counts and sums per bundle, in the region's own scope: nothing but numbers leaves it.
    private async Task<List<Sums>> SumsAsync(string tenant, DateOnly? month, string? bundle, CancellationToken cancellationToken)
    {
        using (tenants.Enter(tenant))
        {
            var completed = db.Set<Application>().AsNoTracking().Where(a => a.State == ApplicationState.Completed);
            if (bundle is not null)
            {
                completed = completed.Where(a => a.BundleCode == bundle);
            }

            if (month is { } first)
            {
                var (from, to) = Bounds(first);
                completed = completed.Where(a => a.EndedAt >= from && a.EndedAt < to);
            }

            return await completed.GroupBy(a => a.BundleCode).Select(g => new Sums(
                    g.Key, g.Max(a => a.BundleName)!, g.Count(), g.Sum(a => a.TookDays ?? 0), g.Sum(a => a.Trips), g.Sum(a => a.MaterialsBrought ?? 0), g.Sum(a => a.MaterialsFetched)))
                .ToListAsync(cancellationToken);
        }
    }

    private static BundleStatistics Bundle(string code, Text name, Reductions? declared, Sums? sums, IEnumerable<RatingCounts.Group> ratings, bool full)
    {
        var (applications, measured, tooFew) = Figures(sums ?? new Sums(code, "", 0, 0, 0, 0, 0), full);
        return new BundleStatistics(code, name, declared is not null, declared, applications, measured, tooFew, RatingCounts.Figures(ratings, full, MinimumApplications));
    }

    private static (int? Applications, MeasuredFigures? Measured, bool TooFew) Figures(Sums sums, bool full)
    {
        var tooFew = sums.Count < MinimumApplications;
        if (tooFew && !full)
        {
            return (null, null, true);
        }

        return (sums.Count, sums.Count == 0 ? null : new MeasuredFigures(Average(sums.Days, sums.Count), Average(sums.Trips, sums.Count),
            Average(sums.Brought, sums.Count), Average(sums.Fetched, sums.Count)), tooFew);
    }

    private static double Average(int sum, int count) => Math.Round((double)sum / count, 1, MidpointRounding.AwayFromZero);

    private sealed record Sums(string Bundle, string Name, int Count, int Days, int Trips, int Brought, int Fetched);
}
