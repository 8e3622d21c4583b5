using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGo.Catalogue;
using OneGo.Server.Data;
using OneGo.Server.Features.Catalogue;
using OneGo.Server.Hosting;
using OneGo.Server.Identity;
using OneGo.Server.Storage;
using OneGo.Tenancy;
using static OneGo.Server.Features.Applications.ApplicationsApi;

namespace OneGo.Server.Features.Applications;

/// <summary>
/// A material's file attached to an application: one per material, replaced by the next upload while the application
/// is a draft; after submission only a material that may follow later (容缺) is supplied, once. The bytes are in blob
/// storage under the tenant, named by their SHA-256.
/// </summary>
public sealed class ApplicationFile : IApplicantOwned
{
    public Guid Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    public Guid ApplicationId { get; set; }

    public required string Material { get; set; }

    /// <summary>What the content is, as its first bytes say: application/pdf, application/ofd, image/jpeg or image/png.</summary>
    public required string ContentType { get; set; }

    public long Length { get; set; }

    public required string Sha256 { get; set; }

    /// <summary>Where the bytes are: <c>{tenant}/applications/{application}/{material}/{sha256}</c>.</summary>
    public required string BlobPath { get; set; }

    public DateTimeOffset UploadedAt { get; set; }

    public required string UploadedBy { get; set; }

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<ApplicationFile>(file =>
    {
        file.ToTable("ApplicationFiles");
        file.Property(f => f.Material).HasMaxLength(CatalogueCodes.MaxLength);
        file.Property(f => f.ContentType).HasMaxLength(32);
        file.Property(f => f.Sha256).HasMaxLength(64);
        file.Property(f => f.BlobPath).HasMaxLength(400);
        file.Property(f => f.UploadedBy).HasMaxLength(200);
        file.HasIndex(f => new { f.ApplicationId, f.Material }).IsUnique();
    });
}

/// <summary>
/// PUT and GET /api/t/{tenant}/applications/{id}/materials/{code}: the file of a material the guide says to bring. The
/// type is told by the content, never by the name or the declared type: PDF (<c>%PDF-</c>), OFD (GB/T 33190: a ZIP
/// package with <c>OFD.xml</c> at its root), JPEG or PNG; anything else is 415, a file over
/// <c>Applications:MaxFileBytes</c> 413, both naming the material, and nothing is kept.
/// </summary>
internal static class MaterialFiles
{
    /// <summary>A material's file as the application shows it.</summary>
    /// <param name="Sha256">The SHA-256 of the bytes, hex: the file's identity.</param>
    public sealed record MaterialFileView(string Material, string ContentType, long Length, string Sha256, DateTimeOffset UploadedAt);

    public static MaterialFileView View(ApplicationFile file) => new(file.Material, file.ContentType, file.Length, file.Sha256, file.UploadedAt);

    public static async Task<Results<CreatedAt<MaterialFileView>, Ok<MaterialFileView>, NotFoundProblem, ConflictProblem, UploadProblem>> PutAsync(
        HttpContext context, OneGoDbContext db, BundleCatalogue catalogue, IBlobStore blobs, IOptions<ApplicationsSettings> settings, TimeProvider clock,
        string id, string code, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        if (application is null)
        {
            return UnknownApplication(context, id);
        }

        var guide = await GuideOfAsync(db, catalogue, application, cancellationToken);
        // What the guide says to bring, and what it would fetch but did not (not agreed, not held, not answered).
        var toBring = DataSharing.Sharing.ToBring(application, guide).Concat(guide.MayFollowLater).ToList();
        // 补正: while the window's notice is open, the materials it lists are sent again, whatever their source.
        var listed = application.State == ApplicationState.Supplementing
            ? Cases.CaseFlow.SupplementOf(application)!.Items.Select(i => i.Material).ToHashSet(StringComparer.Ordinal)
            : [];
        var material = toBring.SingleOrDefault(m => m.Code == code) 
            ?? (application.State == ApplicationState.Supplementing ? Cases.CasesApi.Suppliable(guide).SingleOrDefault(m => m.Code == code) : null);
        if (material is null)
        {
            return ApiProblems.NotFound("No such material to bring",
                $"The guide of this application lists no material '{code}' to bring; it lists {(toBring.Count == 0 ? "none" : string.Join(", ", toBring.Select(m => m.Code)))}.");
        }

        var existing = application.Files.SingleOrDefault(f => f.Material == code);
        if (application.State == ApplicationState.Supplementing)
        {
            if (!listed.Contains(code))
            {
                return ApiProblems.Conflict("Not in the supplement notice",
                    $"Application {application.Number}'s supplement notice lists {string.Join(", ", listed)}: only those files are sent now.");
            }
        }
        else if (application.State != ApplicationState.Draft
            && (!material.MayFollowLater || existing is not null || Cases.CaseFlow.Ended(application.State)))
        {
            return ApiProblems.Conflict("Already submitted", existing is null
                ? $"Application {application.Number} is submitted: its files no longer change."
                : $"Application {application.Number} already has the file of {code}, which followed later.");
        }

        var max = settings.Value.MaxFileBytes;
        var bytes = await ReadAtMostAsync(context.Request, max, cancellationToken);
        if (bytes is null)
        {
            return TooLarge(code, max);
        }

        if (ContentTypeOf(bytes) is not { } contentType)
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, "Not a PDF, OFD, JPEG or PNG file", code,
                $"The file of {material.Name.Zh} ({code}) is neither a PDF, an OFD (GB/T 33190), a JPEG nor a PNG file, as its content shows (its name and declared type are not looked at). Scan or save it as one of them.");
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = $"{application.TenantId}/applications/{application.Id:N}/{code}/{sha}";
        await blobs.PutAsync(path, bytes, contentType, BlobWrite.Overwrite, cancellationToken);

