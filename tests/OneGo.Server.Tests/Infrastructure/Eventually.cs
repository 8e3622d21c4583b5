namespace OneGo.Server.Tests.Infrastructure;

/// <summary>Waiting for background work (scheduled jobs, the outbox relay) the way a user would: look again until it shows.</summary>
public static class Eventually
{
    /// <summary>Polls until <paramref name="done"/> holds (first requests of hosts starting in parallel on two cores are slow).</summary>
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, Func<T, string>? describe = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last seen: {(describe is null ? value?.ToString() : describe(value))}");
            }

            await Task.Delay(100);
        }
    }
}
