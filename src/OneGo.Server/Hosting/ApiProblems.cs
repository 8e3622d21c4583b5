using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace OneGo.Server.Hosting;

/// <summary>
/// One thing wrong with a request: an RFC 6901 pointer into the submitted document (or the name of a query
/// parameter), the rule broken, and a sentence saying what is allowed.
/// </summary>
/// <param name="Pointer">Where in the submitted document, as an RFC 6901 JSON pointer (keyed by codes where the document has them); null for a parameter.</param>
/// <param name="Parameter">The query or route parameter, when the error is in one; null for the body.</param>
/// <param name="Rule">The rule broken: required, length, enum, pattern, code-format, unknown-field …</param>
/// <param name="Message">What is allowed, in a sentence.</param>
public sealed record ApiError(string? Pointer, string? Parameter, string Rule, string Message)
{
    public static ApiError At(string pointer, string rule, string message) => new(pointer, null, rule, message);

    public static ApiError ForParameter(string name, string rule, string message) => new(null, name, rule, message);
}

/// <summary>The checks every write route makes alike.</summary>
public static class ApiChecks
{
    /// <summary>Adds a 422 error at <paramref name="pointer"/> when <paramref name="value"/> is longer than its column holds.</summary>
    public static bool CheckLength(this List<ApiError> errors, string pointer, string? value, int max)
    {
        if (value is null || value.Length <= max)
        {
            return true;
        }

        errors.Add(ApiError.At(pointer, "length", $"{pointer.TrimStart('/')} has at most {max:N0} characters; this one has {value.Length:N0}."));
        return false;
    }
}

/// <summary>The problem details (RFC 9457) every route answers with.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult UnknownTenant(string tenant) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown tenant",
        detail: $"There is no region with the id or division code '{tenant}'. GET /api/tenants lists them.",
        type: "https://onego.gov.cn/problems/unknown-tenant");

    public static NotFoundProblem NotFound(string title, string detail) => new(TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: title, detail: detail));

    public static InvalidProblem Invalid(IReadOnlyList<ApiError> errors, string? detail = null) => new(Validation(errors, detail));

    public static ProblemHttpResult Validation(IReadOnlyList<ApiError> errors, string? detail = null) => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "The request is not valid",
        detail: detail ?? string.Join(" ", errors.Select(e => e.Message)),
        type: "https://onego.gov.cn/problems/validation",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static ConflictProblem Conflict(string title, string detail) => new(TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: title, detail: detail));
}

/// <summary>Problem details (RFC 9457): what went wrong, for a person to read and a program to tell apart by <c>type</c> and <c>status</c>.</summary>
public class Problem
{
    /// <summary>A URI naming the kind of problem: OneGo's own under https://onego.gov.cn/problems/, or the HTTP status's section of RFC 9110.</summary>
    public string? Type { get; init; }

    /// <summary>The kind of problem, in a few words.</summary>
    public string Title { get; init; } = "";

    /// <summary>The HTTP status.</summary>
    public int Status { get; init; }

    /// <summary>What went wrong this time, and what to do about it.</summary>
    public string? Detail { get; init; }

    /// <summary>The request's trace id, to find it in the server's log.</summary>
    public string? TraceId { get; init; }

    /// <summary>What a problem of this kind adds.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extensions { get; init; }
}

/// <summary>422 (or 400 for a query parameter that is not of its type): each thing wrong with the request, where, and which rule.</summary>
public sealed class ValidationProblem : Problem
{
    /// <summary>Each error, with its JSON pointer into the body (or its parameter) and the rule broken.</summary>
    public required IReadOnlyList<ApiError> Errors { get; init; }
}

/// <summary>412: the If-Match named an older version; nothing was saved.</summary>
public sealed class StaleProblem : Problem
{
    /// <summary>The current ETag when it is known; null when another write won the race between the check and the save.</summary>
    public string? CurrentETag { get; init; }
}

/// <summary>409 for a review move or an account change the state does not allow: the state it is in.</summary>
public sealed class StateConflictProblem : Problem
{
    /// <summary>The working copy's state (draft, submitted, rejected, approved), or an account change's (proposed, approved, refused, revoked).</summary>
    public string? State { get; init; }

