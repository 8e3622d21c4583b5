using System.Text.Json;
using OneGo.Catalogue;
using OneGo.Server.Features.Applications;

namespace OneGo.Server.Features.DataSharing;

/// <summary>A dataset an application's guide fetches for the applicant (数据共享), with the materials it stands for.</summary>
public sealed record SharedDataset(string Dataset, string Department, IReadOnlyList<GuideMaterial> Materials);

/// <summary>
/// Where an application stands with data sharing: which datasets its guide fetches, which are agreed to and fetched,
/// and so which materials the applicant still brings — every material the guide says to bring, and every one it
/// would fetch whose dataset is not agreed to, not held by its department or not answered by the exchange.
/// </summary>
public static class Sharing
{
    /// <summary>The version of the consent texts; a consent names the version it agreed to.</summary>
    public const string TextVersion = "2026-12";

    public static IReadOnlyList<SharedDataset> DatasetsOf(Guide guide) =>
        guide.FetchedForYou.GroupBy(m => m.Source.Dataset!, StringComparer.Ordinal)
            .Select(g => new SharedDataset(g.Key, g.First().Source.Department!, g.ToList()))
            .OrderBy(d => d.Dataset, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Whether the data fetched is a child's: the form asks for a child (a field of the field dictionary's <c>child-</c>
    /// family), as 入园入学 and newborn bundles do. Then the applicant consents as the child's guardian (个人信息保护法 Art. 31).
    /// </summary>
    public static bool ConcernsChild(Guide guide) => guide.Form.Any(f => f.Code.StartsWith("child-", StringComparison.Ordinal));

    public static DataConsent? ConsentTo(Application application, string dataset) =>
        application.Consents.Where(c => c.Dataset == dataset && c.WithdrawnAt is null).MaxBy(c => c.GivenAt);

    /// <summary>The last fetch of the dataset since its consent was given; null when none was made since.</summary>
    public static DataFetch? FetchOf(Application application, string dataset) =>
        ConsentTo(application, dataset) is { } consent
            ? application.Fetches.Where(f => f.Dataset == dataset && f.At >= consent.GivenAt).MaxBy(f => f.At)
            : null;

    public static bool IsFetched(Application application, string dataset) => FetchOf(application, dataset)?.Outcome == FetchOutcome.Fetched;

    /// <summary>What the applicant brings for this application: the guide's materials to bring, and those whose fetch did not happen.</summary>
    public static IReadOnlyList<GuideMaterial> ToBring(Application application, Guide guide) =>
        [.. guide.Bring, .. guide.FetchedForYou.Where(m => !IsFetched(application, m.Source.Dataset!))];

    /// <summary>Why a material the guide would fetch is brought instead; null when it is fetched.</summary>
    public static Text? WhyBrought(Application application, GuideMaterial material)
    {
        if (material.Source.Kind != SourceKind.DataSharing)
        {
            return null;
        }

        var dataset = material.Source.Dataset!;
        if (ConsentTo(application, dataset) is null)
        {
            return new Text
            {
                Zh = $"未同意调取“{dataset}”：同意后由系统为您调取，或上传该材料。",
                En = $"Not agreed to fetch “{dataset}”: agree and it is fetched for you, or attach the material.",
            };
        }

        return FetchOf(application, dataset) switch
        {
            { Outcome: FetchOutcome.Fetched } => null,
            { Outcome: FetchOutcome.NotFound } => new Text
            {
                Zh = $"数源部门未查到您的“{dataset}”：请上传该材料。",
                En = $"The source department holds no “{dataset}” for you: attach the material.",
            },
            { Outcome: FetchOutcome.Failed } failed => new Text
            {
                Zh = $"共享交换平台暂未应答（已尝试{failed.Attempts}次）：请稍后再次同意以重新调取，或上传该材料。",
                En = $"The data exchange did not answer ({failed.Attempts} attempts): agree again later to fetch it again, or attach the material.",
            },
            _ => new Text { Zh = $"“{dataset}”尚未调取。", En = $"“{dataset}” is not fetched yet." },
        };
    }

    /// <summary>The text an applicant agrees to for one dataset, in this version.</summary>
    public static Text ConsentText(string regionName, Text bundle, string dataset, string departmentName, bool child) => new()
    {
        Zh = child
            ? $"本人作为监护人同意：为办理{regionName}“{bundle.Zh}”，经共享交换平台向{departmentName}调取被监护儿童及本人的“{dataset}”，仅用于本次申请的受理和审批，不作他用。提交前可随时撤回，撤回后已调取的数据即被删除。"
            : $"本人同意：为办理{regionName}“{bundle.Zh}”，经共享交换平台向{departmentName}调取本人的“{dataset}”，仅用于本次申请的受理和审批，不作他用。提交前可随时撤回，撤回后已调取的数据即被删除。",
        En = child
            ? $"As the child's guardian, I agree that, to handle this application for “{bundle.En ?? bundle.Zh}” in {regionName}, the dataset “{dataset}” about my child and me is fetched from {departmentName} through the data exchange, for this application's acceptance and decision only. I may withdraw before submitting; what was fetched is then deleted."
            : $"I agree that, to handle this application for “{bundle.En ?? bundle.Zh}” in {regionName}, the dataset “{dataset}” about me is fetched from {departmentName} through the data exchange, for this application's acceptance and decision only. I may withdraw before submitting; what was fetched is then deleted.",
    };

    public static string Purpose(string regionName, Text bundle) => $"{regionName}“{bundle.Zh}”申请的受理和审批";

    /// <summary>Field code → the dataset that filled it.</summary>
    public static Dictionary<string, string> FetchedFieldsOf(Application application) =>
        application.FetchedFields is null ? new(StringComparer.Ordinal) : JsonSerializer.Deserialize<Dictionary<string, string>>(application.FetchedFields) ?? new(StringComparer.Ordinal);

    public static void SetFetchedFields(Application application, Dictionary<string, string> fields) =>
        application.FetchedFields = fields.Count == 0 ? null : JsonSerializer.Serialize(fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary());
}
