using OneGo.Browser.Tests.Infrastructure;
using OneGo.Server.Tests.Infrastructure;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// OneGo on a server whose clock starts on Wednesday 2026-09-30, 09:00 China Standard Time, the day before the National
/// Day holidays: what the case-work journey's working days are counted from.
/// </summary>
public sealed class CaseWorkServer : IAsyncLifetime
{
    private TestDatabase? _database;
    private ServerProcess? _server;

    public Uri Address => _server?.Address ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider.Sqlite);
        _server = await ServerProcess.StartAsync(_database, $"--urls=http://127.0.0.1:{PagesServer.FreePort()}", "--Clock:Start=2026-09-30T09:00:00+08:00", "--DataExchange:DemoStandIn=true");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

/// <summary>
/// 前台综合受理、后台分类审批、综窗统一出件 in Chromium: Zhang applies for Haicang's enrolment by points with one dataset
/// brought as a file; Haicang's window officer finds it in the queue and asks for two items in one notice; Zhang sends
/// both again and answers; the window accepts it on 2026-09-30 and the vaccination check is shown due on 2026-10-13,
/// over the National Day holidays; the education officer decides and issues the points review and the enrolment while
/// the health officer does the vaccination check in between; Zhang sees the three results delivered together.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class CaseWorkJourneyTestsInChromiumOnSqlite(CaseWorkServer server) : IClassFixture<CaseWorkServer>
{
    private const string Haicang = "fujian.xiamen.haicang";

    [Fact]
    public void TheWindowAcceptsOnceTheDepartmentsDecideAndTheApplicantReceivesEverythingTogether()
    {
        var folder = Directory.CreateTempSubdirectory("onego-case-work-");
        try
        {
            var png = Path.Combine(folder.FullName, "scan.png");
            File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. new byte[2048]]);
            var pdf = Path.Combine(folder.FullName, "licence.pdf");
            File.WriteAllText(pdf, "%PDF-1.7\n% an electronic licence\n%%EOF\n");

            using var zhang = Chromium.Open(server.Address);
            var (application, number) = ApplyWithOneFile(zhang, png);

            // The window: the queue lists it; one notice names two materials, each with what is wrong.
            using var window = Chromium.Open(server.Address);
            ConsoleSignIn.As(window, $"/console/t/{Haicang}/window", $"demo-officer@{Haicang}");
            window.Follow(window.Find($"#window-queue tr[data-number='{number}'] a"));
            Assert.Equal("submitted", window.Find("#application").GetAttribute("data-state"));
            var items = window.FindAll("#moves .supplement-item").Take(2).Select(i => i.GetAttribute("data-material")).ToList();
            foreach (var material in items)
            {
                window.Find($"#m-{material}").Click();
                window.Find($"#r-{material}").SendKeys("扫描件不清晰，请重新上传");
            }

            window.Navigating(() => window.Find("form.supplement button").Click());
            NoProblem(window, "#move-problem");
            Assert.Equal("supplementing", window.Find("#application").GetAttribute("data-state"));
            Assert.Equal(items, window.FindAll("#notice li").Select(li => li.GetAttribute("data-material")));
            // 一次性告知: there is no second notice to give.
            Assert.Empty(window.FindAll("form.supplement"));
            window.Screenshot("window-supplement");

            // Zhang sends both again and answers; the clock stood still meanwhile.
            zhang.Go(application);
            Assert.Equal(items, zhang.FindAll("#supplement-items li").Select(li => li.GetAttribute("data-material")));
            foreach (var material in items)
            {
                zhang.Find($"#supply-{material}").SendKeys(png);
                zhang.Navigating(() => zhang.Find($"#supplement-items li[data-material='{material}'] form.upload button").Click());
                Assert.Equal("true", zhang.Find($"#supplement-items li[data-material='{material}']").GetAttribute("data-sent"));
            }

            zhang.Screenshot("apply-supplement");
            zhang.Navigating(() => zhang.Find("#supplied").Click());
            NoProblem(zhang, "#problem");
            Assert.Equal("submitted", zhang.Find("#application").GetAttribute("data-state"));

            // Accepted on 2026-09-30: the vaccination check's five working days end on 10-13 (10-01 to 10-07 off, Saturday 10-10 worked).
            window.Go($"/console/t/{Haicang}/window/applications/{number}");
            window.Navigating(() => window.Find("form.accept button").Click());
            Assert.Equal("accepted", window.Find("#application").GetAttribute("data-state"));
            Assert.Equal("2026-10-13", window.Find("#cases tr[data-matter='vaccination-check'] td.due").Text);
            window.Screenshot("window-accepted");

            // Education: the enrolment waits for the points review, decided and issued first.
            using var education = Chromium.Open(server.Address);
            ConsoleSignIn.As(education, $"/console/t/{Haicang}/cases", $"demo-officer-education@{Haicang}");
            Assert.Equal(["points-review", "primary-school-enrolment"], education.FindAll("#cases tbody tr").Select(r => r.GetAttribute("data-matter")));
            Assert.Empty(education.FindAll("#cases tr[data-matter='vaccination-check']"));
            education.Follow(education.Find("#cases tr[data-matter='primary-school-enrolment'] a"));
            Assert.NotEmpty(education.FindAll("#waiting"));
            education.Go($"/console/t/{Haicang}/cases");
            education.Follow(education.Find("#cases tr[data-matter='points-review'] a"));
            DecideAndIssue(education, pdf, "积分审核结果", "HC-2026-0001");

            // Health, in parallel.
            using var health = Chromium.Open(server.Address);
            ConsoleSignIn.As(health, $"/console/t/{Haicang}/cases", $"demo-officer-health@{Haicang}");
            Assert.Equal(["vaccination-check"], health.FindAll("#cases tbody tr").Select(r => r.GetAttribute("data-matter")));
            health.Follow(health.Find("#cases tr[data-matter='vaccination-check'] a"));
            DecideAndIssue(health, pdf, "预防接种查验证明", "JZ-2026-0930");

            education.Go($"/console/t/{Haicang}/cases");
            education.Follow(education.Find("#cases tr[data-matter='primary-school-enrolment'] a"));
            DecideAndIssue(education, pdf, "入学通知书", "HCXX-2026-0088");

            // 统一出件: Zhang sees every result with its number, each an electronic document to download.
            zhang.Go(application);
            Assert.Equal("completed", zhang.Find("#application").GetAttribute("data-state"));
            var results = zhang.FindAll("#results li");
            Assert.Equal(3, results.Count);
            Assert.All(results, r => Assert.Equal("online", r.GetAttribute("data-delivery")));
            Assert.Equal(["HC-2026-0001", "HCXX-2026-0088", "JZ-2026-0930"], zhang.FindAll("#results .result-number").Select(n => n.Text).Order(StringComparer.Ordinal));
            Assert.EndsWith("/results/vaccination-check", zhang.Find("#results li[data-matter='vaccination-check'] a.download").GetAttribute("href"), StringComparison.Ordinal);
            zhang.Screenshot("apply-delivered");
            Assert.Empty(Axe.SeriousOrCritical(zhang, "an application's results"));

            // 好差评: Zhang rates the enrolment, education's case, 不满意 with a comment; its rectification is due 15 working days later.
            zhang.Find("#rate-matter option[value='primary-school-enrolment']").Click();
            zhang.Find("#rate-form input[name='level'][value='dissatisfied']").Click();
            zhang.Find("#rate-comment").SendKeys("入学通知书领取说明不清楚");
            zhang.Navigating(() => zhang.Find("#rate").Click());
            NoProblem(zhang, "#problem");
            Assert.Equal("dissatisfied", zhang.Find("#ratings li[data-matter='primary-school-enrolment']").GetAttribute("data-level"));
            Assert.Equal("open", zhang.Find("#ratings li[data-matter='primary-school-enrolment'] .rectification").GetAttribute("data-state"));

            // Education sees it with its due date and the comment, and replies: verified, contacted, fixed, the reply.
            education.Go($"/console/t/{Haicang}/rectifications");
            var line = education.Find("#rectifications tbody tr");
            Assert.Equal("open", line.GetAttribute("data-state"));
            education.Follow(education.Find("#rectifications tbody tr a"));
            Assert.Equal("入学通知书领取说明不清楚", education.Find("#comment").Text);
            Assert.Matches(@"^2026-1\d-\d\d", education.Find("#due-on").Text);
            education.Find("#rectification-verified").SendKeys("核实属实：通知书领取地点未写明");
            education.Find("#rectification-contacted").SendKeys("已电话回访申请人");
            education.Find("#rectification-fixed").SendKeys("办事指南已补充领取地点和时间");
            education.Find("#rectification-reply").SendKeys("已补充领取说明，感谢您的评价");
            education.Navigating(() => education.Find("form.reply button").Click());
            NoProblem(education, "#move-problem");
            Assert.Equal("replied", education.Find("#rectification").GetAttribute("data-state"));
            education.Screenshot("rectification-replied");

            // Zhang sees the reply with his application.
            zhang.Go(application);
            Assert.Equal("已补充领取说明，感谢您的评价", zhang.Find("#ratings li[data-matter='primary-school-enrolment'] .reply").Text);

            // Xiamen's admin sees Haicang and Siming side by side, with a chart of their satisfaction rates.
            using var xiamen = Chromium.Open(server.Address);
            ConsoleSignIn.As(xiamen, "/console/t/fujian.xiamen/statistics", "demo-admin@fujian.xiamen");
            Assert.Equal(["fujian.xiamen.haicang", "fujian.xiamen.siming"], xiamen.FindAll("#regions-below tbody tr").Select(r => r.GetAttribute("data-region")).Order(StringComparer.Ordinal));
            var haicang = xiamen.Find("#regions-below tr[data-region='fujian.xiamen.haicang']");
            Assert.Equal(("1", "0"), (haicang.GetAttribute("data-ratings"), haicang.GetAttribute("data-satisfaction")));
            Assert.Equal(2, xiamen.FindAll("#below-chart rect.rate-bar").Count);
            xiamen.Screenshot("console-regions-side-by-side");
            Assert.Empty(Axe.SeriousOrCritical(xiamen, "the regions below side by side"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Zhang applies by points, agreeing to every dataset but one, whose material is brought as a file: the window looks at it.</summary>
    private static (string Application, string Number) ApplyWithOneFile(Chromium zhang, string file)
    {
        zhang.Go($"/apply/t/{Haicang}/bundles/enrolment?q.guide=points");
        zhang.Until(() => zhang.Location == "/account/signin", "the sign-in page");
        zhang.Find("#userName").SendKeys("demo-applicant-zhang");
        zhang.Find("#password").SendKeys("demo-secret");
        zhang.Navigating(() => zhang.Find("button[type='submit']").Click());
        zhang.Until(() => zhang.Location == $"/apply/t/{Haicang}/bundles/enrolment", "the start of the application");
        zhang.Navigating(() => zhang.Find("#start button").Click());
        var application = zhang.Location;
        foreach (var box in zhang.FindAll("#datasets input[name='datasets']").Skip(1))
        {
            box.Click();
        }

        zhang.Find("#as-guardian").Click();
        zhang.Navigating(() => zhang.Find("#agree").Click());
        foreach (var material in zhang.FindAll("#owed-list li").Select(li => li.GetAttribute("data-material")).ToList())
        {
            zhang.Find($"#file-{material}").SendKeys(file);
            zhang.Navigating(() => zhang.Find($"#owed-list li[data-material='{material}'] form.upload button").Click());
        }

        // What the dataset left out does not fill is typed: the phone number, the employer.
        foreach (var field in zhang.FindAll("input[id^='field-']").Where(f => f.GetAttribute("type") is "text" or "tel" && f.GetAttribute("value") is not { Length: > 0 }).ToList())
        {
            field.SendKeys(field.GetAttribute("type") == "tel" ? "13800138000" : "厦门海沧港务有限公司");
        }

        zhang.Navigating(() => zhang.Find("#save-values").Click());
        NoProblem(zhang, "#problem");

        foreach (var box in zhang.FindAll("#commitments input[type='checkbox']"))
        {
            box.Click();
        }

        zhang.Navigating(() => zhang.Find("#submit-application").Click());
        NoProblem(zhang, "#problem");
        Assert.Equal("submitted", zhang.Find("#application").GetAttribute("data-state"));
        return (application, zhang.Find("#tracking-number").Text);
    }

    /// <summary>The page shows no refusal; when it does, the test says what the API answered.</summary>
    private static void NoProblem(Chromium browser, string css)
    {
        var problems = browser.FindAll(css);
        Assert.True(problems.Count == 0, problems.Count == 0 ? "" : problems[0].Text);
    }

    /// <summary>On a case's page: approve with the legal basis, send the electronic document, issue the result online.</summary>
    private static void DecideAndIssue(Chromium officer, string pdf, string document, string number)
    {
        officer.Find("#decide-basis").SendKeys("《义务教育法》第十二条");
        officer.Navigating(() => officer.Find("form.decide button").Click());
        Assert.Equal("approved", officer.Find("#case").GetAttribute("data-state"));
        officer.Find("#document-file").SendKeys(pdf);
        officer.Navigating(() => officer.Find("form.document button").Click());
        Assert.NotEmpty(officer.FindAll("#document-sent"));
        officer.Find("#issue-document").SendKeys(document);
        officer.Find("#issue-number").SendKeys(number);
        officer.Navigating(() => officer.Find("form.issue button").Click());
        NoProblem(officer, "#move-problem");
        Assert.Equal("issued", officer.Find("#case").GetAttribute("data-state"));
    }
}
