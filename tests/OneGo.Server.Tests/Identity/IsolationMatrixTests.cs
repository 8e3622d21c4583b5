using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGo.Server.Features.Audit;
using OneGo.Server.Features.Catalogue;
using OneGo.Catalogue;
using OneGo.Server.Features.Zone;
using OneGo.Server.Identity;
using OneGo.Server.Tests.Infrastructure;
using OneGo.Tenancy;
using Xunit.Abstractions;

namespace OneGo.Server.Tests.Identity;

/// <summary>
/// Every endpoint the server maps × every kind of caller, against a hand-written table of who may do what — not
/// derived from the authorization code. Each refused call sends what the rightful caller succeeds with, answers 401
/// or 403 as problem details, and leaves every row of the victim's, the caller's and the target's tenants as it was.
/// Callers also reach for the victim's objects through their own tenant's path. The console's routes are called by
/// signed-in people on a real server process on PostgreSQL, and their forms posted without the antiforgery token as
/// another site would. A mapped route missing from the tables, and a table row for a route no longer mapped, fail the test.
/// </summary>
public abstract class IsolationMatrixTests(Provider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Victim = "jiangsu.nanjing.gulou";
    private const string VictimCode = "320106";
    private const string Sibling = "jiangsu.nanjing.jiangning";
    private const string Parent = "jiangsu.nanjing";
    private const string SiteHost = "gulou.example.cn";
    private const string AYearlySlot = "0 0 3 1 1 ?";

    private TestDatabase _database = null!;
    private OneGoApp _app = null!;
    private readonly Dictionary<string, HttpClient> _callers = [];
    private string _runLocation = "";
    private Guid _runId;
    private string _publicationId = "";
    private long _deadLetter;
    private string _integration = "";
    private string _victimOnlyCode = "";
    private readonly Dictionary<string, long> _toApprove = [];
    private readonly Dictionary<string, long> _toRefuse = [];
    private readonly TempFolder _tenants = RepositoryTenants.Copy();
    private string _draft = "";
    private string _withFile = "";
    private string _shared = "";
    private string _sharedDataset = "";
    private string _walkIn = "";
    private string _walkInDraft = "";
    private string _walkInDataset = "";
    private string _material = "";
    private string _submitted = "";
    private string _readyEducationCase = "";
    private string _healthCase = "";
    private JsonObject? _draftBody;
    private JsonObject? _submitBody;

    private enum Access
    {
        /// <summary>Anyone: live content, the region tree, the zone's search.</summary>
        Public,
        ReadDrafts,
        Edit,
        Review,
        Administer,

        /// <summary>Onboarding a region below the victim's parent: only the parent's admin (and above); the victim's admin is a child of it.</summary>
        AdministerParent,

        /// <summary>The zone's feed and publications: integrations with scope zone.read.</summary>
        ReadZone,

        /// <summary>Push integrations, dead letters, the audit verification: the national operator.</summary>
        OperateNation,

        /// <summary>The console: any signed-in person (its home and the standards are public content).</summary>
        SignedIn,

        /// <summary>The victim's own audit log: its auditors only (三员管理: not its admins, not the regions above).</summary>
        ReadAudit,

        /// <summary>Verifying every audit chain: the auditors of national.</summary>
        VerifyAudit,

        /// <summary>Importing the deployment's tenants/ folder: the national admins (a person, or the import service account).</summary>
        Import,

        /// <summary>Applying in a region: applicants' tokens with scope apply, and the region's window officer acting for a walk-in applicant.</summary>
        Apply,

        /// <summary>An applicant's own account and applications across regions (/api/me): applicants' tokens only.</summary>
        ApplyMe,

        /// <summary>Registering walk-in applicants at the victim's comprehensive window: its officers.</summary>
        ServeAtWindow,

        /// <summary>One applicant's application in the victim's region: that applicant only; another applicant finds nothing.</summary>
        ApplyOwn,

        /// <summary>The victim's cases: its officers, each department its own (the window every department's).</summary>
        WorkCases,

        /// <summary>A health case of the victim: the window's officer; the education officer finds no such case of theirs.</summary>
        ReadCase,

        /// <summary>Deciding and issuing an education case of the victim: its education officer only (the window decides nothing).</summary>
        DecideCase,

        /// <summary>Every figure of the victim's statistics (the console's page): its staff, any role, and the admins above it.</summary>
        ReadStatistics,

        /// <summary>好差评: rating one's own application — that applicant only; an officer never rates, not even for a walk-in.</summary>
        RateOwn,

        /// <summary>The victim's rectifications of bad ratings: its officers (a department its own) and its admins and those above.</summary>
        ReadRectifications,
    }

    /// <summary>The callers: a visitor, the victim's own staff, its sibling's, the admins above it, another province's, and an integration.</summary>
    private static readonly (string Name, string? Role, string? Tenant)[] Callers =
    [
        ("anonymous", null, null),
        ("editor", Roles.Editor, Victim),
        ("reviewer", Roles.Reviewer, Victim),
        ("admin", Roles.Admin, Victim),
        ("admin-service", Roles.Admin, Victim),
        ("auditor", Roles.Auditor, Victim),
        // An officer of the victim's comprehensive window: no right in the catalogue, its review or its accounts.
        ("officer", Roles.Officer, Victim),
        // An officer of the victim's education department: its cases only, and nothing at the window.
        ("department-officer", Roles.Officer, Victim),
        ("sibling-editor", Roles.Editor, Sibling),
        ("sibling-reviewer", Roles.Reviewer, Sibling),
        ("sibling-admin", Roles.Admin, Sibling),
        ("parent-admin", Roles.Admin, Parent),
        ("province-admin", Roles.Admin, "jiangsu"),
        ("national-admin", Roles.Admin, RegionRules.NationalId),
        ("national-auditor", Roles.Auditor, RegionRules.NationalId),
        ("other-province-admin", Roles.Admin, "zhejiang"),
        ("zone-reader", null, null),
        // An applicant (a demo applicant's client, scope apply): bound to no tenant, no staff right anywhere.
        ("applicant", null, null),
        // Another applicant, whose own applications are elsewhere.
        ("other-applicant", null, null),
    ];

    // Who may do what to the victim, written out by hand from the roles and the routes the README describes.
    private static readonly Dictionary<Access, string[]> Rightful = new()
    {
        [Access.Public] = [.. Callers.Select(c => c.Name)],
        [Access.ReadDrafts] = ["editor", "reviewer", "admin", "parent-admin", "province-admin", "national-admin"],
        [Access.Edit] = ["editor"],
        [Access.Review] = ["reviewer"],
        [Access.Administer] = ["admin", "parent-admin", "province-admin", "national-admin"],
        [Access.AdministerParent] = ["parent-admin", "province-admin", "national-admin"],
        [Access.ReadZone] = ["zone-reader"],
        [Access.OperateNation] = ["national-admin"],
        [Access.SignedIn] = [.. Callers.Where(c => c.Role is not null && c.Name != "admin-service").Select(c => c.Name)],
        [Access.ReadAudit] = ["auditor"],
        [Access.VerifyAudit] = ["national-auditor"],
        [Access.Import] = ["national-admin"],
        [Access.Apply] = ["applicant", "other-applicant", "officer"],
        [Access.ApplyMe] = ["applicant", "other-applicant"],
        [Access.ServeAtWindow] = ["officer"],
        [Access.ApplyOwn] = ["applicant"],
        [Access.WorkCases] = ["officer", "department-officer"],
        [Access.ReadCase] = ["officer"],
        [Access.DecideCase] = ["department-officer"],
        [Access.ReadStatistics] = ["editor", "reviewer", "admin", "auditor", "officer", "department-officer", "parent-admin", "province-admin", "national-admin"],
        [Access.RateOwn] = ["applicant"],
        [Access.ReadRectifications] = ["admin", "officer", "department-officer", "parent-admin", "province-admin", "national-admin"],
    };

    // A refusal that is not 401 or 403: another applicant is let in as an applicant, and finds no such application of theirs.
    private static readonly Dictionary<(Access, string), int> RefusedAs = new()
    {
        [(Access.ApplyOwn, "other-applicant")] = 404,
        // The window officer acts for its walk-in applicant (X-OneGo-Applicant), whose scope holds no one else's application.
        [(Access.ApplyOwn, "officer")] = 404,
        // The education officer works in its department's scope, which holds no health case.
        [(Access.ReadCase, "department-officer")] = 404,
        [(Access.RateOwn, "other-applicant")] = 404,
    };

    /// <summary>The demo person a caller signs in as.</summary>
    private static string PersonOf(string name, string role, string tenant) =>
        name == "department-officer" ? DemoAccounts.DepartmentOfficer("education", tenant) : DemoAccounts.UserName(role, tenant);

    private static string? TenantOf(string caller) => Callers.Single(c => c.Name == caller).Tenant;

    private sealed record Call(HttpMethod Method, string Url, JsonNode? Body = null, string? IfMatch = null, string? Host = null, string? IdempotencyKey = null, byte[]? File = null);

    /// <summary>A route's expectation: who may, what they send, and which tenants besides the victim the call aims at.</summary>
    private sealed record Row(Access Access, Func<IsolationMatrixTests, string, Task<Call>> Build, params string[] Targets)
    {
        /// <summary>What a rightful caller gets when it is not a 2xx: a retired route's answer, say.</summary>
        public int? RightfulStatus { get; init; }
    }

    // Routes that are not part of the API and need no caller table, each with why. No /api route may be here.
    private static readonly Dictionary<string, string> OutsideTheMatrix = new()
    {
        ["GET /health/live"] = "liveness", ["GET /health/ready"] = "readiness",
        ["GET /openapi/{documentName}.json"] = "public API description", ["GET /openapi"] = "redirect to the reference",
        ["GET /scalar/{documentName?}"] = "public API reference",
        ["GET /scalar/favicon.svg"] = "the reference's assets", ["GET /scalar/scalar.js"] = "the reference's assets", ["GET /scalar/scalar.aspnetcore.js"] = "the reference's assets",
        ["POST /connect/token"] = "OAuth protocol endpoint (IdentityTests)", ["GET /connect/authorize"] = "OAuth protocol endpoint (IdentityTests)", ["POST /connect/authorize"] = "OAuth protocol endpoint",
        ["GET /connect/endsession"] = "OAuth protocol endpoint", ["POST /connect/endsession"] = "OAuth protocol endpoint",
        ["GET /account/signin"] = "the sign-in page (IdentityTests, SignInTests)", ["POST /account/signin"] = "the sign-in page (IdentityTests, SignInTests)",
        ["GET /account/second-factor"] = "the sign-in page's second step (SignInTests)", ["POST /account/second-factor"] = "the sign-in page's second step (SignInTests)",
        ["GET /account/password"] = "a mailed set-password link (AccountTests)", ["POST /account/password"] = "a mailed set-password link (AccountTests)",
        ["GET /account/password/change"] = "a signed-in person's own password (SignInTests)", ["POST /account/password/change"] = "a signed-in person's own password (SignInTests)",
        ["GET /account/register"] = "an applicant registers (ApplicantTests)", ["POST /account/register"] = "an applicant registers (ApplicantTests)",
        ["GET /console/signin"] = "starts a sign-in: a challenge for anyone", ["GET /console/signed-out"] = "where a signed-out person lands: a redirect home",
        ["GET /apply/signin"] = "starts an applicant's sign-in: a challenge for anyone", ["GET /apply/signed-out"] = "where a signed-out applicant lands: a redirect home",
        ["POST /apply/signout"] = "an applicant signs out (ApplicantPagesTests)",
        // The applicants' pages: a signed-in applicant's own API calls, which the API rows above decide (ApplicantPagesTests, ApplicationJourneyTests).
        ["GET /apply"] = "the applicant's applications: GET /api/me/applications with their token",
        ["GET /apply/t/{tenant}/bundles/{code}"] = "starting an application: the public bundle", ["POST /apply/t/{tenant}/bundles/{code}"] = "POST /api/t/{tenant}/applications with their token",
        ["GET /apply/t/{tenant}/applications/{id}"] = "GET /api/t/{tenant}/applications/{id} with their token",
        ["POST /apply/t/{tenant}/applications/{id}/consents"] = "POST …/consents with their token",
        ["POST /apply/t/{tenant}/applications/{id}/consents/{dataset}/withdraw"] = "DELETE …/consents/{dataset} with their token",
        ["POST /apply/t/{tenant}/applications/{id}/values"] = "PATCH …/applications/{id} with their token",
        ["POST /apply/t/{tenant}/applications/{id}/materials/{code}"] = "PUT …/materials/{code} with their token",
        ["POST /apply/t/{tenant}/applications/{id}/submit"] = "POST …/submit with their token",
        ["GET /apply/t/{tenant}/applications/{id}/results/{matter}"] = "GET …/results/{matter} with their token",
        ["POST /apply/t/{tenant}/applications/{id}/supplied"] = "POST …/supplied with their token",
        ["POST /apply/t/{tenant}/applications/{id}/ratings"] = "POST …/ratings with their token",
        ["POST /apply/t/{tenant}/applications/{id}/rating-code"] = "POST …/rating-code with their token: the window's route, refused to applicants",
    };

    private static readonly Dictionary<string, Row> Table = new()
    {
        ["GET /api/tenants"] = new(Access.Public, (t, _) => Get("/api/tenants")),
        ["GET /api/calendar"] = new(Access.Public, (t, _) => Get("/api/calendar")),
        ["GET /api/calendar/working-days"] = new(Access.Public, (t, _) => Get("/api/calendar/working-days?from=2026-09-30&days=5")),
        ["GET /api/tenants/{tenant}"] = new(Access.Public, (t, _) => Get($"/api/tenants/{VictimCode}")),
        ["GET /api/t/{tenant}/departments"] = new(Access.Public, (t, _) => Get("/api/t/320106/departments")),
        ["GET /api/site"] = new(Access.Public, (t, _) => Task.FromResult(new Call(HttpMethod.Get, "/api/site", Host: SiteHost))),
        ["GET /api/t/{tenant}/bundles"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles")),
        ["GET /api/t/{tenant}/bundles/{code}"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn")),
        ["POST /api/t/{tenant}/bundles/{code}/guide"] = new(Access.Public, (t, _) => t.GuideAsync()),
        ["GET /api/t/{tenant}/bundles/{code}/versions"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn/versions")),
        ["GET /api/t/{tenant}/bundles/{code}/versions/{version:int}"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn/versions/1")),
        ["GET /api/t/{tenant}/bundles/{code}/diff"] = new(Access.Public, (t, _) => Get("/api/t/320106/bundles/newborn/diff")),
        ["GET /api/t/{tenant}/templates"] = new(Access.Public, (t, _) => Get("/api/t/320106/templates")),
        ["GET /api/t/{tenant}/templates/{code}/adoptions"] = new(Access.Public, (t, _) => Get("/api/t/jiangsu/templates/newborn/adoptions")),
        ["GET /api/t/{tenant}/adoption-matrix"] = new(Access.Public, (t, _) => Get("/api/t/320106/adoption-matrix")),
        ["GET /api/t/{tenant}/live-standing"] = new(Access.Public, (t, _) => Get("/api/t/320106/live-standing")),
        ["GET /api/t/{tenant}/settings"] = new(Access.Public, (t, _) => Get("/api/t/320106/settings")),
        ["GET /"] = new(Access.Public, (t, _) => Get("/?q=%E7%BB%93%E5%A9%9A")),
        ["GET /regions/{tenant}"] = new(Access.Public, (t, _) => Get("/regions/320106")),
        ["GET /regions/{tenant}/bundles/{code}"] = new(Access.Public, (t, _) => Get("/regions/320106/bundles/newborn")),
        // The counter's rating page opens only for a code the window gave: a forged one names nothing, for anyone.
        ["GET /rate/{code}"] = new(Access.Public, (t, _) => Get("/rate/forged-code")) { RightfulStatus = 404 },
        ["POST /rate/{code}"] = new(Access.Public, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/rate/forged-code"))) { RightfulStatus = 404 },
        ["GET /api/zone/bundles"] = new(Access.Public, (t, _) => Get($"/api/zone/bundles?region={VictimCode}")),
        ["GET /api/zone/cpsv"] = new(Access.Public, (t, _) => Get($"/api/zone/cpsv?region={VictimCode}")),
        // Public: anyone reads the figures that rest on the minimum; the victim's staff read every count (the console's page below).
        ["GET /api/t/{tenant}/statistics"] = new(Access.Public, (t, _) => Get("/api/t/320106/statistics")),
        ["GET /api/zone/statistics"] = new(Access.Public, (t, _) => Get($"/api/zone/statistics?region={VictimCode}")),
        ["GET /api/t/{tenant}/matters"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/matters")),
        ["GET /api/t/{tenant}/matters/{code}"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/matters/funeral-fee-waiver")),
        // Retired: an editor is told to use the working copy (405), anyone else is refused as for any write.
        ["PUT /api/t/{tenant}/matters/{code}"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/funeral-fee-waiver", HttpMethod.Put, "/api/t/320106/matters/funeral-fee-waiver", d => d)) { RightfulStatus = 405 },
        ["GET /api/t/{tenant}/matters/{code}/draft"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/matters/funeral-fee-waiver/draft")),
        ["PUT /api/t/{tenant}/matters/{code}/draft"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/funeral-fee-waiver/draft", HttpMethod.Put, "/api/t/320106/matters/funeral-fee-waiver/draft", d => d["document"]!)),
        ["POST /api/t/{tenant}/matters/{code}/draft/submit"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/matrix-draft/draft", HttpMethod.Post, "/api/t/320106/matters/matrix-draft/draft/submit", _ => null)),
        ["POST /api/t/{tenant}/matters/{code}/draft/approve"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/matrix-approve/draft", HttpMethod.Post, "/api/t/320106/matters/matrix-approve/draft/approve", _ => null)),
        ["POST /api/t/{tenant}/matters/{code}/draft/reject"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/matters/matrix-reject/draft", HttpMethod.Post, "/api/t/320106/matters/matrix-reject/draft/reject",
            _ => new JsonObject { ["comment"] = "请补充法律依据。" })),
        ["POST /api/t/{tenant}/bundles"] = new(Access.Edit, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/bundles",
            new JsonObject { ["adopts"] = new JsonObject { ["tenant"] = "national", ["code"] = "credit-repair", ["version"] = 1 } }))),
        ["GET /api/t/{tenant}/drafts"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/drafts")),
        ["GET /api/t/{tenant}/bundles/{code}/draft"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/bundles/newborn/draft")),
        ["PUT /api/t/{tenant}/bundles/{code}/draft"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/newborn/draft", HttpMethod.Put, "/api/t/320106/bundles/newborn/draft", d => d["document"]!)),
        ["GET /api/t/{tenant}/bundles/{code}/draft/effective"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/bundles/newborn/draft/effective")),
        ["GET /api/t/{tenant}/bundles/{code}/draft/diff"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/bundles/newborn/draft/diff?against=template")),
        ["POST /api/t/{tenant}/bundles/{code}/draft/rebase"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/newborn/draft", HttpMethod.Post, "/api/t/320106/bundles/newborn/draft/rebase", _ => new JsonObject { ["version"] = 1 })),
        ["POST /api/t/{tenant}/bundles/{code}/draft/submit"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/pharmacy/draft", HttpMethod.Post, "/api/t/320106/bundles/pharmacy/draft/submit", _ => null)),
        ["POST /api/t/{tenant}/bundles/{code}/draft/approve"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/marriage/draft", HttpMethod.Post, "/api/t/320106/bundles/marriage/draft/approve", _ => null)),
        ["POST /api/t/{tenant}/bundles/{code}/draft/reject"] = new(Access.Review, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/employment/draft", HttpMethod.Post, "/api/t/320106/bundles/employment/draft/reject",
            _ => new JsonObject { ["comment"] = "请补充办理地点。" })),
        ["POST /api/t/{tenant}/bundles/{code}/withdrawal"] = new(Access.Edit, (t, _) => t.ReadThenWriteAsync("/api/t/320106/bundles/convenience-store/draft", HttpMethod.Post, "/api/t/320106/bundles/convenience-store/withdrawal",
            _ => new JsonObject { ["comment"] = "并入新的一件事。" })),
        ["GET /api/t/{tenant}/audit"] = new(Access.ReadAudit, (t, _) => Get("/api/t/320106/audit")),
        ["POST /api/t/{tenant}/publishing-runs"] = new(Access.Administer, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/publishing-runs"))),
        ["GET /api/t/{tenant}/publishing-runs"] = new(Access.ReadDrafts, (t, _) => Get("/api/t/320106/publishing-runs")),
        ["GET /api/t/{tenant}/publishing-runs/{id:guid}"] = new(Access.ReadDrafts, (t, _) => Get(t._runLocation)),
        ["GET /api/t/{tenant}/accounts"] = new(Access.Administer, (t, _) => Get("/api/t/320106/accounts")),
        ["POST /api/t/{tenant}/accounts"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/accounts",
            new JsonObject { ["userName"] = "proposed-" + caller, ["email"] = $"proposed-{caller}@example.gov.cn", ["roles"] = new JsonArray("editor") }))),
        ["GET /api/t/{tenant}/accounts/{userName}"] = new(Access.Administer, (t, caller) => Get($"/api/t/320106/accounts/mv-{caller}")),
        ["POST /api/t/{tenant}/accounts/{userName}/roles"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/roles",
            new JsonObject { ["role"] = "reviewer" }))),
        ["POST /api/t/{tenant}/accounts/{userName}/roles/{role}/revoke"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/roles/editor/revoke"))),
        ["POST /api/t/{tenant}/accounts/{userName}/credential"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/credential"))),
        ["POST /api/t/{tenant}/accounts/{userName}/authenticator/reset"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/authenticator/reset"))),
        ["POST /api/t/{tenant}/accounts/{userName}/email"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/email",
            new JsonObject { ["email"] = $"new-{caller}@example.gov.cn" }))),
        ["GET /api/t/{tenant}/account-changes"] = new(Access.Administer, (t, _) => Get("/api/t/320106/account-changes?state=proposed")),
        ["POST /api/t/{tenant}/account-changes/{id:long}/approve"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/account-changes/{t._toApprove[caller]}/approve"))),
        ["POST /api/t/{tenant}/account-changes/{id:long}/refuse"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/account-changes/{t._toRefuse[caller]}/refuse",
            new JsonObject { ["comment"] = "不需要。" }))),
        ["POST /api/imports"] = new(Access.Import, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/imports"))),
        ["POST /api/t/{tenant}/children"] = new(Access.AdministerParent, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320100/children", NewDistrict(caller))), Parent),
        ["PUT /api/t/{tenant}/settings"] = new(Access.Administer, (t, _) => t.ReadThenWriteAsync("/api/t/320106/settings", HttpMethod.Put, "/api/t/320106/settings",
            d => new JsonObject { ["name"] = d["name"]!.DeepClone(), ["displayName"] = "鼓楼区政务服务中心", ["publishingSchedule"] = AYearlySlot })),
        ["POST /api/t/{tenant}/accounts/{userName}/disable"] = new(Access.Administer, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/accounts/mv-{caller}/disable"))),
        ["GET /api/zone/feed"] = new(Access.ReadZone, (t, _) => Get("/api/zone/feed?limit=10")),
        ["GET /api/zone/publications/{id}"] = new(Access.ReadZone, (t, _) => Get($"/api/zone/publications/{t._publicationId}")),
        ["GET /api/zone/integrations"] = new(Access.OperateNation, (t, _) => Get("/api/zone/integrations")),
        ["GET /api/zone/integrations/{id:guid}"] = new(Access.OperateNation, (t, _) => Get(t._integration)),
        ["POST /api/zone/integrations"] = new(Access.OperateNation, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, "/api/zone/integrations",
            new JsonObject { ["name"] = "matrix-" + caller, ["url"] = $"https://203.0.113.7/{caller}", ["secret"] = "a-long-enough-secret", ["regions"] = new JsonArray(VictimCode) }))),
        ["GET /api/zone/dead-letters"] = new(Access.OperateNation, (t, _) => Get("/api/zone/dead-letters")),
        ["POST /api/zone/dead-letters/{id:long}/replay"] = new(Access.OperateNation, (t, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/zone/dead-letters/{t._deadLetter}/replay"))),
        ["GET /api/audit/verify"] = new(Access.VerifyAudit, (t, _) => Get("/api/audit/verify")),
        ["GET /api/me"] = new(Access.ApplyMe, (t, _) => Get("/api/me")),
        ["GET /api/me/applications"] = new(Access.ApplyMe, (t, _) => Get("/api/me/applications")),
        ["POST /api/t/{tenant}/walk-ins"] = new(Access.ServeAtWindow, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/walk-ins",
            new JsonObject { ["name"] = "林小海", ["idNumber"] = "35020519920318246X" }))),
        ["POST /api/t/{tenant}/bundles/{code}/form"] = new(Access.Apply, (t, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/bundles/{t._draftBody!["bundle"]}/form",
            new JsonObject { ["answers"] = t._draftBody["answers"]!.DeepClone() }))),
        ["GET /api/t/{tenant}/applications"] = new(Access.Apply, (t, _) => Get("/api/t/320106/applications")),
        ["POST /api/t/{tenant}/applications"] = new(Access.Apply, (t, _) => Task.FromResult(new Call(HttpMethod.Post, "/api/t/320106/applications", t._draftBody!.DeepClone()))),
        ["GET /api/t/{tenant}/applications/{id}"] = new(Access.ApplyOwn, (t, _) => Get($"/api/t/320106/applications/{t._draft}")),
        ["PATCH /api/t/{tenant}/applications/{id}"] = new(Access.ApplyOwn, (t, _) => Task.FromResult(new Call(HttpMethod.Patch, $"/api/t/320106/applications/{t._draft}",
            new JsonObject { ["values"] = new JsonObject { ["phone"] = "13900139000" } }))),
        ["PUT /api/t/{tenant}/applications/{id}/materials/{code}"] = new(Access.ApplyOwn, (t, _) => Task.FromResult(new Call(HttpMethod.Put,
            $"/api/t/320106/applications/{t._withFile}/materials/{t._material}", File: Applying.Png()))),
        ["GET /api/t/{tenant}/applications/{id}/materials/{code}"] = new(Access.ApplyOwn, (t, _) => Get($"/api/t/320106/applications/{t._withFile}/materials/{t._material}")),
        ["POST /api/t/{tenant}/applications/{id}/consents"] = new(Access.ApplyOwn, (t, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/applications/{t._shared}/consents",
            new JsonObject { ["datasets"] = new JsonArray(t._sharedDataset), ["textVersion"] = OneGo.Server.Features.DataSharing.Sharing.TextVersion, ["asGuardian"] = true }))),
        ["DELETE /api/t/{tenant}/applications/{id}/consents/{dataset}"] = new(Access.ApplyOwn, (t, _) => Task.FromResult(new Call(HttpMethod.Delete,
            $"/api/t/320106/applications/{t._shared}/consents/{Uri.EscapeDataString(t._sharedDataset)}"))),
        ["POST /api/t/{tenant}/applications/{id}/submit"] = new(Access.ApplyOwn, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/applications/{t._draft}/submit",
            t._submitBody!.DeepClone(), IdempotencyKey: "matrix-" + caller))),
        // Case work on the victim's submitted applications (set up above): a move without If-Match is 428 once the caller may make it.
        ["POST /api/t/{tenant}/applications/{id}/supplied"] = new(Access.ApplyOwn, (t, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/applications/{t._submitted}/supplied")))
            { RightfulStatus = 409 },
        // 好差评 on the victim's submitted application, which has not ended: its applicant is told 409; the counter's page opens only once something ended.
        ["POST /api/t/{tenant}/applications/{id}/ratings"] = new(Access.RateOwn, (t, caller) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/applications/{t._submitted}/ratings",
            new JsonObject { ["level"] = "satisfied" }, IdempotencyKey: "matrix-rating-" + caller))) { RightfulStatus = 409 },
        ["POST /api/t/{tenant}/applications/{id}/rating-code"] = new(Access.ServeAtWindow, (t, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/applications/{t._submitted}/rating-code")))
            { RightfulStatus = 409 },
        // A code the window never gave names no application: nobody rates with it.
        ["POST /api/counter-ratings/{code}"] = new(Access.Public, (_, caller) => Task.FromResult(new Call(HttpMethod.Post, "/api/counter-ratings/forged-code",
            new JsonObject { ["level"] = "satisfied" }, IdempotencyKey: "matrix-counter-" + caller))) { RightfulStatus = 404 },
        ["GET /api/t/{tenant}/rectifications"] = new(Access.ReadRectifications, (_, _) => Get("/api/t/320106/rectifications")),
        ["GET /api/t/{tenant}/rectifications/{id}"] = new(Access.ReadRectifications, (_, _) => Get($"/api/t/320106/rectifications/{Guid.Empty}")) { RightfulStatus = 404 },
        ["POST /api/t/{tenant}/rectifications/{id}/reply"] = new(Access.WorkCases, (_, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/rectifications/{Guid.Empty}/reply",
            new JsonObject { ["verified"] = "x", ["contacted"] = "x", ["fixed"] = "x", ["reply"] = "x" }))) { RightfulStatus = 404 },
        ["POST /api/t/{tenant}/rectifications/{id}/appeal"] = new(Access.WorkCases, (_, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/rectifications/{Guid.Empty}/appeal",
            new JsonObject { ["reason"] = "x" }))) { RightfulStatus = 404 },
        ["POST /api/t/{tenant}/rectifications/{id}/appeal/decision"] = new(Access.Administer, (_, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/rectifications/{Guid.Empty}/appeal/decision", new JsonObject { ["upheld"] = true, ["reason"] = "x" }))) { RightfulStatus = 404 },
        ["GET /api/t/{tenant}/window/applications"] = new(Access.ServeAtWindow, (t, _) => Get("/api/t/320106/window/applications")),
        ["GET /api/t/{tenant}/window/applications/{number}"] = new(Access.ServeAtWindow, (t, _) => Get($"/api/t/320106/window/applications/{t._submitted}")),
        ["POST /api/t/{tenant}/applications/{id}/accept"] = new(Access.ServeAtWindow, (t, _) => Task.FromResult(new Call(HttpMethod.Post, $"/api/t/320106/applications/{t._submitted}/accept")))
            { RightfulStatus = 428 },
        ["POST /api/t/{tenant}/applications/{id}/supplement"] = new(Access.ServeAtWindow, (t, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/applications/{t._submitted}/supplement", new JsonObject { ["items"] = new JsonArray() }))) { RightfulStatus = 428 },
        ["POST /api/t/{tenant}/applications/{id}/refuse"] = new(Access.ServeAtWindow, (t, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/applications/{t._submitted}/refuse", new JsonObject { ["reason"] = "x", ["legalBasis"] = "y" }))) { RightfulStatus = 428 },
        ["GET /api/t/{tenant}/cases"] = new(Access.WorkCases, (t, _) => Get("/api/t/320106/cases")),
        ["GET /api/t/{tenant}/cases/{id}"] = new(Access.ReadCase, (t, _) => Get($"/api/t/320106/cases/{t._healthCase}")),
        ["POST /api/t/{tenant}/cases/{id}/decide"] = new(Access.DecideCase, (t, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/cases/{t._readyEducationCase}/decide", new JsonObject { ["outcome"] = "approve", ["legalBasis"] = "x" }))) { RightfulStatus = 428 },
        // Ready, not approved yet: the education officer may issue it, once decided (409 names the state).
        ["POST /api/t/{tenant}/cases/{id}/issue"] = new(Access.DecideCase, (t, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/cases/{t._readyEducationCase}/issue", new JsonObject { ["document"] = "x", ["number"] = "1" }))) { RightfulStatus = 409 },
        // 告知承诺's post-check: nothing was signed for the victim's ready education case, so its officer is told 409.
        ["POST /api/t/{tenant}/cases/{id}/post-check"] = new(Access.DecideCase, (t, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/cases/{t._readyEducationCase}/post-check", new JsonObject { ["truthful"] = true, ["note"] = "x" }))) { RightfulStatus = 409 },
        ["GET /api/t/{tenant}/notices"] = new(Access.WorkCases, (t, _) => Get("/api/t/320106/notices")),
        // The region's webhook: registered (on a public address, checked and not called), read, removed (idempotently).
        ["PUT /api/t/{tenant}/webhook"] = new(Access.Administer, (t, _) => Task.FromResult(new Call(HttpMethod.Put, "/api/t/320106/webhook",
            new JsonObject { ["url"] = "https://8.8.8.8/onego-notices" }))),
        ["GET /api/t/{tenant}/webhook"] = new(Access.Administer, (t, _) => Get("/api/t/320106/webhook")),
        ["DELETE /api/t/{tenant}/webhook"] = new(Access.Administer, (t, _) => Task.FromResult(new Call(HttpMethod.Delete, "/api/t/320106/webhook"))),
        ["PUT /api/t/{tenant}/cases/{id}/document"] = new(Access.DecideCase, (t, _) => Task.FromResult(new Call(HttpMethod.Put,
            $"/api/t/320106/cases/{t._readyEducationCase}/document", File: "%PDF-1.7\n%%EOF\n"u8.ToArray()))) { RightfulStatus = 409 },
        // 统一出件 once every case has ended: the victim's application is accepted, so the rightful caller is told 409.
        ["POST /api/t/{tenant}/applications/{id}/handover"] = new(Access.ServeAtWindow, (t, _) => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/t/320106/applications/{t._submitted}/handover", new JsonObject { ["courier"] = "x", ["trackingNumber"] = "1" }))) { RightfulStatus = 409 },
        ["GET /api/t/{tenant}/applications/{id}/results/{matter}"] = new(Access.ApplyOwn, (t, _) => Get($"/api/t/320106/applications/{t._submitted}/results/primary-school-enrolment"))
            { RightfulStatus = 409 },
    };

    /// <summary>
    /// The victim's objects reached through the caller's own tenant's path (or named in a body sent there): someone who
    /// may act in their own tenant finds nothing of the victim's (the statuses given), anyone else is refused as usual.
    /// </summary>
    private sealed record OwnPathProbe(string Name, Access AccessInOwnTenant, HttpStatusCode[] ForTheOwnTenantsStaff, Func<IsolationMatrixTests, string, Call> Build);

    private static readonly OwnPathProbe[] ThroughOwnPath =
    [
        new("disable the victim's account by name", Access.Administer, [HttpStatusCode.NotFound],
            (t, own) => new Call(HttpMethod.Post, $"/api/t/{own}/accounts/mv-victim/disable")),
        new("read the victim's publishing run by id", Access.ReadDrafts, [HttpStatusCode.NotFound],
            (t, own) => new Call(HttpMethod.Get, $"/api/t/{own}/publishing-runs/{t._runId}")),
        new("read the victim's own bundle's working copy", Access.ReadDrafts, [HttpStatusCode.NotFound],
            (t, own) => new Call(HttpMethod.Get, $"/api/t/{own}/bundles/{t._victimOnlyCode}/draft")),
        new("adopt the victim's bundle, named in the body", Access.Edit, [HttpStatusCode.UnprocessableEntity],
            (t, own) => new Call(HttpMethod.Post, $"/api/t/{own}/bundles",
                new JsonObject { ["adopts"] = new JsonObject { ["tenant"] = Victim, ["code"] = t._victimOnlyCode, ["version"] = 1 } })),
    ];

    private static JsonObject NewDistrict(string caller)
    {
        var (segment, name, code) = caller switch
        {
            "province-admin" => ("lishui", "溧水区", "320117"),
            "national-admin" => ("liuhe", "六合区", "320116"),
            _ => ("gaochun", "高淳区", "320118"),
        };
        return new JsonObject { ["segment"] = segment, ["name"] = name, ["level"] = "district", ["divisionCode"] = code };
    }

    private static Task<Call> Get(string url) => Task.FromResult(new Call(HttpMethod.Get, url));

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        // No deliveries while the matrix looks at the outbox; the victim reachable by a host name of its own.
        // The import row imports a folder holding the regions and Haicang's catalogue: nothing of it has changed.
        // Each caller's one token outlives the matrix's two thousand calls on a loaded machine: the matrix is about
        // who may call what; that tokens expire is tested on its own.
        _app = new OneGoApp(_database, _tenants.Path, settings: new Dictionary<string, string?>
        {
            ["Zone:RelayEnabled"] = "false", [$"Tenancy:Hosts:{SiteHost}"] = VictimCode, ["Identity:AccessTokenLifetime"] = "01:00:00",
        });
        var anonymous = _app.CreateClient();
        _callers["anonymous"] = anonymous;
        foreach (var (name, role, tenant) in Callers.Where(c => c.Name != "anonymous"))
        {
            var client = _app.CreateClient();
            // Admins and auditors act as people, signed in with their second factor; the admin service account may only import.
            var token = name == "zone-reader" ? await Tokens.RequestAsync(anonymous, DemoAccounts.ZoneReader, scope: OneGoClaims.ZoneReadScope)
                : name == "applicant" ? await Tokens.RequestAsync(anonymous, DemoAccounts.Applicants[0].UserName, scope: OneGoClaims.ApplyScope)
                : name == "other-applicant" ? await Tokens.RequestAsync(anonymous, DemoAccounts.Applicants[1].UserName, scope: OneGoClaims.ApplyScope)
                : name == "admin-service" ? await Tokens.RequestAsync(anonymous, DemoAccounts.UserName(role!, tenant!))
                : name == "department-officer" ? await Tokens.PersonAsync(() => Tokens.Browser(_app), PersonOf(name, role!, tenant!))
                : await Tokens.DemoTokenAsync(anonymous, () => Tokens.Browser(_app), role!, tenant!);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _callers[name] = client;
        }

        await SetUpVictimAsync(_callers);
    }

    /// <summary>
    /// What the rows need: no scheduled run of any region while the matrix runs, a draft to submit, two
    /// waiting for review, a run that published the victim's bundles and pushes to an integration, one of them a dead
    /// letter, a publication in the feed, an account to disable, and a bundle code only the victim has.
    /// </summary>
    private async Task SetUpVictimAsync(Dictionary<string, HttpClient> callers)
    {
        var national = callers["national-admin"];
        // Every region: the catalogue's nightly slots (01:30 in four districts, 03:00 elsewhere) come while a long run goes on.
        List<string> regions;
        await using (var settingsDb = _database.NewContext())
        {
            regions = await settingsDb.TenantSettings.IgnoreQueryFilters([TenancyModel.FilterName]).Select(s => s.TenantId).ToListAsync();
        }

        Assert.Contains(Victim, regions);
        foreach (var tenant in regions)
        {
            var settings = await national.GetAsync($"/api/t/{tenant}/settings");
            var changed = await national.SendJsonAsync(HttpMethod.Put, $"/api/t/{tenant}/settings",
                new JsonObject { ["name"] = (await settings.JsonAsync())["name"]!.DeepClone(), ["publishingSchedule"] = AYearlySlot }, settings.ETag());
            Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        }

        var integration = await national.SendJsonAsync(HttpMethod.Post, "/api/zone/integrations",
            new { name = "matrix-setup", url = "https://203.0.113.7/setup", secret = "a-long-enough-secret", regions = new[] { VictimCode } });
        Assert.Equal(HttpStatusCode.Created, integration.StatusCode);
        _integration = integration.Headers.Location!.OriginalString;

        async Task<HttpResponseMessage> EditAsync(string code)
        {
            var read = await callers["editor"].GetAsync($"/api/t/320106/bundles/{code}/draft");
            var saved = await callers["editor"].SendJsonAsync(HttpMethod.Put, $"/api/t/320106/bundles/{code}/draft", (await read.JsonAsync())["document"], read.ETag());
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            return saved;
        }

        await EditAsync("pharmacy");
        foreach (var code in (string[])["marriage", "employment"])
        {
            var saved = await EditAsync(code);
            Assert.Equal(HttpStatusCode.OK, (await callers["editor"].SendJsonAsync(HttpMethod.Post, $"/api/t/320106/bundles/{code}/draft/submit", ifMatch: saved.ETag())).StatusCode);
        }

        var run = await callers["admin"].PostAsync("/api/t/320106/publishing-runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        _runLocation = run.Headers.Location!.ToString();
        _runId = Guid.Parse(_runLocation[(_runLocation.LastIndexOf('/') + 1)..]);
        await RunEndedAsync(callers["admin"], _runLocation);
        // The account rows: an account of the victim per caller holding editor, and another with two changes waiting;
        // proposed by the national operator and approved by the province, so that the victim's own admins may decide them.
        var province = callers["province-admin"];
        foreach (var caller in (string[])[.. callers.Keys, "victim"])
        {
            Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(national, Victim, $"mv-{caller}", $"mv-{caller}@example.gov.cn", Roles.Editor)).StatusCode);
            Assert.All(await People.ApproveAllAsync(province, Victim, $"mv-{caller}"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(national, Victim, $"md-{caller}", $"md-{caller}@example.gov.cn", Roles.Editor)).StatusCode);
            Assert.All(await People.ApproveAllAsync(province, Victim, $"md-{caller}"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            // Changes the caller did not propose itself: four eyes would refuse the national operator its own.
            var proposer = caller == "national-admin" ? province : national;
            _toApprove[caller] = (long)(await (await proposer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/accounts/md-{caller}/email", new { email = $"md2-{caller}@example.gov.cn" })).JsonAsync())["id"]!;
            _toRefuse[caller] = (long)(await (await proposer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/accounts/md-{caller}/roles", new { role = "reviewer" })).JsonAsync())["id"]!;
        }

        // The matter rows: a new matter's working copy in draft, and two waiting for review.
        foreach (var code in (string[])["matrix-draft", "matrix-approve", "matrix-reject"])
        {
            var matter = (await (await callers["editor"].GetAsync("/api/t/320106/matters/funeral-fee-waiver")).JsonAsync()).AsObject();
            matter["code"] = code;
            var saved = await callers["editor"].SendJsonAsync(HttpMethod.Put, $"/api/t/320106/matters/{code}/draft", matter);
            Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
            if (code != "matrix-draft")
            {
                Assert.Equal(HttpStatusCode.OK, (await callers["editor"].SendJsonAsync(HttpMethod.Post, $"/api/t/320106/matters/{code}/draft/submit", ifMatch: saved.ETag())).StatusCode);
            }
        }

        // The applicant's draft in the victim's region, complete and ready to submit, and what a new draft sends.
        (_draft, _submitBody) = await callers["applicant"].SubmittableDraftAsync(Victim);
        var draft = await (await callers["applicant"].GetAsync($"/api/t/{Victim}/applications/{_draft}")).JsonAsync();
        _draftBody = new JsonObject { ["bundle"] = draft["bundle"]!.DeepClone(), ["answers"] = draft["answers"]!.DeepClone() };
        // The victim's window officer serves a walk-in applicant: every call it makes names them.
        var walkIn = await callers["officer"].SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/walk-ins", new { name = "王大海", idNumber = "350205198806121231" });
        Assert.Equal(HttpStatusCode.Created, walkIn.StatusCode);
        _walkIn = (string)(await walkIn.JsonAsync())["subject"]!;
        callers["officer"].DefaultRequestHeaders.Add("X-OneGo-Applicant", _walkIn);
        // The walk-in's draft, which the window's pages in the console work on.
        var walkInDraft = await (await callers["officer"].SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/applications", _draftBody.DeepClone())).JsonAsync();
        (_walkInDraft, _walkInDataset) = ((string)walkInDraft["id"]!, (string)walkInDraft["sharing"]![0]!["dataset"]!);

        // A draft that agreed to share a dataset (no exchange answers here: the consent is what the rows need).
        var (sharingDraft, _) = await callers["applicant"].SubmittableAsync(Victim);
        _shared = (string)(await (await callers["applicant"].SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/applications", sharingDraft)).JsonAsync())["id"]!;
        var shared = await callers["applicant"].ShareAllAsync(Victim, _shared);
        _sharedDataset = (string)shared["sharing"]![0]!["dataset"]!;
        // And a draft with a material's file attached.
        (_withFile, _material) = await callers["applicant"].DraftWithMaterialAsync(Victim);
        Assert.Equal(HttpStatusCode.Created, (await callers["applicant"].AttachAsync(Victim, _withFile, _material, Applying.Png(2048))).StatusCode);

        // Two submitted applications for school enrolment (education's and health's cases; files brought, as no exchange
        // answers here, so the window looks at them): one waits for the window, the other it accepted.
        _submitted = (string)(await callers["applicant"].ApplyForAsync(Victim, "school-enrolment", "matrix-waiting"))["number"]!;
        var toAccept = (string)(await callers["applicant"].ApplyForAsync(Victim, "school-enrolment", "matrix-accepted"))["number"]!;
        var read = await callers["officer"].GetAsync($"/api/t/{Victim}/window/applications/{toAccept}");
        var accepted = await (await callers["officer"].SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/applications/{toAccept}/accept", ifMatch: read.ETag())
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        _readyEducationCase = (string)accepted["cases"]!.AsArray().First(c => (string?)c!["department"] == "education" && (string?)c["state"] == "ready")!["id"]!;
        _healthCase = (string)accepted["cases"]!.AsArray().First(c => (string?)c!["department"] == "health")!["id"]!;

        _publicationId = (string)(await (await callers["zone-reader"].GetAsync("/api/zone/feed?limit=1")).JsonAsync())["items"]![0]!["id"]!;
        await using var db = _database.NewContext();
        var filter = new[] { TenancyModel.FilterName };
        _deadLetter = await db.Set<OutboxItem>().IgnoreQueryFilters(filter).Where(i => i.TenantId == Victim && i.Kind == OutboxKind.Push).OrderBy(i => i.Id).Select(i => i.Id).FirstAsync();
        await db.Set<OutboxItem>().IgnoreQueryFilters(filter).Where(i => i.Id == _deadLetter)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, OutboxStatus.DeadLetter).SetProperty(i => i.LastError, "410 Gone").SetProperty(i => i.Attempts, 1));

        // A working copy only the victim has: every bundle code it has, some region beside or above it has too.
        _victimOnlyCode = "gulou-matrix-only";
        var tenants = new CurrentTenant();
        await using var inVictim = _database.NewContext(tenants);
        using (tenants.Enter(Victim))
        {
            var newborn = await inVictim.Set<BundleRecord>().AsNoTracking().SingleAsync(b => b.Code == "newborn");
            inVictim.Add(new BundleRecord { Code = _victimOnlyCode, Draft = newborn.Draft, DraftState = DraftState.Draft, Revision = 1, DraftUpdatedAt = DateTimeOffset.UtcNow, DraftUpdatedBy = "matrix" });
            inVictim.Audit(new AuditEvent("matrix", "bundle.create", $"bundle/{_victimOnlyCode}", new { }));
            await inVictim.SaveChangesAsync();
        }

        Assert.Equal(1, await db.Set<BundleRecord>().IgnoreQueryFilters(filter).CountAsync(b => b.Code == _victimOnlyCode));
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _callers.Values)
        {
            client.Dispose();
        }

        await _app.DisposeAsync();
        await _database.DisposeAsync();
        _tenants.Dispose();
    }

    private static async Task RunEndedAsync(HttpClient client, string location) =>
        await Eventually.HoldsAsync(async () => (string?)(await (await client.GetAsync(location)).JsonAsync())["run"]!["status"],
            s => s is "succeeded" or "failed", $"the publishing run {location}", timeout: TimeSpan.FromMinutes(1));

    private async Task<Call> GuideAsync()
    {
        var bundle = await (await _callers["anonymous"].GetAsync("/api/t/320106/bundles/newborn")).JsonAsync();
        var answers = new JsonObject();
        foreach (var question in bundle["scenarios"]!.AsArray())
        {
            answers[(string)question!["id"]!] = (string)question["options"]![0]!["id"]!;
        }

        return new Call(HttpMethod.Post, "/api/t/320106/bundles/newborn/guide", new JsonObject { ["answers"] = answers });
    }

    // Read as the tenant's editor, then send the change with the ETag read: what the rightful caller would send.
    private async Task<Call> ReadThenWriteAsync(string readUrl, HttpMethod method, string url, Func<JsonNode, JsonNode?> body)
    {
        var read = await _callers["editor"].GetAsync(readUrl);
        return new Call(method, url, body(await read.JsonAsync())?.DeepClone(), read.ETag());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Call call)
    {
        using var request = new HttpRequestMessage(call.Method, call.Url);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (call.File is not null)
        {
            request.Content = new ByteArrayContent(call.File);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        }

        if (call.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", call.IfMatch);
        }

        if (call.Host is not null)
        {
            request.Headers.Host = call.Host;
        }

        if (call.IdempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", call.IdempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>A refusal is problem details naming its own status, as every API error is.</summary>
    private static async Task<string?> NotAProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"not problem details ({response.Content.Headers.ContentType}): {body}";
        }

        return (int?)JsonNode.Parse(body)?["status"] == (int)response.StatusCode ? null : "problem details with another status: " + body;
    }

    private static List<string> MappedRoutes(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {"/" + e.RoutePattern.RawText!.Trim('/')}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task EveryRouteIsInATableAndNoTableRowIsStale()
    {
        var mapped = MappedRoutes(_app.Services);
        var listed = Table.Keys.Concat(ConsoleTable.Keys).Concat(OutsideTheMatrix.Keys).ToList();
        Assert.Empty(listed.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.True(mapped.Except(listed).ToList() is { Count: 0 }, "Routes missing from the matrix's tables: " + string.Join(", ", mapped.Except(listed)));
        Assert.True(listed.Except(mapped).ToList() is { Count: 0 }, "Rows for routes no longer mapped: " + string.Join(", ", listed.Except(mapped)));
        Assert.DoesNotContain(OutsideTheMatrix.Keys, r => r.Contains(" /api", StringComparison.Ordinal) || r.Contains(" /console/t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryApiRouteAnswersEveryCallerAsTheTableSaysAndRefusalsChangeNothing()
    {
        var failures = new List<string>();
        var calls = 0;
        // Refused callers first, then the rightful ones, so that a refusal is always checked against untouched rows.
        foreach (var (route, row) in Table.OrderBy(r => r.Key.Contains("/disable", StringComparison.Ordinal)))
        {
            foreach (var caller in _callers.Keys.OrderBy(c => Rightful[row.Access].Contains(c)))
            {
                var rightful = Rightful[row.Access].Contains(caller);
                var watched = new[] { Victim, TenantOf(caller) }.Concat(row.Targets).OfType<string>().Distinct().ToArray();
                var before = rightful ? null : await RowSnapshot.OfTenantsAsync(_database, watched);
                var response = await SendAsync(_callers[caller], await row.Build(this, caller));
                calls++;
                var status = (int)response.StatusCode;
                var expected = rightful ? row.RightfulStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "2xx"
                    : caller == "anonymous" ? "401"
                    : RefusedAs.TryGetValue((row.Access, caller), out var refusedAs) ? refusedAs.ToString(System.Globalization.CultureInfo.InvariantCulture) : "403";
                if (rightful ? (row.RightfulStatus is { } retired ? status != retired : status is < 200 or >= 300) : status.ToString(System.Globalization.CultureInfo.InvariantCulture) != expected)
                {
                    failures.Add($"{route} as {caller}: {status}, expected {expected}: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                if (rightful)
                {
                    if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } run && run.OriginalString.Contains("/publishing-runs/", StringComparison.Ordinal))
                    {
                        // A publishing run works in the background: let it end before the next refusal is checked.
                        await RunEndedAsync(_callers[caller], run.ToString());
                    }

                    continue;
                }

                if (await NotAProblemAsync(response) is { } notProblem)
                {
                    failures.Add($"{route} as {caller}: {notProblem}");
                }

                if (RowSnapshot.Changed(before!, await RowSnapshot.OfTenantsAsync(_database, watched)) is { Count: > 0 } changed)
                {
                    failures.Add($"{route} as {caller} changed {string.Join(", ", changed)}");
                }
            }
        }

        output.WriteLine($"API matrix: {Table.Count} routes × {_callers.Count} callers = {calls} calls");
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls broke the table:\n" + string.Join("\n", failures));
        Assert.Equal(Table.Count * _callers.Count, calls);
    }

    [Fact]
    public async Task ThroughTheirOwnTenantsPathNoCallerReachesTheVictimsObjects()
    {
        var failures = new List<string>();
        var calls = 0;
        foreach (var probe in ThroughOwnPath)
        {
            // The victim's own staff reach its objects through its own path: that is the table above.
            foreach (var (caller, role, tenant) in Callers.Where(c => c.Tenant != Victim))
            {
                var own = tenant ?? Sibling;
                var mayActThere = role is not null && tenant is not null && probe.AccessInOwnTenant switch
                {
                    Access.ReadDrafts => role is Roles.Editor or Roles.Reviewer or Roles.Admin,
                    Access.Edit => role == Roles.Editor,
                    Access.Administer => role == Roles.Admin,
                    _ => false,
                };
                var watched = new[] { Victim, own };
                var before = await RowSnapshot.OfTenantsAsync(_database, watched);
                var response = await SendAsync(_callers[caller], probe.Build(this, own));
                calls++;
                HttpStatusCode[] expected = mayActThere ? probe.ForTheOwnTenantsStaff : [caller == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden];
                if (!expected.Contains(response.StatusCode))
                {
                    failures.Add($"{probe.Name} as {caller} through {own}: {(int)response.StatusCode}, expected {string.Join(" or ", expected.Select(s => (int)s))}: {await response.Content.ReadAsStringAsync()}");
                }
                else if (await NotAProblemAsync(response) is { } notProblem)
                {
                    failures.Add($"{probe.Name} as {caller}: {notProblem}");
                }

                if (RowSnapshot.Changed(before, await RowSnapshot.OfTenantsAsync(_database, watched)) is { Count: > 0 } changed)
                {
                    failures.Add($"{probe.Name} as {caller} through {own} changed {string.Join(", ", changed)}");
                }
            }
        }

        output.WriteLine($"Through their own path: {ThroughOwnPath.Length} probes × {Callers.Count(c => c.Tenant != Victim)} callers = {calls} calls");
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls reached the victim:\n" + string.Join("\n", failures));
        // The account is still enabled, and holds its role.
        var victim = await (await _callers["admin"].GetAsync($"/api/t/{Victim}/accounts/mv-victim")).JsonAsync();
        Assert.False((bool)victim["account"]!["disabled"]!);
        Assert.Equal(["editor"], victim["account"]!["roles"]!.AsArray().Select(r => (string)r!));
    }

    private sealed record ConsoleCall(HttpMethod Method, string Url, Dictionary<string, string>? Form = null);

    /// <summary>A console route: who may, and what the page's own form would send (read through the API as the victim's staff).</summary>
    private sealed record ConsoleRow(Access Access, Func<HttpClient, string, Task<ConsoleCall>> Build)
    {
        /// <summary>What a rightful person gets when it is not the page (200) or the redirect after a form (302): the API's 422 shown on the page, say.</summary>
        public int? RightfulStatus { get; init; }
    }

    private const string Console = "/console/t/" + Victim;

    private static ConsoleRow Page(Access access, string url) => new(access, (_, _) => Task.FromResult(new ConsoleCall(HttpMethod.Get, url)));

    private static ConsoleRow Form(Access access, string url, Func<HttpClient, string, Task<Dictionary<string, string>>>? fields = null) =>
        new(access, async (api, caller) => new ConsoleCall(HttpMethod.Post, url, fields is null ? [] : await fields(api, caller)));

    /// <summary>A form on a working copy: its ETag as the page shows it, and the given fields.</summary>
    private static Func<HttpClient, string, Task<Dictionary<string, string>>> OnDraft(string code, params (string Name, string Value)[] fields) => async (api, _) =>
    {
        var draft = await api.GetAsync($"/api/t/{Victim}/bundles/{code}/draft");
        var form = fields.ToDictionary(f => f.Name, f => f.Value);
        form["etag"] = draft.ETag();
        return form;
    };

    /// <summary>A form on a matter's working copy: its ETag as the page shows it, and the given fields.</summary>
    private static Func<HttpClient, string, Task<Dictionary<string, string>>> OnMatter(string code, params (string Name, string Value)[] fields) => async (api, _) =>
    {
        var draft = await api.GetAsync($"/api/t/{Victim}/matters/{code}/draft");
        var form = fields.ToDictionary(f => f.Name, f => f.Value);
        form["etag"] = draft.ETag();
        return form;
    };

    private static readonly Dictionary<string, ConsoleRow> ConsoleTable = new()
    {
        ["GET /console"] = Page(Access.SignedIn, "/console"),
        ["GET /console/t/{tenant}"] = Page(Access.SignedIn, Console),
        ["GET /console/t/{tenant}/bundles"] = Page(Access.ReadDrafts, Console + "/bundles"),
        ["GET /console/t/{tenant}/inbox"] = Page(Access.ReadDrafts, Console + "/inbox"),
        ["GET /console/t/{tenant}/adopt"] = Page(Access.ReadDrafts, Console + "/adopt"),
        ["GET /console/t/{tenant}/standards"] = Page(Access.SignedIn, Console + "/standards"),
        ["GET /console/t/{tenant}/live/{code}"] = Page(Access.SignedIn, Console + "/live/newborn"),
        ["GET /console/t/{tenant}/bundles/{code}"] = Page(Access.ReadDrafts, Console + "/bundles/newborn"),
        ["GET /console/t/{tenant}/matters"] = Page(Access.ReadDrafts, Console + "/matters"),
        ["GET /console/t/{tenant}/matters/{code}"] = Page(Access.ReadDrafts, Console + "/matters/funeral-fee-waiver"),
        ["GET /console/t/{tenant}/accounts"] = Page(Access.Administer, Console + "/accounts"),
        ["GET /console/t/{tenant}/publishing"] = Page(Access.ReadDrafts, Console + "/publishing"),
        ["GET /console/t/{tenant}/audit"] = Page(Access.ReadAudit, Console + "/audit"),
        ["GET /console/t/{tenant}/statistics"] = Page(Access.ReadStatistics, Console + "/statistics"),
        ["GET /console/t/{tenant}/rectifications"] = Page(Access.ReadRectifications, Console + "/rectifications"),
        // The victim has no bad rating: whoever may read rectifications is told there is no such one.
        ["GET /console/t/{tenant}/rectifications/{id}"] = Page(Access.ReadRectifications, Console + "/rectifications/" + Guid.Empty) with { RightfulStatus = 404 },
        ["POST /console/t/{tenant}/rectifications/{id}/reply"] = Form(Access.WorkCases, Console + "/rectifications/" + Guid.Empty + "/reply") with { RightfulStatus = 404 },
        ["POST /console/t/{tenant}/rectifications/{id}/appeal"] = Form(Access.WorkCases, Console + "/rectifications/" + Guid.Empty + "/appeal") with { RightfulStatus = 404 },
        ["POST /console/t/{tenant}/rectifications/{id}/decision"] = Form(Access.Administer, Console + "/rectifications/" + Guid.Empty + "/decision") with { RightfulStatus = 404 },
        ["GET /console/verification"] = Page(Access.VerifyAudit, "/console/verification"),
        ["GET /console/national"] = Page(Access.OperateNation, "/console/national"),
        ["POST /console/t/{tenant}/adopt"] = Form(Access.Edit, Console + "/adopt", (_, _) => Task.FromResult(new Dictionary<string, string> { ["tenant"] = "national", ["code"] = "credit-repair", ["version"] = "1" })),
        // Rows run in this order: the lead department's change is removed, then made again.
        ["POST /console/t/{tenant}/bundles/{code}/changes/{index:int}/remove"] = Form(Access.Edit, Console + "/bundles/newborn/changes/0/remove", OnDraft("newborn")),
        ["POST /console/t/{tenant}/bundles/{code}/changes"] = Form(Access.Edit, Console + "/bundles/newborn/changes", OnDraft("newborn", ("op", "setLeadDepartment"), ("department", "health"))),
        ["POST /console/t/{tenant}/bundles/{code}/document"] = Form(Access.Edit, Console + "/bundles/pharmacy/document", async (api, _) =>
        {
            var draft = await api.GetAsync($"/api/t/{Victim}/bundles/pharmacy/draft");
            return new() { ["document"] = (await draft.JsonAsync())["document"]!.ToJsonString(), ["etag"] = draft.ETag() };
        }),
        ["POST /console/t/{tenant}/bundles/{code}/submit"] = Form(Access.Edit, Console + "/bundles/pharmacy/submit", OnDraft("pharmacy")),
        ["POST /console/t/{tenant}/bundles/{code}/approve"] = Form(Access.Review, Console + "/bundles/marriage/approve", OnDraft("marriage")),
        ["POST /console/t/{tenant}/bundles/{code}/reject"] = Form(Access.Review, Console + "/bundles/employment/reject", OnDraft("employment", ("comment", "请补充办理地点。"))),
        ["POST /console/t/{tenant}/bundles/{code}/withdraw"] = Form(Access.Edit, Console + "/bundles/convenience-store/withdraw", OnDraft("convenience-store", ("comment", "并入新的一件事。"))),
        ["POST /console/t/{tenant}/bundles/{code}/rebase"] = Form(Access.Edit, Console + "/bundles/newborn/rebase", OnDraft("newborn", ("version", "1"))),
        ["POST /console/t/{tenant}/matters/{code}"] = Form(Access.Edit, Console + "/matters/funeral-fee-waiver", async (api, _) =>
        {
            var draft = await api.GetAsync($"/api/t/{Victim}/matters/funeral-fee-waiver/draft");
            return new() { ["document"] = (await draft.JsonAsync())["document"]!.ToJsonString(), ["etag"] = draft.ETag() };
        }),
        ["POST /console/t/{tenant}/matters/{code}/submit"] = Form(Access.Edit, Console + "/matters/matrix-draft/submit", OnMatter("matrix-draft")),
        ["POST /console/t/{tenant}/matters/{code}/approve"] = Form(Access.Review, Console + "/matters/matrix-approve/approve", OnMatter("matrix-approve")),
        ["POST /console/t/{tenant}/matters/{code}/reject"] = Form(Access.Review, Console + "/matters/matrix-reject/reject", OnMatter("matrix-reject", ("comment", "请补充法律依据。"))),
        // Opening a new matter's page posts nothing to the API: any signed-in person is sent on to it.
        ["POST /console/t/{tenant}/matters"] = Form(Access.SignedIn, Console + "/matters", (_, _) => Task.FromResult(new Dictionary<string, string> { ["code"] = "console-new-matter" })),
        ["POST /console/t/{tenant}/accounts"] = Form(Access.Administer, Console + "/accounts", (_, caller) => Task.FromResult(new Dictionary<string, string>
            { ["userName"] = "console-" + caller, ["displayName"] = "控制台新建", ["email"] = $"console-{caller}@example.gov.cn", ["roles"] = "editor" })),
        ["POST /console/t/{tenant}/accounts/{userName}/credential"] = Form(Access.Administer, Console + "/accounts/mc-{caller}/credential"),
        ["POST /console/t/{tenant}/accounts/{userName}/authenticator/reset"] = Form(Access.Administer, Console + "/accounts/mc-{caller}/authenticator/reset"),
        ["POST /console/t/{tenant}/accounts/{userName}/roles/{role}/revoke"] = Form(Access.Administer, Console + "/accounts/mc-{caller}/roles/editor/revoke"),
        ["POST /console/t/{tenant}/account-changes/{id:long}/approve"] = Form(Access.Administer, Console + "/account-changes/{approve-console}/approve"),
        ["POST /console/t/{tenant}/account-changes/{id:long}/refuse"] = Form(Access.Administer, Console + "/account-changes/{refuse-console}/refuse",
            (_, _) => Task.FromResult(new Dictionary<string, string> { ["comment"] = "不需要。" })),
        ["POST /console/t/{tenant}/accounts/{userName}/disable"] = Form(Access.Administer, Console + "/accounts/mc-{caller}/disable"),
        ["POST /console/t/{tenant}/publishing"] = Form(Access.Administer, Console + "/publishing"),
        ["POST /console/national/integrations"] = Form(Access.OperateNation, "/console/national/integrations", (_, caller) => Task.FromResult(new Dictionary<string, string>
            { ["name"] = "console-" + caller, ["url"] = $"https://203.0.113.7/console-{caller}", ["secret"] = "a-long-enough-secret", ["regions"] = VictimCode })),
        ["POST /console/national/dead-letters/{id:long}/replay"] = Form(Access.OperateNation, "/console/national/dead-letters/{dead-letter}/replay"),
        // 综窗: the officer registers a walk-in and works on their draft ({walk-in}, {walk-in-draft}, {walk-in-dataset}: set up above).
        ["GET /console/t/{tenant}/window"] = Page(Access.ServeAtWindow, Console + "/window"),
        ["POST /console/t/{tenant}/window/walk-ins"] = Form(Access.ServeAtWindow, Console + "/window/walk-ins", (_, _) => Task.FromResult(new Dictionary<string, string>
            { ["name"] = "王小海", ["idNumber"] = "350205198806121231" })),
        ["GET /console/t/{tenant}/window/{applicant}"] = Page(Access.ServeAtWindow, Console + "/window/{walk-in}"),
        ["GET /console/t/{tenant}/window/{applicant}/bundles/{code}"] = Page(Access.ServeAtWindow, Console + "/window/{walk-in}/bundles/newborn"),
        ["POST /console/t/{tenant}/window/{applicant}/bundles/{code}"] = Form(Access.ServeAtWindow, Console + "/window/{walk-in}/bundles/newborn", async (api, _) =>
        {
            // The guide's first option of every question, as the start page's radio buttons send them.
            var bundle = await (await api.GetAsync($"/api/t/{Victim}/bundles/newborn")).JsonAsync();
            return bundle["scenarios"]!.AsArray().ToDictionary(q => "q." + (string)q!["id"]!, q => (string)q!["options"]![0]!["id"]!);
        }),
        ["GET /console/t/{tenant}/window/{applicant}/applications/{id}"] = Page(Access.ServeAtWindow, Console + "/window/{walk-in}/applications/{walk-in-draft}"),
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/consents"] = Form(Access.ServeAtWindow, Console + "/window/{walk-in}/applications/{walk-in-draft}/consents",
            (_, _) => Task.FromResult(new Dictionary<string, string> { ["datasets"] = "{walk-in-dataset}", ["textVersion"] = OneGo.Server.Features.DataSharing.Sharing.TextVersion, ["asGuardian"] = "true" })),
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/consents/{dataset}/withdraw"] = Form(Access.ServeAtWindow,
            Console + "/window/{walk-in}/applications/{walk-in-draft}/consents/{walk-in-dataset}/withdraw"),
        // Nothing changed in the form: the page goes back to it without a call.
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/values"] = Form(Access.ServeAtWindow, Console + "/window/{walk-in}/applications/{walk-in-draft}/values"),
        // A form without its file: the page says a file is needed (422).
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/materials/{code}"] = Form(Access.ServeAtWindow,
            Console + "/window/{walk-in}/applications/{walk-in-draft}/materials/any") with { RightfulStatus = 422 },
        // The walk-in's draft is not complete: the API's 422 is shown on the page.
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/submit"] = Form(Access.ServeAtWindow, Console + "/window/{walk-in}/applications/{walk-in-draft}/submit",
            (_, caller) => Task.FromResult(new Dictionary<string, string> { ["key"] = "matrix-console-" + caller })) with { RightfulStatus = 422 },
        // The walk-in's draft has no supplement notice to answer: the API's 409 is shown on the page.
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/supplied"] = Form(Access.ServeAtWindow,
            Console + "/window/{walk-in}/applications/{walk-in-draft}/supplied") with { RightfulStatus = 409 },
        // The window's work on the victim's submitted application: the page, and each move, sent here without the page's
        // ETag (428), the handover from a state it does not apply to (409).
        ["GET /console/t/{tenant}/window/find"] = Page(Access.ServeAtWindow, Console + "/window/find?number={submitted}") with { RightfulStatus = 302 },
        ["GET /console/t/{tenant}/window/applications/{number}"] = Page(Access.ServeAtWindow, Console + "/window/applications/{submitted}"),
        ["POST /console/t/{tenant}/window/applications/{number}/accept"] = Form(Access.ServeAtWindow, Console + "/window/applications/{submitted}/accept") with { RightfulStatus = 428 },
        ["POST /console/t/{tenant}/window/applications/{number}/supplement"] = Form(Access.ServeAtWindow, Console + "/window/applications/{submitted}/supplement")
            with { RightfulStatus = 428 },
        ["POST /console/t/{tenant}/window/applications/{number}/refuse"] = Form(Access.ServeAtWindow, Console + "/window/applications/{submitted}/refuse") with { RightfulStatus = 428 },
        ["POST /console/t/{tenant}/window/applications/{number}/handover"] = Form(Access.ServeAtWindow, Console + "/window/applications/{submitted}/handover")
            with { RightfulStatus = 409 },
        // A department's work on the victim's ready education case: the window's officers and education's read it; education decides it.
        ["GET /console/t/{tenant}/cases"] = Page(Access.WorkCases, Console + "/cases"),
        ["GET /console/t/{tenant}/cases/{id}"] = Page(Access.WorkCases, Console + "/cases/{ready-case}"),
        ["POST /console/t/{tenant}/cases/{id}/decide"] = Form(Access.DecideCase, Console + "/cases/{ready-case}/decide") with { RightfulStatus = 428 },
        // Ready, not approved: neither issued nor given its document yet (409 names the state).
        ["POST /console/t/{tenant}/cases/{id}/issue"] = Form(Access.DecideCase, Console + "/cases/{ready-case}/issue") with { RightfulStatus = 409 },
        ["POST /console/t/{tenant}/cases/{id}/post-check"] = Form(Access.DecideCase, Console + "/cases/{ready-case}/post-check") with { RightfulStatus = 409 },
        ["POST /console/t/{tenant}/cases/{id}/document"] = Form(Access.DecideCase, Console + "/cases/{ready-case}/document") with { RightfulStatus = 409 },
        // A draft has no result yet: the API's 409 is the page's notice.
        ["GET /console/t/{tenant}/window/{applicant}/applications/{id}/results/{matter}"] = Page(Access.ServeAtWindow,
            Console + "/window/{walk-in}/applications/{walk-in-draft}/results/any") with { RightfulStatus = 409 },
        // 好差评 at the window: the officer never rates, even on the walk-in's page (the API's 403 is the page's notice); the
        // counter's rating page opens once something has ended — a draft has nothing to rate (404: not submitted).
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/ratings"] = Form(Access.ServeAtWindow,
            Console + "/window/{walk-in}/applications/{walk-in-draft}/ratings") with { RightfulStatus = 403 },
        ["POST /console/t/{tenant}/window/{applicant}/applications/{id}/rating-code"] = Form(Access.ServeAtWindow,
            Console + "/window/{walk-in}/applications/{walk-in-draft}/rating-code") with { RightfulStatus = 404 },
        // Signing out is checked for cross-site posts only; a person's own sign-out ends the matrix.
        ["POST /console/signout"] = Form(Access.SignedIn, "/console/signout"),
    };

    /// <summary>The window rows' placeholders: the walk-in, their draft and its first dataset (escaped in an address, as typed in a form), the submitted application, the ready case.</summary>
    private string WalkIn(string text, bool inAddress = true) => text.Replace("{walk-in}", _walkIn, StringComparison.Ordinal)
        .Replace("{submitted}", _submitted, StringComparison.Ordinal).Replace("{ready-case}", _readyEducationCase, StringComparison.Ordinal)
        .Replace("{walk-in-draft}", _walkInDraft, StringComparison.Ordinal)
        .Replace("{walk-in-dataset}", inAddress ? Uri.EscapeDataString(_walkInDataset) : _walkInDataset, StringComparison.Ordinal);

    /// <summary>
    /// The console's routes for every person. Run on PostgreSQL, as production runs (see the subclass): the console is a
    /// client of the API, whose rows above run on both databases, so on SQLite it would prove nothing more.
    /// </summary>
    protected async Task CheckConsoleRoutesAsync()
    {
        // One node at a time on the database: the console signs people in over a real loopback port.
        await _app.DisposeAsync();
        await using var server = await ServerProcess.StartAsync(_database, $"--urls=http://127.0.0.1:{ServerProcess.FreePort()}", "--Zone:RelayEnabled=false");
        using var api = await server.ClientAsync(DemoAccounts.UserName(Roles.Editor, Victim));
        using var adminApi = await server.AsAsync(Roles.Admin, Victim);
        // The account rows of the console: an account per person holding editor, and one with two changes waiting.
        using (var national = await server.AsAsync(Roles.Admin, RegionRules.NationalId))
        using (var province = await server.AsAsync(Roles.Admin, "jiangsu"))
        {
            foreach (var caller in Callers.Select(c => c.Name))
            {
                Assert.Equal(HttpStatusCode.Created, (await People.ProposeAsync(national, Victim, $"mc-{caller}", $"mc-{caller}@example.gov.cn", Roles.Editor)).StatusCode);
                Assert.All(await People.ApproveAllAsync(province, Victim, $"mc-{caller}"), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
                var proposer = caller == "national-admin" ? province : national;
                _toApprove["console-" + caller] = (long)(await (await proposer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/accounts/mc-{caller}/email", new { email = $"mc2-{caller}@example.gov.cn" })).JsonAsync())["id"]!;
                _toRefuse["console-" + caller] = (long)(await (await proposer.SendJsonAsync(HttpMethod.Post, $"/api/t/{Victim}/accounts/mc-{caller}/roles", new { role = "reviewer" })).JsonAsync())["id"]!;
            }
        }

        // People only: a service account has no console.
        var people = Callers.Where(c => c.Role is not null && c.Name != "admin-service").ToList();
        var sessions = new Dictionary<string, ConsoleSession> { ["anonymous"] = ConsoleSession.Anonymous(server.Address) };
        var tokens = new Dictionary<string, string>();
        try
        {
            foreach (var (name, role, tenant) in people)
            {
                try
                {
                    sessions[name] = await ConsoleSession.SignInAsync(server.Address, PersonOf(name, role!, tenant!), DemoAccounts.Secret);
                }
                catch (InvalidOperationException e)
                {
                    throw new InvalidOperationException(e.Message + "\n" + server.Output, e);
                }

                tokens[name] = await sessions[name].AntiforgeryTokenAsync($"/console/t/{tenant}");
            }

            var failures = new List<string>();
            var calls = 0;
            async Task CheckAsync(string route, string caller, ConsoleCall call, bool withToken, bool rightful)
            {
                var watched = new[] { Victim, TenantOf(caller) }.OfType<string>().Distinct().ToArray();
                var before = await RowSnapshot.OfTenantsAsync(_database, watched);
                var url = call.Url.Replace("{dead-letter}", _deadLetter.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{caller}", caller, StringComparison.Ordinal)
                    .Replace("{approve-console}", _toApprove.GetValueOrDefault("console-" + caller).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                    .Replace("{refuse-console}", _toRefuse.GetValueOrDefault("console-" + caller).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                url = WalkIn(url);
                var form = call.Form?.ToDictionary(f => f.Key, f => WalkIn(f.Value, inAddress: false));
                var response = call.Method == HttpMethod.Get
                    ? await sessions[caller].Client.GetAsync(url)
                    : await sessions[caller].PostAsync(url, form ?? [], withToken && caller != "anonymous" ? tokens[caller] : null);
                calls++;
                var status = (int)response.StatusCode;
                var location = response.Headers.Location?.OriginalString ?? "";
                var (ok, expected) = caller == "anonymous" ? (status == 302 && location.Contains("/console/signin", StringComparison.Ordinal), "302 to sign in")
                    : !withToken ? (status == 400 && (route == "POST /console/signout" || (await response.Content.ReadAsStringAsync()).Contains("表单已过期", StringComparison.Ordinal)),
                        "400: no antiforgery token, the page saying the form has expired")
                    : !rightful ? (status == 403, "403")
                    : ConsoleTable[route].RightfulStatus is { } answered ? (status == answered, answered.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    : call.Method == HttpMethod.Get ? (status == 200 || (status == 302 && route == "GET /console"), "200")
                    : (status == 302 && !location.Contains("signin", StringComparison.Ordinal), "302 back to the page");
                if (!ok)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    // The page's error summary says what the API answered; otherwise the start of the page.
                    var summary = body.IndexOf("role=\"alert\"", StringComparison.Ordinal) is var at and >= 0 ? body[at..Math.Min(body.Length, at + 400)] : body[..Math.Min(body.Length, 300)];
                    failures.Add($"{route} as {caller}{(withToken ? "" : " from another site")}: {status} {location}, expected {expected}: {summary}");
                }

                if (rightful && withToken)
                {
                    if (route == "POST /console/t/{tenant}/publishing")
                    {
                        await Eventually.HoldsAsync(async () => (await (await adminApi.GetAsync($"/api/t/{Victim}/publishing-runs")).JsonAsync())["items"]!.AsArray(),
                            runs => runs.All(r => (string?)r!["status"] is "succeeded" or "failed"), "the console's publishing run");
                    }

                    return;
                }

                if (RowSnapshot.Changed(before, await RowSnapshot.OfTenantsAsync(_database, watched)) is { Count: > 0 } changed)
                {
                    failures.Add($"{route} as {caller}{(withToken ? "" : " from another site")} changed {string.Join(", ", changed)}");
                }
            }

            foreach (var (route, row) in ConsoleTable.OrderBy(r => r.Key.Contains("/disable", StringComparison.Ordinal)))
            {
                foreach (var caller in sessions.Keys.OrderBy(c => Rightful[row.Access].Contains(c)))
                {
                    var call = await row.Build(api, caller);
                    var rightful = Rightful[row.Access].Contains(caller);
                    if (call.Method == HttpMethod.Post && caller != "anonymous")
                    {
                        // Another site's page posting the same form: no antiforgery token, refused before anything is read.
                        await CheckAsync(route, caller, call, withToken: false, rightful);
                    }

                    if (route != "POST /console/signout" || caller == "anonymous")
                    {
                        await CheckAsync(route, caller, await row.Build(api, caller), withToken: true, rightful);
                    }
                }
            }

            output.WriteLine($"Console matrix: {ConsoleTable.Count} routes × {sessions.Count} people (posts also without the antiforgery token) = {calls} calls");
            Assert.True(failures.Count == 0, $"{failures.Count} of {calls} console calls broke the table:\n" + string.Join("\n", failures));

            // Signing out with the page's own token ends the session.
            var signedOut = await sessions["editor"].PostAsync("/console/signout", new Dictionary<string, string>(), tokens["editor"]);
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
            Assert.Contains("/console/signin", (await sessions["editor"].Client.GetAsync(Console)).Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var session in sessions.Values)
            {
                session.Dispose();
            }
        }
    }
}

public sealed class IsolationMatrixTestsOnSqlite(ITestOutputHelper output) : IsolationMatrixTests(Provider.Sqlite, output);

public sealed class IsolationMatrixTestsOnPostgres(ITestOutputHelper output) : IsolationMatrixTests(Provider.Postgres, output)
{
    [Fact]
    public Task EveryConsoleRouteAnswersEveryPersonAsTheTableSaysAndNoPostWithoutTheAntiforgeryTokenChangesAnything() => CheckConsoleRoutesAsync();
}
