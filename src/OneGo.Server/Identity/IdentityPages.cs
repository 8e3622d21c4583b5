using System.Text;
using Microsoft.AspNetCore.Components;
using OneGo.Server.Pages;
using QRCoder;

namespace OneGo.Server.Identity;

/// <summary>
/// The frame of the sign-in, second-factor and password pages: the site's layout in the visitor's language, no script,
/// no framing (frame-ancestors 'none' against clickjacking), never stored by a browser or proxy. The pages are Razor
/// components (Pages/Identity); the sentences their endpoints pass them (why a try failed) are this class's resources,
/// Resources/Identity/IdentityPages.resx and its English.
/// </summary>
internal sealed class IdentityPages
{
    private IdentityPages()
    {
    }

    /// <summary>A sign-in or password page rendered from its component <typeparamref name="TPage"/>, never stored.</summary>
    public static IResult Show<TPage>(PageRequest page, object parameters, int statusCode = StatusCodes.Status200OK)
        where TPage : IComponent => PageResult.Of<TPage>(page, parameters, statusCode, noStore: true);

    /// <summary>
    /// A QR code of <paramref name="text"/> drawn as inline SVG from QRCoder's module matrix: part of the page itself, so
    /// the content security policy (no images from elsewhere, no data: addresses) need not bend for it.
    /// </summary>
    public static Html QrCode(string text, string label)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        var size = modules.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (modules[y][x])
                {
                    path.Append('M').Append(x).Append(' ').Append(y).Append("h1v1h-1z");
                }
            }
        }

        var box = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Html.Of($"""<svg class="qr" role="img" aria-label="{label}" viewBox="0 0 {box} {box}" width="220" height="220" shape-rendering="crispEdges"><rect width="{box}" height="{box}" fill="#fff"/><path d="{path.ToString()}" fill="#000"/></svg>""");
    }
}
