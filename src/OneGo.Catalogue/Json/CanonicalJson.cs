using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
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
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        // The structure is fixed by the code below (and its tests), so the writer need not check it on every token.
        SkipValidation = true,
    };

    // A bundle's bytes run to tens of kilobytes: one buffer and writer per thread, kept between calls, spare
    // growing a fresh buffer (past the large-object threshold) for every bundle; only the result is allocated.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    private const int KeptBufferBytes = 1024 * 1024;

    public static byte[] Serialize(EffectiveBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        try
        {
            WriteBundle(w, bundle);
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            w.Reset();
            if (buffer.Capacity > KeptBufferBytes) (t_buffer, t_writer) = (null, null);
        }
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
        w.WriteString(Property.Code, b.Code);
        WriteText(w, Property.Name, b.Name);
        w.WriteString(Property.Audience, Encoded(b.Audience));
        w.WriteString(Property.Theme, Encoded(b.Theme));
        w.WriteString(Property.LeadDepartment, b.LeadDepartment);
        w.WriteStartArray(Property.Lineage);
        foreach (var t in b.Lineage)
        {
            w.WriteStartObject();
            w.WriteString(Property.Tenant, t.Tenant);
            w.WriteString(Property.Code, t.Code);
            w.WriteNumber(Property.Version, t.Version);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber(Property.PromisedDays, b.PromisedDays);
        WriteEnums(w, Property.Channels, b.Channels);
        WriteEnums(w, Property.ResultDelivery, b.ResultDelivery);
        if (b.ServiceLocation is { } where)
        {
            w.WriteStartObject(Property.ServiceLocation);
            WriteText(w, Property.Address, where.Address);
            WriteText(w, Property.Hours, where.Hours);
            if (where.Contact is not null) w.WriteString(Property.Contact, where.Contact);
            w.WriteEndObject();
        }
        WriteText(w, Property.GuideText, b.GuideText);
        WriteStrings(w, Property.Keywords, b.Keywords, sort: true);
        w.WriteStartObject(Property.Reductions);
        WriteFigures(w, Property.Before, b.Reductions.Before);
        WriteFigures(w, Property.After, b.Reductions.After);
        w.WriteEndObject();

        w.WriteStartArray(Property.Steps);
        foreach (var s in new InOrder<EffectiveStep>(b.Steps, static s => s.Code))
        {
            w.WriteStartObject();
            w.WriteString(Property.Code, s.Code);
            WriteStrings(w, Property.After, s.After, sort: true);
            w.WriteBoolean(Property.Optional, s.Optional);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray(Property.Matters);
        foreach (var m in new InOrder<Matter>(b.Matters, static m => m.Code)) WriteMatter(w, m);
        w.WriteEndArray();

        w.WriteStartArray(Property.Form);
        foreach (var f in new InOrder<MergedField>(b.Form, static f => f.Code))
        {
            w.WriteStartObject();
            w.WriteString(Property.Code, f.Code);
            WriteText(w, Property.Label, f.Label);
            w.WriteString(Property.Type, Encoded(f.Type));
            WriteStrings(w, Property.Feeds, f.Feeds, sort: true);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray(Property.Materials);
        foreach (var m in new InOrder<MergedMaterial>(b.Materials, static m => m.Code))
        {
            w.WriteStartObject();
            w.WriteString(Property.Code, m.Code);
            WriteText(w, Property.Name, m.Name);
            w.WriteString(Property.Kind, Encoded(m.Kind));
            WriteSource(w, m.Source);
            w.WriteBoolean(Property.MayFollowLater, m.MayFollowLater);
            w.WriteStartArray(Property.Uses);
            foreach (var u in new InOrder<MaterialUse>(m.Uses, static u => u.Matter))
            {
                w.WriteStartObject();
                w.WriteString(Property.Matter, u.Matter);
                WriteSource(w, u.Source);
                w.WriteBoolean(Property.MayFollowLater, u.MayFollowLater);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray(Property.Scenarios);
        foreach (var q in b.Scenarios)
        {
            w.WriteStartObject();
            w.WriteString(Property.Id, q.Id);
            WriteText(w, Property.Text, q.Text);
            w.WriteBoolean(Property.Required, q.Required);
            w.WriteStartArray(Property.Options);
            foreach (var o in q.Options)
            {
                w.WriteStartObject();
                w.WriteString(Property.Id, o.Id);
                WriteText(w, Property.Label, o.Label);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray(Property.Rules);
        foreach (var r in b.Rules)
        {
            w.WriteStartObject();
            if (r.Id is not null) w.WriteString(Property.Id, r.Id);
            w.WriteStartObject(Property.When);
            w.WriteString(Property.Question, r.When.Question);
            w.WriteString(Property.Option, r.When.Option);
            w.WriteEndObject();
            WriteItems(w, Property.Include, r.Include);
            WriteItems(w, Property.Exclude, r.Exclude);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMatter(Utf8JsonWriter w, Matter m)
    {
        w.WriteStartObject();
        w.WriteString(Property.Code, m.Code);
        if (m.BasicCode is not null) w.WriteString(Property.BasicCode, m.BasicCode);
        if (m.ImplementationCode is not null) w.WriteString(Property.ImplementationCode, m.ImplementationCode);
        if (m.IllustrativeCodes) w.WriteBoolean(Property.IllustrativeCodes, true);
        WriteText(w, Property.Name, m.Name);
        if (m.Department is not null) w.WriteString(Property.Department, m.Department);
        if (m.Kind is { } kind) w.WriteString(Property.Kind, Encoded(kind));
        WriteTexts(w, Property.Conditions, m.Conditions);
        WriteEnums(w, Property.Channels, m.Channels);
        WriteText(w, Property.Acceptance, m.Acceptance);
        WriteTexts(w, Property.ReviewSteps, m.ReviewSteps);
        if (m.StatutoryDays is { } statutory) w.WriteNumber(Property.StatutoryDays, statutory);
        if (m.PromisedDays is { } promised) w.WriteNumber(Property.PromisedDays, promised);
        WriteEnums(w, Property.ResultDelivery, m.ResultDelivery);
        WriteText(w, Property.Fees, m.Fees);
        WriteTexts(w, Property.LegalBasis, m.LegalBasis);
        w.WriteNumber(Property.TripsAlone, m.TripsAlone);
        w.WriteStartArray(Property.Materials);
        foreach (var material in new InOrder<Material>(m.Materials, static x => x.Code))
        {
            w.WriteStartObject();
            w.WriteString(Property.Code, material.Code);
            WriteText(w, Property.Name, material.Name);
            w.WriteString(Property.Kind, Encoded(material.Kind));
            WriteSource(w, material.Source);
            w.WriteBoolean(Property.MayFollowLater, material.MayFollowLater);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray(Property.FormFields);
        foreach (var f in new InOrder<FormField>(m.FormFields, static x => x.Code))
        {
            w.WriteStartObject();
            w.WriteString(Property.Code, f.Code);
            WriteText(w, Property.Label, f.Label);
            w.WriteString(Property.Type, Encoded(f.Type));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (m.Provenance is not null) w.WriteString(Property.Provenance, m.Provenance);
        w.WriteEndObject();
    }

    private static void WriteSource(Utf8JsonWriter w, MaterialSource s)
    {
        w.WriteStartObject(Property.Source);
        w.WriteString(Property.Kind, Encoded(s.Kind));
        if (s.Department is not null) w.WriteString(Property.Department, s.Department);
        if (s.Dataset is not null) w.WriteString(Property.Dataset, s.Dataset);
        if (s.Matter is not null) w.WriteString(Property.Matter, s.Matter);
        w.WriteEndObject();
    }

    private static void WriteItems(Utf8JsonWriter w, JsonEncodedText name, RuleItems items)
    {
        w.WriteStartObject(name);
        WriteStrings(w, Property.Matters, items.Matters, sort: true);
        WriteStrings(w, Property.Materials, items.Materials, sort: true);
        WriteStrings(w, Property.FormFields, items.FormFields, sort: true);
        w.WriteEndObject();
    }

    private static void WriteFigures(Utf8JsonWriter w, JsonEncodedText name, ReductionFigures f)
    {
        w.WriteStartObject(name);
        w.WriteNumber(Property.Steps, f.Steps);
        w.WriteNumber(Property.Days, f.Days);
        w.WriteNumber(Property.Materials, f.Materials);
        w.WriteNumber(Property.Trips, f.Trips);
        w.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter w, JsonEncodedText name, Text? text)
    {
        if (text is null) return;
        w.WriteStartObject(name);
        w.WriteString(Property.Zh, text.Zh);
        if (text.En is not null) w.WriteString(Property.En, text.En);
        w.WriteEndObject();
    }

    private static void WriteTexts(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<Text> texts)
    {
        w.WriteStartArray(name);
        foreach (var text in texts)
        {
            w.WriteStartObject();
            w.WriteString(Property.Zh, text.Zh);
            if (text.En is not null) w.WriteString(Property.En, text.En);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<string> values, bool sort)
    {
        w.WriteStartArray(name);
        if (sort)
        {
            foreach (var v in new InOrder<string>(values, static s => s)) w.WriteStringValue(v);
        }
        else
        {
            foreach (var v in values) w.WriteStringValue(v);
        }
        w.WriteEndArray();
    }

    private static void WriteEnums<TEnum>(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<TEnum> values) where TEnum : struct, Enum
    {
        w.WriteStartArray(name);
        // Sorted and distinct: the values are small, so a bit per value orders them without a copy.
        var present = 0UL;
        foreach (var v in values)
        {
            var bit = Unsafe.As<TEnum, int>(ref Unsafe.AsRef(in v));
            if (bit is < 0 or > 63)
            {
                present = ulong.MaxValue;
                break;
            }
            present |= 1UL << bit;
        }
        if (present == ulong.MaxValue)
        {
            foreach (var v in BundleResolver.SortedDistinct(values)) w.WriteStringValue(Encoded(v));
        }
        else
        {
            for (; present != 0; present &= present - 1)
            {
                var value = BitOperations.TrailingZeroCount(present);
                w.WriteStringValue(Encoded(Unsafe.As<int, TEnum>(ref value)));
            }
        }
        w.WriteEndArray();
    }

    private static JsonEncodedText Encoded<TEnum>(TEnum value) where TEnum : struct, Enum => EncodedNames<TEnum>.Of(value);

    /// <summary>The JSON names of an enumeration's values (<see cref="CatalogueJson.Name"/>), encoded once.</summary>
    private static class EncodedNames<TEnum> where TEnum : struct, Enum
    {
        private static readonly Dictionary<TEnum, JsonEncodedText> Names =
            Enum.GetValues<TEnum>().Distinct().ToDictionary(v => v, v => JsonEncodedText.Encode(CatalogueJson.Name(v), JavaScriptEncoder.UnsafeRelaxedJsonEscaping));

        public static JsonEncodedText Of(TEnum value) =>
            Names.TryGetValue(value, out var name) ? name : JsonEncodedText.Encode(CatalogueJson.Name(value), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    /// <summary>
    /// Items in ordinal order of their keys, without copying them: an already sorted list as it is, otherwise
    /// the order of its indices in a rented array. Few items are sorted by insertion, which keeps equal keys
    /// in their order.
    /// </summary>
    private ref struct InOrder<T>
    {
        private const int FewItems = 64;
        private readonly IReadOnlyList<T> _items;
        private readonly int[]? _order;
        private readonly int _count;
        private int _at;

        public InOrder(IReadOnlyList<T> items, Func<T, string> key)
        {
            _items = items;
            _count = items.Count;
            _at = -1;
            var sorted = true;
            for (var i = 1; sorted && i < _count; i++) sorted = string.CompareOrdinal(key(items[i - 1]), key(items[i])) <= 0;
            if (sorted) return;
            var order = _order = ArrayPool<int>.Shared.Rent(_count);
            for (var i = 0; i < _count; i++) order[i] = i;
            if (_count > FewItems)
            {
                order.AsSpan(0, _count).Sort((a, b) => string.CompareOrdinal(key(items[a]), key(items[b])) is var c && c != 0 ? c : a.CompareTo(b));
                return;
            }
            for (var j = 1; j < _count; j++)
            {
                var index = order[j];
                var code = key(items[index]);
                var k = j - 1;
                while (k >= 0 && string.CompareOrdinal(key(items[order[k]]), code) > 0)
                {
                    order[k + 1] = order[k];
                    k--;
                }
                order[k + 1] = index;
            }
        }

        public readonly T Current => _items[_order is null ? _at : _order[_at]];

        public bool MoveNext() => ++_at < _count;

        public readonly InOrder<T> GetEnumerator() => this;

        public readonly void Dispose()
        {
            if (_order is not null) ArrayPool<int>.Shared.Return(_order);
        }
    }

    /// <summary>The property names, encoded once.</summary>
    private static class Property
    {
        public static readonly JsonEncodedText Acceptance = JsonEncodedText.Encode("acceptance");
        public static readonly JsonEncodedText Address = JsonEncodedText.Encode("address");
        public static readonly JsonEncodedText After = JsonEncodedText.Encode("after");
        public static readonly JsonEncodedText Audience = JsonEncodedText.Encode("audience");
        public static readonly JsonEncodedText BasicCode = JsonEncodedText.Encode("basicCode");
        public static readonly JsonEncodedText Before = JsonEncodedText.Encode("before");
        public static readonly JsonEncodedText Channels = JsonEncodedText.Encode("channels");
        public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
        public static readonly JsonEncodedText Conditions = JsonEncodedText.Encode("conditions");
        public static readonly JsonEncodedText Contact = JsonEncodedText.Encode("contact");
        public static readonly JsonEncodedText Dataset = JsonEncodedText.Encode("dataset");
        public static readonly JsonEncodedText Days = JsonEncodedText.Encode("days");
        public static readonly JsonEncodedText Department = JsonEncodedText.Encode("department");
        public static readonly JsonEncodedText En = JsonEncodedText.Encode("en");
        public static readonly JsonEncodedText Exclude = JsonEncodedText.Encode("exclude");
        public static readonly JsonEncodedText Feeds = JsonEncodedText.Encode("feeds");
        public static readonly JsonEncodedText Fees = JsonEncodedText.Encode("fees");
        public static readonly JsonEncodedText Form = JsonEncodedText.Encode("form");
        public static readonly JsonEncodedText FormFields = JsonEncodedText.Encode("formFields");
        public static readonly JsonEncodedText GuideText = JsonEncodedText.Encode("guideText");
        public static readonly JsonEncodedText Hours = JsonEncodedText.Encode("hours");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText IllustrativeCodes = JsonEncodedText.Encode("illustrativeCodes");
        public static readonly JsonEncodedText ImplementationCode = JsonEncodedText.Encode("implementationCode");
        public static readonly JsonEncodedText Include = JsonEncodedText.Encode("include");
        public static readonly JsonEncodedText Keywords = JsonEncodedText.Encode("keywords");
        public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public static readonly JsonEncodedText Label = JsonEncodedText.Encode("label");
        public static readonly JsonEncodedText LeadDepartment = JsonEncodedText.Encode("leadDepartment");
        public static readonly JsonEncodedText LegalBasis = JsonEncodedText.Encode("legalBasis");
        public static readonly JsonEncodedText Lineage = JsonEncodedText.Encode("lineage");
        public static readonly JsonEncodedText Materials = JsonEncodedText.Encode("materials");
        public static readonly JsonEncodedText Matter = JsonEncodedText.Encode("matter");
        public static readonly JsonEncodedText Matters = JsonEncodedText.Encode("matters");
        public static readonly JsonEncodedText MayFollowLater = JsonEncodedText.Encode("mayFollowLater");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Option = JsonEncodedText.Encode("option");
        public static readonly JsonEncodedText Optional = JsonEncodedText.Encode("optional");
        public static readonly JsonEncodedText Options = JsonEncodedText.Encode("options");
        public static readonly JsonEncodedText PromisedDays = JsonEncodedText.Encode("promisedDays");
        public static readonly JsonEncodedText Provenance = JsonEncodedText.Encode("provenance");
        public static readonly JsonEncodedText Question = JsonEncodedText.Encode("question");
        public static readonly JsonEncodedText Reductions = JsonEncodedText.Encode("reductions");
        public static readonly JsonEncodedText Required = JsonEncodedText.Encode("required");
        public static readonly JsonEncodedText ResultDelivery = JsonEncodedText.Encode("resultDelivery");
        public static readonly JsonEncodedText ReviewSteps = JsonEncodedText.Encode("reviewSteps");
        public static readonly JsonEncodedText Rules = JsonEncodedText.Encode("rules");
        public static readonly JsonEncodedText Scenarios = JsonEncodedText.Encode("scenarios");
        public static readonly JsonEncodedText ServiceLocation = JsonEncodedText.Encode("serviceLocation");
        public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
        public static readonly JsonEncodedText StatutoryDays = JsonEncodedText.Encode("statutoryDays");
        public static readonly JsonEncodedText Steps = JsonEncodedText.Encode("steps");
        public static readonly JsonEncodedText Tenant = JsonEncodedText.Encode("tenant");
        public static readonly JsonEncodedText Text = JsonEncodedText.Encode("text");
        public static readonly JsonEncodedText Theme = JsonEncodedText.Encode("theme");
        public static readonly JsonEncodedText Trips = JsonEncodedText.Encode("trips");
        public static readonly JsonEncodedText TripsAlone = JsonEncodedText.Encode("tripsAlone");
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText Uses = JsonEncodedText.Encode("uses");
        public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
        public static readonly JsonEncodedText When = JsonEncodedText.Encode("when");
        public static readonly JsonEncodedText Zh = JsonEncodedText.Encode("zh");
    }
}
