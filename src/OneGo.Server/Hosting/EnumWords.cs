using System.Text.Json;

namespace OneGo.Server.Hosting;

/// <summary>
/// The words the API, the pages' forms and the logs use for an enum's values: the camelCase of each name, as the JSON
/// documents write them (<c>notApplicable</c>), read back by the same rule.
/// </summary>
internal static class EnumWords
{
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>The value <paramref name="word"/> names, or null when it names none.</summary>
    public static T? Parse<T>(string? word) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => Of(v) == word).Select(v => (T?)v).FirstOrDefault();
}
