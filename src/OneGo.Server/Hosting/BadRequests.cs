using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace OneGo.Server.Hosting;

/// <summary>
/// Requests the framework cannot read are the client's mistake, answered as problem details naming what was wrong,
/// in every environment alike: a parameter that is not of its type, a typed body that is not JSON or not its
/// document (422 at the pointer, as <see cref="JsonBody"/> answers), a form body that cannot be decoded, a query value
/// holding a control character.
/// </summary>
internal static partial class BadRequests
{
    public static IServiceCollection AddOneGoBadRequests(this IServiceCollection services)
    {
        // The framework throws (rather than answering an empty 400) so that the problem below can say what was wrong;
        // by default it throws only in Development, where the exception handler then answered 500.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestHandler>();
        return services;
    }

    /// <summary>
    /// Looks at a body before anything else reads it. A form is read here: OpenIddict looks for a token in every form
    /// body and the sign-in page binds its fields, so a form that cannot be decoded (<c>%00</c>, a broken multipart
    /// body, too many fields) is a 400 here rather than an exception in theirs. A body declared as JSON in another
    /// charset than UTF-8 is a 415 on every route alike, whether the route reads it itself or the framework binds it.
    /// </summary>
    public static IApplicationBuilder UseReadableBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (JsonBody.UnsupportedCharset(context.Request.ContentType) is { } charset)
        {
            await charset.ExecuteAsync(context);
            return;
        }

        // A control character in a query value (%00 above all) is never meant: PostgreSQL cannot even compare text
        // holding NUL, so it would surface as a 500 in whichever filter passed it on. Refused here, once, for every route.
        foreach (var (name, values) in context.Request.Query)
        {
            if (values.Any(v => v is not null && v.Any(char.IsControl)))
            {
                var message = $"{name} holds a control character (such as %00); query values are printable text.";
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A parameter cannot be read", detail: message,
                    type: "https://onego.gov.cn/problems/bad-request",
                    extensions: new Dictionary<string, object?> { ["errors"] = new[] { ApiError.ForParameter(name, "control", message) } })
                    .ExecuteAsync(context);
                return;
            }
        }

        if (context.Request.HasFormContentType)
        {
            try
            {
                await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception error) when (error is InvalidDataException || (error is IOException && error is not BadHttpRequestException))
            {
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form cannot be read",
                    detail: $"The form body cannot be decoded: {error.Message} Encode each value as UTF-8 and percent-encode it; control characters such as %00 are refused.",
                    type: "https://onego.gov.cn/problems/bad-request").ExecuteAsync(context);
                return;
            }
        }

        await next(context);

        // A query or route value that is not of its parameter's type: the framework answers an empty 400 for an optional
        // parameter (int? limit), naming nothing; the answer here names the parameter, as for every other one.
        if (context.Response.StatusCode == StatusCodes.Status400BadRequest && !context.Response.HasStarted && context.Response.ContentType is null
            && UnboundParameter(context) is { } unbound)
        {
            await ParameterProblem(unbound.Name, unbound.Type, unbound.Value).ExecuteAsync(context);
        }
    });

    /// <summary>
    /// A form whose anti-forgery token is missing or not valid is a 400 naming that, on every route that binds a form:
    /// nothing reads a form the anti-forgery check refused.
    /// </summary>
    public static IApplicationBuilder UseRefusedForms(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form cannot be accepted",
                detail: "The form's anti-forgery token is missing or not valid: open the page again and send the form from it.",
                type: "https://onego.gov.cn/problems/bad-request").ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>The first parameter of the endpoint whose route or query value does not parse as its type.</summary>
    private static (string Name, string Type, string Value)? UnboundParameter(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return null;
        }

        foreach (var parameter in endpoint.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IParameterBindingMetadata>())
        {
            if (!parameter.HasTryParse)
            {
                continue;
            }

            var raw = context.Request.RouteValues.TryGetValue(parameter.Name, out var routed) ? routed?.ToString() : (string?)context.Request.Query[parameter.Name];
            if (string.IsNullOrEmpty(raw))
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(parameter.ParameterInfo.ParameterType) ?? parameter.ParameterInfo.ParameterType;
            if (!Parses(type, raw))
            {
                return (parameter.Name, type.Name, raw);
            }
        }

        return null;
    }

    private static bool Parses(Type type, string raw)
    {
        if (type.IsEnum)
        {
            return Enum.TryParse(type, raw, ignoreCase: false, out _);
        }

        var parsable = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IParsable<>));
        if (parsable is null)
        {
            return true;
        }

        var tryParse = type.GetInterfaceMap(parsable).TargetMethods.First(m => m.Name.EndsWith("TryParse", StringComparison.Ordinal));
        object?[] arguments = [raw, System.Globalization.CultureInfo.InvariantCulture, null];
        return (bool)tryParse.Invoke(null, arguments)!;
    }

    private sealed class BadRequestHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad || context.Response.HasStarted)
            {
                return false;
            }

            await Answer(context.Request, bad).ExecuteAsync(context);
            return true;
        }
    }

    private static IResult Answer(HttpRequest request, BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            return JsonBody.Problem(json, null);
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return JsonBody.UnsupportedMediaType(request.ContentType) ?? Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type", detail: bad.Message, type: "https://onego.gov.cn/problems/media-type");
        }

        if (BoundParameter().Match(bad.Message) is { Success: true } parameter)
        {
            return ParameterProblem(parameter.Groups["name"].Value, parameter.Groups["type"].Value, parameter.Groups["value"].Value);
        }

        return Results.Problem(statusCode: bad.StatusCode, title: bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "The body is too large",
            StatusCodes.Status408RequestTimeout => "The request took too long",
            _ => "The request cannot be read",
        }, detail: bad.Message, type: "https://onego.gov.cn/problems/bad-request");
    }

    private static IResult ParameterProblem(string name, string type, string value)
    {
        var message = $"{name} cannot be '{(value.Length > 100 ? value[..100] + "…" : value)}': it must be {Kind(type)}.";
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A parameter cannot be read", detail: message,
            type: "https://onego.gov.cn/problems/bad-request",
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { ApiError.ForParameter(name, "type", message) } });
    }

    private static string Kind(string type) => type.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?').ToLowerInvariant() switch
    {
        "int" or "long" or "int32" or "int64" => "a whole number",
        "bool" or "boolean" => "true or false",
        "guid" => "an id (a GUID)",
        "datetimeoffset" or "datetime" => "a date and time (ISO 8601)",
        _ => $"a value of the kind {type}",
    };

    // The framework's own wording: Failed to bind parameter "int? limit" from "abc".
    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[^ \"]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BoundParameter();
}
