using System.Text.Json;
using System.Text.Json.Nodes;
using OneGo.Catalogue;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Hosting;
using OneGo.Tenancy;

namespace OneGo.Server.Features.TenantFiles;

/// <summary>A matter file (<c>matters/*.yaml</c>) of a region, read and checked on its own.</summary>
internal sealed record MatterFile(string TenantId, string RelativePath, string Sha256, Matter Matter, YamlSource Source);

/// <summary>
/// A bundle file (<c>bundles/*.yaml</c>) of a region: its own definition, or an adoption with local changes. A file
/// named <c>&lt;name&gt;.v&lt;N&gt;.yaml</c> beside <c>&lt;name&gt;.yaml</c> holds the bundle's earlier version N
/// (<see cref="EarlierVersion"/>); the file without a number holds the latest.
/// </summary>
internal sealed record BundleFile(string TenantId, string RelativePath, string Sha256, BundleDocument Document, YamlSource Source)
{
    public string Code => Document.Code!;

    /// <summary>The version an earlier version's file holds; null for the bundle's file itself.</summary>
    public int? EarlierVersion { get; init; }

    /// <summary>The path of the bundle's own file: this file's, or the one an earlier version's file stands beside.</summary>
    public string BundlePath { get; init; } = RelativePath;

    /// <summary>The pointer of the document's code, where a problem with the bundle as a whole is reported.</summary>
    public string CodePointer => Document.Definition is null ? "/adopts/code" : "/definition/code";

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

    public static void ReadMatters(string directory, string tenantId, TenantFolder folder)
    {
        foreach (var (path, relative, sha, source) in folder.ReadYamlFiles(Path.Combine(directory, "matters")))
        {
            var problems = new List<FileProblem>();
            var matter = Read<Matter>(source, problems, "a matter file");
            var codesOnly = true;
            if (matter is not null)
            {
                // The codes are held to the region once the whole tree is read (CheckNationalCodes); here, their shapes.
                var errors = CatalogueValidator.ValidateMatter(matter);
                codesOnly = errors.All(e => e.Pointer is "/basicCode" or "/implementationCode");
                problems.AddRange(errors.Select(e => source.At(Pointer.ToIndexPointer(source.Root, e.Pointer), e.Message)));
                if (tenantId == RegionRules.NationalId && matter.BasicCode is { } basicCode && NationalCodes.CheckBasicCode(basicCode) is null)
                {
                    folder.BasicCatalogue.Add((new BasicCatalogueEntry(basicCode, matter.Code, matter.IllustrativeCodes), source));
                }

                if (folder.Matters.FirstOrDefault(m => m.TenantId == tenantId && m.Matter.Code == matter.Code) is { } twin)
                {
                    problems.Add(source.At("/code", $"the code '{matter.Code}' is also the code of {twin.Source.Path}; a code names one matter in a region."));
                    codesOnly = false;
                }
            }

            folder.Problems.AddRange(problems);
            // A matter whose only problems are its national codes is still what its bundles name: they are checked against it.
            if (matter is not null && codesOnly)
            {
                folder.Matters.Add(new MatterFile(tenantId, relative, sha, matter, source));
            }
        }
    }

    public static void ReadBundles(string directory, string tenantId, TenantFolder folder)
    {
        var read = new List<BundleFile>();
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
                read.Add(new BundleFile(tenantId, relative, sha, document, source)
                {
                    EarlierVersion = earlier.Success ? int.Parse(earlier.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
                    BundlePath = earlier.Success ? relative[..^Path.GetFileName(path).Length] + earlier.Groups["name"].Value + Path.GetExtension(path) : relative,
                });
            }
        }

        foreach (var file in read.Where(f => f.EarlierVersion is null))
        {
            if (folder.Bundles.FirstOrDefault(b => b.TenantId == tenantId && b.EarlierVersion is null && b.Code == file.Code) is { } twin)
            {
                folder.Problems.Add(file.Source.At(file.CodePointer, $"the code '{file.Code}' is also the code of {twin.Source.Path}; a code names one bundle in a region."));
                continue;
            }

            folder.Bundles.Add(file);
        }

