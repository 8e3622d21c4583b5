using System.Text.Json.Nodes;
using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Features.Zone.Cpsv;

/// <summary>
/// A published bundle described in CPSV-AP 3.2.0 as one JSON-LD node: a <c>cpsv:PublicService</c> grouped by the
/// life event (citizens) or business event (enterprises) of its theme, with its matters as related services and
/// everything it refers to embedded, so that one item stands on its own (a publication read as JSON-LD) and a page
/// of items merges into one graph. Keys are the terms of the CPSV-AP context; a property that context has no term
/// for is written as its full IRI. A pure function of the bundle, its region and the base URI.
/// </summary>
internal sealed class CpsvDescription(CpsvIris iris)
{
    /// <summary>The CPSV-AP 3.2.0 JSON-LD context, the export's only <c>@context</c> (a copy is in <c>standards/cpsv-ap-3.2.0/</c>).</summary>
    public const string Context = "https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld";

    private const string Skos = "http://www.w3.org/2004/02/skos/core#";
    private const string PrefLabel = Skos + "prefLabel";
    private const string InScheme = Skos + "inScheme";
    private const string Notation = Skos + "notation";
    private const string Note = Skos + "note";
    private const string Title = "http://purl.org/dc/terms/title";
    private const string Identifier = "http://purl.org/dc/terms/identifier";
    private const string GeographicName = "http://www.w3.org/ns/locn#geographicName";
    private const string Address = "http://www.w3.org/ns/locn#address";
    private const string AdmsIdentifier = "http://www.w3.org/ns/adms#identifier";
    private const string AdmsIdentifierClass = "http://www.w3.org/ns/adms#Identifier";
    private const string SchemaAgency = "http://www.w3.org/ns/adms#schemaAgency";

    // The EU's authority tables name currencies and languages; OneGo's own concepts are under the base URI.
    private const string Yuan = "http://publications.europa.eu/resource/authority/currency/CNY";
    private const string Languages = "http://publications.europa.eu/resource/authority/language/";

    /// <summary>One bundle of <paramref name="region"/>, its departments named as <paramref name="departments"/> resolves their codes.</summary>
    public JsonObject Describe(RegionInfo region, EffectiveBundle bundle, DepartmentNames departments) => new Item(iris, region, bundle, departments).Service();

    /// <summary>One bundle's description; a node it refers to more than once is written in full the first time only.</summary>
    private sealed class Item(CpsvIris iris, RegionInfo region, EffectiveBundle bundle, DepartmentNames departments)
    {
        private readonly HashSet<string> _written = new(StringComparer.Ordinal);
        private readonly string _id = iris.Bundle(region.Id, bundle.Code);

        public JsonObject Service()
        {
            var service = Node(_id, "PublicService");
            service["PublicService.identifier"] = $"{region.Id}/{bundle.Code}";
            service["PublicService.name"] = Lang(bundle.Name);
            service["PublicService.description"] = Lang(bundle.GuideText ?? Summary());
            if (bundle.Keywords.Count > 0)
            {
                service["PublicService.keyword"] = new JsonArray(bundle.Keywords.Select(k => (JsonNode)Literal(k, IsChinese(k) ? "zh" : "en")).ToArray());
            }

            service["PublicService.addressee"] = Array(Concept("audience", bundle.Audience, bundle.Audience.ToChinese(), bundle.Audience.ToEnglish()));
            service["PublicService.thematicArea"] = Array(Theme());
            service["PublicService.isGroupedBy"] = Array(Event());
            service["PublicService.hasCompetentAuthority"] = Array(Organisation(bundle.LeadDepartment));
            service["PublicService.spatial"] = Array(Location());
            service["PublicService.language"] = LanguagesOf(bundle.Name);
            service["PublicService.processingTime"] = Duration(bundle.PromisedDays);
            service[Note] = Lang(WorkingDays(bundle.PromisedDays, statutory: null));
            if (bundle.Channels.Count > 0)
            {
                service["PublicService.hasChannel"] = new JsonArray(bundle.Channels.Select(c => (JsonNode)Channel(_id, c)).ToArray());
            }

            if (ContactPoint() is { } contact)
            {
                service["PublicService.contactPoint"] = Array(contact);
            }

            service["PublicService.hasInput"] = new JsonArray(bundle.Materials
                .Select(m => (JsonNode)Evidence($"{_id}/materials/{Uri.EscapeDataString(m.Code)}", m.Code, m.Name, m.Kind, m.Source, m.MayFollowLater)).ToArray());
            // The bundle's costs are its matters' (each written in full under its matter): OneGo holds no fee of its own for a bundle.
            service["PublicService.hasCost"] = new JsonArray(bundle.Matters.Select(m => (JsonNode)Ref(CostOf(m))).ToArray());
            service["PublicService.relatedService"] = new JsonArray(bundle.Matters.Select(m => (JsonNode)Matter(m)).ToArray());
            return service;
        }

