namespace OneGo.Server.Features.Audit;

/// <summary>
/// A row whose every change is recorded in its tenant's audit log: a save that changes one without an audit entry
/// (<c>db.Audit(…)</c>) in the same save is refused. Identity's authenticator and recovery tokens are audited too,
/// though their class is Identity's (<see cref="AuditChain"/> names them).
/// </summary>
public interface IAudited;
