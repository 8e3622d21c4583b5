using System.Text.Json;
using System.Text.Json.Nodes;

namespace OneGo.Catalogue;

/// <summary>An overlay change set aside by a rebase: where it is, what it touches, which rule, why, and the change itself to re-apply by hand.</summary>
public sealed record RebaseConflict
{
    public required string Pointer { get; init; }
    public required string Target { get; init; }
    public required string Rule { get; init; }
    public required string Message { get; init; }
    public required OverlayChange Change { get; init; }
}

public sealed record RebaseResult
{
    /// <summary>The overlay on the new version with the changes that still apply, in their order.</summary>
    public required Overlay Overlay { get; init; }
    public required IReadOnlyList<RebaseConflict> Conflicts { get; init; }

    /// <summary>What the standard changed between the two versions.</summary>
    public required IReadOnlyList<FieldDifference> Upstream { get; init; }

    public bool IsClean => Conflicts.Count == 0;
}

/// <summary>
/// Rebase as a three-way merge of (old standard version, new standard version, overlay). Each change is
/// re-applied on the new version; it becomes a conflict instead of a guess when
/// <list type="bullet">
/// <item>it breaks a rule against the new version (now locked, now longer than the standard's time limit,
/// the matter now required, what it names no longer exists, what it adds now exists upstream), or</item>
/// <item>it sets a value (department, address, hours, contact, guide text) that the standard itself changed
/// between the two versions to something else — both sides changed the same field.</item>
/// </list>
/// A shorter time limit is a bound, not a value: it stays as long as it is still no longer than the standard's.
/// </summary>
public static class OverlayRebase
{
    /// <summary>What a standard changed between two versions: computed once, shared by the rebase of every adopter.</summary>
    public static StandardChange Compare(ResolvedStandard from, ResolvedStandard to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var before = JsonSerializer.SerializeToNode(from.Definition, CatalogueJson.Options);
        var after = JsonSerializer.SerializeToNode(to.Definition, CatalogueJson.Options);
        return new StandardChange(from, to, before, after, BundleDiff.Compare(before, after));
    }

    public static RebaseResult Rebase(ResolvedStandard from, ResolvedStandard to, Overlay overlay, IReadOnlyDictionary<string, Matter> localMatters) =>
        Rebase(Compare(from, to), overlay, localMatters);

    public static RebaseResult Rebase(StandardChange upstream, Overlay overlay, IReadOnlyDictionary<string, Matter> localMatters)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(localMatters);
        var (from, to) = (upstream.From, upstream.To);
        var engine = new OverlayEngine(to.Definition, to.Locked, LayeredMatters.Over(localMatters, to.Matters));
        var kept = new List<OverlayChange>(overlay.Changes.Count);
        var conflicts = new List<RebaseConflict>();
        for (var i = 0; i < overlay.Changes.Count; i++)
        {
            var change = overlay.Changes[i];
            var target = change.Target();
            var pointer = "/changes/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (SetValue(change) is (var value, true)
                && Pointer.Find(upstream.After, target) is var theirs
                && !JsonNode.DeepEquals(Pointer.Find(upstream.Before, target), theirs)
                && !JsonNode.DeepEquals(theirs, value))
            {
                conflicts.Add(new()
                {
                    Pointer = pointer,
                    Target = target,
                    Rule = ErrorRule.ChangedUpstream,
                    Message = $"The standard changed {target} between {from.Ref} and {to.Ref}, and this change sets it too. Review the standard's new value and set yours again if it is still needed.",
                    Change = change,
                });
                continue;
            }
            // The engine numbers errors by the kept position; report the overlay's own position.
            if (engine.Apply(kept.Count, change) is { } error)
            {
                conflicts.Add(new() { Pointer = pointer, Target = target, Rule = error.Rule, Message = error.Message, Change = change });
                continue;
            }
            kept.Add(change);
        }
        return new RebaseResult
        {
            Overlay = overlay with { Adopts = to.Ref, Changes = kept },
            Conflicts = conflicts,
            Upstream = upstream.Differences,
        };
    }

    private static (JsonNode? Value, bool Present) SetValue(OverlayChange change) => change switch
    {
        SetLeadDepartment c => (JsonValue.Create(c.Department), true),
        SetMatterDepartment c => (JsonValue.Create(c.Department), true),
        SetAddress c => (JsonSerializer.SerializeToNode(c.Address, CatalogueJson.Options), true),
        SetHours c => (JsonSerializer.SerializeToNode(c.Hours, CatalogueJson.Options), true),
        SetContact c => (JsonValue.Create(c.Contact), true),
        SetGuideText c => (JsonSerializer.SerializeToNode(c.Text, CatalogueJson.Options), true),
        _ => (null, false),
    };
}

/// <summary>A standard's move from one version to another, with the field-by-field differences.</summary>
public sealed class StandardChange
{
    internal StandardChange(ResolvedStandard from, ResolvedStandard to, JsonNode? before, JsonNode? after, IReadOnlyList<FieldDifference> differences)
    {
        From = from;
        To = to;
        Before = before;
        After = after;
        Differences = differences;
    }

    public ResolvedStandard From { get; }
    public ResolvedStandard To { get; }
    public IReadOnlyList<FieldDifference> Differences { get; }
    internal JsonNode? Before { get; }
    internal JsonNode? After { get; }
}
