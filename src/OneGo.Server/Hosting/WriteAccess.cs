using System.Security.Claims;

namespace OneGo.Server.Hosting;

/// <summary>
/// Who may call the routes that change a tenant's catalogue. Until sign-in exists, they are open in the
/// Development and Testing environments only, and refused (401) elsewhere; the actor is then "development".
/// </summary>
internal static class WriteAccess
{
    public const string DevelopmentActor = "development";

    public static TBuilder RequireWriteAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var environment = context.HttpContext.RequestServices.GetRequiredService<IHostEnvironment>();
            if (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
            {
                return await next(context);
            }

            return Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Sign-in required",
                detail: "Changing a catalogue needs a signed-in editor or reviewer of the tenant.");
        });

    public static string Actor(this HttpContext context) =>
        context.User.FindFirstValue("sub") ?? context.User.Identity?.Name ?? DevelopmentActor;
}