        private JsonObject Matter(Matter matter)
        {
            var id = CpsvIris.Matter(_id, matter.Code);
            var step = bundle.Steps.FirstOrDefault(s => s.Code == matter.Code);
            var node = Node(id, "PublicService");
            // The region's implementation code names this implementation; the basic code the national matter it claims.
            node["PublicService.identifier"] = matter.ImplementationCode ?? matter.BasicCode ?? matter.Code;
            if (NationalCodes(id, matter) is { Count: > 0 } codes)
            {
                node[AdmsIdentifier] = codes;
            }

            node["PublicService.name"] = Lang(matter.Name);
            var department = matter.Department ?? bundle.LeadDepartment;
            node["PublicService.description"] = Lang(Describe(matter.Kind, departments.Of(department), step?.Optional == true));
            if (matter.Kind is { } kind)
            {
                node["PublicService.isClassifiedBy"] = Array(Concept("matter-kind", kind, kind.ToChinese(), kind.ToEnglish()));
            }

            node["PublicService.hasCompetentAuthority"] = Array(Organisation(department));
            node["PublicService.spatial"] = Array(Location());
            node["PublicService.language"] = LanguagesOf(matter.Name);
            if (matter.PromisedDays is { } days)
            {
                node["PublicService.processingTime"] = Duration(days);
                node[Note] = Lang(WorkingDays(days, matter.StatutoryDays));
            }

            if (matter.Channels.Count > 0)
            {
                node["PublicService.hasChannel"] = new JsonArray(matter.Channels.Select(c => (JsonNode)Channel(id, c)).ToArray());
            }

            if (matter.Conditions.Count > 0)
            {
                node["PublicService.holdsRequirement"] = new JsonArray(matter.Conditions.DistinctBy(c => c.Zh).Select(c =>
                {
                    var hash = CpsvIris.Hash(c.Zh);
                    var requirement = Node($"{id}/requirements/{hash}", "Requirement");
                    requirement["Requirement.identifier"] = $"{matter.Code}/{hash}";
                    requirement["Requirement.name"] = Lang(c);
                    return (JsonNode)requirement;
                }).ToArray());
            }

            if (matter.Materials.Count > 0)
            {
                node["PublicService.hasInput"] = new JsonArray(matter.Materials
                    .Select(m => (JsonNode)Evidence($"{id}/materials/{Uri.EscapeDataString(m.Code)}", m.Code, m.Name, m.Kind, m.Source, m.MayFollowLater)).ToArray());
            }

            if (matter.LegalBasis.Count > 0)
            {
                node["PublicService.hasLegalResource"] = new JsonArray(matter.LegalBasis.DistinctBy(l => l.Zh).Select(l =>
                {
                    var law = Node($"{id}/legal-resources/{CpsvIris.Hash(l.Zh)}", "LegalResource");
                    law[Title] = Lang(l);
                    return (JsonNode)law;
                }).ToArray());
            }

            node["PublicService.hasCost"] = Array(Cost(matter));
            if (step is { After.Count: > 0 })
            {
                // 并联/串联: a matter that waits for others requires them.
                node["PublicService.requires"] = new JsonArray(step.After.Select(a => (JsonNode)Ref(CpsvIris.Matter(_id, a))).ToArray());
            }

            return node;
        }

        /// <summary>事项基本编码 and 实施编码 as identifiers of their schemes; made-up ones say that they are.</summary>
        private static JsonArray NationalCodes(string matter, Matter definition)
        {
            var codes = new JsonArray();
            void Add(string kind, string? code, Text scheme)
            {
                if (code is null)
                {
                    return;
                }

                var identifier = Node($"{matter}/identifiers/{kind}", AdmsIdentifierClass);
                identifier[Notation] = code;
                identifier[SchemaAgency] = Lang(scheme);
                if (definition.IllustrativeCodes)
                {
                    identifier[Note] = Lang(Text.Of("示例编码：并非国家政务服务平台公布的编码。", "Illustrative: not a code published by the national government service platform."));
                }

                codes.Add(identifier);
            }

            Add("basic-code", definition.BasicCode, Text.Of("国家政务服务事项基本目录（事项基本编码）", "National basic catalogue of government service matters (basic code)"));
            Add("implementation-code", definition.ImplementationCode, Text.Of("实施编码（GB/T 39554.1-2020）", "Implementation code (GB/T 39554.1-2020)"));
            return codes;
        }

        private string CostOf(Matter matter) => CpsvIris.Matter(_id, matter.Code) + "/cost";

