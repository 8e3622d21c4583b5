using k8s;
using k8s.Models;

namespace OneGo.Server.Tests.Hosting;

/// <summary>
/// The Kubernetes manifests in <c>infra/kubernetes/</c>, read with KubernetesClient's typed YAML reader as the cluster
/// would take them: the nodes are ready on <c>/health/ready</c> and alive on <c>/health/live</c>, every container has
/// requests and limits, a disruption budget keeps one node running, secrets come only by <c>secretKeyRef</c>, no image
/// floats on <c>latest</c>, the migration is a Job of its own running <c>migrate</c>, and every setting the manifests
/// give is one the README's settings table names.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly string Folder = Path.Combine(OpenApiContract.Root, "infra", "kubernetes");

    private static List<object> Objects() =>
        [.. Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal).SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file)))];

    private static IEnumerable<V1Container> Containers(IEnumerable<object> objects) => objects.SelectMany(o => o switch
    {
        V1Deployment deployment => deployment.Spec.Template.Spec.Containers,
        V1Job job => job.Spec.Template.Spec.Containers,
        _ => [],
    });

    [Fact]
    public void TheNodesAreProbedOnTheHealthRoutesAndNeverAllGoneAtOnce()
    {
        var objects = Objects();
        var deployment = Assert.Single(objects.OfType<V1Deployment>());
        Assert.True(deployment.Spec.Replicas >= 2, "One deployment serves every region: more than one node.");
        var node = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("/health/ready", node.ReadinessProbe?.HttpGet?.Path);
        Assert.Equal("/health/live", node.LivenessProbe?.HttpGet?.Path);
        var budget = Assert.Single(objects.OfType<V1PodDisruptionBudget>());
        Assert.True(budget.Spec.MinAvailable is { } min && int.TryParse(min.Value, out var count) && count >= 1, "The disruption budget keeps at least one node.");
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        Assert.Contains(objects.OfType<V1Service>(), s => s.Spec.Selector.SequenceEqual(deployment.Spec.Selector.MatchLabels));
    }

    [Fact]
    public void EveryContainerHasRequestsAndLimitsAndAPinnedImage()
    {
        var containers = Containers(Objects()).ToList();
        Assert.True(containers.Count >= 2);
        Assert.All(containers, c =>
        {
            foreach (var resources in new[] { c.Resources?.Requests, c.Resources?.Limits })
            {
                Assert.True(resources is not null && resources.ContainsKey("cpu") && resources.ContainsKey("memory"), $"{c.Name} names no cpu and memory requests and limits.");
            }

            var tag = c.Image[(c.Image.LastIndexOf('/') + 1)..].Split(':');
            Assert.True(tag.Length == 2 && tag[1].Length > 0 && tag[1] != "latest", $"{c.Name}'s image {c.Image} is not pinned to a version.");
        });
    }

    [Fact]
    public void SecretsComeOnlyBySecretKeyRefAndTheSettingsAreTheReadmes()
    {
        var objects = Objects();
        var secretish = new[] { "ConnectionString", "Password", "Secret", "Key__" };
        foreach (var container in Containers(objects))
        {
            Assert.All(container.Env ?? [], e =>
            {
                Assert.True(e.Value is null || !secretish.Any(s => e.Name.Contains(s, StringComparison.OrdinalIgnoreCase)), $"{container.Name} gives {e.Name} in clear.");
                Assert.True(e.ValueFrom is null || e.ValueFrom.SecretKeyRef is not null, $"{container.Name} takes {e.Name} from elsewhere than a secret.");
            });
        }

        var readme = File.ReadAllText(Path.Combine(OpenApiContract.Root, "README.md"));
        var settings = objects.OfType<V1ConfigMap>().SelectMany(m => m.Data.Keys)
            .Concat(Containers(objects).SelectMany(c => c.Env ?? []).Select(e => e.Name))
            .Where(k => k.Contains("__", StringComparison.Ordinal) && !k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).Distinct().ToList();
        Assert.NotEmpty(settings);
        Assert.All(objects.OfType<V1ConfigMap>().SelectMany(m => m.Data.Keys), k => Assert.DoesNotContain(secretish, s => k.Contains(s, StringComparison.OrdinalIgnoreCase) && !k.EndsWith("Certificate", StringComparison.Ordinal)));
        Assert.All(settings, k => Assert.True(readme.Contains($"| `{k.Replace("__", ":", StringComparison.Ordinal)}` |", StringComparison.Ordinal), $"{k} is no setting of the README's table."));
    }

    [Fact]
    public void MigrationsAreAJobOfTheirOwnAndTheNodesDoNotMigrate()
    {
        var objects = Objects();
        var job = Assert.Single(objects.OfType<V1Job>());
        Assert.Equal(["migrate"], Assert.Single(job.Spec.Template.Spec.Containers).Args);
        Assert.Contains(objects.OfType<V1ConfigMap>(), m => m.Data.TryGetValue("Database__MigrateOnStartup", out var value) && value == "false");
    }
}
