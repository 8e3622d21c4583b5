using System.Globalization;

namespace OneGo.Catalogue;

/// <summary>
/// Resolution through the template layer: a pure function of (template chain at pinned versions, overlay,
/// matters). The same inputs give the same <see cref="EffectiveBundle"/> and so byte-identical
/// <see cref="CanonicalJson"/>.
/// </summary>
public static class TemplateResolver
{
    /// <summary>
    /// Resolves a chain of standard versions, root first (national → province → city): each level after the
    /// root is an overlay on the level before it, checked against every lock above it. Errors point at
    /// <c>/chain/{index}</c>.
    /// </summary>
    public static Resolution<ResolvedStandard> ResolveStandard(IReadOnlyList<TemplateVersion> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0 || chain[0].Definition is null || chain[0].Overlay is not null)
        {
            return Failed<ResolvedStandard>(new("/chain/0", ErrorRule.BrokenChain, "A template chain starts with a standard that has a definition of its own."));
        }
        var root = chain[0];
        var definition = root.Definition!;
        IReadOnlyDictionary<string, Matter> matters = root.Matters.ToDictionary(m => m.Code, StringComparer.Ordinal);
        var locks = new List<string>(root.Locked);
        var lineage = new List<TemplateRef> { root.Ref };
        for (var i = 1; i < chain.Count; i++)
        {
            var level = chain[i];
            var at = "/chain/" + i.ToString(CultureInfo.InvariantCulture);
            if (level.Overlay is not { } overlay || level.Definition is not null || overlay.Adopts != chain[i - 1].Ref || level.Ref.Code != definition.Code)
            {
                return Failed<ResolvedStandard>(new(at, ErrorRule.BrokenChain,
                    $"{level.Ref} must adopt {chain[i - 1].Ref} with an overlay and keep its code '{definition.Code}'."));
            }
            matters = LayeredMatters.Over(level.Matters, matters);
            var engine = new OverlayEngine(definition, locks, matters);
            var errors = ApplyAll(engine, overlay.Changes);
            if (errors.Count > 0) return new() { Errors = errors.Select(e => e.Under(at + "/overlay")).ToArray() };
            definition = engine.Definition;
            foreach (var locked in level.Locked)
            {
                if (!locks.Contains(locked)) locks.Add(locked);
            }
            lineage.Add(level.Ref);
        }
        return new()
        {
            Errors = [],
            Value = new ResolvedStandard { Ref = chain[^1].Ref, Definition = definition, Locked = locks, Lineage = lineage, Matters = matters },
        };
    }

    /// <summary>
    /// An adopter's definition: the standard with the overlay applied. Each change that breaks a rule is an
    /// error at <c>/changes/{index}</c> with the change's target pointer; an overlay adopting another version
    /// than <paramref name="standard"/> is an error at <c>/adopts</c>.
    /// </summary>
    public static Resolution<BundleDefinition> ApplyOverlay(ResolvedStandard standard, Overlay overlay, IReadOnlyDictionary<string, Matter> localMatters)
    {
        ArgumentNullException.ThrowIfNull(standard);
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(localMatters);
        if (overlay.Adopts != standard.Ref)
        {
            return Failed<BundleDefinition>(new("/adopts", ErrorRule.BrokenChain, $"The overlay adopts {overlay.Adopts}, not {standard.Ref}."));
        }
        var engine = new OverlayEngine(standard.Definition, standard.Locked, LayeredMatters.Over(localMatters, standard.Matters));
        var errors = ApplyAll(engine, overlay.Changes);
        return errors.Count > 0 ? new() { Errors = errors } : new() { Errors = [], Value = engine.Definition };
    }

    /// <summary>Every change of the overlay that breaks a rule (locked, longer-time-limit, required-matter, unknown-…, duplicate-…).</summary>
    public static IReadOnlyList<CatalogueError> ValidateOverlay(ResolvedStandard standard, Overlay overlay, IReadOnlyDictionary<string, Matter> localMatters) =>
        ApplyOverlay(standard, overlay, localMatters).Errors;

    /// <summary>The effective bundle of an adopter (or of the standard itself when <paramref name="overlay"/> is null).</summary>
    public static Resolution<EffectiveBundle> Resolve(ResolvedStandard standard, Overlay? overlay, IReadOnlyDictionary<string, Matter> localMatters)
    {
        ArgumentNullException.ThrowIfNull(standard);
        ArgumentNullException.ThrowIfNull(localMatters);
        var definition = standard.Definition;
        if (overlay is not null)
        {
            var applied = ApplyOverlay(standard, overlay, localMatters);
            if (!applied.IsValid) return new() { Errors = applied.Errors };
            definition = applied.Value!;
        }
        var matters = LayeredMatters.Over(localMatters, standard.Matters);
        return new() { Errors = [], Value = BundleResolver.Resolve(definition, matters, standard.Lineage) };
    }

    /// <summary>Chain and overlay in one call, for one adopter; see <see cref="ResolveStandard"/> and <see cref="Resolve(ResolvedStandard, Overlay?, IReadOnlyDictionary{string, Matter})"/>.</summary>
    public static Resolution<EffectiveBundle> Resolve(IReadOnlyList<TemplateVersion> chain, Overlay? overlay, IReadOnlyDictionary<string, Matter> localMatters)
    {
        var standard = ResolveStandard(chain);
        return standard.IsValid ? Resolve(standard.Value!, overlay, localMatters) : new() { Errors = standard.Errors };
    }

    internal static List<CatalogueError> ApplyAll(OverlayEngine engine, IReadOnlyList<OverlayChange> changes)
    {
        var errors = new List<CatalogueError>();
        for (var i = 0; i < changes.Count; i++)
        {
            if (engine.Apply(i, changes[i]) is { } error) errors.Add(error);
        }
        return errors;
    }

    private static Resolution<T> Failed<T>(CatalogueError error) where T : class => new() { Errors = [error] };
}
