using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// A YAML file of <c>tenants/</c> read as JSON, remembering where each value came from, so that a problem found
/// at a JSON pointer — by the file readers or by the domain's validation — is reported at its line and column.
/// Items of a list that carry a <c>code</c> can also be addressed by it (<c>/matters/birth-certificate</c>),
/// as the domain's pointers address them.
/// </summary>
internal sealed partial class YamlSource
{
    private readonly Dictionary<string, Mark> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Mark> _keys = new(StringComparer.Ordinal);

    /// <summary>The largest file read, as large as an API body may be: a region's file or a bundle is far smaller.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>How deep blocks and lists may nest; the deepest document OneGo reads needs about ten.</summary>
    public const int MaxDepth = 64;

    private YamlSource(string path) => Path = path;

    /// <summary>The path shown in problems, relative to the repository: <c>tenants/fujian/tenant.yaml</c>.</summary>
    public string Path { get; }

    public JsonNode? Root { get; private set; }

    /// <summary>Parses the text; a syntax error is returned as a problem at its place, with a null source.</summary>
    public static (YamlSource? Source, FileProblem? Problem) Parse(string path, string text)
    {
        var source = new YamlSource(path);
        try
        {
            if (Refused(path, text) is { } refused)
            {
                return (null, refused);
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count > 1)
            {
                var second = stream.Documents[1].RootNode.Start;
                return (null, new FileProblem(path, (int)second.Line, (int)second.Column,
                    "a file holds one document; remove the second '---' and what follows it, or move it to a file of its own."));
            }

            source.Root = stream.Documents.Count == 0 ? null : source.Convert(stream.Documents[0].RootNode, "");
            return (source, null);
        }
        catch (YamlException error)
        {
            var message = error.InnerException?.Message ?? error.Message;
            if (message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase) ||
                message.Contains("same key", StringComparison.OrdinalIgnoreCase))
            {
                message = "this key appears twice in the same block; keep one of them.";
            }
            else
            {
                message = "the file is not valid YAML: " + Humanise(message);
            }

            return (null, new FileProblem(path, (int)error.Start.Line, (int)error.Start.Column, message));
        }
    }

    /// <summary>
    /// What OneGo does not read in a YAML file, found in the parser's events before any document is built: an anchor
    /// or an alias (a few lines of aliases can expand to gigabytes, or to a value that contains itself), and
    /// nesting deeper than <see cref="MaxDepth"/>.
    /// </summary>
    private static FileProblem? Refused(string path, string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case AnchorAlias alias:
                    return new FileProblem(path, (int)alias.Start.Line, (int)alias.Start.Column,
                        $"'*{alias.Value}' repeats a value by alias: files in tenants/ do not use anchors (&) or aliases (*); write the value out where it is needed.");
                case NodeEvent { Anchor.IsEmpty: false } anchored:
                    return new FileProblem(path, (int)anchored.Start.Line, (int)anchored.Start.Column,
                        $"'&{anchored.Anchor}' names a value to repeat: files in tenants/ do not use anchors (&) or aliases (*); write the value out where it is needed.");
                case MappingStart or SequenceStart when ++depth > MaxDepth:
                    return new FileProblem(path, (int)parser.Current.Start.Line, (int)parser.Current.Start.Column,
                        $"blocks and lists are nested more than {MaxDepth} deep here; no document of tenants/ needs that many levels.");
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }

        return null;
    }

    /// <summary>The problem at a JSON pointer: at the value, or at its key when <paramref name="atKey"/>.</summary>
    public FileProblem At(string pointer, string message, bool atKey = false)
    {
        var mark = Find(pointer, atKey);
        return new FileProblem(Path, (int)mark.Line, (int)mark.Column, message);
    }

    private Mark Find(string pointer, bool atKey)
    {
        // The nearest place we know: the pointer itself, else its closest ancestor, else the start of the file.
        for (var current = pointer; ; current = current[..current.LastIndexOf('/')])
        {
            if (atKey && _keys.TryGetValue(current, out var key))
            {
                return key;
            }

            if (_values.TryGetValue(current, out var value))
            {
                return value;
            }

            if (current.Length == 0)
            {
                return new Mark(0, 1, 1);
            }
        }
    }

    private JsonNode? Convert(YamlNode node, string pointer)
    {
        _values[pointer] = node.Start;
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = keyNode is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : keyNode.ToString();
                    var childPointer = pointer + "/" + Escape(key);
                    _keys[childPointer] = keyNode.Start;
                    obj[key] = Convert(valueNode, childPointer);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    var itemPointer = pointer + "/" + i.ToString(CultureInfo.InvariantCulture);
                    array.Add(Convert(item, itemPointer));
                    if (item is YamlMappingNode itemMapping &&
                        itemMapping.Children.TryGetValue(new YamlScalarNode("code"), out var code) &&
                        code is YamlScalarNode { Value: { Length: > 0 } codeValue })
                    {
                        Alias(itemPointer, pointer + "/" + Escape(codeValue));
                    }
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    // Everything recorded under /list/3 is also recorded under /list/{code}.
    private void Alias(string byIndex, string byCode)
    {
        foreach (var map in new[] { _values, _keys })
        {
            foreach (var (pointer, mark) in map.Where(p => p.Key == byIndex || p.Key.StartsWith(byIndex + "/", StringComparison.Ordinal)).ToList())
            {
                map.TryAdd(byCode + pointer[byIndex.Length..], mark);
            }
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (value is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (DecimalPattern().IsMatch(value) && decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    public static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string Humanise(string message)
    {
        var cut = message.IndexOf(" at line", StringComparison.OrdinalIgnoreCase);
        var text = cut > 0 ? message[..cut] : message;
        text = text.Replace("While scanning", "while reading", StringComparison.Ordinal)
                   .Replace("While parsing", "while reading", StringComparison.Ordinal);
        return text.TrimEnd('.') + " (check the indentation and the quotes on this line).";
    }

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex("^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalPattern();
}
