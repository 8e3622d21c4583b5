using OneGo.Server.Data;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Audit;

/// <summary>
/// 个人信息保护法: staff reading an applicant's data leave a trace. The read is audited — who, what, why — as the answer
/// starts, before a byte of it is sent, and only for what was answered (200); an audit that cannot be written fails the
/// answer.
/// </summary>
internal static class StaffReads
{
    public static void AuditOnAnswer(this HttpContext context, string target, string why) =>
        context.Response.OnStarting(async () =>
        {
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                var db = context.RequestServices.GetRequiredService<OneGoDbContext>();
                db.Audit(new AuditEvent(context.Actor(), "applicant.read", target, new { path = context.Request.Path.Value }, why));
                await db.SaveChangesAsync(CancellationToken.None);
            }
        });
}