        var now = clock.Now();
        var replaced = existing?.BlobPath;
        var file = existing ?? new ApplicationFile { Id = Guid.CreateVersion7(now), ApplicationId = application.Id, Material = code, ContentType = contentType, Sha256 = sha, BlobPath = path, UploadedBy = context.Actor() };
        file.ContentType = contentType;
        file.Length = bytes.Length;
        file.Sha256 = sha;
        file.BlobPath = path;
        file.UploadedAt = now;
        file.UploadedBy = context.Actor();
        if (existing is null)
        {
            db.Add(file);
        }

        application.UpdatedAt = now;
        application.Revision++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ApiProblems.Conflict("Changed meanwhile", "The application was changed, submitted or given this material's file while the file was sent: read it again, then send the file.");
        }

        // A draft's replaced file goes; a submitted application's files are kept, the one the window sent back included.
        if (replaced is not null && replaced != path && application.State == ApplicationState.Draft)
        {
            await blobs.DeleteAsync(replaced, cancellationToken);
        }

        return existing is null
            ? new CreatedAt<MaterialFileView>($"/api/t/{application.TenantId}/applications/{application.Id}/materials/{code}", View(file))
            : TypedResults.Ok(View(file));
    }

    public static async Task<Results<FileContentHttpResult, NotFoundProblem>> GetAsync(
        HttpContext context, OneGoDbContext db, IBlobStore blobs, string id, string code, CancellationToken cancellationToken)
    {
        var application = await FindAsync(db, id, cancellationToken);
        var file = application?.Files.SingleOrDefault(f => f.Material == code);
        if (file is null)
        {
            return application is null ? UnknownApplication(context, id) : ApiProblems.NotFound("No file", $"The application has no file of '{code}'.");
        }

        var bytes = await blobs.GetAsync(file.BlobPath, cancellationToken)
            ?? throw new InvalidOperationException($"The file of {code} of application {application!.Id} is missing from blob storage at {file.BlobPath}.");
        return TypedResults.Bytes(bytes, file.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{file.Sha256}\""));
    }

    /// <summary>The body, or null when it holds more than <paramref name="max"/> bytes (read no further than that).</summary>
    internal static async Task<byte[]?> ReadAtMostAsync(HttpRequest request, long max, CancellationToken cancellationToken)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own cap on a body sent without its length.
            return null;
        }

        return buffer.ToArray();
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly byte[] JpegStart = [0xFF, 0xD8, 0xFF];

    /// <summary>The type the content is, by its first bytes (and, for OFD, its package's root document); null for any other.</summary>
    internal static string? ContentTypeOf(byte[] bytes)
    {
        ReadOnlySpan<byte> start = bytes;
        if (start.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (start.StartsWith(PngSignature))
        {
            return "image/png";
        }

        if (start.StartsWith(JpegStart))
        {
            return "image/jpeg";
        }

        return start.StartsWith("PK\u0003\u0004"u8) && IsOfdPackage(bytes) ? "application/ofd" : null;
    }

    // GB/T 33190: an OFD file is a ZIP package whose entry point is OFD.xml at the root. Only the central directory is read.
    private static bool IsOfdPackage(byte[] bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            return zip.Entries.Any(e => e.FullName == "OFD.xml");
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>413 naming the material: the body limit's answer for this route, and the route's own for a body streamed without its length.</summary>
    internal static UploadProblem TooLarge(string material, long max) =>
        Refused(StatusCodes.Status413PayloadTooLarge, "The file is too large", material, $"The file of {material} may be at most {max:N0} bytes; nothing was kept.");

    private static UploadProblem Refused(int status, string title, string material, string detail) =>
        new(TypedResults.Problem(statusCode: status, title: title, detail: detail, type: "https://onego.gov.cn/problems/material-file",
            extensions: new Dictionary<string, object?> { ["material"] = material }));
}

/// <summary>A material's file refused: 413 too large, 415 not a PDF, OFD, JPEG or PNG by its content; the material named.</summary>
public sealed class UploadProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status413PayloadTooLarge, typeof(MaterialFileProblem), "The file is larger than Applications:MaxFileBytes (10 MiB by default); nothing was kept."),
        (StatusCodes.Status415UnsupportedMediaType, typeof(MaterialFileProblem), "The content is not a PDF, OFD, JPEG or PNG file; nothing was kept."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>A material's file refused.</summary>
public sealed class MaterialFileProblem : Problem
{
    /// <summary>The material whose file was refused.</summary>
    public string? Material { get; init; }
}
