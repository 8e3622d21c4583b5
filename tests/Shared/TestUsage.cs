using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace OneGo.Testing;

/// <summary>
/// Which real service a test class uses is in its name — <c>Sqlite</c>, <c>Postgres</c>, <c>Azurite</c>,
/// <c>Chromium</c> (e.g. <c>ZoneTestsOnPostgresAndAzurite</c>) — so that ./test.sh counts the tests of each. This
/// checks the names against what the tests do: each time a service is reached, the test class (or the test classes
/// of the fixture) that reached it is found on the call stack, and when none of them names the service, a line is
/// written to the file <c>ONEGO_TEST_USAGE</c> names; ./test.sh fails on any such line.
/// </summary>
internal static class TestUsage
{
    public const string EnvironmentVariable = "ONEGO_TEST_USAGE";
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
    public const string Azurite = "Azurite";
    public const string Chromium = "Chromium";

    private static readonly ConcurrentDictionary<string, bool> Reported = new(StringComparer.Ordinal);

    public static void Record(string service)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is not { Length: > 0 } file)
        {
            return;
        }

        var (user, classes) = Find(new StackTrace(1, false));
        if (classes.Any(c => c.Name.Contains(service, StringComparison.Ordinal)))
        {
            return;
        }

        var line = $"{service}\t{user?.FullName ?? "(no test class on the stack)"}\t{string.Join(", ", classes.Select(c => c.Name))}";
        if (Reported.TryAdd(line, true))
        {
            lock (Reported)
            {
                File.AppendAllText(file, line + "\n");
            }
        }
    }

    /// <summary>The nearest test class or fixture on the stack, and the concrete test classes whose name must say so.</summary>
    private static (Type? User, List<Type> Classes) Find(StackTrace stack)
    {
        foreach (var frame in stack.GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            // State machines and closures are nested in the type whose code they are.
            while (type is not null && type.DeclaringType is not null && (type.Name.StartsWith('<') || type.IsDefined(typeof(CompilerGeneratedAttribute))))
            {
                type = type.DeclaringType;
            }

            if (type is null || type.Assembly.GetName().Name?.EndsWith(".Tests", StringComparison.Ordinal) != true)
            {
                continue;
            }

            var tests = TestClasses(type.Assembly);
            if (IsTestClass(type))
            {
                return (type, [.. tests.Where(t => type.IsAssignableFrom(t))]);
            }

            var consumers = tests.Where(t => Fixtures(t).Any(type.IsAssignableFrom)).ToList();
            if (consumers.Count > 0)
            {
                return (type, consumers);
            }
        }

        return (null, []);
    }

    private static bool IsTestClass(Type type) =>
        type.GetMethods(BindingFlags.Instance | BindingFlags.Public).Any(m => m.IsDefined(typeof(FactAttribute), inherit: true));

    private static List<Type> TestClasses(Assembly assembly) =>
        [.. assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && IsTestClass(t))];

    /// <summary>The class and collection fixtures a test class is given.</summary>
    private static IEnumerable<Type> Fixtures(Type test)
    {
        foreach (var fixture in test.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IClassFixture<>)))
        {
            yield return fixture.GetGenericArguments()[0];
        }

        if (test.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute)) is { ConstructorArguments.Count: > 0 } collection)
        {
            var name = collection.ConstructorArguments[0].Value as string;
            foreach (var definition in test.Assembly.GetTypes().Where(t => t.GetCustomAttributesData()
                         .Any(a => a.AttributeType == typeof(CollectionDefinitionAttribute) && a.ConstructorArguments.Count > 0 && (string?)a.ConstructorArguments[0].Value == name)))
            {
                foreach (var fixture in definition.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionFixture<>)))
                {
                    yield return fixture.GetGenericArguments()[0];
                }
            }
        }
    }
}