        /// <summary>收费标准: no fees stated means free of charge, 0 yuan; a stated fee is its text (OneGo holds no amounts).</summary>
        private JsonObject Cost(Matter matter)
        {
            var cost = Node(CostOf(matter), "Cost");
            cost["Cost.identifier"] = $"{matter.Code}/cost";
            if (matter.Fees is { } fees)
            {
                cost["Cost.description"] = Lang(fees);
                return cost;
            }

            cost["Cost.description"] = Lang(Text.Of("不收费", "Free of charge"));
            cost["Cost.hasValue"] = 0;
            cost["Cost.currency"] = Once(Yuan, () => Labelled(Yuan, Text.Of("人民币", "Renminbi (yuan)")));
            return cost;
        }

        private JsonObject Evidence(string id, string code, Text name, MaterialKind kind, MaterialSource source, bool mayFollowLater)
        {
            var evidence = Node(id, "Evidence");
            evidence["Evidence.identifier"] = code;
            evidence["Evidence.name"] = Lang(name);
            evidence["Evidence.description"] = Lang(Source(source, mayFollowLater));
            evidence["Evidence.type"] = Concept("material-kind", kind, kind.ToChinese(), kind.ToEnglish());
            return evidence;
        }

        private JsonObject Channel(string owner, Channel channel)
        {
            var notation = CpsvIris.Notation(channel);
            var node = Node($"{owner}/channels/{notation}", "Channel");
            node["Channel.identifier"] = notation;
            node["Channel.type"] = Concept("channel", channel, channel.ToChinese(), channel.ToEnglish());
            return node;
        }

        /// <summary>Where to go and whom to call: the bundle's service location (地址, 办公时间, 咨询电话).</summary>
        private JsonObject? ContactPoint()
        {
            if (bundle.ServiceLocation is not { } location || (location.Address is null && location.Hours is null && location.Contact is null))
            {
                return null;
            }

            var id = $"{_id}/contact-point";
            var contact = Node(id, "ContactPoint");
            if (location.Contact is { } phone)
            {
                contact["ContactPoint.hasTelephone"] = new JsonArray(phone);
            }

            if (location.Hours is { } hours)
            {
                var opening = Node($"{id}/opening-hours", "TemporalEntity");
                opening["TemporalEntity.description"] = Lang(hours);
                contact["ContactPoint.openingHours"] = Array(opening);
            }

            if (location.Address is { } address)
            {
                var place = Node($"{id}/address", "Address");
                place["Address.fullAddress"] = Lang(address);
                contact[Address] = Array(place);
            }

            return contact;
        }

        private JsonObject Event()
        {
            var personal = bundle.Audience == Audience.Personal;
            var kind = personal ? "LifeEvent" : "BusinessEvent";
            var node = Node(iris.Event(bundle.Audience, bundle.Theme), kind, "Event");
            node["Event.identifier"] = CpsvIris.Notation(bundle.Theme);
            node["Event.name"] = Lang(Text.Of(bundle.Theme.ToChinese(), bundle.Theme.ToEnglish()));
            node[kind + ".type"] = Array(Theme());
            node["Event.hasRelatedService"] = Array(Ref(_id));
            return node;
        }

        private JsonObject Theme() => Concept("life-theme", bundle.Theme, bundle.Theme.ToChinese(), bundle.Theme.ToEnglish());

        /// <summary>The department a code names from the bundle's region: its own, or the nearest region above's.</summary>
        private JsonObject Organisation(string code)
        {
            var found = departments.Reach.GetValueOrDefault(code);
            var owner = found?.RegionId ?? region.Id;
            var id = iris.Organisation(owner, code);
            return Once(id, () =>
            {
                var organisation = Node(id, "PublicOrganization");
                organisation["PublicOrganization.preferredLabel"] = Lang(departments.Of(code));
                organisation["PublicOrganization.spatial"] = Array(Ref(iris.Region(owner)));
                return organisation;
            });
        }

        private JsonObject Location()
        {
            var id = iris.Region(region.Id);
            return Once(id, () =>
            {
                var location = Node(id, "Location");
                location[Identifier] = region.DivisionCode ?? region.Id;
                location[GeographicName] = Lang(Text.Of(region.Name, region.NameEn));
                return location;
            });
        }

        private JsonArray LanguagesOf(Text text)
        {
            var languages = new JsonArray(Language("ZHO"));
            if (text.En is not null)
            {
                languages.Add(Language("ENG"));
            }

            return languages;
        }

        private JsonObject Language(string code) => Once(Languages + code, () => Node(Languages + code, "LinguisticSystem"));

