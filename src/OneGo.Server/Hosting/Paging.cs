using System.Buffers.Text;
using System.Text;

namespace OneGo.Server.Hosting;

/// <summary>A page of a list: its items and, when there is more, the cursor of the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Paging as every list route does it: <c>limit</c> (default 50, at most 500) and an opaque <c>cursor</c>.</summary>
public readonly record struct Paging(int Limit, string? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Reads limit and cursor; a bad value is a list of problems naming the parameter.</summary>
    public static (Paging Paging, List<ApiError> Errors) Read(int? limit, string? cursor)
    {
        var errors = new List<ApiError>();
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add(ApiError.ForParameter("limit", "range", $"limit must be between 1 and {MaxLimit}; it was {limit}."));
        }

        string? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = Decode(cursor);
            if (after is null)
            {
                errors.Add(ApiError.ForParameter("cursor", "cursor", "cursor is not one this server handed out; pass the 'next' value of the previous page unchanged."));
            }
        }

        return (new Paging(limit ?? DefaultLimit, after), errors);
    }

    /// <summary>Takes one page from keys sorted ascending; <paramref name="key"/> is the sort key the cursor remembers.</summary>
    public Page<T> Take<T>(IEnumerable<T> ordered, Func<T, string> key)
    {
        var after = After;
        var items = ordered.Where(i => after is null || string.CompareOrdinal(key(i), after) > 0).Take(Limit + 1).ToList();
        string? next = null;
        if (items.Count > Limit)
        {
            items.RemoveAt(Limit);
            next = Encode(key(items[^1]));
        }

        return new Page<T>(items, next);
    }

    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("k:" + key));

    public static string? Decode(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("k:", StringComparison.Ordinal) ? text[2..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
