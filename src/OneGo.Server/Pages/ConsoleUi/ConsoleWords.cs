using System.Runtime.Serialization;
using Microsoft.Extensions.Localization;
using OneGo.Client.Models;
using OneGo.Server.ConsoleUi;

namespace OneGo.Server.Pages.ConsoleUi;

/// <summary>
/// The words the console's pages share, in <c>Resources/Pages/ConsoleUi/ConsoleWords</c>: a working copy's states, the
/// roles, what went wrong with an API answer, the review's moves and comments. A page injects
/// <c>IStringLocalizer&lt;ConsoleWords&gt;</c> as <c>W</c> beside its own <c>L</c>.
/// </summary>
public sealed class ConsoleWords
{
    private ConsoleWords()
    {
    }
}

public static class ConsoleWordsExtensions
{
    /// <summary>A working copy's state as people here say it.</summary>
    public static string State(this IStringLocalizer<ConsoleWords> words, DraftState? state) => state is { } known ? words["State." + known] : "";

    /// <summary>A working copy's state as the API writes it (draft, submitted, rejected, approved), as people here say it.</summary>
    public static string State(this IStringLocalizer<ConsoleWords> words, string? state) =>
        Enum.TryParse<DraftState>(state, ignoreCase: true, out var known) ? words.State(known) : state ?? "";

    /// <summary>A value of one of the API's enumerations as the API writes it (draft, queued, push, altered …), or nothing.</summary>
    public static string Wire(this Enum? value) =>
        value?.GetType().GetField(value.ToString())?.GetCustomAttributes(typeof(EnumMemberAttribute), false) is [EnumMemberAttribute { Value: { } wire }, ..]
            ? wire
            : value?.ToString() ?? "";

    /// <summary>Where an application stands (submitted, supplementing, accepted …) as people here say it.</summary>
    public static string Application(this IStringLocalizer<ConsoleWords> words, ApplicationState? state) => Named(words, "Application.", state?.ToString());

    /// <summary>Where a case stands (waiting, ready, approved, issued …) as people here say it.</summary>
    public static string Case(this IStringLocalizer<ConsoleWords> words, CaseState? state) => Named(words, "Case.", state?.ToString());

    /// <summary>How a result reaches the applicant (online, post, window) as people here say it.</summary>
    public static string Delivery(this IStringLocalizer<ConsoleWords> words, OneGo.Client.Models.Delivery? way) => Named(words, "Delivery.", way?.ToString());

    /// <summary>On time, at risk or overdue, as the deadline job marked a case.</summary>
    public static string Watch(this IStringLocalizer<ConsoleWords> words, CaseWatch? watch) => Named(words, "Watch.", watch?.ToString());

    /// <summary>A role (admin, editor, reviewer, auditor) as people here say it.</summary>
    public static string Role(this IStringLocalizer<ConsoleWords> words, string? role) => Named(words, "Role.", role);

    /// <summary>What went wrong, in the page's language; the API's own sentences (its detail, its errors) follow it.</summary>
    public static string Heading(this IStringLocalizer<ConsoleWords> words, ApiAnswer answer) => answer.Status switch
    {
        StatusCodes.Status422UnprocessableEntity => words["Heading.Unprocessable"],
        StatusCodes.Status412PreconditionFailed => words["Heading.PreconditionFailed"],
        StatusCodes.Status403Forbidden => words["Heading.Forbidden"],
        StatusCodes.Status409Conflict => words["Heading.Conflict"] + " — " + answer.Title,
        _ => answer.Title,
    };

    private static string Named(IStringLocalizer<ConsoleWords> words, string kind, string? value) =>
        value is null ? "" : words[kind + value] is { ResourceNotFound: false } found ? found.Value : value;
}
