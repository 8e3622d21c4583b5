using System.Globalization;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace OneGo.Benchmarks;

/// <summary>
/// A synthetic nation written as a <c>tenants/</c> folder, the format the server imports: national's real catalogue
/// (its tenant file, matters, calendar and the 13 standards, copied from the repository), the 31 province-level regions
/// with their real ids and GB/T 2260 codes, each with 8 standards of its own, about 10 cities each and about 9 districts
/// per city (2,844 districts at scale 1, codes that keep the prefix rule, id segments of lowercase letters). Every
/// district adopts 20 of the 21 standards in reach with 5–15 local changes each and holds 10 bundles of its own: about
/// 85,000 bundles. Deterministic: the same scale writes the same files.
/// </summary>
internal sealed class NationFolder
{
    public const int Cities = 333, Districts = 2844, ProvinceStandards = 8, OwnBundles = 10, DistrictMatters = 4;

    /// <summary>The province-level regions of the mainland (兵团 has no GB/T 2260 code and is left out here).</summary>
    private static readonly (string Id, string Code, string Name)[] Provinces =
    [
        ("beijing", "110000", "北京市"), ("tianjin", "120000", "天津市"), ("hebei", "130000", "河北省"), ("shanxi", "140000", "山西省"),
        ("neimenggu", "150000", "内蒙古自治区"), ("liaoning", "210000", "辽宁省"), ("jilin", "220000", "吉林省"), ("heilongjiang", "230000", "黑龙江省"),
        ("shanghai", "310000", "上海市"), ("jiangsu", "320000", "江苏省"), ("zhejiang", "330000", "浙江省"), ("anhui", "340000", "安徽省"),
        ("fujian", "350000", "福建省"), ("jiangxi", "360000", "江西省"), ("shandong", "370000", "山东省"), ("henan", "410000", "河南省"),
        ("hubei", "420000", "湖北省"), ("hunan", "430000", "湖南省"), ("guangdong", "440000", "广东省"), ("guangxi", "450000", "广西壮族自治区"),
        ("hainan", "460000", "海南省"), ("chongqing", "500000", "重庆市"), ("sichuan", "510000", "四川省"), ("guizhou", "520000", "贵州省"),
        ("yunnan", "530000", "云南省"), ("xizang", "540000", "西藏自治区"), ("shaanxi", "610000", "陕西省"), ("gansu", "620000", "甘肃省"),
        ("qinghai", "630000", "青海省"), ("ningxia", "640000", "宁夏回族自治区"), ("xinjiang", "650000", "新疆维吾尔自治区"),
    ];

    // The district's departments that overlays name: none of them has a demo officer, so demo mode adds no accounts for them.
    private static readonly string[] DistrictDepartments = ["market-regulation", "human-resources-social-security", "civil-affairs", "taxation"];

    /// <summary>A standard as an adopter needs to know it: what it may change without touching a lock.</summary>
    internal sealed record Standard(string Tenant, string Code, int Version, IReadOnlyList<(string Code, bool Optional)> Matters, IReadOnlyList<string> Locked, int? PromisedDays);

    public required string Folder { get; init; }

    public required IReadOnlyList<string> Tenants { get; init; }

    /// <summary>Every bundle written: (tenant, code).</summary>
    public required IReadOnlyList<(string Tenant, string Code)> Bundles { get; init; }

    public int DistrictCount { get; init; }

    public int CityCount { get; init; }

    public int OverlayChanges { get; init; }

    public int Adoptions { get; init; }

