using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OneGo.Catalogue;

/// <summary>
/// The canonical bytes of an effective bundle: UTF-8 with Chinese unescaped, properties in a fixed order
/// (written here one by one, never by reflection), collections with codes sorted by code, unordered sets
/// (channels, deliveries, rule items) sorted, optional values left out when absent, no whitespace.
/// Scenarios, options, rules, conditions, review steps and the lineage keep their authored order: it is
/// content (the order questions are asked, the order of a procedure). The same content gives the same
/// bytes, and <see cref="ETag"/> is their hash.
/// </summary>
public static class CanonicalJson
{
    public static byte[] Serialize(EffectiveBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
        {
            WriteBundle(w, bundle);
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A strong ETag (quoted) from the SHA-256 of the bytes sent.</summary>
    public static string ETag(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return "\"" + Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
    }

    public static string ETag(EffectiveBundle bundle) => ETag(Serialize(bundle));

    private static void WriteBundle(Utf8JsonWriter w, EffectiveBundle b)
    {
        w.WriteStartObject();
        w.WriteString("code", b.Code);
        WriteText(w, "name", b.Name);
        w.WriteString("audience", CatalogueJson.Name(b.Audience));
        w.WriteString("theme", CatalogueJson.Name(b.Theme));
        w.WriteString("leadDepartment", b.LeadDepartment);
        w.WriteStartArray("lineage");
        foreach (var t in b.Lineage)
        {
            w.WriteStartObject();
            w.WriteString("tenant", t.Tenant);
            w.WriteString("code", t.Code);
            w.WriteNumber("version", t.Version);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("promisedDays", b.PromisedDays);
        WriteEnums(w, "channels", b.Channels);
        WriteEnums(w, "resultDelivery", b.ResultDelivery);
        if (b.ServiceLocation is { } where)
        {
            w.WriteStartObject("serviceLocation");
            WriteText(w, "address", where.Address);
            WriteText(w, "hours", where.Hours);
            if (where.Contact is not null) w.WriteString("contact", where.Contact);
            w.WriteEndObject();
        }
        WriteText(w, "guideText", b.GuideText);
        WriteStrings(w, "keywords", b.Keywords, sort: true);
        w.WriteStartObject("reductions");
        WriteFigures(w, "before", b.Reductions.Before);
        WriteFigures(w, "after", b.Reductions.After);
        w.WriteEndObject();

        w.WriteStartArray("steps");
        foreach (var s in InOrder(b.Steps, static s => s.Code))
        {
            w.WriteStartObject();
            w.WriteString("code", s.Code);
            WriteStrings(w, "after", s.After, sort: true);
            w.WriteBoolean("optional", s.Optional);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("matters");
        foreach (var m in InOrder(b.Matters, static m => m.Code)) WriteMatter(w, m);
        w.WriteEndArray();

        w.WriteStartArray("form");
        foreach (var f in InOrder(b.Form, static f => f.Code))
        {
            w.WriteStartObject();
            w.WriteString("code", f.Code);
            WriteText(w, "label", f.Label);
            w.WriteString("type", CatalogueJson.Name(f.Type));
            WriteStrings(w, "feeds", f.Feeds, sort: true);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("materials");
        foreach (var m in InOrder(b.Materials, static m => m.Code))
        {
            w.WriteStartObject();
            w.WriteString("code", m.Code);
            WriteText(w, "name", m.Name);
            w.WriteString("kind", CatalogueJson.Name(m.Kind));
            WriteSource(w, m.Source);
            w.WriteBoolean("mayFollowLater", m.MayFollowLater);
            w.WriteStartArray("uses");
            foreach (var u in InOrder(m.Uses, static u => u.Matter))
            {
                w.WriteStartObject();
                w.WriteString("matter", u.Matter);
                WriteSource(w, u.Source);
                w.WriteBoolean("mayFollowLater", u.MayFollowLater);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("scenarios");
        foreach (var q in b.Scenarios)
        {
            w.WriteStartObject();
            w.WriteString("id", q.Id);
            WriteText(w, "text", q.Text);
            w.WriteBoolean("required", q.Required);
            w.WriteStartArray("options");
            foreach (var o in q.Options)
            {
                w.WriteStartObject();
                w.WriteString("id", o.Id);
                WriteText(w, "label", o.Label);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("rules");
        foreach (var r in b.Rules)
        {
            w.WriteStartObject();
            if (r.Id is not null) w.WriteString("id", r.Id);
            w.WriteStartObject("when");
            w.WriteString("question", r.When.Question);
            w.WriteString("option", r.When.Option);
            w.WriteEndObject();
            WriteItems(w, "include", r.Include);
            WriteItems(w, "exclude", r.Exclude);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMatter(Utf8JsonWriter w, Matter m)
    {
        w.WriteStartObject();
        w.WriteString("code", m.Code);
        if (m.BasicCode is not null) w.WriteString("basicCode", m.BasicCode);
        if (m.ImplementationCode is not null) w.WriteString("implementationCode", m.ImplementationCode);
        if (m.IllustrativeCodes) w.WriteBoolean("illustrativeCodes", true);
        WriteText(w, "name", m.Name);
        if (m.Department is not null) w.WriteString("department", m.Department);
        if (m.Kind is { } kind) w.WriteString("kind", CatalogueJson.Name(kind));
        WriteTexts(w, "conditions", m.Conditions);
        WriteEnums(w, "channels", m.Channels);
        WriteText(w, "acceptance", m.Acceptance);
        WriteTexts(w, "reviewSteps", m.ReviewSteps);
        if (m.StatutoryDays is { } statutory) w.WriteNumber("statutoryDays", statutory);
        if (m.PromisedDays is { } promised) w.WriteNumber("promisedDays", promised);
        WriteEnums(w, "resultDelivery", m.ResultDelivery);
        WriteText(w, "fees", m.Fees);
        WriteTexts(w, "legalBasis", m.LegalBasis);
        w.WriteNumber("tripsAlone", m.TripsAlone);
        if (m.Illustrative.Count > 0)
        {
            w.WriteStartArray("illustrative");
            foreach (var field in m.Illustrative) w.WriteStringValue(field);
            w.WriteEndArray();
        }
        w.WriteStartArray("materials");
        foreach (var material in InOrder(m.Materials, static x => x.Code))
        {
            w.WriteStartObject();
            w.WriteString("code", material.Code);
            WriteText(w, "name", material.Name);
            w.WriteString("kind", CatalogueJson.Name(material.Kind));
            WriteSource(w, material.Source);
            w.WriteBoolean("mayFollowLater", material.MayFollowLater);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("formFields");
        foreach (var f in InOrder(m.FormFields, static x => x.Code))
        {
            w.WriteStartObject();
            w.WriteString("code", f.Code);
            WriteText(w, "label", f.Label);
            w.WriteString("type", CatalogueJson.Name(f.Type));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (m.Provenance is not null) w.WriteString("provenance", m.Provenance);
        w.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter w, MaterialSource s)
    {
        w.WriteStartObject("source");
        w.WriteString("kind", CatalogueJson.Name(s.Kind));
        if (s.Department is not null) w.WriteString("department", s.Department);
        if (s.Dataset is not null) w.WriteString("dataset", s.Dataset);
        if (s.Matter is not null) w.WriteString("matter", s.Matter);
        w.WriteEndObject();
    }

    private static void WriteItems(Utf8JsonWriter w, string name, RuleItems items)
    {
        w.WriteStartObject(name);
        WriteStrings(w, "matters", items.Matters, sort: true);
        WriteStrings(w, "materials", items.Materials, sort: true);
        WriteStrings(w, "formFields", items.FormFields, sort: true);
        w.WriteEndObject();
    }

    private static void WriteFigures(Utf8JsonWriter w, string name, ReductionFigures f)
    {
        w.WriteStartObject(name);
        w.WriteNumber("steps", f.Steps);
        w.WriteNumber("days", f.Days);
        w.WriteNumber("materials", f.Materials);
        w.WriteNumber("trips", f.Trips);
        w.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter w, string name, Text? text)
    {
        if (text is null) return;
        w.WriteStartObject(name);
        w.WriteString("zh", text.Zh);
        if (text.En is not null) w.WriteString("en", text.En);
        w.WriteEndObject();
    }

    private static void WriteTexts(Utf8JsonWriter w, string name, IReadOnlyList<Text> texts)
    {
        w.WriteStartArray(name);
        foreach (var text in texts)
        {
            w.WriteStartObject();
            w.WriteString("zh", text.Zh);
            if (text.En is not null) w.WriteString("en", text.En);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values, bool sort)
    {
        w.WriteStartArray(name);
        foreach (var v in sort ? InOrder(values, static s => s) : values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>Sorted and distinct, by value.</summary>
    private static void WriteEnums<TEnum>(Utf8JsonWriter w, string name, IReadOnlyList<TEnum> values) where TEnum : struct, Enum
    {
        w.WriteStartArray(name);
        foreach (var v in values.Distinct().Order()) w.WriteStringValue(CatalogueJson.Name(v));
        w.WriteEndArray();
    }

    /// <summary>The items in ordinal order of their keys; equal keys keep their order.</summary>
    private static IEnumerable<T> InOrder<T>(IReadOnlyList<T> items, Func<T, string> key) =>
        items.OrderBy(key, StringComparer.Ordinal);
}
