using System.Security.Cryptography;
using OneGo.Catalogue;
using OneGo.Server.Features.Catalogue;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// The <c>tenants/</c> folder read from disk and checked as a whole: the folder tree mirrors the region tree
/// (<c>tenants/tenant.yaml</c> is national, <c>tenants/fujian/xiamen/haicang/tenant.yaml</c> is Haicang), each
/// region's id is its folder path, and every rule of the tree is checked before anything is imported.
/// The regions' files are read first and the tree checked; then each region's content, one region at a time,
/// every check a file is held to made while it is open. What is kept of a bundle file is its name, hash and code
/// (the import opens it again, <see cref="Open"/>): a nation's folder is checked in the memory of one region.
/// </summary>
internal sealed class TenantFolder
{
    public const string RegionFileName = "tenant.yaml";

    /// <summary>Folders inside a region folder that hold the region's content rather than child regions.</summary>
    public static readonly string[] ContentFolders = ["matters", "bundles", CalendarFile.Folder];

    private TenantFolder(string root, Zone.PublishingScheduleRule schedules)
    {
        Root = root;
        Schedules = schedules;
    }

    public string Root { get; }

    /// <summary>What a region's publishing schedule must be.</summary>
    internal Zone.PublishingScheduleRule Schedules { get; }

    public List<RegionFile> Regions { get; } = [];

    public List<MatterFile> Matters { get; } = [];

    public List<BundleFile> Bundles { get; } = [];

    /// <summary>The years of the national holiday calendar (<c>calendar/{year}.yaml</c> of the national folder).</summary>
    public List<CalendarFile> Calendar { get; } = [];

    /// <summary>
    /// The national matters' basic codes as their files give them, also of a file with another problem, so that the
    /// regions' claims are checked against the catalogue the files mean.
    /// </summary>
    internal List<(BasicCatalogueEntry Entry, YamlSource Source)> BasicCatalogue { get; } = [];

    /// <summary>The regions whose place in the tree is wrong (level, division code): their content is not held to them.</summary>
    internal HashSet<string> RegionsWithProblems { get; } = new(StringComparer.Ordinal);

    public List<FileProblem> Problems { get; } = [];

    /// <summary>Every region folder with a region file, parents before children (its file may have problems): where content is read.</summary>
    internal List<(string Directory, string Id)> RegionFolders { get; } = [];

    public bool IsValid => Problems.Count == 0;

    /// <summary>Reads and checks the whole folder. Problems are sorted by path, line and column.</summary>
    internal static TenantFolder Read(string root, Zone.PublishingScheduleRule schedules)
    {
        var folder = new TenantFolder(Path.GetFullPath(root), schedules);
        if (!File.Exists(Path.Combine(folder.Root, RegionFileName)))
        {
            folder.Problems.Add(new FileProblem(folder.Display(RegionFileName), 1, 1,
                $"the folder {folder.Root} has no {RegionFileName}: the top of the tenants folder describes the national region."));
            return folder;
        }

        folder.ReadRegion(folder.Root, RegionRules.NationalId, parentId: null);
        folder.CheckTree();
        ContentFiles.ReadContent(folder);
        var sorted = folder.Problems.OrderBy(p => (p.Path, p.Line, p.Column)).ToList();
        folder.Problems.Clear();
        folder.Problems.AddRange(sorted);
        return folder;
    }

    /// <summary>
    /// A bundle file of the folder opened again for the import: its document and source as they were checked, or a
    /// problem when the file changed on disk since (its hash differs), so that what is imported is what was checked.
    /// </summary>
    internal (OpenBundle? Bundle, FileProblem? Problem) Open(BundleFile file)
    {
        if (Reopen(file.RelativePath, file.Sha256) is not { } source)
        {
            return (null, Changed(file.RelativePath));
        }

        var problems = new List<FileProblem>();
        var document = ContentFiles.Read<BundleDocument>(source, problems, "a bundle file");
        return document is null ? (null, problems[0]) : (new OpenBundle(file, document, source), null);
    }

    /// <summary>A problem at a pointer of a file that was checked and let go: placed by reading the file again.</summary>
    internal FileProblem At(string relative, string sha256, string pointer, string message) =>
        Reopen(relative, sha256)?.At(pointer, message) ?? new FileProblem(Display(relative), 1, 1, message);

    private YamlSource? Reopen(string relative, string sha256)
    {
        var path = Path.Combine(Root, relative);
        if (!File.Exists(path) || new FileInfo(path).Length > YamlSource.MaxFileBytes || File.ReadAllBytes(path) is var bytes && Convert.ToHexStringLower(SHA256.HashData(bytes)) != sha256)
        {
            return null;
        }

        return YamlSource.Parse(Display(relative), System.Text.Encoding.UTF8.GetString(bytes)).Source;
    }

    private FileProblem Changed(string relative) => new(Display(relative), 1, 1,
        "the file changed after the import checked it, so nothing was imported: import again to check and import it as it is now.");

    private string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');

    /// <summary>How a file is named in problems: under the folder's own name, as the repository shows it.</summary>
    public string Display(string relative) => Path.GetFileName(Root) + "/" + relative;

