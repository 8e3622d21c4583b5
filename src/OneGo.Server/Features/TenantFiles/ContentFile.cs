using System.Text.Json;
using System.Text.Json.Nodes;
using OneGo.Catalogue;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// A matter file (<c>matters/*.yaml</c>) of a region, read and checked. The matter is kept (a region's bundles are
/// resolved against it); where it was read is not, and a problem found at import places itself by reading the file again.
/// </summary>
internal sealed record MatterFile(string TenantId, string RelativePath, string Sha256, Matter Matter);

/// <summary>
/// A bundle file (<c>bundles/*.yaml</c>) of a region, checked: its own definition, or an adoption with local changes.
/// A file named <c>&lt;name&gt;.v&lt;N&gt;.yaml</c> beside <c>&lt;name&gt;.yaml</c> holds the bundle's earlier version N
/// (<see cref="EarlierVersion"/>); the file without a number holds the latest. Only what names the file is kept:
/// the import opens it again (<see cref="TenantFolder.Open"/>).
/// </summary>
internal sealed record BundleFile(string TenantId, string RelativePath, string Sha256, string Code, bool IsDefinition)
{
    /// <summary>The version an earlier version's file holds; null for the bundle's file itself.</summary>
    public int? EarlierVersion { get; init; }

    /// <summary>The path of the bundle's own file: this file's, or the one an earlier version's file stands beside.</summary>
    public string BundlePath { get; init; } = RelativePath;

    /// <summary>The pointer of the document's code, where a problem with the bundle as a whole is reported.</summary>
    public string CodePointer => IsDefinition ? "/definition/code" : "/adopts/code";
}

/// <summary>A bundle file open: its document, and where each value of it was read.</summary>
internal sealed record OpenBundle(BundleFile File, BundleDocument Document, YamlSource Source)
{
    public string Code => File.Code;

    /// <summary>A problem found in the document at a domain pointer, placed at its line and column.</summary>
    public FileProblem At(CatalogueError error) => Source.At(Pointer.ToIndexPointer(Source.Root, error.Pointer), error.Message);
}

/// <summary>Reads the documents of <c>matters/</c> and <c>bundles/</c> folders, turning every problem into a file location.</summary>
internal static partial class ContentFiles
{
    public static T? Read<T>(YamlSource source, List<FileProblem> problems, string what) where T : class
    {
        if (source.Root is not JsonObject)
        {
            problems.Add(source.At("", $"{what} is a block of fields ('name: value' lines)."));
            return null;
        }

        try
        {
            return source.Root.Deserialize<T>(CatalogueJson.Options);
        }
        catch (JsonException error)
        {
            var pointer = JsonBody.ToPointer(error.Path);
            var unknownField = error.Message.Contains("could not be mapped", StringComparison.Ordinal);
            problems.Add(source.At(pointer, JsonBody.Explain(error), atKey: unknownField));
            return null;
        }
    }

    /// <summary>
    /// Reads every region's matters and bundles, one region at a time (national first, parents before children), once
    /// the region tree is checked: each file is held to every rule that concerns it while it is open — its shape, the
    /// national codes, the region's other files, the departments in reach — and only what names it is kept.
    /// </summary>
    public static void ReadContent(TenantFolder folder)
    {
        var regions = folder.Regions.ToDictionary(r => r.Id, StringComparer.Ordinal);
        // The regions whose own file is sound: their matters' codes are held to them (MatterRegion).
        var matterRegions = folder.Regions.Where(r => !folder.RegionsWithProblems.Contains(r.Id))
            .ToDictionary(r => r.Id, r => new MatterRegion($"{r.Document.Name} ({r.Id})", r.Document.DivisionCode), StringComparer.Ordinal);
        // A region whose own file, or an ancestor's, has problems is reported there: its content is not held to departments it may lack.
        bool Sound(string? id) => id is null || (regions.TryGetValue(id, out var r) && !folder.RegionsWithProblems.Contains(id) && Sound(r.ParentId));
        Func<string, bool>? DepartmentsOf(string tenantId) => Sound(tenantId)
            ? code => Tenants.DepartmentDirectory.Find(tenantId, code, id => regions.TryGetValue(id, out var r) ? (r.ParentId, r.Document.Departments) : null) is not null
            : null;
        var basicCatalogue = new Dictionary<string, (BasicCatalogueEntry Entry, YamlSource Source)>(StringComparer.Ordinal);
        foreach (var (directory, id) in folder.RegionFolders)
        {
            var where = regions.TryGetValue(id, out var region) ? $"{region.Document.Name} ({id})" : id;
            var departments = DepartmentsOf(id);
            var matters = ReadMatters(directory, id, folder);
            if (id == RegionRules.NationalId)
            {
                // National is read first: its matters are the basic catalogue every other region's claims name.
                basicCatalogue = BasicCatalogue(folder);
                CalendarFile.ReadAll(folder, directory);
            }

            CheckMatters(folder, id, matters, matterRegions.GetValueOrDefault(id), basicCatalogue, departments, where);
            folder.Matters.AddRange(matters.Select(m => m.File));
            ReadBundles(directory, id, folder, matters.ToDictionary(m => m.File.Matter.Code, m => m.File.Matter, StringComparer.Ordinal), departments, where);
        }
    }

