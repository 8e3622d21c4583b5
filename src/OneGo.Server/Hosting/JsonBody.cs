using System.Text;
using System.Text.Json;
using OneGo.Catalogue;

namespace OneGo.Server.Hosting;

/// <summary>Reads a request body as a catalogue document; a body that does not fit is a 422 naming where.</summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, CatalogueJson.Options, cancellationToken);
            return value is null
                ? (null, ApiProblems.Invalid([ApiError.At("", "required", "The body is empty; send the document as JSON.")]))
                : (value, null);
        }
        catch (JsonException error)
        {
            return (null, ApiProblems.Invalid([ApiError.At(ToPointer(error.Path), "shape", Explain(error))]));
        }
    }

    /// <summary>Turns System.Text.Json's <c>$.a.b[2]</c> into the RFC 6901 pointer <c>/a/b/2</c>.</summary>
    public static string ToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }

        var pointer = new StringBuilder();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                pointer.Append('/').Append(Pointer.Escape(path[(i + 1)..end]));
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                var inner = path[(i + 1)..end].Trim('\'');
                pointer.Append('/').Append(Pointer.Escape(inner));
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return pointer.ToString();
    }

    /// <summary>System.Text.Json's message, in words a user of the API can act on.</summary>
    public static string Explain(JsonException error)
    {
        var message = error.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var start = message.IndexOf('\'', StringComparison.Ordinal) + 1;
            var name = start > 0 ? message[start..message.IndexOf('\'', start)] : "this field";
            return $"'{name}' is not a field here.";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var start = message.IndexOf("including: ", StringComparison.Ordinal);
            return start > 0 ? $"A required field is missing: {message[(start + 11)..].TrimEnd('.')}." : "A required field is missing.";
        }

        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return "This value is not of the kind expected here (text, number, yes/no, list or block of fields), or is not one of the allowed words.";
        }

        if (message.Contains("type discriminator", StringComparison.OrdinalIgnoreCase) || message.Contains("'op'", StringComparison.Ordinal))
        {
            return "This change has no 'op', or an 'op' OneGo does not know. " + message;
        }

        return message;
    }
}