    private void ReadRegion(string directory, string id, string? parentId)
    {
        var file = Path.Combine(directory, RegionFileName);
        var relative = Relative(file);
        var bytes = ReadBytes(file, relative);
        var (source, syntax) = bytes is null ? (null, null) : YamlSource.Parse(Display(relative), System.Text.Encoding.UTF8.GetString(bytes));
        if (syntax is not null)
        {
            Problems.Add(syntax);
        }
        else if (source is not null && bytes is not null)
        {
            var reader = new DocumentReader(source);
            var document = RegionDocument.Read(reader, source.Root, Schedules);
            Problems.AddRange(reader.Problems);
            if (document is not null && reader.Problems.Count == 0)
            {
                Regions.Add(new RegionFile(id, parentId, relative, Convert.ToHexStringLower(SHA256.HashData(bytes)), document, source));
            }
        }

        RegionFolders.Add((directory, id));
        if (id != RegionRules.NationalId
            && Directory.Exists(Path.Combine(directory, CalendarFile.Folder))
            && Directory.EnumerateFiles(Path.Combine(directory, CalendarFile.Folder), "*", SearchOption.AllDirectories).Where(IsYaml).Order(StringComparer.Ordinal).FirstOrDefault() is { } misplaced)
        {
            Problems.Add(new FileProblem(Display(Relative(misplaced)), 1, 1,
                $"the holiday calendar is national: its years are files of {Display(CalendarFile.Folder)}/, not of a region's folder."));
        }

        foreach (var stray in Directory.EnumerateFiles(directory).Where(IsYaml).Where(f => Path.GetFileName(f) != RegionFileName))
        {
            Problems.Add(new FileProblem(Display(Relative(stray)), 1, 1,
                $"OneGo does not read a file named '{Path.GetFileName(stray)}' here: a region's folder holds {RegionFileName}, its child regions' folders, and the folders {string.Join(", ", ContentFolders)}."));
        }

        foreach (var child in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            var segment = Path.GetFileName(child);
            if (ContentFolders.Contains(segment) || segment.StartsWith('.'))
            {
                continue;
            }

            if (!File.Exists(Path.Combine(child, RegionFileName)))
            {
                var orphan = Directory.EnumerateFiles(child, "*", SearchOption.AllDirectories).Where(IsYaml).Order(StringComparer.Ordinal).FirstOrDefault();
                if (orphan is not null)
                {
                    Problems.Add(new FileProblem(Display(Relative(orphan)), 1, 1,
                        $"this file's region has no parent: the folder {Display(Relative(child))} has no {RegionFileName}. Add one that describes the region '{segment}', or move the file."));
                }

                continue;
            }

            if (RegionRules.CheckSegment(segment) is { } badSegment)
            {
                Problems.Add(new FileProblem(Display(Relative(Path.Combine(child, RegionFileName))), 1, 1, $"the folder name is the region's id: {badSegment}"));
                continue;
            }

            ReadRegion(child, RegionRules.ChildId(id, segment), id);
        }
    }

    /// <summary>The YAML files of a content folder, parsed; syntax problems are recorded and those files skipped.</summary>
    internal IEnumerable<(string Path, string Relative, string Sha256, YamlSource Source)> ReadYamlFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Relative(path);
            if (!IsYaml(path))
            {
                continue;
            }

            var bytes = ReadBytes(path, relative);
            if (bytes is null)
            {
                continue;
            }

            var (source, syntax) = YamlSource.Parse(Display(relative), System.Text.Encoding.UTF8.GetString(bytes));
            if (syntax is not null)
            {
                Problems.Add(syntax);
                continue;
            }

            yield return (path, relative, Convert.ToHexStringLower(SHA256.HashData(bytes)), source!);
        }
    }

    /// <summary>The file's bytes, or null with a problem recorded when it is larger than any file of the folder needs to be.</summary>
    private byte[]? ReadBytes(string path, string relative)
    {
        var length = new FileInfo(path).Length;
        if (length > YamlSource.MaxFileBytes)
        {
            Problems.Add(new FileProblem(Display(relative), 1, 1,
                $"the file has {length:N0} bytes; a file of tenants/ has at most {YamlSource.MaxFileBytes:N0} (1 MiB): split its content into smaller files."));
            return null;
        }

        return File.ReadAllBytes(path);
    }

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private void CheckTree()
    {
        var byId = Regions.ToDictionary(r => r.Id);
        foreach (var region in Regions)
        {
            var parent = region.ParentId is null ? null : byId.GetValueOrDefault(region.ParentId);
            if (region.ParentId is not null && parent is null)
            {
                // The parent's own file has problems, reported there.
                continue;
            }

            if (RegionRules.CheckLevel(region.Document.Level, parent?.Document.Level) is { } levelProblem)
            {
                RegionsWithProblems.Add(region.Id);
                Problems.Add(region.Source.At("/level", $"'level' is {region.Document.Level.ToString().ToLowerInvariant()}, but {levelProblem}"));
            }
            else if (RegionRules.CheckDivisionCode(region.Document.DivisionCode, region.Document.Level, parent?.Document.DivisionCode, parent?.Document.Level, region.Document.DivisionCodeOutsideStandard) is { } codeProblem)
            {
                var at = region.Document.DivisionCodeOutsideStandard ? "/divisionCodeOutsideStandard" : region.Document.DivisionCode is null ? "" : "/divisionCode";
                RegionsWithProblems.Add(region.Id);
                Problems.Add(region.Source.At(at, char.ToUpperInvariant(codeProblem[0]) + codeProblem[1..]));
            }
        }

        foreach (var duplicate in Regions.Where(r => r.Document.DivisionCode is not null).GroupBy(r => r.Document.DivisionCode).Where(g => g.Count() > 1))
        {
            var holders = duplicate.ToList();
            foreach (var region in holders)
            {
                RegionsWithProblems.Add(region.Id);
                var others = string.Join(", ", holders.Where(o => o != region).Select(o => $"{o.Id} ({o.Source.Path})"));
                Problems.Add(region.Source.At("/divisionCode",
                    $"the division code {duplicate.Key} is also used by {others}: a code names one region, since it stands for the region's id in every address."));
            }
        }
    }
}
