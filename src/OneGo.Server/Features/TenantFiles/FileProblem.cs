namespace OneGo.Server.Features.TenantFiles;

/// <summary>
/// Something wrong in a file of <c>tenants/</c>, where an editor can jump to it: <c>path:line:column: sentence</c>.
/// </summary>
public sealed record FileProblem(string Path, int Line, int Column, string Message)
{
    public override string ToString() => $"{Path}:{Line}:{Column}: {Message}";
}
