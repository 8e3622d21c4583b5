using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using OneGo.Server.Features.Audit;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// The Azure template in <c>infra/azure/</c>, compiled by the Bicep CLI (Azure.Bicep.CommandLine.linux-x64) with its
/// linter on: no error and no warning, and the ARM JSON it makes says what a reviewer looks for — only regions in
/// mainland China, PostgreSQL with kept and geo-redundant backups on a private network, the audit checkpoints copied
/// into a write-once container, Key Vault with purge protection holding every secret the apps take by reference, the
/// nodes probed on the health routes, a pinned image, the Kubernetes manifests' settings, and a migration job running
/// <c>migrate</c> as the tables' owner.
/// </summary>
public sealed partial class AzureTemplateTests
{
    private static readonly string Folder = Path.Combine(OpenApiContract.Root, "infra", "azure");

    private static readonly Lazy<Task<Compiled>> Compilation = new(CompileAsync);

    private sealed record Compiled(JsonObject Template, JsonObject Parameters);

    private sealed record Run(int Exit, string Out, string Error);

    private static string Bicep =>
        typeof(AzureTemplateTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Bicep").Value!;

    private static async Task<Run> BicepAsync(params string[] args)
    {
        var bicep = Bicep;
        Assert.True(File.Exists(bicep), $"The Bicep CLI is not at {bicep}: restore the test project (package Azure.Bicep.CommandLine.linux-x64).");
        // NuGet may unpack the executable without its execute bit (the package is Linux's only).
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(bicep).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute);
        }