        folder.Bundles.AddRange(EarlierVersions(read, folder));
    }

    /// <summary>
    /// The files of earlier versions that agree with their bundle's file: one stands beside it, names the same code,
    /// and the versions are numbered from 1 without a gap.
    /// </summary>
    private static IEnumerable<BundleFile> EarlierVersions(List<BundleFile> read, TenantFolder folder)
    {
        var bundles = read.Where(f => f.EarlierVersion is null).ToDictionary(f => f.RelativePath, StringComparer.Ordinal);
        foreach (var history in read.Where(f => f.EarlierVersion is not null).GroupBy(f => f.BundlePath, StringComparer.Ordinal))
        {
            var expected = 1;
            foreach (var file in history.OrderBy(f => f.EarlierVersion))
            {
                if (!bundles.TryGetValue(history.Key, out var bundle))
                {
                    folder.Problems.Add(file.Source.At("", $"this file holds version {file.EarlierVersion} of a bundle, but {folder.Display(history.Key)}, the bundle's own file that it belongs beside, does not exist (or has problems of its own)."));
                }
                else if (file.Code != bundle.Code)
                {
                    folder.Problems.Add(file.Source.At(file.CodePointer, $"this file holds an earlier version of {bundle.Source.Path}, whose code is '{bundle.Code}', but it names the code '{file.Code}': every version of a bundle has the bundle's code."));
                }
                else if (file.EarlierVersion != expected)
                {
                    folder.Problems.Add(file.Source.At("", $"this file holds version {file.EarlierVersion}, but there is no file of version {expected} beside it: the earlier versions of a bundle are numbered from 1 without a gap ({Path.GetFileNameWithoutExtension(history.Key)}.v1.yaml, .v2.yaml …), the bundle's own file holding the latest."));
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

    /// <summary>
    /// Checks the national codes across files, once the region tree is checked: each matter's codes held to its region
    /// (of a region whose own file is sound), a basic code naming one national matter (<c>tenants/matters/</c>, the
    /// national basic catalogue kept in the repository), every region's claim (认领) naming one of them, and an
    /// implementation code used once in a region.
    /// </summary>
    public static void CheckNationalCodes(TenantFolder folder)
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

        var regions = folder.Regions.Where(r => !folder.RegionsWithProblems.Contains(r.Id))
            .ToDictionary(r => r.Id, r => new MatterRegion($"{r.Document.Name} ({r.Id})", r.Document.DivisionCode), StringComparer.Ordinal);
        foreach (var file in folder.Matters.Where(m => regions.ContainsKey(m.TenantId)))
        {
            folder.Problems.AddRange(CatalogueValidator.ValidateCodesInRegion(file.Matter, regions[file.TenantId])
                .Select(e => file.Source.At(Pointer.ToIndexPointer(file.Source.Root, e.Pointer), e.Message)));
        }

        foreach (var file in folder.Matters.Where(m => m.TenantId != RegionRules.NationalId))
        {
            var claimed = file.Matter.BasicCode is { } code && catalogue.TryGetValue(code, out var holder) ? holder.Entry : null;
            folder.Problems.AddRange(CatalogueValidator.ValidateClaim(file.Matter, claimed)
                .Select(e => file.Source.At(Pointer.ToIndexPointer(file.Source.Root, e.Pointer),
                    e.Rule == ErrorRule.UnknownBasicCode ? e.Message + " The national matters are the files of tenants/matters/." : e.Message)));
        }

        foreach (var duplicate in folder.Matters.Where(m => m.Matter.ImplementationCode is not null)
                     .GroupBy(m => (m.TenantId, m.Matter.ImplementationCode)).Where(g => g.Count() > 1))
        {
            var first = duplicate.First();
            foreach (var file in duplicate.Skip(1))
            {
                folder.Problems.Add(file.Source.At("/implementationCode",
                    $"the implementation code '{file.Matter.ImplementationCode}' is also the implementation code of {first.Source.Path}; an implementation code names one implementation in a region."));
            }
        }
    }

    /// <summary>
    /// Checks each region's own bundle definitions against the matters of its files; adoptions are checked at
    /// import, against the standards' approved versions.
    /// </summary>
    public static void CheckDefinitions(TenantFolder folder)
    {
        foreach (var bundle in folder.Bundles.Where(b => b.Document.Definition is not null))
        {
            var matters = folder.Matters.Where(m => m.TenantId == bundle.TenantId).ToDictionary(m => m.Matter.Code, m => m.Matter, StringComparer.Ordinal);
            folder.Problems.AddRange(CatalogueValidator.ValidateBundle(bundle.Document.Definition!, matters).Select(e => bundle.At(e.Under("/definition"))));
        }
    }

    /// <summary>
    /// Checks every department a matter, a bundle or an overlay names against the departments of the file's region
    /// and of the regions above it (<c>departments:</c> of their <c>tenant.yaml</c>), at the line and column of the code.
    /// </summary>
    public static void CheckDepartments(TenantFolder folder)
    {
        var regions = folder.Regions.ToDictionary(r => r.Id, StringComparer.Ordinal);
        // A region whose own file, or an ancestor's, has problems is reported there: its content is not held to departments it may lack.
        bool Sound(string? id) => id is null || (regions.TryGetValue(id, out var r) && !folder.RegionsWithProblems.Contains(id) && Sound(r.ParentId));
        Func<string, bool>? LookupFrom(string tenantId) => Sound(tenantId)
            ? code => Tenants.DepartmentDirectory.Find(tenantId, code, id => regions.TryGetValue(id, out var r) ? (r.ParentId, r.Document.Departments) : null) is not null
            : null;
        string Where(string tenantId) => $"{regions[tenantId].Document.Name} ({tenantId})";

        foreach (var file in folder.Matters)
        {
            if (LookupFrom(file.TenantId) is { } find)
            {
                folder.Problems.AddRange(DepartmentReferences.Unknown(DepartmentReferences.Of(file.Matter), find, Where(file.TenantId))
                    .Select(e => file.Source.At(Pointer.ToIndexPointer(file.Source.Root, e.Pointer), e.Message)));
            }
        }

        foreach (var file in folder.Bundles)
        {
            if (LookupFrom(file.TenantId) is not { } find)
            {
                continue;
            }

            folder.Problems.AddRange(DepartmentReferences.Unknown(file.Document.Departments(), find, Where(file.TenantId)).Select(file.At));
        }
    }
}
