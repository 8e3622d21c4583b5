using System.Text.Json.Nodes;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>What a <c>tenant.yaml</c> says about its region; the id and the parent come from the folder.</summary>
internal sealed record RegionDocument(
    string Name,
    string? NameEn,
    RegionLevel Level,
    string? DivisionCode,
    string? DisplayName,
    string? DisplayNameEn,
    string? ContactPhone,
    string? ContactEmail,
    string? ContactAddress,
    string? ContactHours,
    string PublishingSchedule)
{
    public static readonly string[] Fields =
        ["name", "nameEn", "level", "divisionCode", "displayName", "displayNameEn", "contact", "publishing"];

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

        if (name is null || level is null)
        {
            return null;
        }

        return new RegionDocument(name, nameEn, Enum.Parse<RegionLevel>(level, ignoreCase: true), code,
            displayName, displayNameEn, phone, email, address, hours, schedule);
    }
}

/// <summary>One region's file as found in the folder, with where it sits in the tree.</summary>
internal sealed record RegionFile(string Id, string? ParentId, string RelativePath, string Sha256, RegionDocument Document, YamlSource Source);
