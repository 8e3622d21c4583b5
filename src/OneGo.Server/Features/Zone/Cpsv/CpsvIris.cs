using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OneGo.Catalogue;

namespace OneGo.Server.Features.Zone.Cpsv;

/// <summary>
/// The IRI of every node of the CPSV-AP export, under the deployment's base URI (<c>Zone:Cpsv:BaseUri</c>). Each is
/// made of what does not change while the thing stays the same — a region's id, a bundle's and a matter's code, a
/// department's name, the hash of a condition's or a legal basis' Chinese text — and never of a version, a
/// publication or a position in a list, so a reader merging pages or later exports sees one node per thing.
/// </summary>
internal sealed class CpsvIris
{
    public CpsvIris(Uri baseUri)
    {
        var text = baseUri.AbsoluteUri;
        Base = text.EndsWith('/') ? text : text + "/";
    }

    /// <summary>Ends with <c>/</c>.</summary>
    public string Base { get; }

    public string Region(string tenant) => $"{Base}regions/{Segment(tenant)}";

    public string Bundle(string tenant, string code) => $"{Region(tenant)}/bundles/{Segment(code)}";

    /// <summary>A matter as one bundle embeds it: two bundles of a region may embed different revisions of it.</summary>
    public static string Matter(string bundle, string code) => $"{bundle}/matters/{Segment(code)}";

    /// <summary>A department of a region, by its name (OneGo knows departments by name only).</summary>
    public string Organisation(string tenant, string name) => $"{Region(tenant)}/organisations/{Segment(name)}";

    /// <summary>A life-cycle theme as a life event (citizens) or a business event (enterprises): one node nationally.</summary>
    public string Event(Audience audience, LifeTheme theme) =>
        $"{Base}{(audience == Audience.Personal ? "life-events" : "business-events")}/{Notation(theme)}";

    public string Scheme(string scheme) => $"{Base}concepts/{scheme}";

    public string Concept<TEnum>(string scheme, TEnum value) where TEnum : struct, Enum => $"{Scheme(scheme)}/{Notation(value)}";

    /// <summary>A node named by its text (a condition, a legal basis): the first 12 hex digits of the SHA-256 of its Chinese.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>An enumeration value as the API writes it (camelCase).</summary>
    public static string Notation<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