        private JsonObject Concept<TEnum>(string scheme, TEnum value, string zh, string en) where TEnum : struct, Enum
        {
            var id = iris.Concept(scheme, value);
            return Once(id, () =>
            {
                var concept = Labelled(id, Text.Of(zh, en));
                concept[Notation] = CpsvIris.Notation(value);
                concept[InScheme] = Ref(iris.Scheme(scheme));
                return concept;
            });
        }

        /// <summary>A controlled-vocabulary value: typed <c>skos:Concept</c>, as the shapes require of every such value.</summary>
        private static JsonObject Labelled(string id, Text label)
        {
            var concept = Node(id, "Concept");
            concept[PrefLabel] = Lang(label);
            return concept;
        }

        private JsonObject Once(string id, Func<JsonObject> full) => _written.Add(id) ? full() : Ref(id);

        private Text Summary()
        {
            var names = bundle.Matters.Select(m => m.Name).ToList();
            var zh = $"{bundle.Name.Zh}：{names.Count}个事项一次办理——{string.Join("、", names.Select(n => n.Zh))}。";
            string? en = null;
            if (bundle.Name.En is { } name)
            {
                en = names.All(n => n.En is not null)
                    ? $"{name}: {names.Count} matters in one go — {string.Join(", ", names.Select(n => n.En))}."
                    : $"{name}: {names.Count} matters in one go.";
            }

            return Text.Of(zh, en);
        }

        private static Text Describe(MatterKind? kind, string department, bool optional)
        {
            var zh = $"{kind?.ToChinese() ?? ""}事项，由{department}实施。{(optional ? "视情形办理。" : "")}";
            var en = $"{kind?.ToEnglish() ?? "A"} matter implemented by {department}.{(optional ? " Applies in some situations only." : "")}";
            return Text.Of(zh, en);
        }

        private Text Source(MaterialSource source, bool mayFollowLater)
        {
            var (zh, en) = source.Kind switch
            {
                SourceKind.DataSharing => (
                    $"数据共享：由{departments.Of(source.Department)}提供（{source.Dataset}），申请人无需提交",
                    $"Obtained by data sharing from {departments.Of(source.Department)} ({source.Dataset}); the applicant submits nothing"),
                SourceKind.Commitment => ("告知承诺：申请人签署承诺书代替该材料", "Replaced by the applicant's signed commitment (告知承诺)"),
                SourceKind.IssuedByMatter => IssuedBy(source.Matter),
                _ => ("由申请人提交", "Submitted by the applicant"),
            };
            return mayFollowLater
                ? Text.Of($"{zh}；可容缺受理，受理后补交。", $"{en}; may be supplied after acceptance (容缺受理).")
                : Text.Of(zh + "。", en + ".");
        }

        private (string Zh, string En) IssuedBy(string? code)
        {
            var name = bundle.Matters.FirstOrDefault(m => m.Code == code)?.Name;
            return ($"由本一件事的“{name?.Zh ?? code}”事项出具", $"Issued by the matter “{name?.En ?? code}” of this bundle");
        }

        /// <summary>OneGo counts time limits in working days; xsd:duration has no such unit, so a note says what P{n}D means.</summary>
        private static Text WorkingDays(int days, int? statutory)
        {
            var zh = days == 0
                ? "办理时限 P0D 表示即办（当场办结）。"
                : $"办理时限以工作日计：P{days}D 表示 {days} 个工作日（不含法定节假日和休息日）。";
            var en = days == 0
                ? "The processing time P0D means decided on the spot."
                : $"The processing time counts working days: P{days}D means {days} working day{(days == 1 ? "" : "s")} (public holidays and rest days excluded).";
            if (statutory is { } limit)
            {
                zh += $"法定办结时限 {limit} 个工作日。";
                en += $" The statutory time limit is {limit} working day{(limit == 1 ? "" : "s")}.";
            }

            return Text.Of(zh, en);
        }

        private static string Duration(int days) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"P{days}D");

        private static bool IsChinese(string text) => text.Any(c => c is >= '\u3400' and <= '\u9fff');
    }

    private static JsonObject Node(string id, params string[] types) => new()
    {
        ["@id"] = id,
        ["@type"] = types.Length == 1 ? types[0] : new JsonArray(types.Select(t => (JsonNode)t).ToArray()),
    };

    private static JsonObject Ref(string id) => new() { ["@id"] = id };

    private static JsonArray Array(JsonNode node) => new(node);

    /// <summary>A text as language-tagged literals: Chinese (<c>zh</c>) always, English (<c>en</c>) when it has one.</summary>
    private static JsonArray Lang(Text text)
    {
        var values = new JsonArray(Literal(text.Zh, "zh"));
        if (text.En is { } en)
        {
            values.Add(Literal(en, "en"));
        }

        return values;
    }

    private static JsonObject Literal(string value, string language) => new() { ["@value"] = value, ["@language"] = language };
}