    /// <summary>A region's matter files, each checked on its own and against the region's others (one code, one matter).</summary>
    private static List<(MatterFile File, YamlSource Source)> ReadMatters(string directory, string tenantId, TenantFolder folder)
    {
        var read = new List<(MatterFile File, YamlSource Source)>();
        var byCode = new Dictionary<string, YamlSource>(StringComparer.Ordinal);
        foreach (var (path, relative, sha, source) in folder.ReadYamlFiles(Path.Combine(directory, "matters")))
        {
            var problems = new List<FileProblem>();
            var matter = Read<Matter>(source, problems, "a matter file");
            var codesOnly = true;
            if (matter is not null)
            {
                // The codes are held to the region below (CheckMatters); here, their shapes.
                var errors = CatalogueValidator.ValidateMatter(matter);
                codesOnly = errors.All(e => e.Pointer is "/basicCode" or "/implementationCode");
                problems.AddRange(errors.Select(e => source.At(Pointer.ToIndexPointer(source.Root, e.Pointer), e.Message)));
                if (tenantId == RegionRules.NationalId && matter.BasicCode is { } basicCode && NationalCodes.CheckBasicCode(basicCode) is null)
                {
                    folder.BasicCatalogue.Add((new BasicCatalogueEntry(basicCode, matter.Code, matter.IllustrativeCodes), source));
                }

                if (byCode.TryGetValue(matter.Code, out var twin))
                {
                    problems.Add(source.At("/code", $"the code '{matter.Code}' is also the code of {twin.Path}; a code names one matter in a region."));
                    codesOnly = false;
                }
            }

            folder.Problems.AddRange(problems);
            // A matter whose only problems are its national codes is still what its bundles name: they are checked against it.
            if (matter is not null && codesOnly)
            {
                byCode[matter.Code] = source;
                read.Add((new MatterFile(tenantId, relative, sha, matter), source));
            }
        }

        return read;
    }

    /// <summary>
    /// The national basic catalogue the national matters' files give (<c>tenants/matters/</c>, kept in the repository):
    /// a basic code names one national matter.
    /// </summary>
    private static Dictionary<string, (BasicCatalogueEntry Entry, YamlSource Source)> BasicCatalogue(TenantFolder folder)
    {
        var catalogue = new Dictionary<string, (BasicCatalogueEntry Entry, YamlSource Source)>(StringComparer.Ordinal);
        foreach (var national in folder.BasicCatalogue)
        {
            if (!catalogue.TryAdd(national.Entry.BasicCode, national))
            {
                folder.Problems.Add(national.Source.At("/basicCode",
                    $"the basic code '{national.Entry.BasicCode}' is also the basic code of {catalogue[national.Entry.BasicCode].Source.Path}; a basic code names one matter of the national basic catalogue."));
            }
        }

        return catalogue;
    }

    /// <summary>
    /// Holds a region's matters to the national codes — each matter's codes to its region (when the region's own file is
    /// sound), every claim (认领) of a region below national naming a national matter, an implementation code used once in
    /// the region — and to the departments in reach.
    /// </summary>
    private static void CheckMatters(TenantFolder folder, string tenantId, List<(MatterFile File, YamlSource Source)> matters, MatterRegion? region,
        Dictionary<string, (BasicCatalogueEntry Entry, YamlSource Source)> basicCatalogue, Func<string, bool>? departments, string where)
    {
        FileProblem At(YamlSource source, CatalogueError e, string? message = null) => source.At(Pointer.ToIndexPointer(source.Root, e.Pointer), message ?? e.Message);
        foreach (var (file, source) in matters)
        {
            if (region is not null)
            {
                folder.Problems.AddRange(CatalogueValidator.ValidateCodesInRegion(file.Matter, region).Select(e => At(source, e)));
            }

            if (tenantId != RegionRules.NationalId)
            {
                var claimed = file.Matter.BasicCode is { } code && basicCatalogue.TryGetValue(code, out var holder) ? holder.Entry : null;
                folder.Problems.AddRange(CatalogueValidator.ValidateClaim(file.Matter, claimed)
                    .Select(e => At(source, e, e.Rule == ErrorRule.UnknownBasicCode ? e.Message + " The national matters are the files of tenants/matters/." : null)));
            }

            if (departments is not null)
            {
                folder.Problems.AddRange(DepartmentReferences.Unknown(DepartmentReferences.Of(file.Matter), departments, where).Select(e => At(source, e)));
            }
        }

        foreach (var duplicate in matters.Where(m => m.File.Matter.ImplementationCode is not null).GroupBy(m => m.File.Matter.ImplementationCode).Where(g => g.Count() > 1))
        {
            var first = duplicate.First();
            foreach (var (file, source) in duplicate.Skip(1))
            {
                folder.Problems.Add(source.At("/implementationCode",
                    $"the implementation code '{file.Matter.ImplementationCode}' is also the implementation code of {first.Source.Path}; an implementation code names one implementation in a region."));
            }
        }
    }

