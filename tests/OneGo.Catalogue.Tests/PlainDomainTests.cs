using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OneGo.Catalogue.Tests;

/// <summary>
/// The domain holds no state between calls: no static field a call could change, nothing kept per thread, no
/// cache keyed by the objects it is given. What must be remembered is the server's to cache. A static field is
/// allowed when it is <c>const</c>, or <c>static readonly</c> of an immutable type: a primitive, string, enum,
/// an immutable or frozen collection of immutable items, a <see cref="Regex"/> (documented immutable and
/// thread-safe), or a catalogue type whose fields are all read-only and immutable in turn; and the catalogue's
/// <see cref="JsonSerializerOptions"/>, once made read-only. An array, a
/// <see cref="List{T}"/> or a <see cref="Dictionary{TKey, TValue}"/> is not, even <c>readonly</c>: its items can
/// be changed.
/// </summary>
public class PlainDomainTests
{
    private static readonly Assembly Catalogue = typeof(BundleResolver).Assembly;

    [Fact]
    public void TheCatalogueKeepsNoStateBetweenCalls()
    {
        var types = Catalogue.GetTypes();
        var problems = types.SelectMany(Problems).ToList();

        Assert.True(types.Length > 50, $"Only {types.Length} types were read from {Catalogue.GetName().Name}.");
        Assert.True(problems.Count == 0, "State kept in the catalogue domain:\n" + string.Join("\n", problems));
    }

    public static TheoryData<Type> Immutable =>
    [
        typeof(int), typeof(string), typeof(SourceKind), typeof(ImmutableArray<string>), typeof(ImmutableList<int>),
        typeof(FrozenDictionary<string, int>), typeof(FrozenSet<string>), typeof(Regex), typeof(Text), typeof(MaterialSource),
    ];

    public static TheoryData<Type> Mutable =>
    [
        typeof(int[]), typeof(List<string>), typeof(Dictionary<string, int>), typeof(IReadOnlyList<string>), typeof(object),
        typeof(ImmutableArray<int[]>), typeof(FrozenDictionary<string, List<int>>), typeof(Matter), typeof(System.Text.StringBuilder),
    ];

    [Theory]
    [MemberData(nameof(Immutable))]
    public void AStaticReadonlyFieldMayHoldAnImmutableType(Type type) => Assert.True(IsImmutable(type, []), type.Name);

    [Theory]
    [MemberData(nameof(Mutable))]
    public void AStaticReadonlyFieldMayNotHoldAChangeableType(Type type) => Assert.False(IsImmutable(type, []), type.Name);

    private static IEnumerable<string> Problems(Type type)
    {
        const BindingFlags declared = BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var generated = IsCompilerGenerated(type);
        foreach (var field in type.GetFields(declared))
        {
            var where = $"{type.FullName}.{field.Name}";
            if (field.IsDefined(typeof(ThreadStaticAttribute)))
            {
                yield return $"{where} is [ThreadStatic]";
            }
            else if (KeepsState(field.FieldType) is { } kind)
            {
                yield return $"{where} is a {kind}";
            }
            else if (!field.IsStatic || field.IsLiteral)
            {
                continue;
            }
            else if (generated)
            {
                // What the compiler adds for lambdas (the <>c singleton and its cached delegates), for method groups
                // (<>O's cached delegates) and for constant data (<PrivateImplementationDetails>, read-only RVA
                // fields); any other static field it made is reported.
                var lambdaCache = (type.Name == "<>c" && (field.Name == "<>9" || field.Name.StartsWith("<>9__", StringComparison.Ordinal)))
                    || (type.Name == "<>O" && typeof(Delegate).IsAssignableFrom(field.FieldType));
                var constantData = field.Attributes.HasFlag(FieldAttributes.HasFieldRVA) || (field.IsInitOnly && IsImmutable(field.FieldType, []));
                if (!lambdaCache && !constantData) yield return $"{where} is a static field the compiler made in {type.Name}";
            }
            else if (!field.IsInitOnly)
            {
                // Includes the backing field of a static auto-property with a setter, and of a static event.
                yield return $"{where} is static and not readonly";
            }
            else if (field.FieldType == typeof(JsonSerializerOptions))
            {
                // Settings are frozen by MakeReadOnly (a setter then throws); what the serializer learns of types is its own.
                if (field.GetValue(null) is not JsonSerializerOptions { IsReadOnly: true }) yield return $"{where} is JsonSerializerOptions that can still be changed";
            }
            else if (!IsImmutable(field.FieldType, []))
            {
                yield return $"{where} is static readonly but its type {field.FieldType} can be changed";
            }
        }
    }

    /// <summary>
    /// Only the types the compiler makes itself (closures, lambda caches, state machines, constant data), which it
    /// names with '&lt;': a backing field carries [CompilerGenerated] in a type of ours and is checked like any field.
    /// </summary>
    private static bool IsCompilerGenerated(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (t.IsDefined(typeof(CompilerGeneratedAttribute)) && t.Name.StartsWith('<')) return true;
        }
        return false;
    }

    private static string? KeepsState(Type type)
    {
        if (type.IsArray) return KeepsState(type.GetElementType()!);
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(ThreadLocal<>)) return "ThreadLocal<>";
        if (definition == typeof(AsyncLocal<>)) return "AsyncLocal<>";
        if (definition == typeof(ConditionalWeakTable<,>)) return "ConditionalWeakTable<,>";
        if (definition.Namespace == "System.Collections.Concurrent") return $"concurrent collection ({definition.Name})";
        return type.IsGenericType ? type.GetGenericArguments().Select(KeepsState).FirstOrDefault(k => k is not null) : null;
    }

    private static readonly Type[] ImmutableCollections =
    [
        typeof(ImmutableArray<>), typeof(ImmutableList<>), typeof(ImmutableDictionary<,>), typeof(ImmutableSortedDictionary<,>),
        typeof(ImmutableHashSet<>), typeof(ImmutableSortedSet<>), typeof(ImmutableQueue<>), typeof(ImmutableStack<>),
        typeof(FrozenDictionary<,>), typeof(FrozenSet<>), typeof(Nullable<>),
    ];

    private static bool IsImmutable(Type type, HashSet<Type> seen)
    {
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid))
        {
            return true;
        }
        // A Regex is immutable and thread-safe; [GeneratedRegex] makes a subclass of it in this namespace.
        if (type == typeof(Regex) || (type.IsSubclassOf(typeof(Regex)) && type.Namespace == "System.Text.RegularExpressions.Generated"))
        {
            return true;
        }
        if (type.IsGenericParameter)
        {
            return type.GetGenericParameterConstraints().Contains(typeof(Enum));
        }
        if (type.IsGenericType && ImmutableCollections.Contains(type.GetGenericTypeDefinition()))
        {
            return type.GetGenericArguments().All(a => IsImmutable(a, seen));
        }
        // A type of the catalogue whose every field is read-only and immutable (a record of init-only strings, …).
        if (type.Assembly != Catalogue || type.IsInterface || type.IsArray || !(type.IsValueType || type.IsSealed))
        {
            return false;
        }
        if (!seen.Add(type))
        {
            return true; // already being checked further up
        }
        return type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .All(f => f.IsInitOnly && IsImmutable(f.FieldType, seen));
    }
}
