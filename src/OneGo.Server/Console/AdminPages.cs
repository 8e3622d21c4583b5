using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions;
using OneGo.Server.Hosting;
using Models = OneGo.Client.Models;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;
using OneGo.Server.Pages;
using OneGo.Server.Pages.ConsoleUi;
using OneGo.Tenancy;

namespace OneGo.Server.ConsoleUi;

/// <summary>
/// The admin's pages — the accounts of its region (and, through the regions below, theirs), publishing runs, the
/// audit log — and the national operator's: push integrations, dead letters, and the audit verification.
/// </summary>
internal static class AdminPages
{
    public static void Map(RouteGroupBuilder console, RouteGroupBuilder tenant)
    {
        tenant.MapGet("/accounts", ConsolePages.Guarded((c, v, a) => AccountsAsync(c, v, a, null, null)));
        tenant.MapPost("/accounts", ConsolePages.Posted(ProposeAccountAsync));
        tenant.MapPost("/accounts/{userName}/disable", ConsolePages.Posted((c, v, a) => AccountMoveAsync(c, v, a, "disable")));
        tenant.MapPost("/accounts/{userName}/credential", ConsolePages.Posted((c, v, a) => AccountMoveAsync(c, v, a, "credential")));
        tenant.MapPost("/accounts/{userName}/authenticator/reset", ConsolePages.Posted((c, v, a) => AccountMoveAsync(c, v, a, "authenticator/reset")));
        tenant.MapPost("/accounts/{userName}/roles/{role}/revoke", ConsolePages.Posted(RevokeRoleAsync));
        tenant.MapPost("/account-changes/{id:long}/approve", ConsolePages.Posted((c, v, a) => DecideAsync(c, v, a, "approve")));
        tenant.MapPost("/account-changes/{id:long}/refuse", ConsolePages.Posted((c, v, a) => DecideAsync(c, v, a, "refuse")));
        tenant.MapGet("/publishing", ConsolePages.Guarded((c, v, a) => PublishingAsync(c, v, a, null)));
        tenant.MapPost("/publishing", ConsolePages.Posted(PublishNowAsync));
        tenant.MapGet("/audit", ConsolePages.Guarded(AuditAsync));
        console.MapGet("/verification", ConsolePages.GuardedIn(Nation, VerificationAsync));
        console.MapGet("/national", ConsolePages.GuardedIn(Nation, (c, v, a) => NationalPageAsync(c, v, a, null, null)));
        console.MapPost("/national/integrations", ConsolePages.PostedIn(Nation, CreateIntegrationAsync));
        console.MapPost("/national/dead-letters/{id:long}/replay", ConsolePages.PostedIn(Nation, ReplayAsync));
    }

