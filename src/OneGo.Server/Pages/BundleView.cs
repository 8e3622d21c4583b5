using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>
/// The scenario answers of a bundle page's questionnaire, as the form sends them: <c>q.{questionId}={optionId}</c>,
/// plus <c>answered=1</c> so that a form sent with nothing chosen is told what is missing.
/// </summary>
public sealed record Questionnaire(IReadOnlyDictionary<string, string> Answers, bool Submitted)
{
    public const string Prefix = "q.";
    public const string SubmittedField = "answered";

    /// <summary>The answers in a query or a posted form: each <c>q.{question}</c> with its option.</summary>
    public static Questionnaire Read(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> query)
    {
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length && values.ToString() is { Length: > 0 } option)
            {
                answers[key[Prefix.Length..]] = option;
            }
        }

        return new Questionnaire(answers, query.Any(q => q.Key == SubmittedField) || answers.Count > 0);
    }
}

/// <summary>Everything the bundle page shows: the live bundle, the answers given, and the guide or why there is none.</summary>
public sealed record BundleView(RegionInfo Region, EffectiveBundle Bundle, Questionnaire Questionnaire, GuideResult? Result, string? RegionPhone, DepartmentNames Departments, Features.Statistics.BundleStatistics? Measured = null);
