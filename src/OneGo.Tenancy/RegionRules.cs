using System.Globalization;
using System.Text.RegularExpressions;

namespace OneGo.Tenancy;

/// <summary>
/// The rules of the region tree: ids are dotted lowercase pinyin paths from the province down,
/// division codes are GB/T 2260 six-digit codes whose prefix follows the parent's. Each rule answers with a
/// sentence an administrator can act on, or null when the rule holds.
/// </summary>
public static partial class RegionRules
{
    public const string NationalId = "national";

    /// <summary>
    /// The code of 新疆生产建设兵团, which GB/T 2260 does not give: the national government service platform uses 660000. A
    /// region holds it only when it is marked as outside the standard, so that no reader takes it for a GB/T 2260 code.
    /// </summary>
    public const string OutsideStandardCode = "660000";

    [GeneratedRegex("^[a-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();

    [GeneratedRegex("^[1-9][0-9]{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex DivisionCodePattern();

    /// <summary>The id a region takes from its parent and its own segment: <c>fujian.xiamen</c> + <c>haicang</c>.</summary>
    public static string ChildId(string parentId, string segment) =>
        parentId == NationalId ? segment : parentId + "." + segment;

    /// <summary>The id of the parent a region id implies; null for <c>national</c>.</summary>
    public static string? ImpliedParentId(string id)
    {
        if (id == NationalId)
        {
            return null;
        }

        var dot = id.LastIndexOf('.');
        return dot < 0 ? NationalId : id[..dot];
    }

    /// <summary>True when <paramref name="candidate"/> is strictly below <paramref name="ancestor"/> in the tree.</summary>
    public static bool IsBelow(string candidate, string ancestor) =>
        candidate != ancestor &&
        (ancestor == NationalId || candidate.StartsWith(ancestor + ".", StringComparison.Ordinal));

    /// <summary>True when a division code is written the way tenant routes accept it as an alias.</summary>
    public static bool LooksLikeDivisionCode(string value) => DivisionCodePattern().IsMatch(value);

    public static string? CheckSegment(string segment) =>
        SegmentPattern().IsMatch(segment)
            ? null
            : $"'{segment}' is not a valid region id segment: use lowercase pinyin letters only (a–z), for example 'haicang' or 'shaanxi'.";

    public static string? CheckLevel(RegionLevel level, RegionLevel? parentLevel) => (level, parentLevel) switch
    {
        (RegionLevel.National, null) => null,
        (RegionLevel.National, _) => "only the root of the tree can be national.",
        (_, null) => "every region other than national needs a parent.",
        (RegionLevel.Province, RegionLevel.National) => null,
        (RegionLevel.Province, _) => "a province sits directly under national.",
        (RegionLevel.City, RegionLevel.Province) => null,
        (RegionLevel.City, _) => "a city sits directly under a province.",
        (RegionLevel.District, RegionLevel.City or RegionLevel.Province) => null,
        (RegionLevel.District, _) => "a district sits under a city, or directly under a municipality such as Chongqing or Beijing.",
        _ => "this level is not allowed here.",
    };

    /// <summary>
    /// Checks a division code against its level and its parent's code (GB/T 2260 prefix rule). A code marked as outside
    /// the standard (<paramref name="outsideStandard"/>) is a province's <see cref="OutsideStandardCode"/> and nothing else;
    /// that code unmarked is refused, so that it is never taken for a GB/T 2260 code.
    /// </summary>
    public static string? CheckDivisionCode(string? code, RegionLevel level, string? parentCode, RegionLevel? parentLevel, bool outsideStandard)
    {
        if (outsideStandard)
        {
            return (level, code) switch
            {
                (not RegionLevel.Province, _) =>
                    $"only a province-level region's code can be marked as outside GB/T 2260 (新疆生产建设兵团's {OutsideStandardCode}), not a {level.ToString().ToLowerInvariant()}'s: remove the mark.",
                (_, OutsideStandardCode) => null,
                _ =>
                    $"the only code marked as outside GB/T 2260 is {OutsideStandardCode}, the national government service platform's code for 新疆生产建设兵团; {(code is null ? "no code is given" : $"{code} is not it")}: give {OutsideStandardCode}, or remove the mark and give the region's GB/T 2260 code.",
            };
        }

        if (level == RegionLevel.National)
        {
            return code is null ? null : "national has no division code; leave it out.";
        }

        if (code == OutsideStandardCode)
        {
            return $"{OutsideStandardCode} is not a GB/T 2260 code: it is the national government service platform's code for 新疆生产建设兵团. To give a province-level region this code, mark it as outside the standard (divisionCodeOutsideStandard: true).";
        }

        if (code is null)
        {
            return "a division code is required: the six-digit GB/T 2260 code, for example 350205.";
        }

        if (!DivisionCodePattern().IsMatch(code))
        {
            return $"'{code}' is not a division code: it must be six digits, for example 350205.";
        }

        var shapeError = level switch
        {
            RegionLevel.Province when !code.EndsWith("0000", StringComparison.Ordinal) =>
                $"a province's code ends in 0000 (found {code}).",
            RegionLevel.City when !code.EndsWith("00", StringComparison.Ordinal) || code.EndsWith("0000", StringComparison.Ordinal) =>
                $"a city's code ends in 00 but not 0000 (found {code}).",
            RegionLevel.District when code.EndsWith("00", StringComparison.Ordinal) =>
                $"a district's code does not end in 00 (found {code}).",
            _ => null,
        };
        if (shapeError is not null)
        {
            return shapeError;
        }

        var shared = parentLevel switch
        {
            RegionLevel.Province => 2,
            RegionLevel.City => 4,
            _ => 0,
        };
        if (shared > 0 && parentCode is not null && string.CompareOrdinal(code, 0, parentCode, 0, shared) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the division code {code} does not fit its parent ({parentCode}): a region under a {(parentLevel == RegionLevel.Province ? "province" : "city")} shares its first {shared} digits, {parentCode[..shared]}.");
        }

        return null;
    }
}
