using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Features.Applications;
using OneGo.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OneGo.Server.Tests.Features.Applications;

/// <summary>
/// A server process killed (SIGKILL) while a load of submissions goes on, then started again: every submission that was
/// answered 201 is stored with all its cases, retrying each with its Idempotency-Key returns the same application, and
/// no application is submitted twice or holds a number another holds.
/// </summary>
public sealed class SubmissionCrashTestsOnPostgres(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Haicang = "fujian.xiamen.haicang";
    private const int Drafts = 30;
    private const int AnsweredBeforeTheKill = 8;
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Provider.Postgres);

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    private static async Task<(HttpStatusCode? Status, string? Number, int Cases)> SubmitAsync(HttpClient applicant, string id, JsonObject body)
    {
        try
        {
            var response = await applicant.SubmitAsync(Haicang, id, "crash-" + id, body);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return (response.StatusCode, null, 0);
            }

            var application = await response.JsonAsync();
            return (response.StatusCode, (string?)application["number"], application["cases"]!.AsArray().Count);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or IOException)
        {
            // The connection died with the server: no answer.
            return (null, null, 0);
        }
    }

    [Fact]
    public async Task EverySubmissionAnsweredBeforeTheKillIsStoredWholeAndRetriesReturnTheSameApplication()
    {
        var ids = new List<string>();
        JsonObject submit;
        await using (var first = await ServerProcess.StartAsync(_database))
        {
            using var applicant = await first.ClientAsync("demo-applicant-zhang", "apply");
            (var draft, submit) = await applicant.SubmittableAsync(Haicang);
            for (var i = 0; i < Drafts; i++)
            {
                ids.Add(await applicant.DraftAsync(Haicang, draft));
            }

            // Six at a time; the node is killed once eight have been answered, with others in flight.
            var answered = new ConcurrentDictionary<string, (string Number, int Cases)>();
            using var gate = new SemaphoreSlim(6);
            var killed = new TaskCompletionSource();
            var load = ids.Select(async id =>
            {
                await gate.WaitAsync();
                try
                {
                    if (killed.Task.IsCompleted)
                    {
                        return;
                    }

                    var (status, number, cases) = await SubmitAsync(applicant, id, submit);
                    if (status == HttpStatusCode.Created)
                    {
                        answered[id] = (number!, cases);
                        if (answered.Count >= AnsweredBeforeTheKill)
                        {
                            killed.TrySetResult();
                        }
                    }
                    else if (status is not null)
                    {
                        Assert.Fail($"Submission {id} answered {status} before the kill.");
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await killed.Task.WaitAsync(TimeSpan.FromMinutes(3));
            await first.KillAsync();
            await Task.WhenAll(load);
            output.WriteLine($"{answered.Count} of {Drafts} submissions answered 201 before the kill");
            Assert.InRange(answered.Count, AnsweredBeforeTheKill, Drafts - 1);

            // What was answered is there, whole: the application submitted with its number and every case.
            await using (var db = _database.NewContext())
            {
                foreach (var (id, (number, cases)) in answered)
                {
                    var stored = await db.Set<Application>().IgnoreQueryFilters().Include(a => a.Cases).SingleAsync(a => a.Id == Guid.Parse(id));
                    Assert.Equal((ApplicationState.Submitted, number, cases), (stored.State, stored.Number, stored.Cases.Count));
                }
            }

            await using var second = await ServerProcess.StartAsync(_database);
            using var again = await second.ClientAsync("demo-applicant-zhang", "apply");
            // Every submission retried with its key: those answered get the same application, the rest are submitted now, once.
            var retried = await Task.WhenAll(ids.Select(async id => (id, answer: await SubmitAsync(again, id, submit))));
            Assert.All(retried, r => Assert.Equal(HttpStatusCode.Created, r.answer.Status));
            Assert.All(retried.Where(r => answered.ContainsKey(r.id)), r => Assert.Equal(answered[r.id].Number, r.answer.Number));
            var expectedCases = answered.Values.First().Cases;
            Assert.All(retried, r => Assert.Equal(expectedCases, r.answer.Cases));
        }

        await using var check = _database.NewContext();
        var guids = ids.Select(Guid.Parse).ToList();
        var submitted = await check.Set<Application>().IgnoreQueryFilters().Include(a => a.Cases).Where(a => guids.Contains(a.Id)).ToListAsync();
        Assert.Equal(Drafts, submitted.Count(a => a.State == ApplicationState.Submitted));
        Assert.Equal(Drafts, submitted.Select(a => a.Number).Distinct().Count());
        Assert.Single(submitted.Select(a => a.Cases.Count).Distinct());
        Assert.Equal(Drafts, await check.Set<Application>().IgnoreQueryFilters().CountAsync(a => a.Number != null));
    }
}