    public static NationFolder Write(string target, double scale)
    {
        var source = Path.Combine(Node.Repository, "tenants");
        var national = CopyNational(source, target);
        var tenants = new List<string> { "national" };
        var bundles = national.Select(s => ("national", s.Code)).ToList();
        var random = new Random(20261213);
        var cities = Math.Max(Provinces.Length, (int)Math.Round(Cities * Math.Min(1, scale)));
        var districts = Math.Max(1, (int)Math.Round(Districts * scale));
        var (adoptions, changes) = (0, 0);

        // Cities go to the provinces in turn (23 provinces get 11 at scale 1, the others 10), districts to the cities in turn.
        var citiesOf = Enumerable.Range(0, Provinces.Length).Select(p => Enumerable.Range(0, cities).Count(c => c % Provinces.Length == p)).ToArray();
        var cityIndex = 0;
        for (var p = 0; p < Provinces.Length; p++)
        {
            var (provinceId, provinceCode, provinceName) = Provinces[p];
            var provinceFolder = Path.Combine(target, provinceId);
            WriteTenant(provinceFolder, provinceName, "province", provinceCode, []);
            tenants.Add(provinceId);
            var offered = new List<Standard>(national);
            for (var s = 1; s <= ProvinceStandards; s++)
            {
                offered.Add(WriteProvinceStandard(provinceFolder, provinceId, provinceName, s));
                bundles.Add((provinceId, $"province-standard-{s}"));
            }

            for (var m = 1; m <= ProvinceStandards; m++)
            {
                WriteMatter(provinceFolder, $"province-service-{m}", $"{provinceName}示例事项{m}", "market-regulation");
            }

            for (var c = 0; c < citiesOf[p]; c++, cityIndex++)
            {
                var cityId = $"{provinceId}.city{Letters(c)}";
                var cityCode = provinceCode[..2] + (c + 1).ToString("00", CultureInfo.InvariantCulture) + "00";
                var cityName = $"{provinceName}第{c + 1}市";
                var cityFolder = Path.Combine(provinceFolder, "city" + Letters(c));
                WriteTenant(cityFolder, cityName, "city", cityCode, []);
                tenants.Add(cityId);
                var ofCity = Enumerable.Range(0, districts).Count(d => d % cities == cityIndex);
                for (var d = 0; d < ofCity; d++)
                {
                    var districtId = $"{cityId}.district{Letters(d)}";
                    var districtCode = cityCode[..4] + (d + 1).ToString("00", CultureInfo.InvariantCulture);
                    var districtName = $"{cityName}第{d + 1}区";
                    var districtFolder = Path.Combine(cityFolder, "district" + Letters(d));
                    WriteTenant(districtFolder, districtName, "district", districtCode,
                        DistrictDepartments.Select(code => (code, $"{districtName}{code}部门")).ToList());
                    tenants.Add(districtId);
                    for (var m = 1; m <= DistrictMatters; m++)
                    {
                        WriteMatter(districtFolder, $"local-service-{m}", $"{districtName}本地事项{m}", DistrictDepartments[m % DistrictDepartments.Length]);
                    }

                    for (var b = 1; b <= OwnBundles; b++)
                    {
                        WriteOwnBundle(districtFolder, districtName, b);
                        bundles.Add((districtId, $"local-bundle-{b}"));
                    }

                    // 20 of the 21 standards in reach, each with 5–15 changes.
                    var skipped = random.Next(offered.Count);
                    for (var s = 0; s < offered.Count; s++)
                    {
                        if (s != skipped)
                        {
                            changes += WriteAdoption(districtFolder, districtName, offered[s], random);
                            adoptions++;
                            bundles.Add((districtId, offered[s].Code));
                        }
                    }
                }
            }
        }

        return new NationFolder
        {
            Folder = target, Tenants = tenants, Bundles = bundles, DistrictCount = districts, CityCount = cities, OverlayChanges = changes, Adoptions = adoptions,
        };
    }

    /// <summary>a, b, … z, ba, bb …: an id segment of lowercase letters only.</summary>
    private static string Letters(int n)
    {
        var letters = new StringBuilder();
        do
        {
            letters.Insert(0, (char)('a' + (n % 26)));
            n /= 26;
        }
        while (n > 0);
        return letters.ToString();
    }

    /// <summary>National's files as the repository holds them; returns its standards as adopters see them (each at its latest version).</summary>
    private static List<Standard> CopyNational(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in new[] { "tenant.yaml", "tenant.schema.json" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        foreach (var folder in new[] { "matters", "bundles", "calendar" })
        {
            Directory.CreateDirectory(Path.Combine(target, folder));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(source, folder), "*.yaml"))
            {
                File.Copy(file, Path.Combine(target, folder, Path.GetFileName(file)));
            }
        }

        var standards = new List<Standard>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(source, "bundles"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.Contains(".v", StringComparison.Ordinal))
            {
                continue;
            }

