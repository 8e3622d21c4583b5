using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace OneGo.Server.Pages;

/// <summary>
/// Markup that is safe to send. There are two ways to make one: <see cref="Text"/>, which encodes, and an
/// interpolated <c>Html.Of($"…")</c>, whose literal parts are this code's own markup and whose holes are encoded
/// unless they already are <see cref="Html"/>. A catalogue text, an answer or a query value therefore cannot reach
/// a page unencoded: there is no overload that takes a string as markup.
/// </summary>
internal readonly struct Html
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
