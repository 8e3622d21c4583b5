using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;

namespace OneGo.Server.Pages;

/// <summary>
/// Markup that is safe to send. There are two ways to make one: <see cref="Text"/>, which encodes, and an
/// interpolated <c>Html.Of($"…")</c>, whose literal parts are this code's own markup and whose holes are encoded
/// unless they already are <see cref="Html"/>. A catalogue text, an answer or a query value therefore cannot reach
/// a page unencoded: there is no overload that takes a string as markup.
/// </summary>
public readonly struct Html
{
    // Chinese stays readable in the source of the page; only what HTML gives meaning to (< > & " ' and the like) is encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly string? _markup;

    private Html(string markup) => _markup = markup;

    public static Html Empty => default;

    public bool IsEmpty => string.IsNullOrEmpty(_markup);

    /// <summary>Text, encoded.</summary>
    public static Html Text(string? text) => new(Encoder.Encode(text ?? ""));

    /// <summary>Markup from an interpolated string: literals as written, holes encoded.</summary>
    public static Html Of(ref Builder markup) => markup.ToHtml();

    public static Html Join(IEnumerable<Html> parts) => new(string.Concat(parts.Select(p => p._markup)));

    public override string ToString() => _markup ?? "";

    /// <summary>For a Razor component: markup that is already safe, written as it is.</summary>
    public MarkupString AsMarkup() => new(_markup ?? "");

    /// <summary>
    /// A sentence from the resources with holes <c>{0}</c>, <c>{1}</c> …: the sentence is text, encoded; each hole is
    /// markup made safely (a name marked as Chinese on an English page, say). A hole the arguments lack stays as written.
    /// </summary>
    public static Html Format(string sentence, params Html[] holes)
    {
        var builder = new StringBuilder();
        var start = 0;
        for (var open = sentence.IndexOf('{', start); open >= 0; open = sentence.IndexOf('{', start))
        {
            var close = sentence.IndexOf('}', open);
            if (close < 0 || !int.TryParse(sentence.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var hole) || hole >= holes.Length)
            {
                builder.Append(Encoder.Encode(sentence[start..(open + 1)]));
                start = open + 1;
                continue;
            }

            builder.Append(Encoder.Encode(sentence[start..open])).Append(holes[hole]._markup);
            start = close + 1;
        }

        return new(builder.Append(Encoder.Encode(sentence[start..])).ToString());
    }

    /// <summary>Collects an interpolated string: every hole is encoded, except markup that already is <see cref="Html"/>.</summary>
    [InterpolatedStringHandler]
    public ref struct Builder
    {
        private readonly StringBuilder _builder;

        public Builder(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + (formattedCount * 16));

        public readonly void AppendLiteral(string literal) => _builder.Append(literal);

        public readonly void AppendFormatted(Html markup) => _builder.Append(markup._markup);

        public readonly void AppendFormatted(IEnumerable<Html> markup)
        {
            foreach (var part in markup)
            {
                _builder.Append(part._markup);
            }
        }

        public readonly void AppendFormatted(string? text) => _builder.Append(Encoder.Encode(text ?? ""));

        public readonly void AppendFormatted(int number) => _builder.Append(number.ToString(CultureInfo.InvariantCulture));

        public readonly Html ToHtml() => new(_builder.ToString());
    }
}
