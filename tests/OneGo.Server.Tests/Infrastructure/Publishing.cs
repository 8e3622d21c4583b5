using System.Net;
using System.Text.Json.Nodes;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>Publishing into the national zone as a tenant's admin does it.</summary>
public static class Publishing
{
    /// <summary>Publishes <paramref name="tenant"/> now and waits for the run to end; returns the run with what it published.</summary>
    public static async Task<JsonNode> PublishNowAsync(this HttpClient admin, string tenant)
    {
        var accepted = await admin.PostAsync($"/api/t/{tenant}/publishing-runs", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!.ToString();
        return await Eventually.HoldsAsync(async () => await (await admin.GetAsync(location)).JsonAsync(),
            r => (string?)r["run"]!["status"] is "succeeded" or "failed", $"run {location}", timeout: TimeSpan.FromSeconds(60));
    }

    /// <summary>The public ids of what a successful run published, in order.</summary>
    public static List<string> Published(JsonNode run)
    {
        Assert.Equal("succeeded", (string?)run["run"]!["status"]);
        return run["publications"]!.AsArray().Select(p => (string)p!["id"]!).ToList();
    }

    /// <summary>The whole zone feed, page after page from the start, as an integration with scope zone.read reads it.</summary>
    public static async Task<List<JsonNode>> FeedAsync(this HttpClient reader)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        while (true)
        {
            var page = await (await reader.GetAsync("/api/zone/feed?limit=100" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string)page["next"]!;
            if (!(bool)page["more"]!)
            {
                return items;
            }
        }
    }
}
