using System.Text;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Data;
using OneGo.Server.Features.Tenants;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// Writes the regions held in the database as a <c>tenants/</c> folder, in the layout and format the import
/// reads, so that a region created or changed through the API can be brought back into the repository.
/// </summary>
public sealed class TenantExport(OneGoDbContext db, CurrentTenant tenants)
{
    /// <summary>Writes every region's <c>tenant.yaml</c> under <paramref name="folder"/>; returns the paths written.</summary>
    public async Task<IReadOnlyList<string>> ExportAsync(string folder, CancellationToken cancellationToken)
    {
        var written = new List<string>();
        var regions = await db.Regions.AsNoTracking().OrderBy(r => r.Id).ToListAsync(cancellationToken);
        foreach (var region in regions)
        {
            TenantSettings? settings;
            using (tenants.Enter(region.Id))
            {
                settings = await db.TenantSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            }

            var relative = RelativeFolder(region.Id);
            var directory = Path.Combine(folder, relative);
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, TenantFolder.RegionFileName);
            await File.WriteAllTextAsync(path, Render(region, settings, relative), new UTF8Encoding(false), cancellationToken);
            written.Add(path);
        }

        return written;
    }

    /// <summary>The folder of a region, relative to <c>tenants/</c>: <c>fujian/xiamen/haicang</c>; national is the top.</summary>
    public static string RelativeFolder(string id) =>
        id == RegionRules.NationalId ? "" : id.Replace('.', '/');

    internal static string Render(Region region, TenantSettings? settings, string relativeFolder)
    {
        var depth = relativeFolder.Length == 0 ? 0 : relativeFolder.Count(c => c == '/') + 1;
        var schema = string.Concat(Enumerable.Repeat("../", depth)) + "tenant.schema.json";
        var text = new StringBuilder();
        text.Append("# yaml-language-server: $schema=").Append(schema).Append('\n');
        Line(text, "", "name", region.Name);
        Line(text, "", "nameEn", region.NameEn);
        Line(text, "", "level", region.Level.ToString().ToLowerInvariant(), quote: false);
        if (region.DivisionCode is not null)
        {
            Line(text, "", "divisionCode", region.DivisionCode);
        }

        if (region.DivisionCodeOutsideStandard)
        {
            Line(text, "", "divisionCodeOutsideStandard", "true", quote: false);
        }

        Line(text, "", "displayName", settings?.DisplayName);
        Line(text, "", "displayNameEn", settings?.DisplayNameEn);
        if (settings is { ContactPhone: not null } or { ContactEmail: not null } or { ContactAddress: not null } or { ContactHours: not null })
        {
            text.Append("contact:\n");
            Line(text, "  ", "phone", settings.ContactPhone);
            Line(text, "  ", "email", settings.ContactEmail);
            Line(text, "  ", "address", settings.ContactAddress);
            Line(text, "  ", "hours", settings.ContactHours);
        }

        if (settings is not null && settings.PublishingSchedule != TenantSettings.DefaultPublishingSchedule)
        {
            text.Append("publishing:\n");
            Line(text, "  ", "schedule", settings.PublishingSchedule);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string indent, string field, string? value, bool quote = true)
    {
        if (value is null)
        {
            return;
        }

        text.Append(indent).Append(field).Append(": ");
        text.Append(quote ? "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : value);
        text.Append('\n');
    }
}