        var start = new ProcessStartInfo(bicep, args)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                // Without ICU the CLI stops at start-up; it formats nothing culture-specific.
                ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
                // The parameters file reads the secrets from the deploying shell: stand-ins here.
                ["ONEGO_POSTGRES_ADMIN_PASSWORD"] = "stand-in",
                ["ONEGO_OWNER_PASSWORD"] = "stand-in",
                ["ONEGO_APP_PASSWORD"] = "stand-in",
                ["ONEGO_AUDIT_CHECKPOINT_KEY"] = "stand-in",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }

    // The template and its parameters file compiled at once; `build` runs the linter too, as `lint` does.
    private static async Task<Compiled> CompileAsync()
    {
        var template = BicepAsync("build", "main.bicep", "--stdout");
        var parameters = BicepAsync("build-params", "main.bicepparam", "--stdout");
        foreach (var (file, run) in new[] { ("main.bicep", await template), ("main.bicepparam", await parameters) })
        {
            Assert.True(run.Exit == 0 && run.Error.Trim().Length == 0, $"bicep on {file} exited {run.Exit}:\n{run.Error}");
        }

        var built = JsonNode.Parse((await parameters).Out)!.AsObject();
        return new Compiled(JsonNode.Parse((await template).Out)!.AsObject(), JsonNode.Parse(built["parametersJson"]!.GetValue<string>())!["parameters"]!.AsObject());
    }

    private static IEnumerable<JsonObject> Resources(JsonObject template, string type) =>
        template["resources"]!.AsArray().Select(r => r!.AsObject()).Where(r => (string?)r["type"] == type);

    /// <summary>A value as the template writes it, with the variables it names (alone or concatenated) put in.</summary>
    private static JsonNode Resolve(JsonObject template, JsonNode node)
    {
        if (node.GetValueKind() != System.Text.Json.JsonValueKind.String || node.GetValue<string>() is not ['[', .., ']'] expression)
        {
            return node;
        }

        var variables = VariableReference().Matches(expression).Select(m => template["variables"]![m.Groups[1].Value]!).ToList();
        if (variables.Count == 1 && expression == $"[variables('{VariableReference().Match(expression).Groups[1].Value}')]")
        {
            return variables[0];
        }

        Assert.StartsWith("[concat(variables(", expression, StringComparison.Ordinal);
        return new JsonArray([.. variables.SelectMany(v => v.AsArray()).Select(e => e!.DeepClone())]);
    }

    private static JsonObject Container(JsonObject template, JsonObject resource) =>
        Assert.Single(resource["properties"]!["template"]!["containers"]!.AsArray())!.AsObject();

    private static Dictionary<string, JsonObject> Env(JsonObject template, JsonObject container) =>
        Resolve(template, container["env"]!).AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["name"]!);

    [Fact]
    public async Task CompilesWithoutAWarningAndDeploysOnlyToRegionsInChina()
    {
        var (template, parameters) = await Compilation.Value;
        var location = template["parameters"]!["location"]!;
        var allowed = location["allowedValues"]!.AsArray().Select(v => (string)v!).ToList();
        Assert.Equal(["chinaeast2", "chinanorth2", "chinanorth3"], allowed.Order(StringComparer.Ordinal));
        Assert.Contains((string)location["defaultValue"]!, allowed);
        Assert.Contains((string)parameters["location"]!["value"]!, allowed);

        // Every resource goes where the parameter says (or is global, as DNS zones are).
        Assert.All(template["resources"]!.AsArray().Select(r => r!.AsObject()).Where(r => r["location"] is not null),
            r => Assert.Contains((string)r["location"]!, new[] { "[parameters('location')]", "global" }));

        // Cloud addresses come from environment(), so that the template names Azure China's: none is written in (but the
        // schemas the template and its module's name).
        Assert.DoesNotMatch(CloudHost(), Schema().Replace(template.ToJsonString(), ""));
    }

    [Fact]
    public async Task PostgreSqlKeepsItsBackupsGeoRedundantAndHasNoPublicAddress()
    {
        var (template, _) = await Compilation.Value;
        var server = Assert.Single(Resources(template, "Microsoft.DBforPostgreSQL/flexibleServers"))["properties"]!;
        Assert.Equal("Enabled", (string?)server["backup"]!["geoRedundantBackup"]);
        var retention = template["parameters"]![ParameterName((string)server["backup"]!["backupRetentionDays"]!)]!;
        Assert.True((int)retention["minValue"]! >= 7 && (int)retention["defaultValue"]! >= 7, "Backups are kept at least 7 days.");
        Assert.Contains("ZoneRedundant", (string)server["highAvailability"]!["mode"]!, StringComparison.Ordinal);
        Assert.Equal("Disabled", (string?)server["network"]!["publicNetworkAccess"]);
        Assert.Contains("/subnets/database'", (string)server["network"]!["delegatedSubnetResourceId"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAuditCheckpointsAreCopiedIntoAWriteOnceContainerAndTheBlobsArePrivate()
    {
        var (template, _) = await Compilation.Value;
        Assert.All(Resources(template, "Microsoft.Storage/storageAccounts"), account =>
        {
            var properties = account["properties"]!;
            Assert.False((bool)properties["allowBlobPublicAccess"]!);
            Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
            Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
            Assert.Equal("Deny", (string?)properties["networkAcls"]!["defaultAction"]);
        });
        Assert.All(Resources(template, "Microsoft.Storage/storageAccounts/blobServices"), service =>
        {
            Assert.True((bool)service["properties"]!["isVersioningEnabled"]!);
            Assert.True((bool)service["properties"]!["deleteRetentionPolicy"]!["enabled"]!);
        });

        // The server writes its checkpoints under AuditCheckpoints.Folder; replication copies exactly that prefix into
        // the container the time-based immutability policy holds.
        var rule = Assert.Single(Assert.Single(Resources(template, "Microsoft.Storage/storageAccounts/objectReplicationPolicies"))["properties"]!["rules"]!.AsArray())!;
        Assert.Equal([AuditCheckpoints.Folder + "/"], rule["filters"]!["prefixMatch"]!.AsArray().Select(p => (string)p!));
        var policy = Assert.Single(Resources(template, "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"));
        Assert.Contains($"'{(string)rule["destinationContainer"]!}', 'default')]", (string)policy["name"]!, StringComparison.Ordinal);
        var days = template["parameters"]![ParameterName((string)policy["properties"]!["immutabilityPeriodSinceCreationInDays"]!)]!;
        Assert.True((int)days["minValue"]! >= 180, "网络安全法 article 21: logs kept at least six months.");
        Assert.False((bool)policy["properties"]!["allowProtectedAppendWrites"]!);

        // The server's own container is the replication's source.
        var container = Assert.Single(Env(template, Container(template, Assert.Single(Resources(template, "Microsoft.App/containerApps")))), e => e.Key == "Blobs__Container").Value;
        Assert.Equal((string)rule["sourceContainer"]!, (string)container["value"]!);
    }

    [Fact]
    public async Task KeyVaultHoldsTheSecretsWhichTheAppsTakeByReferenceOnly()
    {
        var (template, _) = await Compilation.Value;
        var vault = Assert.Single(Resources(template, "Microsoft.KeyVault/vaults"))["properties"]!;
        Assert.True((bool)vault["enablePurgeProtection"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);
        Assert.True((bool)vault["enableRbacAuthorization"]!);

        // The apps' secrets are references into the vault, read with their managed identity: no value of their own.
        var references = Assert.Single(template["variables"]!["copy"]!.AsArray(), c => (string)c!["name"]! == "secrets")!["input"]!;
        Assert.Equal(["identity", "keyVaultUrl", "name"], references.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Contains("environment().suffixes.keyvaultDns", (string)references["keyVaultUrl"]!, StringComparison.Ordinal);
        var inVault = template["variables"]!["vaultSecrets"]!.AsArray().Select(s => (string)s!).ToList();
        foreach (var resource in Resources(template, "Microsoft.App/containerApps").Concat(Resources(template, "Microsoft.App/jobs")))
        {
            Assert.Equal("[variables('secrets')]", (string?)resource["properties"]!["configuration"]!["secrets"]);
            Assert.All(Env(template, Container(template, resource)).Values, e =>
            {
                Assert.True(e["secretRef"] is null || inVault.Contains((string)e["secretRef"]!), $"{e["name"]} names a secret not in the vault.");
                Assert.False(e["value"] is not null && Secretish((string)e["name"]!), $"{e["name"]} is given in clear.");
            });
        }

        // Secrets go in as secure parameters and leave by no output.
        Assert.All(template["parameters"]!.AsObject().Where(p => p.Key.EndsWith("Password", StringComparison.Ordinal) || p.Key.EndsWith("Key", StringComparison.Ordinal)),
            p => Assert.Equal("securestring", (string?)p.Value!["type"]));
        Assert.All(template["outputs"]!.AsObject(), o =>
        {
            Assert.Equal("string", (string?)o.Value!["type"]);
            Assert.DoesNotMatch(SecretSource(), (string)o.Value["value"]!);
        });
    }

    [Fact]
    public async Task TheNodesAreProbedOnTheHealthRoutesAndRunAPinnedImageWithTheManifestsSettings()
    {
        var (template, parameters) = await Compilation.Value;
        var app = Assert.Single(Resources(template, "Microsoft.App/containerApps"));
        var node = Container(template, app);
        var probes = node["probes"]!.AsArray().ToDictionary(p => (string)p!["type"]!, p => (string)p!["httpGet"]!["path"]!);
        Assert.Equal("/health/ready", probes["Readiness"]);
        Assert.Equal("/health/live", probes["Liveness"]);
        var replicas = template["parameters"]![ParameterName((string)app["properties"]!["template"]!["scale"]!["minReplicas"]!)]!;
        Assert.True((int)replicas["minValue"]! >= 2, "One deployment serves every region: more than one node.");

        // The image is the registry's OneGo at the version the deployment names, never a floating tag.
        var image = (string)Resolve(template, node["image"]!)!;
        Assert.Equal("[format('{0}/onego/server:{1}', parameters('registry'), parameters('imageVersion'))]", image);
        Assert.Null(template["parameters"]!["imageVersion"]!["defaultValue"]);
        Assert.Matches(@"^\d+\.\d+\.\d+$", (string)parameters["imageVersion"]!["value"]!);

        // The ConfigMap's settings, with the same values where they are not the deployment's own (issuer, networks).
        var env = Env(template, node);
        var configMap = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(OpenApiContract.Root, "infra", "kubernetes", "onego.yaml"))).OfType<V1ConfigMap>().Single();
        foreach (var (key, value) in configMap.Data)
        {
            Assert.True(env.ContainsKey(key), $"The nodes lack the ConfigMap's {key}.");
            if (env[key]["value"] is JsonValue given && !((string)given!).StartsWith('['))
            {
                Assert.True(key is "Identity__Issuer" or "Network__KnownNetworks" || (string)given! == value, $"{key} is {given} here, {value} in the ConfigMap.");
            }
        }

        var readme = File.ReadAllText(Path.Combine(OpenApiContract.Root, "README.md"));
        Assert.All(env.Keys.Where(k => !k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)),
            k => Assert.True(readme.Contains($"| `{k.Replace("__", ":", StringComparison.Ordinal)}` |", StringComparison.Ordinal), $"{k} is no setting of the README's table."));
    }

    [Fact]
    public async Task MigrationsAreAJobRunningMigrateAsTheOwnerAndTheNodesDoNotMigrate()
    {
        var (template, _) = await Compilation.Value;
        var job = Assert.Single(Resources(template, "Microsoft.App/jobs"));
        Assert.Equal("Manual", (string?)job["properties"]!["configuration"]!["triggerType"]);
        var migrate = Container(template, job);
        Assert.Equal(["migrate"], migrate["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal((string)Container(template, Assert.Single(Resources(template, "Microsoft.App/containerApps")))["image"]!, (string)migrate["image"]!);
        var env = Env(template, migrate);
        Assert.Equal("database-owner", (string?)env["Database__OwnerConnectionString"]["secretRef"]);
        Assert.Equal("false", (string?)env["Database__MigrateOnStartup"]["value"]);

        // The nodes connect as the application's role only.
        var node = Env(template, Container(template, Assert.Single(Resources(template, "Microsoft.App/containerApps"))));
        Assert.False(node.ContainsKey("Database__OwnerConnectionString"));
        Assert.Equal("onego_app", (string?)node["Database__AppRole"]["value"]);
    }

    // A certificate setting is the path of a mounted file, not the secret itself.
    private static bool Secretish(string name) =>
        !name.EndsWith("Certificate", StringComparison.Ordinal) && new[] { "ConnectionString", "Password", "Secret", "Key" }.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase));

    private static string ParameterName(string expression) => ParameterReference().Match(expression) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidOperationException($"{expression} is not a parameter.");

    [GeneratedRegex(@"^\[parameters\('(\w+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"variables\('(\w+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"(azure\.(com|cn|net)|chinacloudapi\.cn|windows\.net)", RegexOptions.IgnoreCase)]
    private static partial Regex CloudHost();

    [GeneratedRegex(@"""\$schema"":""[^""]*""")]
    private static partial Regex Schema();

    [GeneratedRegex(@"Password|CheckpointKey|listKeys|secrets", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSource();
}
