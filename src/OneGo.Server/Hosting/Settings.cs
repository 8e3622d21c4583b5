using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace OneGo.Server.Hosting;

/// <summary>
/// The settings of one area (<c>Zone</c>, <c>Identity</c> …): a class bound from one configuration section and checked
/// when the server starts. Its properties are the settings, with their defaults; a property whose type is another
/// class of OneGo's is a group of settings under it (<c>Zone:Push:AllowedNetworks</c>). Registered with
/// <see cref="Settings.AddSettings{T}"/>; every property has a row in the README's settings table, which a test holds
/// to the classes.
/// </summary>
internal interface ISettings
{
    /// <summary>The configuration section the class is bound from, e.g. <c>Zone</c>; empty for the root.</summary>
    static abstract string Section { get; }

    /// <summary>
    /// What is wrong beyond what each property's attributes say — a setting required outside Development, two settings
    /// that go together — as sentences naming the setting and saying what is allowed; none when all is well.
    /// </summary>
    IEnumerable<string> Problems(IHostEnvironment environment) => [];
}

/// <summary>
/// The one way OneGo reads its configuration: each area's <see cref="ISettings"/> class, bound once and validated as
/// the server starts, so that a missing or bad value stops it there with a message naming the setting rather than
/// at the first request that needs it. Features take <c>IOptions&lt;T&gt;</c>.
/// </summary>
internal static class Settings
{
    /// <summary>Binds <typeparamref name="T"/> from its section and validates it when the host starts; once is enough.</summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services)
        where T : class, ISettings
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationType == typeof(SettingsValidator<T>)))
        {
            return services;
        }

        services.AddOptions<T>().BindConfiguration(T.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, SettingsValidator<T>>();
        return services;
    }

    /// <summary>
    /// For the few choices made before the services are built (which database, which exporter, the key-protection
    /// certificate): registers <typeparamref name="T"/> as <see cref="AddSettings{T}"/> does and returns it bound now.
    /// It is validated when the host starts, with every other class, so that a start names all that is wrong at once:
    /// what reads it here passes over a value the start will refuse.
    /// </summary>
    public static T ReadSettings<T>(this WebApplicationBuilder builder)
        where T : class, ISettings, new()
    {
        builder.Services.AddSettings<T>();
        IConfiguration section = T.Section.Length == 0 ? builder.Configuration : builder.Configuration.GetSection(T.Section);
        return section.Get<T>() ?? new T();
    }

    /// <summary>
    /// Checks every settings class now, as the host's start would: before the pipeline is built or a command runs, so
    /// that neither reads a value the start would refuse, and everything that is wrong is named at once.
    /// </summary>
    public static void ValidateSettings(this WebApplication app) =>
        app.Services.GetService<IStartupValidator>()?.Validate();

    /// <summary>Whether a property's type is a group of settings nested in its class rather than one value.</summary>
    private static bool IsGroup(Type type) => type.IsClass && type.Assembly == typeof(Settings).Assembly;

    private static IEnumerable<string> Problems<T>(T settings, IHostEnvironment environment)
        where T : class, ISettings =>
        Annotated(settings, T.Section).Concat(settings.Problems(environment));

    /// <summary>What each property's attributes refuse, the property named by its full setting, groups included.</summary>
    private static IEnumerable<string> Annotated(object group, string path)
    {
        foreach (var property in group.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var name = Join(path, property.Name);
            var value = property.GetValue(group);
            var results = new List<ValidationResult>();
            Validator.TryValidateProperty(value, new ValidationContext(group) { MemberName = property.Name, DisplayName = name }, results);
            foreach (var result in results)
            {
                yield return result.ErrorMessage ?? $"{name} is not valid.";
            }

            if (value is not null && IsGroup(property.PropertyType))
            {
                foreach (var problem in Annotated(value, name))
                {
                    yield return problem;
                }
            }
        }
    }

    private static string Join(string section, string property) => section.Length == 0 ? property : $"{section}:{property}";

    /// <summary>Checks a settings class when the host starts, with <see cref="Problems{T}"/>.</summary>
    private sealed class SettingsValidator<T>(IHostEnvironment environment) : IValidateOptions<T>
        where T : class, ISettings
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = Problems(options, environment).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}

/// <summary>A number or a time span that must be more than zero (or, with <c>orZero</c>, at least zero).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class PositiveAttribute(bool orZero = false) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var sign = value switch
        {
            TimeSpan span => span.CompareTo(TimeSpan.Zero),
            int number => number.CompareTo(0),
            long number => number.CompareTo(0L),
            double number => number.CompareTo(0.0),
            _ => 1,
        };
        return sign > 0 || (orZero && sign == 0)
            ? ValidationResult.Success
            : new ValidationResult(string.Create(CultureInfo.InvariantCulture,
                $"{validationContext.DisplayName} is {value}: it must be {(orZero ? "zero or more" : "more than zero")}."));
    }
}

/// <summary>One of a few words, compared without case (<c>sqlite</c>, <c>postgres</c> …); unset or empty is allowed.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OneOfAttribute(params string[] words) : ValidationAttribute
{
    public static bool Is(string? value, string word) => string.Equals(value?.Trim(), word, StringComparison.OrdinalIgnoreCase);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is not string text || string.IsNullOrWhiteSpace(text) || words.Any(w => Is(text, w))
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.DisplayName} is '{text}'; it must be one of {string.Join(", ", words)}.");
}

/// <summary>An absolute http or https address (or each of a list of them); unset or empty is allowed.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WebAddressAttribute : ValidationAttribute
{
    private static bool Allowed(string? text) =>
        string.IsNullOrEmpty(text) || (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var (bad, verb) = value switch
        {
            string text => (Allowed(text) ? null : text, "is"),
            IEnumerable<string> texts => (texts.FirstOrDefault(t => !Allowed(t)), "has"),
            _ => (null, ""),
        };
        return bad is null
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.DisplayName} {verb} '{bad}', which is not an absolute http or https address (e.g. https://onego.example.gov.cn).");
    }
}
