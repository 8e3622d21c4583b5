using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Quartz;

namespace OneGo.Server.Scheduling;

/// <summary>
/// Quartz's tables, as Quartz itself creates them: the DDL embedded in Quartz.dll for each database, read here so
/// that the Scheduling migrations run Quartz's own statements rather than a hand-typed copy. The migrations create
/// the tables because the application's role in production may not create tables (no <c>ProvisionSchema</c>).
/// </summary>
internal static partial class QuartzSchema
{
    /// <summary>Quartz's default prefix, kept so that Quartz's documentation and tools apply as written.</summary>
    public const string TablePrefix = "QRTZ_";

    /// <summary>The three dialects OneGo runs on, named as Quartz names its embedded scripts.</summary>
    public enum Dialect
    {
        Sqlite,
        Postgres,
        SqlServer,
    }

    /// <summary>
    /// The SHA-256 of each embedded script in Quartz 4.7.3, for which the Scheduling migrations were written. An
    /// applied migration must never change what it creates; if a Quartz upgrade changes a script, the Scheduling
    /// migration refuses to read it (see <see cref="CreateStatements"/>).
    /// </summary>
    private static readonly Dictionary<Dialect, string> Written = new()
    {
        [Dialect.Sqlite] = "65dc9c697402acc838a0aa311fde55800e1b3213c0799b0eb6b9371ccbe56773",
        [Dialect.Postgres] = "4360d520b163038d19becb44b85fd7e86491b09960a3a82a5c0319664ca982f0",
        [Dialect.SqlServer] = "b081e32e28f49f6900f0dd5cb188278c4f8cbc4a3bfc321d2fc429bf2f85ea55",
    };

    /// <summary>The statements that create every Quartz table and index, in Quartz's order (parents first).</summary>
    public static IReadOnlyList<string> CreateStatements(Dialect dialect)
    {
        var bytes = Read(dialect);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(hash, Written[dialect], StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"Quartz.dll's {dialect} schema script is not the one the Scheduling migration was written for " +
                $"(SHA-256 {Written[dialect]}, Quartz 4.7.3; this Quartz has {hash}). An applied migration must create " +
                "the same tables everywhere: copy Quartz 4.7.3's statements into the Scheduling migrations as text, and " +
                "add a new migration with Quartz's upgrade script for the new version (database/migrations/ in Quartz's repository).");
        }

        // Statements are separated by a line reading exactly '--;;' (the separator Quartz's own provisioning splits on);
        // '{0}' is the table prefix and '{1}' the prefix without a schema, which is the same here.
        return Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n--;;\n")
            .Select(s => s.Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal).Trim())
            .Where(s => s.Split('\n').Any(line => line.Trim() is { Length: > 0 } text && !text.StartsWith("--", StringComparison.Ordinal)))
            .ToList();
    }

    /// <summary>The tables the statements create, in the order they create them.</summary>
    public static IReadOnlyList<string> Tables(Dialect dialect) =>
        CreateStatements(dialect)
            .Select(s => CreateTable().Match(s))
            .Where(m => m.Success)
            .Select(m => m.Groups["table"].Value)
            .ToList();

    /// <summary>Drops every Quartz table, children before the tables their foreign keys reference.</summary>
    public static IReadOnlyList<string> DropStatements(Dialect dialect) =>
        Tables(dialect).Reverse().Select(table => $"DROP TABLE IF EXISTS {table};").ToList();

    private static byte[] Read(Dialect dialect)
    {
        var name = $"Quartz.Impl.AdoJobStore.Schema.create_{dialect switch
        {
            Dialect.Sqlite => "sqlite",
            Dialect.Postgres => "postgres",
            _ => "sqlServer",
        }}.sql";
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Quartz.dll holds no resource '{name}': the Scheduling migration cannot create Quartz's tables.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    [GeneratedRegex(@"CREATE TABLE (IF NOT EXISTS )?(?<table>QRTZ_\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();
}