    /// <summary>
    /// The region's people and service accounts, the four-eyes changes waiting for a second admin, and the proposal of
    /// a new person; <paramref name="refused"/> is the API's answer to a form, <paramref name="typed"/> the proposal as typed.
    /// </summary>
    private static async Task<IResult> AccountsAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var cancel = context.RequestAborted;
        // The accounts list is one page (the API takes no cursor there).
        var accounts = (await api.Client.Api.T[view.Tenant].Accounts.GetAsync(cancellationToken: cancel))?.Items ?? [];
        // The changes waiting for a second admin, every page of them.
        var waiting = await ConsoleApi.AllAsync(async next =>
        {
            var page = await api.Client.Api.T[view.Tenant].AccountChanges.GetAsync(
                q => (q.QueryParameters.State, q.QueryParameters.Limit, q.QueryParameters.Cursor) = ("proposed", Paging.MaxLimit, next), cancel);
            return (page?.Items, page?.Next);
        });
        return PageResult.Of<AccountsPage>(view.Page, new { View = view, Accounts = accounts, Waiting = waiting, Refused = refused, Form = typed },
            refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> ProposeAccountAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["userName"] = form["userName"].ToString().Trim(),
            ["displayName"] = form["displayName"].ToString().Trim(),
            ["email"] = form["email"].ToString().Trim(),
            ["kind"] = "person",
            ["roles"] = new JsonArray([.. form["roles"].Select(r => (JsonNode?)JsonValue.Create(r))]),
        };
        // An officer's department; the other roles are bound to none, so an empty choice sends nothing.
        if (form["department"].ToString() is { Length: > 0 } department)
        {
            body["department"] = department;
        }

        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts", body);
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(context, view, api, answer, form);
    }

    private static async Task<IResult> AccountMoveAsync(HttpContext context, ConsoleView view, ConsoleApi api, string move)
    {
        var user = context.GetRouteValue("userName")?.ToString() ?? "";
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts/{Uri.EscapeDataString(user)}/{move}");
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(context, view, api, answer, null);
    }

    private static async Task<IResult> RevokeRoleAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var user = context.GetRouteValue("userName")?.ToString() ?? "";
        var role = context.GetRouteValue("role")?.ToString() ?? "";
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/accounts/{Uri.EscapeDataString(user)}/roles/{Uri.EscapeDataString(role)}/revoke");
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(context, view, api, answer, null);
    }

    private static async Task<IResult> DecideAsync(HttpContext context, ConsoleView view, ConsoleApi api, string decision)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var comment = form["comment"].ToString().Trim();
        var body = decision == "refuse" || comment.Length > 0 ? new JsonObject { ["comment"] = comment } : null;
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/account-changes/{context.GetRouteValue("id")}/{decision}", body);
        return answer.Ok ? Results.Redirect($"{view.Base}/accounts") : await AccountsAsync(context, view, api, answer, null);
    }

    /// <summary>The region's latest publishing runs; <paramref name="refused"/> is the API's answer when it would not start one.</summary>
    private static async Task<IResult> PublishingAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused)
    {
        var runs = await api.Client.Api.T[view.Tenant].PublishingRuns.GetAsync(q => q.QueryParameters.Limit = 50, context.RequestAborted);
        return PageResult.Of<PublishingPage>(view.Page, new { View = view, Runs = runs?.Items ?? [], Refused = refused }, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> PublishNowAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var answer = await api.PostAsync($"/api/t/{view.Tenant}/publishing-runs");
        return answer.Ok ? Results.Redirect($"{view.Base}/publishing") : await PublishingAsync(context, view, api, answer);
    }

    private static async Task<IResult> AuditAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var entries = await api.Client.Api.T[view.Tenant].Audit.GetAsync(q => q.QueryParameters.Limit = 100, context.RequestAborted);
        return PageResult.Of<AuditPage>(view.Page, new { View = view, Entries = entries?.Items ?? [] });
    }

    /// <summary>The national auditors' check of every audit chain against every checkpoint (三员管理: not the admins').</summary>
    private static async Task<IResult> VerificationAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var verification = await api.Client.Api.Audit.Verify.GetAsync(cancellationToken: context.RequestAborted);
        return PageResult.Of<VerificationPage>(view.Page, new { View = view, Verification = verification ?? new Models.AuditVerification() });
    }

    // The national operator's pages are about the deployment, not a region: the view is of national.
    private static RegionInfo Nation(HttpContext context) => context.RequestServices.GetRequiredService<RegionDirectory>().Cached(RegionRules.NationalId)!;

    /// <summary>
    /// The push integrations and the dead letters; <paramref name="refused"/> is the API's answer to a form,
    /// <paramref name="typed"/> the registration as typed. The page stands without its dead letters if the API will not list them.
    /// </summary>
    private static async Task<IResult> NationalPageAsync(HttpContext context, ConsoleView view, ConsoleApi api, ApiAnswer? refused, IFormCollection? typed)
    {
        var integrations = await api.Client.Api.Zone.Integrations.GetAsync(cancellationToken: context.RequestAborted);
        List<Models.DeadLetter> deadLetters;
        try
        {
            deadLetters = (await api.Client.Api.Zone.DeadLetters.GetAsync(cancellationToken: context.RequestAborted))?.Items ?? [];
        }
        catch (ApiException refusedList) when (refusedList.ResponseStatusCode != StatusCodes.Status401Unauthorized)
        {
            deadLetters = [];
        }

        // The holiday calendar every due date is counted on: from 1 November, next year's notice is awaited.
        var calendar = (await api.Client.Api.Calendar.GetAsync(cancellationToken: context.RequestAborted))?.Years ?? [];
        var today = DateOnly.FromDateTime(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var missing = today.Month >= 11 && calendar.All(y => y.Year != today.Year + 1) ? today.Year + 1 : (int?)null;
        return PageResult.Of<NationalPage>(view.Page, new
        {
            View = view, Integrations = integrations?.Items ?? [], DeadLetters = deadLetters, Refused = refused, Form = typed, Calendar = calendar, MissingYear = missing,
        }, refused?.Status ?? StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateIntegrationAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var body = new JsonObject
        {
            ["name"] = form["name"].ToString().Trim(),
            ["url"] = form["url"].ToString().Trim(),
            ["secret"] = form["secret"].ToString(),
            ["regions"] = new JsonArray([.. form["regions"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => (JsonNode?)JsonValue.Create(r))]),
        };
        var answer = await api.PostAsync("/api/zone/integrations", body);
        return answer.Ok ? Results.Redirect("/console/national") : await NationalPageAsync(context, view, api, answer, form);
    }

    private static async Task<IResult> ReplayAsync(HttpContext context, ConsoleView view, ConsoleApi api)
    {
        var answer = await api.PostAsync($"/api/zone/dead-letters/{context.GetRouteValue("id")}/replay");
        return answer.Ok ? Results.Redirect("/console/national#dead-letters-heading") : await NationalPageAsync(context, view, api, answer, null);
    }

}