    /// <summary>What the working copy proposes: change, or withdrawal of the live version.</summary>
    public string? Proposal { get; init; }

    /// <summary>For an approval: the matters with a new live revision since the submission.</summary>
    public IReadOnlyList<string>? Matters { get; init; }
}

/// <summary>
/// Problem details as an endpoint's typed result. Each kind declares, for the OpenAPI document, the statuses it may
/// carry (with their schemas), and refuses to carry another: what a route answers is what its document says.
/// </summary>
public abstract class ProblemResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>
{
    private protected ProblemResult(ProblemHttpResult problem, IReadOnlyCollection<(int Status, Type Schema, string Description)> declared)
    {
        if (!declared.Any(d => d.Status == problem.StatusCode))
        {
            throw new InvalidOperationException($"A {GetType().Name} does not carry {problem.StatusCode}: declare it, or answer with another kind of problem.");
        }

        Problem = problem;
    }

    /// <summary>The problem itself.</summary>
    public ProblemHttpResult Problem { get; }

    public int? StatusCode => Problem.StatusCode;

    public string? ContentType => Problem.ContentType;

    object? IValueHttpResult.Value => Problem.ProblemDetails;

    ProblemDetails? IValueHttpResult<ProblemDetails>.Value => Problem.ProblemDetails;

    public Task ExecuteAsync(HttpContext httpContext) => Problem.ExecuteAsync(httpContext);

    private protected static void Declare(EndpointBuilder builder, IEnumerable<(int Status, Type Schema, string Description)> declared)
    {
        foreach (var (status, schema, description) in declared)
        {
            builder.Metadata.Add(new DeclaredResponse(status, schema, description, MediaTypes.Problem));
        }
    }
}