            var yaml = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                yaml.Load(reader);
            }

            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            var definition = (YamlMappingNode)root["definition"];
            var matters = ((YamlSequenceNode)definition["matters"]).Cast<YamlMappingNode>()
                .Select(m => (((YamlScalarNode)m["code"]).Value!, m.Children.TryGetValue("optional", out var optional) && ((YamlScalarNode)optional).Value == "true"))
                .ToList();
            var locked = root.Children.TryGetValue("standard", out var standard) && ((YamlMappingNode)standard).Children.TryGetValue("locked", out var list)
                ? ((YamlSequenceNode)list).Select(l => ((YamlScalarNode)l).Value!).ToList()
                : [];
            int? promised = definition.Children.TryGetValue("promisedDays", out var days) ? int.Parse(((YamlScalarNode)days).Value!, CultureInfo.InvariantCulture) : null;
            // The version a fresh import gives the bundle's own file: one after its earlier versions' files.
            var version = 1 + Directory.EnumerateFiles(Path.GetDirectoryName(file)!, name + ".v*.yaml").Count();
            standards.Add(new Standard("national", name, version, matters, locked, promised));
        }

        return standards;
    }

    private static void WriteTenant(string folder, string name, string level, string divisionCode, IReadOnlyList<(string Code, string Name)> departments)
    {
        Directory.CreateDirectory(folder);
        var yaml = new StringBuilder($"# Synthetic region of the nation benchmark (bench -- nation).\nname: {name}\nlevel: {level}\ndivisionCode: \"{divisionCode}\"\n");
        if (departments.Count > 0)
        {
            yaml.Append("departments:\n");
            foreach (var (code, department) in departments)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"  - {{ code: {code}, name: {department} }}\n");
            }
        }

        File.WriteAllText(Path.Combine(folder, "tenant.yaml"), yaml.ToString());
    }

    private static void WriteMatter(string folder, string code, string name, string department)
    {
        Directory.CreateDirectory(Path.Combine(folder, "matters"));
        File.WriteAllText(Path.Combine(folder, "matters", code + ".yaml"), $"""
            code: {code}
            name: {name}
            department: {department}
            kind: publicService
            channels: [online, window]
            promisedDays: 5
            resultDelivery: [online]
            tripsAlone: 1
            materials:
              - {"{"} code: id-card, name: 居民身份证, kind: certificate, source: {"{"} kind: dataSharing, department: public-security, dataset: 人口基础信息 {"}"} {"}"}
              - {"{"} code: {code}-form, name: {name}申请表, kind: form {"}"}
            formFields:
              - {"{"} code: id-number, label: 身份证号, type: idNumber {"}"}
              - {"{"} code: phone, label: 联系电话, type: phone {"}"}
            illustrative: [promisedDays, tripsAlone]
            provenance: synthetic (bench -- nation)

            """);
    }

    /// <summary>A province's standard of its own: three of its matters, the first locked, the third optional.</summary>
    private static Standard WriteProvinceStandard(string folder, string province, string provinceName, int s)
    {
        (string Code, bool Optional)[] matters = [($"province-service-{s}", false), ($"province-service-{(s % ProvinceStandards) + 1}", false), ($"province-service-{((s + 1) % ProvinceStandards) + 1}", true)];
        Directory.CreateDirectory(Path.Combine(folder, "bundles"));
        File.WriteAllText(Path.Combine(folder, "bundles", $"province-standard-{s}.yaml"), $"""
            definition:
              code: province-standard-{s}
              name: {provinceName}标准一件事{s}
              audience: {(s % 2 == 0 ? "enterprise" : "personal")}
              theme: other
              leadDepartment: market-regulation
              matters:
                - {"{"} code: {matters[0].Code} {"}"}
                - {"{"} code: {matters[1].Code}, after: [{matters[0].Code}] {"}"}
                - {"{"} code: {matters[2].Code}, optional: true {"}"}
              guideText: {provinceName}标准一件事{s}，一次申请，并联办理。
              channels: [online, window]
              resultDelivery: [online, post]
              promisedDays: 10
            standard: {"{"} locked: ["/matters/{matters[0].Code}"] {"}"}
            provenance: synthetic (bench -- nation)

            """);
        return new Standard(province, $"province-standard-{s}", 1, matters, [$"/matters/{matters[0].Code}"], 10);
    }

    private static void WriteOwnBundle(string folder, string districtName, int b)
    {
        // Two or three of the district's four matters, the second after the first.
        var first = (b % DistrictMatters) + 1;
        var second = ((b + 1) % DistrictMatters) + 1;
        var third = b % 3 == 0 ? $"\n    - {{ code: local-service-{((b + 2) % DistrictMatters) + 1}, optional: true }}" : "";
        Directory.CreateDirectory(Path.Combine(folder, "bundles"));
        File.WriteAllText(Path.Combine(folder, "bundles", $"local-bundle-{b}.yaml"), $"""
            definition:
              code: local-bundle-{b}
              name: {districtName}本地一件事{b}
              audience: {(b % 2 == 0 ? "enterprise" : "personal")}
              theme: other
              leadDepartment: {DistrictDepartments[b % DistrictDepartments.Length]}
              matters:
                - {"{"} code: local-service-{first} {"}"}
                - {"{"} code: local-service-{second}, after: [local-service-{first}] {"}"}{third}
              guideText: {districtName}本地一件事{b}，就近办理。
              channels: [online, window]
              resultDelivery: [online]
              promisedDays: 5
            provenance: synthetic (bench -- nation)

            """);
    }

    /// <summary>An adoption with 5–15 changes drawn from those the standard allows (none touches a lock); returns how many.</summary>
    private static int WriteAdoption(string folder, string districtName, Standard standard, Random random)
    {
        var candidates = new List<string>
        {
            $"{{ op: setAddress, address: {{ zh: {districtName}政务服务中心, en: District service centre }} }}",
            "{ op: setHours, hours: \"工作日 9:00–17:00\" }",
            $"{{ op: setContact, contact: \"12345-{random.Next(1000, 9999)}\" }}",
            $"{{ op: setGuideText, text: {districtName}办事指南：一次申请，就近办理。 }}",
        };
        if (!standard.Locked.Contains("/leadDepartment"))
        {
            candidates.Add($"{{ op: setLeadDepartment, department: {DistrictDepartments[random.Next(DistrictDepartments.Length)]} }}");
        }

        foreach (var (matter, _) in standard.Matters.Where(m => !standard.Locked.Contains("/matters/" + m.Code)).Take(3))
        {
            candidates.Add($"{{ op: setMatterDepartment, matter: {matter}, department: {DistrictDepartments[random.Next(DistrictDepartments.Length)]} }}");
        }

        if (standard.Matters.FirstOrDefault(m => m.Optional && !standard.Locked.Contains("/matters/" + m.Code)).Code is { } optional)
        {
            candidates.Add($"{{ op: markNotApplicable, matter: {optional} }}");
        }

        if (standard.PromisedDays is > 1 and var days && !standard.Locked.Contains("/promisedDays"))
        {
            candidates.Add($"{{ op: shortenPromisedDays, days: {days - random.Next(1, Math.Min(3, days))} }}");
        }

        candidates.Add("{ op: addMatter, matter: { code: local-service-1 } }");
        candidates.Add("{ op: addMatter, matter: { code: local-service-2, optional: true } }");
        for (var q = 1; candidates.Count < 15; q++)
        {
            candidates.Add($"{{ op: addQuestion, question: {{ id: local-q{q}, text: 本地情形{q}, options: [ {{ id: y, label: 是 }}, {{ id: n, label: 否 }} ] }} }}");
        }

        // A subset in the candidates' order: every kind of change stays where the format expects it.
        var count = random.Next(5, 16);
        var chosen = Enumerable.Range(0, candidates.Count).OrderBy(_ => random.Next()).Take(count).Order().Select(i => candidates[i]);
        var yaml = new StringBuilder($"adopts: {{ tenant: {standard.Tenant}, code: {standard.Code}, version: {standard.Version} }}\nchanges:\n");
        foreach (var change in chosen)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {change}\n");
        }

        yaml.Append("provenance: synthetic (bench -- nation)\n");
        Directory.CreateDirectory(Path.Combine(folder, "bundles"));
        File.WriteAllText(Path.Combine(folder, "bundles", standard.Code + ".yaml"), yaml.ToString());
        return count;
    }
}
