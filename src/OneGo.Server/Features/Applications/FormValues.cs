using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using OneGo.Catalogue;
using OneGo.Server.Features.Applicants;
using OneGo.Server.Hosting;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// The values of the one form (一表): field code → value, checked against the field's type in the guide for the
/// application's answers. Values are kept as JSON text in canonical shapes (dates yyyy-MM-dd, ID numbers upper case).
/// </summary>
internal static partial class FormValues
{
    public const int MaxText = 500;

    [GeneratedRegex(@"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")]
    private static partial Regex PhonePattern();

    /// <summary>
    /// Checks <paramref name="values"/> against the form's fields; each error names <c>/values/{code}</c>. A null value
    /// clears the field. Returns the checked values, canonical, or the errors.
    /// </summary>
    public static (Dictionary<string, JsonElement> Values, List<ApiError> Errors) Check(
        IReadOnlyDictionary<string, JsonElement> values, IReadOnlyList<GuideField> form, DateOnly today)
    {
        var fields = form.ToDictionary(f => f.Code, StringComparer.Ordinal);
        var errors = new List<ApiError>();
        var checkedValues = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (code, value) in values)
        {
            var pointer = Pointer.Of("values", code);
            if (!fields.TryGetValue(code, out var field))
            {
                errors.Add(ApiError.At(pointer, "unknown-field", $"'{code}' is no field of this form for these answers; its fields are {string.Join(", ", fields.Keys)}."));
                continue;
            }

            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                continue;
            }

            var (canonical, problem) = CheckOne(field, value, today);
            if (problem is not null)
            {
                errors.Add(ApiError.At(pointer, problem.Value.Rule, $"{field.Label.Zh} ({field.Label.En ?? field.Code}): {problem.Value.Message}"));
            }
            else
            {
                checkedValues[code] = canonical;
            }
        }

        return (checkedValues, errors);
    }

    /// <summary>The fields of the form still without a value, each a <c>/values/{code}</c> error: submitting needs them all.</summary>
    public static IEnumerable<ApiError> Missing(IReadOnlyDictionary<string, JsonElement> values, IReadOnlyList<GuideField> form) =>
        form.Where(f => !values.ContainsKey(f.Code)).Select(f => ApiError.At(Pointer.Of("values", f.Code), "required",
            $"{f.Label.Zh} ({f.Label.En ?? f.Code}) is needed before the application can be submitted."));

    private static (JsonElement Value, (string Rule, string Message)? Problem) CheckOne(GuideField field, JsonElement value, DateOnly today)
    {
        switch (field.Type)
        {
            case FieldType.Number:
                return value.ValueKind == JsonValueKind.Number ? (value, null) : (value, ("type", "a number is needed."));
            case FieldType.Boolean:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? (value, null) : (value, ("type", "true or false is needed."));
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return (value, ("type", "text is needed."));
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            return (value, ("required", "it is empty; leave it out (or null) instead."));
        }

        if (text.Length > MaxText)
        {
            return (value, ("max-length", $"at most {MaxText} characters."));
        }

        switch (field.Type)
        {
            case FieldType.Date:
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    ? (Text(text), null)
                    : (value, ("date", "a date as yyyy-MM-dd is needed."));
            case FieldType.IdNumber:
                var idNumber = ResidentIdNumber.Normalise(text);
                return ResidentIdNumber.Check(idNumber, today) is { } wrong ? (value, wrong) : (Text(idNumber), null);
            case FieldType.Phone:
                var phone = text.Replace(" ", "", StringComparison.Ordinal);
                return PhonePattern().IsMatch(phone)
                    ? (Text(phone), null)
                    : (value, ("phone", "a mobile number (11 digits, 1[3-9]…) or a landline with its area code (0592-1234567) is needed."));
            default:
                return (Text(text), null);
        }
    }

    private static JsonElement Text(string text) => JsonSerializer.SerializeToElement(text);

    /// <summary>
    /// The values as lists, pages and anyone but the department deciding see them: ID and phone numbers masked (the
    /// first three and the last four characters shown).
    /// </summary>
    public static Dictionary<string, JsonElement> Masked(IReadOnlyDictionary<string, JsonElement> values, IReadOnlyList<GuideField> form)
    {
        var types = form.ToDictionary(f => f.Code, f => f.Type, StringComparer.Ordinal);
        return values.ToDictionary(v => v.Key, v => types.GetValueOrDefault(v.Key) is FieldType.IdNumber or FieldType.Phone && v.Value.ValueKind == JsonValueKind.String
            // One masking rule for ID and phone numbers alike: the first three and the last four characters.
            ? Text(ResidentIdNumber.Mask(v.Value.GetString()!))
            : v.Value, StringComparer.Ordinal);
    }
}

/// <summary>
/// Encrypts an application's form values with the deployment's data-protection keys under a purpose of their own: they
/// hold ID numbers, phone numbers and addresses (个人信息保护法 Art. 28, 51), so the database alone does not reveal them.
/// </summary>
public sealed class ApplicationValues(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OneGo.Applications.Values.v1");

    public string Protect(IReadOnlyDictionary<string, JsonElement> values) =>
        _protector.Protect(JsonSerializer.Serialize(values.OrderBy(v => v.Key, StringComparer.Ordinal).ToDictionary(v => v.Key, v => v.Value)));

    public Dictionary<string, JsonElement> Reveal(Application application) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(_protector.Unprotect(application.ValuesProtected)) ?? [];
}
