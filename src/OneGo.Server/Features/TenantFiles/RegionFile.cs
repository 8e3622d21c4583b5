using System.Text.Json.Nodes;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>What a <c>tenant.yaml</c> says about its region; the id and the parent come from the folder.</summary>
internal sealed record RegionDocument(
    string Name,
    string? NameEn,
    RegionLevel Level,
    string? DivisionCode,
    bool DivisionCodeOutsideStandard,
    string? DisplayName,
    string? DisplayNameEn,
    string? ContactPhone,
    string? ContactEmail,
    string? ContactAddress,
    string? ContactHours,
    string PublishingSchedule,
    IReadOnlyList<OneGo.Catalogue.Department> Departments)
{
    public static readonly string[] Fields =
        ["name", "nameEn", "level", "divisionCode", "divisionCodeOutsideStandard", "displayName", "displayNameEn", "contact", "publishing", "departments"];

    public static readonly string[] DepartmentFields = ["code", "name", "kind", "creditCode"];

    public static readonly string[] DepartmentKinds = ["department", "window", "enterprise"];

    public static readonly string[] ContactFields = ["phone", "email", "address", "hours"];

    public static readonly string[] PublishingFields = ["schedule"];

    public static readonly string[] Levels = ["national", "province", "city", "district"];

    /// <summary>Reads the document; problems are reported to the reader and null is returned.</summary>
    internal static RegionDocument? Read(DocumentReader reader, JsonNode? root, Zone.PublishingScheduleRule schedules)
    {
        var fields = reader.Fields(root, "", "a region file");
        if (fields is null)
        {
            return null;
        }

        reader.OnlyKnownFields(fields, "", "a region file", Fields);
        var name = reader.Text(fields, "", "name", required: true, maxLength: 100);
        var nameEn = reader.Text(fields, "", "nameEn", required: false, maxLength: 200);
        var level = reader.OneOf(fields, "", "level", required: true, Levels);
        var code = reader.Digits(fields, "", "divisionCode");
        var outsideStandard = reader.Flag(fields, "", "divisionCodeOutsideStandard");
        var displayName = reader.Text(fields, "", "displayName", required: false, maxLength: 200);
        var displayNameEn = reader.Text(fields, "", "displayNameEn", required: false, maxLength: 300);

        string? phone = null, email = null, address = null, hours = null;
        if (fields["contact"] is { } contactNode && reader.Fields(contactNode, "/contact", "'contact'") is { } contact)
        {
            reader.OnlyKnownFields(contact, "/contact", "'contact'", ContactFields);
            phone = reader.Text(contact, "/contact", "phone", required: false, maxLength: 50);
            email = reader.Text(contact, "/contact", "email", required: false, maxLength: 200);
            address = reader.Text(contact, "/contact", "address", required: false, maxLength: 300);
            hours = reader.Text(contact, "/contact", "hours", required: false, maxLength: 200);
        }

        var schedule = Features.Tenants.TenantSettings.DefaultPublishingSchedule;
        if (fields["publishing"] is { } publishingNode && reader.Fields(publishingNode, "/publishing", "'publishing'") is { } publishing)
        {
            reader.OnlyKnownFields(publishing, "/publishing", "'publishing'", PublishingFields);
            if (reader.Text(publishing, "/publishing", "schedule", required: false, maxLength: 120) is { } cron)
            {
                if (schedules.Check(cron) is { } problem)
                {
                    reader.Report("/publishing/schedule", problem);
                }
                else
                {
                    schedule = cron;
                }
            }
        }

        var departments = ReadDepartments(reader, fields["departments"]);
        if (name is null || level is null)
        {
            return null;
        }

        return new RegionDocument(name, nameEn, Enum.Parse<RegionLevel>(level, ignoreCase: true), code, outsideStandard,
            displayName, displayNameEn, phone, email, address, hours, schedule, departments);
    }

    /// <summary>The region's departments (<c>departments:</c>), each named once by its code.</summary>
    private static List<OneGo.Catalogue.Department> ReadDepartments(DocumentReader reader, JsonNode? node)
    {
        var departments = new List<OneGo.Catalogue.Department>();
        if (node is null)
        {
            return departments;
        }

        if (node is not JsonArray list)
        {
            reader.Report("/departments", $"'departments' is a list of the region's departments ('- {{ code: public-security, name: … }}'), not {DocumentReader.Describe(node)}.");
            return departments;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var at = "/departments/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (reader.Fields(list[i], at, "a department") is not { } item)
            {
                continue;
            }

            reader.OnlyKnownFields(item, at, "a department", DepartmentFields);
            var code = reader.Text(item, at, "code", required: true, maxLength: OneGo.Catalogue.CatalogueCodes.MaxLength);
            var name = reader.Text(item, at, "name", required: true, maxLength: 100);
            var kind = reader.OneOf(item, at, "kind", required: false, DepartmentKinds) ?? "department";
            var creditCode = reader.Text(item, at, "creditCode", required: false, maxLength: 18);
            if (code is not null && OneGo.Catalogue.CatalogueCodes.Check(code) is { } badCode)
            {
                reader.Report(at + "/code", badCode);
                code = null;
            }
            else if (code is not null && departments.FindIndex(d => d.Code == code) is >= 0 and var twin)
            {
                reader.Report(at + "/code", $"the code '{code}' is also the code of department {twin + 1} of this list ({departments[twin].Name}); a code names one department of a region.");
                code = null;
            }

            if (creditCode is not null && OneGo.Catalogue.NationalCodes.CheckCreditCode(creditCode) is { } badCredit)
            {
                reader.Report(at + "/creditCode", badCredit.Message);
                creditCode = null;
            }

            if (code is not null && name is not null)
            {
                departments.Add(new OneGo.Catalogue.Department
                {
                    Code = code,
                    Name = name,
                    Kind = Enum.Parse<OneGo.Catalogue.DepartmentKind>(kind, ignoreCase: true),
                    CreditCode = creditCode,
                });
            }
        }

        return departments;
    }
}

/// <summary>One region's file as found in the folder, with where it sits in the tree.</summary>
internal sealed record RegionFile(string Id, string? ParentId, string RelativePath, string Sha256, RegionDocument Document, YamlSource Source);
