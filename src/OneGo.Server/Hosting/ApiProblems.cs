namespace OneGo.Server.Hosting;

/// <summary>
/// One thing wrong with a request: an RFC 6901 pointer into the submitted document (or the name of a query
/// parameter), the rule broken, and a sentence saying what is allowed.
/// </summary>
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
    public static IResult UnknownTenant(string tenant) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown tenant",
        detail: $"There is no region with the id or division code '{tenant}'. GET /api/tenants lists them.",
        type: "https://onego.gov.cn/problems/unknown-tenant");

    public static IResult NotFound(string title, string detail) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    public static IResult Invalid(IReadOnlyList<ApiError> errors, string? detail = null) => Results.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "The request is not valid",
        detail: detail ?? string.Join(" ", errors.Select(e => e.Message)),
        type: "https://onego.gov.cn/problems/validation",
        extensions: new Dictionary<string, object?> { ["errors"] = errors });
}
