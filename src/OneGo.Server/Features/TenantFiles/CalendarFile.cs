using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OneGo.Catalogue;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// A year of the national holiday calendar, <c>tenants/calendar/{year}.yaml</c>: the State Council's notice as data
/// (its issuer, reference, title and publication day; each holiday's days off and the weekend days worked for it),
/// read with every problem at its line and column. Only the national folder holds the calendar.
/// </summary>
internal sealed record CalendarFile(string RelativePath, string Sha256, CalendarYear Year, YamlSource Source)
{
    public const string Folder = "calendar";

    private static readonly string[] Fields = ["year", "source", "holidays"];
    private static readonly string[] SourceFields = ["issuer", "reference", "title", "published"];
    private static readonly string[] HolidayFields = ["name", "from", "to", "work"];

    /// <summary>Reads <c>calendar/*.yaml</c> of the national folder into <paramref name="folder"/>: the years, or their problems.</summary>
    public static void ReadAll(TenantFolder folder, string directory)
    {
        foreach (var (path, relative, sha, source) in folder.ReadYamlFiles(Path.Combine(directory, Folder)))
        {
            var reader = new DocumentReader(source);
            var year = Read(reader, source.Root, Path.GetFileNameWithoutExtension(path));
            folder.Problems.AddRange(reader.Problems);
            if (year is not null && reader.Problems.Count == 0)
            {
                folder.Calendar.Add(new CalendarFile(relative, sha, year, source));
            }
        }
    }

    private static CalendarYear? Read(DocumentReader reader, JsonNode? root, string fileName)
    {
        if (reader.Fields(root, "", "a year of the holiday calendar") is not { } fields)
        {
            return null;
        }

        reader.OnlyKnownFields(fields, "", "a year of the holiday calendar", Fields);
        int? year = fields["year"] is JsonValue y && y.GetValueKind() == JsonValueKind.Number && y.TryGetValue<long>(out var number) && number is >= 2000 and <= 9999
            ? (int)number
            : null;
        if (year is null)
        {
            reader.Report(fields.ContainsKey("year") ? "/year" : "", "'year' is required: the year the file holds, as 2026 (from 2000 on).", atKey: !fields.ContainsKey("year"));
        }
        else if (fileName != year.Value.ToString(CultureInfo.InvariantCulture))
        {
            reader.Report("/year", $"'year' is {year}, but the file is named {fileName}.yaml: a year's file is named after its year.");
        }

        var source = ReadSource(reader, fields);
        // Each holiday read, with its place in the file's list: the checks of the year name that place.
        var holidays = new List<(int Index, Holiday Holiday)>();
        if (fields["holidays"] is not JsonArray list || list.Count == 0)
        {
            reader.Report(fields.ContainsKey("holidays") ? "/holidays" : "", "'holidays' is required: the year's holidays, each with its name, from, to and the weekend days worked for it (work).",
                atKey: !fields.ContainsKey("holidays"));
        }
        else
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (ReadHoliday(reader, list[i], $"/holidays/{i}") is { } holiday)
                {
                    holidays.Add((i, holiday));
                }
            }
        }

        if (year is null)
        {
            return null;
        }

        // The year's own rules over the holidays that could be read, also when others could not: every problem at once.
        var checkedSource = source ?? new CalendarSource { Issuer = "", Title = "", Published = default };
        var calendar = new CalendarYear { Year = year.Value, Source = checkedSource, Holidays = holidays.Select(h => h.Holiday).ToList() };
        foreach (var (pointer, message) in HolidayCalendar.Check(calendar))
        {
            var segments = pointer.Split('/');
            segments[2] = holidays[int.Parse(segments[2], CultureInfo.InvariantCulture)].Index.ToString(CultureInfo.InvariantCulture);
            reader.Report(string.Join('/', segments), char.ToUpperInvariant(message[0]) + message[1..]);
        }

        return source is null || reader.Problems.Count > 0 ? null : calendar;
    }

    private static CalendarSource? ReadSource(DocumentReader reader, JsonObject fields)
    {
        if (reader.Fields(fields["source"], "/source", "'source' (the notice the year transcribes)") is not { } source)
        {
            return null;
        }

        reader.OnlyKnownFields(source, "/source", "'source'", SourceFields);
        var issuer = reader.Text(source, "/source", "issuer", required: true);
        var reference = reader.Text(source, "/source", "reference", required: false);
        var title = TextOf(reader, source, "/source", "title");
        var published = DateOf(reader, source, "/source", "published");
        return issuer is null || title is null || published is null
            ? null
            : new CalendarSource { Issuer = issuer, Reference = reference, Title = title, Published = published.Value };
    }

    private static Holiday? ReadHoliday(DocumentReader reader, JsonNode? node, string pointer)
    {
        if (reader.Fields(node, pointer, "a holiday") is not { } holiday)
        {
            return null;
        }

        reader.OnlyKnownFields(holiday, pointer, "a holiday", HolidayFields);
        var name = TextOf(reader, holiday, pointer, "name");
        var from = DateOf(reader, holiday, pointer, "from");
        var to = DateOf(reader, holiday, pointer, "to");
        var work = new List<DateOnly>();
        if (holiday["work"] is JsonArray days)
        {
            for (var i = 0; i < days.Count; i++)
            {
                if (days[i] is JsonValue day && day.GetValueKind() == JsonValueKind.String && Day(day.GetValue<string>()) is { } date)
                {
                    work.Add(date);
                }
                else
                {
                    reader.Report($"{pointer}/work/{i}", $"a make-up working day is a date written yyyy-MM-dd, not {(days[i] is null ? "an empty value" : DocumentReader.Describe(days[i]!))}.");
                }
            }
        }
        else if (holiday["work"] is { } other)
        {
            reader.Report(pointer + "/work", $"'work' is the list of weekend days worked for this holiday, as [2026-02-14, 2026-02-28], not {DocumentReader.Describe(other)}.");
        }

        return name is null || from is null || to is null ? null : new Holiday { Name = name, From = from.Value, To = to.Value, Work = work };
    }

    private static Text? TextOf(DocumentReader reader, JsonObject obj, string pointer, string field)
    {
        switch (obj[field])
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim() is { Length: > 0 } zh:
                return Text.From(zh);
            case JsonObject text when reader.Text(text, $"{pointer}/{field}", "zh", required: true) is { } zh:
                reader.OnlyKnownFields(text, $"{pointer}/{field}", $"'{field}'", ["zh", "en"]);
                return Text.Of(zh, reader.Text(text, $"{pointer}/{field}", "en", required: false));
            case JsonObject:
                return null;
            default:
                reader.Report(obj.ContainsKey(field) ? $"{pointer}/{field}" : pointer, $"'{field}' is required: a text, or {{ zh: …, en: … }}.", atKey: !obj.ContainsKey(field));
                return null;
        }
    }

    private static DateOnly? DateOf(DocumentReader reader, JsonObject obj, string pointer, string field)
    {
        if (reader.Text(obj, pointer, field, required: true) is not { } text)
        {
            return null;
        }

        if (Day(text) is { } day)
        {
            return day;
        }

        reader.Report($"{pointer}/{field}", $"'{field}' is '{text}', which is not a date: write it yyyy-MM-dd, as 2026-10-01.");
        return null;
    }

    private static DateOnly? Day(string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