    /// <summary>
    /// A region's bundle files, each checked on its own, against the region's others (one code, one bundle; earlier
    /// versions beside their bundle), a definition against the region's matters (adoptions are checked at import,
    /// against the standards' approved versions), and the departments it names against those in reach.
    /// </summary>
    private static void ReadBundles(string directory, string tenantId, TenantFolder folder, Dictionary<string, Matter> matters, Func<string, bool>? departments, string where)
    {
        var read = new List<OpenBundle>();
        foreach (var (path, relative, sha, source) in folder.ReadYamlFiles(Path.Combine(directory, "bundles")))
        {
            var problems = new List<FileProblem>();
            var document = Read<BundleDocument>(source, problems, "a bundle file");
            if (document is not null)
            {
                problems.AddRange(document.CheckShape().Select(e => source.At(e.Pointer, e.Message)));
            }

            folder.Problems.AddRange(problems);
            if (document is not null && problems.Count == 0)
            {
                var earlier = EarlierVersionName().Match(Path.GetFileName(path));
                var file = new BundleFile(tenantId, relative, sha, document.Code!, document.Definition is not null)
                {
                    EarlierVersion = earlier.Success ? int.Parse(earlier.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
                    BundlePath = earlier.Success ? relative[..^Path.GetFileName(path).Length] + earlier.Groups["name"].Value + Path.GetExtension(path) : relative,
                };
                read.Add(new OpenBundle(file, document, source));
            }
        }

        var accepted = new List<OpenBundle>();
        var byCode = new Dictionary<string, OpenBundle>(StringComparer.Ordinal);
        foreach (var bundle in read.Where(b => b.File.EarlierVersion is null))
        {
            if (!byCode.TryAdd(bundle.Code, bundle))
            {
                folder.Problems.Add(bundle.Source.At(bundle.File.CodePointer, $"the code '{bundle.Code}' is also the code of {byCode[bundle.Code].Source.Path}; a code names one bundle in a region."));
                continue;
            }

            accepted.Add(bundle);
        }

        accepted.AddRange(EarlierVersions(read, folder));
        foreach (var bundle in accepted)
        {
            if (bundle.Document.Definition is { } definition)
            {
                folder.Problems.AddRange(CatalogueValidator.ValidateBundle(definition, matters).Select(e => bundle.At(e.Under("/definition"))));
            }

            if (departments is not null)
            {
                folder.Problems.AddRange(DepartmentReferences.Unknown(bundle.Document.Departments(), departments, where).Select(bundle.At));
            }

            folder.Bundles.Add(bundle.File);
        }
    }

    /// <summary>
    /// The files of earlier versions that agree with their bundle's file: one stands beside it, names the same code,
    /// and the versions are numbered from 1 without a gap.
    /// </summary>
    private static IEnumerable<OpenBundle> EarlierVersions(List<OpenBundle> read, TenantFolder folder)
    {
        var bundles = read.Where(f => f.File.EarlierVersion is null).ToDictionary(f => f.File.RelativePath, StringComparer.Ordinal);
        foreach (var history in read.Where(f => f.File.EarlierVersion is not null).GroupBy(f => f.File.BundlePath, StringComparer.Ordinal))
        {
            var expected = 1;
            foreach (var file in history.OrderBy(f => f.File.EarlierVersion))
            {
                if (!bundles.TryGetValue(history.Key, out var bundle))
                {
                    folder.Problems.Add(file.Source.At("", $"this file holds version {file.File.EarlierVersion} of a bundle, but {folder.Display(history.Key)}, the bundle's own file that it belongs beside, does not exist (or has problems of its own)."));
                }
                else if (file.Code != bundle.Code)
                {
                    folder.Problems.Add(file.Source.At(file.File.CodePointer, $"this file holds an earlier version of {bundle.Source.Path}, whose code is '{bundle.Code}', but it names the code '{file.Code}': every version of a bundle has the bundle's code."));
                }
                else if (file.File.EarlierVersion != expected)
                {
                    folder.Problems.Add(file.Source.At("", $"this file holds version {file.File.EarlierVersion}, but there is no file of version {expected} beside it: the earlier versions of a bundle are numbered from 1 without a gap ({Path.GetFileNameWithoutExtension(history.Key)}.v1.yaml, .v2.yaml …), the bundle's own file holding the latest."));
                }
                else
                {
                    expected++;
                    yield return file;
                    continue;
                }

                // The later versions cannot be placed once one is wrong: only the first wrong file is reported.
                break;
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<name>.+)\.v(?<version>[1-9][0-9]{0,5})\.ya?ml$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex EarlierVersionName();
}
