using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneGo.Catalogue;

/// <summary>
/// The serializer settings for every catalogue document (matters, bundles, overlays, guides): camelCase
/// properties, enums as camelCase strings, Chinese written as is, nulls left out, and unknown properties
/// refused so that a misspelt field in a file is an error rather than silently ignored.
/// </summary>
public static class CatalogueJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowOutOfOrderMetadataProperties = true,
            AllowTrailingCommas = false,
            // An explicit null where the model has no null ("name": null) is refused like a missing required member.
            RespectNullableAnnotations = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The camelCase name an enum value has in JSON.</summary>
    internal static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => EnumNames<TEnum>.Of(value);

    private static class EnumNames<TEnum> where TEnum : struct, Enum
    {
        private static readonly FrozenDictionary<TEnum, string> Names =
            Enum.GetValues<TEnum>().Distinct().ToFrozenDictionary(v => v, v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString()));

        public static string Of(TEnum value) => Names.TryGetValue(value, out var name) ? name : JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
    }
}
