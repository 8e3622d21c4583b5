namespace OneGo.Testing;

/// <summary>
/// The throwaway Azurite blob service that ./test.sh starts (infra/azurite.sh). Tests that need it fail, loudly, when
/// it is missing; none skips itself.
/// </summary>
internal static class TestAzurite
{
    public const string EnvironmentVariable = "ONEGO_TEST_AZURITE";

    public static string ConnectionString
    {
        get
        {
            TestUsage.Record(TestUsage.Azurite);
            return Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set, so there is no Azurite to test blob storage against. Run the tests with ./test.sh, " +
                    $"which starts one, or export {EnvironmentVariable}=$(infra/azurite.sh start /tmp/onego-azurite).");
        }
    }

    /// <summary>A container name no other test uses, so that every test starts from an empty container.</summary>
    public static string NewContainerName() => "onego-t-" + Guid.NewGuid().ToString("N");
}
