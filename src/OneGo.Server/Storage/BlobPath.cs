namespace OneGo.Server.Storage;

/// <summary>
/// The one rule for blob names, shared by every store so that a path valid on the file system is valid on Azure and
/// cannot leave the store's folder: <c>/</c>-separated segments, none empty, none starting with <c>.</c> (which rules
/// out <c>.</c> and <c>..</c> and keeps the file system store's partial writes out of reach), no <c>\</c>, no
/// control character.
/// </summary>
internal static class BlobPath
{
    private const string Rule = "A blob path is '/'-separated names such as 'fujian.xiamen.haicang/enrolment/3.json': no leading '/', " +
                                "no empty segment, no segment starting with '.', no '\\', no control character.";

    /// <summary>Returns <paramref name="path"/> when it is a valid blob path; otherwise throws naming what is wrong.</summary>
    public static string Validate(string path, string parameter = "path")
    {
        ArgumentNullException.ThrowIfNull(path, parameter);
        if (Problem(path) is { } problem)
        {
            throw new ArgumentException($"The blob path '{path}' is not allowed: {problem}. {Rule}", parameter);
        }

        return path;
    }

    /// <summary>
    /// A listing prefix as a folder: <c>""</c> for everything, else a valid path, with or without one trailing
    /// <c>/</c>. Returns it ending in <c>/</c> (or empty), so that <c>a/b</c> never lists <c>a/bc/…</c>.
    /// </summary>
    public static string Folder(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return "";
        }

        var folder = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (Problem(folder) is { } problem)
        {
            throw new ArgumentException($"The blob prefix '{prefix}' is not allowed: {problem}. {Rule}", nameof(prefix));
        }

        return folder + "/";
    }

    private static string? Problem(string path)
    {
        if (path.Length == 0)
        {
            return "it is empty";
        }

        if (path.StartsWith('/'))
        {
            return "it starts with '/'";
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return "it contains '\\'";
        }

        if (path.Any(char.IsControl))
        {
            return "it contains a control character";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment";
            }

            if (segment.StartsWith('.'))
            {
                return $"its segment '{segment}' starts with '.'";
            }
        }

        return null;
    }
}
