using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace OneGo.Server.Pages;

/// <summary>
/// The pages' one stylesheet, <c>wwwroot/css/onego.css</c>, served by the static-file middleware. Its address
/// carries a hash of its content, so a browser may keep it for a year and still sees a new one on the first page
/// after a deployment changes it.
/// </summary>
internal sealed class PageAssets(IWebHostEnvironment environment)
{
    public const string StylesheetPath = "/css/onego.css";
    private const string VersionParameter = "v";

    private readonly Lazy<string> _stylesheetHref = new(() => Versioned(environment, StylesheetPath));

    public string StylesheetHref => _stylesheetHref.Value;

    private static string Versioned(IWebHostEnvironment environment, string path)
    {
        var file = environment.WebRootFileProvider.GetFileInfo(path.TrimStart('/'));
        if (!file.Exists)
        {
            return path;
        }

        using var content = file.CreateReadStream();
        return $"{path}?{VersionParameter}={Convert.ToHexStringLower(SHA256.HashData(content))[..12]}";
    }

    /// <summary>A versioned address never changes its content; any other is checked with the server each time.</summary>
    public static void CacheHeaders(StaticFileResponseContext context)
    {
        var headers = context.Context.Response.Headers;
        headers.CacheControl = context.Context.Request.Query.ContainsKey(VersionParameter)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
    }
}
