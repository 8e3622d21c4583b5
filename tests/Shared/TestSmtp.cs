using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OneGo.Testing;

/// <summary>
/// The SMTP server that ./test.sh starts (smtp4dev): OneGo sends to it as to any mail server, and tests read what
/// arrived through its HTTP API. Tests that need it fail, loudly, when it is missing.
/// </summary>
internal static class TestSmtp
{
    public const string EnvironmentVariable = "ONEGO_TEST_SMTP";
    public const string ApiVariable = "ONEGO_TEST_SMTP_API";

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set, so there is no mail server to test against. Run the tests with ./test.sh, which starts smtp4dev.");

    /// <summary>The settings that send a host's mail to the test server.</summary>
    public static IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var (host, port) = (Required(EnvironmentVariable).Split(':')[0], Required(EnvironmentVariable).Split(':')[1]);
            return new Dictionary<string, string?> { ["Mail:Host"] = host, ["Mail:Port"] = port, ["Mail:Security"] = "none" };
        }
    }

    /// <summary>Waits for the first message to <paramref name="to"/> whose subject contains <paramref name="subject"/>, and returns its plain text.</summary>
    public static async Task<string> WaitForAsync(string to, string subject, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Required(ApiVariable)) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonNode>("/api/messages?pageSize=5000");
            foreach (var message in page!["results"]!.AsArray())
            {
                var recipients = message!["to"]?.AsArray().Select(t => (string?)t) ?? [];
                if (recipients.Any(r => r is not null && r.Contains(to, StringComparison.OrdinalIgnoreCase)) &&
                    ((string?)message["subject"] ?? "").Contains(subject, StringComparison.Ordinal))
                {
                    return await http.GetStringAsync($"/api/messages/{(string)message["id"]!}/plaintext");
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No mail to {to} about '{subject}' arrived at the test mail server.");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>How many messages the server holds for <paramref name="to"/>.</summary>
    public static async Task<int> CountAsync(string to)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Required(ApiVariable)) };
        var page = await http.GetFromJsonAsync<JsonNode>("/api/messages?pageSize=5000");
        return page!["results"]!.AsArray().Count(m => (m!["to"]?.AsArray().Select(t => (string?)t) ?? []).Any(r => r is not null && r.Contains(to, StringComparison.OrdinalIgnoreCase)));
    }
}