/// <summary>404: the route's resource does not exist in the tenant.</summary>
public sealed class NotFoundProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared = [(StatusCodes.Status404NotFound, typeof(Problem), "No such resource here.")];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>409: what the request asks conflicts with what is there (a code taken, a state that does not allow it).</summary>
public sealed class ConflictProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared = [(StatusCodes.Status409Conflict, typeof(Problem), "What is there does not allow it: a code or name already taken, a state that does not allow it.")];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>422: the request is not valid; each error names its pointer (or parameter) and rule.</summary>
public sealed class InvalidProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared = [(StatusCodes.Status422UnprocessableEntity, typeof(ValidationProblem), "The request is not valid: each error with its JSON pointer (or parameter) and the rule broken; nothing changed.")];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>
/// A body that could not be read as its document: 415 when it is not JSON in UTF-8, 422 when it is not the document
/// (malformed, a value of the wrong kind, an unknown field, a key sent twice …) or breaks one of its rules.
/// </summary>
public sealed class BodyProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status415UnsupportedMediaType, typeof(Problem), "The body is not sent as JSON in UTF-8."),
        (StatusCodes.Status422UnprocessableEntity, typeof(ValidationProblem), "The request is not valid: each error with its JSON pointer (or parameter) and the rule broken; nothing changed."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>A write that must name what it read: 428 without If-Match, 412 when the If-Match is stale.</summary>
public sealed class PreconditionProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status412PreconditionFailed, typeof(StaleProblem), "It changed since it was read (If-Match names an older ETag); nothing was saved."),
        (StatusCodes.Status428PreconditionRequired, typeof(Problem), "Send the ETag of what was read in If-Match."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>
/// A change of a working copy refused, in the contract's order: 409 its state does not allow it (a submitted copy is
/// read-only; naming the state), 428 no If-Match, 412 a stale If-Match.
/// </summary>
public sealed class EditProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    internal static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status409Conflict, typeof(StateConflictProblem), "The working copy's state (named in 'state') does not allow this: a submitted working copy is read-only."),
        (StatusCodes.Status412PreconditionFailed, typeof(StaleProblem), "The working copy changed since it was read (If-Match names an older ETag); nothing was saved."),
        (StatusCodes.Status428PreconditionRequired, typeof(Problem), "Send the ETag of the working copy that was read in If-Match."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>
/// A review move refused, in the contract's order: 404 no such working copy, 409 a move its state does not allow
/// (naming the state), 428 no If-Match (or <c>*</c>: a move must name what was read), 412 a stale If-Match.
/// </summary>
public sealed class ReviewProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    internal static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status404NotFound, typeof(Problem), "No such working copy here."),
        (StatusCodes.Status409Conflict, typeof(StateConflictProblem), "The working copy's state (named in 'state') does not allow this move."),
        (StatusCodes.Status412PreconditionFailed, typeof(StaleProblem), "The working copy changed since it was read (If-Match names an older ETag); nothing was saved."),
        (StatusCodes.Status428PreconditionRequired, typeof(Problem), "Send the ETag of the working copy that was read in If-Match (a review move must name one; '*' names none)."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>An approval refused: as any review move (<see cref="ReviewProblem"/>), and 403 four eyes.</summary>
public sealed class ApprovalProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        .. ReviewProblem.Declared,
        (StatusCodes.Status403Forbidden, typeof(Problem), "Four eyes: whoever last changed or submitted the working copy cannot approve it."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>
/// A decision on a four-eyes account change refused: 404 no such change, 409 already decided (naming its state) or
/// decided meanwhile, 403 one's own proposal or one's own account.
/// </summary>
public sealed class DecisionProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status403Forbidden, typeof(Problem), "Four eyes: another admin decides one's own proposal and changes to one's own account."),
        (StatusCodes.Status404NotFound, typeof(Problem), "No such account change here."),
        (StatusCodes.Status409Conflict, typeof(StateConflictProblem), "The change is already decided (its state named in 'state'), or the account's roles no longer allow it."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>409 for a submission the application's state or its bundle does not allow.</summary>
public sealed class SubmissionConflictProblem : Problem
{
    /// <summary>The application's tracking number when it is already submitted.</summary>
    public string? Number { get; init; }

    /// <summary>The bundle's live version when the draft was prepared against another; null when the bundle is no longer live.</summary>
    public int? LiveVersion { get; init; }
}

/// <summary>
/// A submission refused, in the contract's order: 404 no such application, 409 already submitted (its number) or its
/// version no longer live (naming the live version; the draft is kept), 400 no Idempotency-Key.
/// </summary>
public sealed class SubmissionProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status404NotFound, typeof(Problem), "No such application of yours here."),
        (StatusCodes.Status409Conflict, typeof(SubmissionConflictProblem), "Already submitted under another Idempotency-Key (its number named), or prepared against a version that is no longer live (the live version named; the draft is kept: move it with PATCH {version})."),
        (StatusCodes.Status400BadRequest, typeof(Problem), "Send an Idempotency-Key (1 to 100 visible ASCII characters): the same key returns the same application."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}

/// <summary>
/// A case-work move refused, in the contract's order: 403 not the caller's to make (the window's moves are its
/// officers', a case's its department's), 404 no such application or case in the caller's scope, 409 its state does
/// not allow it (naming the state), 428 no If-Match, 412 a stale If-Match.
/// </summary>
public sealed class CaseMoveProblem(ProblemHttpResult problem) : ProblemResult(problem, Declared), IEndpointMetadataProvider
{
    private static readonly (int, Type, string)[] Declared =
    [
        (StatusCodes.Status403Forbidden, typeof(Problem), "Not the caller's move: the comprehensive window accepts, asks for a supplement and refuses; a case's own department decides and issues it."),
        (StatusCodes.Status404NotFound, typeof(Problem), "No such submitted application here, or no such case of the caller's department."),
        (StatusCodes.Status409Conflict, typeof(StateConflictProblem), "The application's or case's state does not allow the move (named in 'state'); for a supplement, the one notice was given already."),
        (StatusCodes.Status412PreconditionFailed, typeof(StaleProblem), "It changed since it was read (If-Match names an older ETag); nothing was saved."),
        (StatusCodes.Status428PreconditionRequired, typeof(Problem), "Send the ETag of what was read in If-Match."),
    ];

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, Declared);
}
