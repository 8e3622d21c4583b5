using System.Text;
using System.Text.Json;
using OneGo.Tenancy;

namespace OneGo.Server.Features.Audit;

/// <summary>
/// One entry of a tenant's audit log: who did what to which thing, when, why, and what changed. Entries are only
/// ever added, in the same transaction as the change they record; each names the hash of the one before it in
/// its tenant's chain, so altering, removing or reordering one breaks the chain from there on.
/// </summary>
public sealed class AuditEntry : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    /// <summary>Position in the tenant's chain: 1, 2, 3 … without gaps.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The account (token subject) that acted, or <c>import</c>/<c>system:…</c> for OneGo's own work.</summary>
    public required string Actor { get; set; }

    /// <summary>What was done, as <c>thing.verb</c>: <c>bundle.approve</c>, <c>matter.change</c>, <c>account.create</c> …</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to: <c>bundle/{code}</c>, <c>matter/{code}</c>, <c>account/{user}</c>, <c>tenant/{id}</c>.</summary>
    public required string Subject { get; set; }

    /// <summary>Why: the reviewer's or editor's comment.</summary>
    public string? Comment { get; set; }

    /// <summary>What changed (JSON): field changes, or for an import the file and its SHA-256.</summary>
    public string? Changes { get; set; }

    public string PreviousHash { get; set; } = "";

    public string Hash { get; set; } = "";

    /// <summary>The hash before a chain's first entry.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// The hash (<see cref="AuditCryptography.HashAlgorithm"/>) of every recorded field and the previous hash, as a JSON
    /// array so no field can bleed into the next. Time counts in Unix milliseconds, which every provider stores exactly.
    /// </summary>
    public string ComputeHash()
    {
        var fields = JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            TenantId, Sequence, At.ToUnixTimeMilliseconds(), Actor, Action, Subject, Comment, Changes, PreviousHash,
        });
        return AuditCryptography.Hash(fields);
    }
}

/// <summary>A change recorded in the audit log when it is saved.</summary>
public sealed record AuditEvent(string Actor, string Action, string Subject, object? Changes = null, string? Comment = null);

/// <summary>A change to an audited row was saved without an audit entry: a bug, refused before anything is written.</summary>
public sealed class UnauditedChangeException(string message) : InvalidOperationException(message);
