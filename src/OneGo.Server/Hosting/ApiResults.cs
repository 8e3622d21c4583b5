using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using OneGo.Catalogue;

namespace OneGo.Server.Hosting;

/// <summary>
/// A response an endpoint may give, as its typed result declares it for the OpenAPI document: the status, the schema
/// of the body, its media type and a sentence saying when it comes.
/// </summary>
public sealed class DeclaredResponse(int statusCode, Type? type, string description, params string[] contentTypes) : IProducesResponseTypeMetadata
{
    public Type? Type => type;

    public int StatusCode => statusCode;

    public string? Description => description;

    public IEnumerable<string> ContentTypes => contentTypes;
}

/// <summary>A request header a route reads, for the OpenAPI document (conditional headers are declared from the statuses).</summary>
public sealed record RequestHeader(string Name, string Description, bool Required = true, string? Pattern = null);

/// <summary>
/// A header a response carries, as the endpoint's typed result (or its route) declares it for the OpenAPI document;
/// <paramref name="With"/> is the body it comes with, when the status may also come with another body that has none.
/// </summary>
public sealed record DeclaredHeader(int StatusCode, string Name, string Description, bool Required = true, Type? With = null);

/// <summary>The media types of OneGo's responses.</summary>
public static class MediaTypes
{
    public const string Json = "application/json";
    public const string Problem = "application/problem+json";
}

/// <summary>
/// 200 with a document written as the catalogue writes JSON (<see cref="CatalogueJson"/>: camelCase, a value that is
/// null left out). <see cref="Ok{TValue}"/> is the same written as every other route writes (nulls written).
/// </summary>
public sealed class OkDocument<T>(T value) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<T>
{
    public int? StatusCode => StatusCodes.Status200OK;

    public T? Value => value;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Json(value, CatalogueJson.Options).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status200OK, typeof(T), "", MediaTypes.Json));
}

/// <summary>
/// 201 with what was created and its Location. Written as every route writes JSON, or — given
/// <see cref="CatalogueJson.Options"/> — as the catalogue does.
/// </summary>
public sealed class CreatedAt<T>(string location, T value, JsonSerializerOptions? options = null) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<T>
{
    public int? StatusCode => StatusCodes.Status201Created;

    public T? Value => value;

    public string Location => location;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Location = location;
        return TypedResults.Json(value, options, statusCode: StatusCodes.Status201Created).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status201Created, typeof(T), "", MediaTypes.Json));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status201Created, "Location", "Where what was created can be read.", With: typeof(T)));
    }
}

/// <summary>202 with what was accepted and its Location, where to follow it. Written as <see cref="CreatedAt{T}"/> is.</summary>
public sealed class AcceptedAt<T>(string location, T value, JsonSerializerOptions? options = null) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<T>
{
    public int? StatusCode => StatusCodes.Status202Accepted;

    public T? Value => value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Location = location;
        return TypedResults.Json(value, options, statusCode: StatusCodes.Status202Accepted).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status202Accepted, typeof(T), "", MediaTypes.Json));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status202Accepted, "Location", "Where to follow what was accepted.", With: typeof(T)));
    }
}

/// <summary>
/// A representation read conditionally: 200 with its JSON bytes and their strong ETag, or 304 without a body when
/// If-None-Match names that ETag. Cache-Control says <c>no-cache</c> (ask again each time), or for an immutable
/// resource (an approved version, a publication) that it never changes.
/// </summary>
public sealed class Conditional<T>(byte[] bytes, string etag, bool immutable = false) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public const string Mutable = "no-cache";
    public const string Immutable = "public, max-age=31536000, immutable";

    public int? StatusCode => null;

    public string ETag => etag;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        // The bytes are written here rather than through a file result: the public read path is the hottest route, and
        // a file result evaluates preconditions these routes do not use.
        var response = httpContext.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = immutable ? Immutable : Mutable;
        if (Preconditions.NotModified(httpContext.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status200OK, typeof(T), "", MediaTypes.Json));
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status304NotModified, null, "If-None-Match names the current ETag: the reader's copy is current."));
        foreach (var status in new[] { StatusCodes.Status200OK, StatusCodes.Status304NotModified })
        {
            builder.Metadata.Add(new DeclaredHeader(status, "ETag", "The strong ETag of the representation: the hash of the bytes sent.", With: typeof(T)));
            builder.Metadata.Add(new DeclaredHeader(status, "Cache-Control", $"'{Mutable}', or for what never changes (an approved version, a publication) '{Immutable}'.", With: typeof(T)));
        }
    }
}

/// <summary>
/// A working copy as the API shows it: its JSON bytes with their strong ETag, which a change or a review move names in
/// If-Match. 200 (a read, a change, a move) or 201 with Location (created).
/// </summary>
public sealed class Tagged<T>(byte[] bytes, string etag, int status = StatusCodes.Status200OK) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => status;

    public string ETag => etag;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.ETag = etag;
        httpContext.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Text(Encoding.UTF8.GetString(bytes), MediaTypes.Json, Encoding.UTF8, status).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status200OK, typeof(T), "", MediaTypes.Json));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status200OK, "ETag", "The strong ETag of the working copy: name it in If-Match to change it or move it on.", With: typeof(T)));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status200OK, "Cache-Control", "'no-cache'.", With: typeof(T)));
    }
}

/// <summary>A working copy just created: 201 with its JSON bytes, their strong ETag and its Location.</summary>
public sealed class CreatedTagged<T>(byte[] bytes, string etag, string location) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status201Created;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Location = location;
        return new Tagged<T>(bytes, etag, StatusCodes.Status201Created).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new DeclaredResponse(StatusCodes.Status201Created, typeof(T), "", MediaTypes.Json));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status201Created, "Location", "Where the working copy can be read.", With: typeof(T)));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status201Created, "ETag", "The strong ETag of the working copy: name it in If-Match to change it or move it on.", With: typeof(T)));
        builder.Metadata.Add(new DeclaredHeader(StatusCodes.Status201Created, "Cache-Control", "'no-cache'.", With: typeof(T)));
    }
}

/// <summary>Declaring a problem a route answers outside a typed result (a route whose 200 comes in more than one media type).</summary>
public static class DeclaredProblems
{
    /// <summary>Declares <paramref name="status"/> as problem details of <paramref name="schema"/> (<see cref="Problem"/> by default).</summary>
    public static RouteHandlerBuilder DeclaresProblem(this RouteHandlerBuilder builder, int status, string description, Type? schema = null) =>
        builder.WithMetadata(new DeclaredResponse(status, schema ?? typeof(Problem), description, MediaTypes.Problem));
}
