using OneGo.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// 一表申请、一次提交 in Chromium. A demo applicant applies for Haicang's 入园入学一件事 in the 海沧区户籍 guide from the
/// bundle's page: signs in through OneGo's own OpenID Connect sign-in, agrees as guardian to each dataset, sees the
/// one form filled from the stand-in exchange and nothing to bring, types a phone number, signs the commitments,
/// submits once and sees the tracking number and one case per department. A window officer then does the same in
/// the console for a walk-in applicant they register from an identity card.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class ApplicationJourneyTestsInChromiumOnSqlite(PagesServer server)
{
    private const string Haicang = "fujian.xiamen.haicang";

    [Fact]
    public void AnApplicantAgreesAsGuardianSeesTheFormFilledSubmitsOnceAndSeesTheCases()
    {
        using var browser = Chromium.Open(server.Address);
        browser.Go($"/regions/{Haicang}/bundles/enrolment?q.guide=haicang-hukou");
        browser.Follow(browser.Find("#apply-online"));

        // Applying needs a signed-in applicant: the sign-in comes first, and the answers of the guide come along.
        browser.Until(() => browser.Location == "/account/signin", "the sign-in page");
        browser.Find("#userName").SendKeys("demo-applicant-zhang");
        browser.Find("#password").SendKeys("demo-secret");
        browser.Navigating(() => browser.Find("button[type='submit']").Click());
        browser.Until(() => browser.Location == $"/apply/t/{Haicang}/bundles/enrolment", "the start of the application");
        Assert.Equal("张晓明", browser.Find("#signed-in-as").Text);
        Assert.True(browser.Find("#q-guide-haicang-hukou").Selected);
        browser.Navigating(() => browser.Find("#start button").Click());
        Assert.StartsWith($"/apply/t/{Haicang}/applications/", browser.Location, StringComparison.Ordinal);
        var application = browser.Location;
        Assert.Equal("draft", browser.Find("#application").GetAttribute("data-state"));
        // The page says when the draft goes: 30 days after its last change (China Standard Time).
        Assert.Contains(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            browser.Find("#delete-after").Text, StringComparison.Ordinal);

        // Until agreed, the materials are to bring, and the form is empty.
        Assert.Equal(8, browser.FindAll("#datasets li[data-state='not-agreed']").Count);
        Assert.Equal(8, browser.FindAll("#owed-list li").Count);
        Assert.Equal("", browser.Find("#field-child-name").GetAttribute("value"));
        browser.Screenshot("apply-consent");

        // A file is told by its content: a text file named .png is refused (415) and said on the page; a real PNG is kept.
        var material = browser.Find("#owed-list li").GetAttribute("data-material");
        var folder = Directory.CreateTempSubdirectory("onego-upload-");
        try
        {
            var fake = Path.Combine(folder.FullName, "scan.png");
            File.WriteAllText(fake, "not an image");
            browser.Find($"#file-{material}").SendKeys(fake);
            browser.Navigating(() => browser.Find($"#owed-list li[data-material='{material}'] form.upload button").Click());
            Assert.Equal("415", browser.Find("#problem").GetAttribute("data-status"));
            Assert.Empty(browser.FindAll("#files"));
            var png = Path.Combine(folder.FullName, "household.png");
            File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. new byte[1024]]);
            browser.Find($"#file-{material}").SendKeys(png);
            browser.Navigating(() => browser.Find($"#owed-list li[data-material='{material}'] form.upload button").Click());
            Assert.Empty(browser.FindAll("#problem"));
            Assert.Single(browser.FindAll($"#files li[data-material='{material}']"));
            Assert.Empty(browser.FindAll($"#owed-list li[data-material='{material}']"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        // Agreeing without saying one is the child's guardian is refused by the API, and the page says where.
        foreach (var box in browser.FindAll("#datasets input[name='datasets']"))
        {
            box.Click();
        }

        browser.Navigating(() => browser.Find("#agree").Click());
        Assert.Contains("/asGuardian", browser.Find("#problem").Text, StringComparison.Ordinal);
        Assert.Equal(8, browser.FindAll("#datasets li[data-state='not-agreed']").Count);

        // As guardian: each dataset is fetched from the stand-in exchange, recorded, and fills the form.
        foreach (var box in browser.FindAll("#datasets input[name='datasets']"))
        {
            box.Click();
        }

        browser.Find("#as-guardian").Click();
        browser.Navigating(() => browser.Find("#agree").Click());
        Assert.Empty(browser.FindAll("#problem"));
        Assert.Equal(8, browser.FindAll("#datasets li[data-state='fetched']").Count);
        Assert.Equal(8, browser.FindAll("#fetches tr[data-outcome='fetched']").Count);
        Assert.Equal("张小宇", browser.Find("#field-child-name").GetAttribute("value"));
        // An ID number is masked wherever it is shown, in the form too.
        Assert.Equal("350***********0034", browser.Find("#field-child-id-number").GetAttribute("value"));
        Assert.Single(browser.FindAll("[data-field='child-name'] .fetched"));
        Assert.NotEmpty(browser.FindAll("#nothing-to-bring"));
        Assert.Empty(Axe.SeriousOrCritical(browser, "an application's draft"));
        browser.Screenshot("apply-fetched");

        // What sharing does not fill is typed; a wrong phone number is refused beside its field, and what was typed stays.
        browser.Find("#field-phone").SendKeys("12345");
        browser.Navigating(() => browser.Find("#save-values").Click());
        Assert.NotEmpty(browser.FindAll("[data-field='phone'] .error"));
        Assert.Equal("12345", browser.Find("#field-phone").GetAttribute("value"));
        browser.Find("#field-phone").Clear();
        browser.Find("#field-phone").SendKeys("13800138000");
        browser.Navigating(() => browser.Find("#save-values").Click());
        Assert.Equal("138****8000", browser.Find("#field-phone").GetAttribute("value"));
        // The masked ID number left alone was not sent back: the child's number is still the fetched one.
        Assert.Equal("350***********0034", browser.Find("#field-child-id-number").GetAttribute("value"));

        SignCommitmentsAndSubmit(browser);
        var number = browser.Find("#tracking-number").Text;
        Assert.Matches("^350205[0-9]{14}$", number);
        Assert.Equal(application, browser.Location);
        var cases = browser.FindAll("#case-list tbody tr");
        Assert.True(cases.Count >= 2, "one case per matter that applies");
        Assert.True(cases.Select(c => c.GetAttribute("data-department")).Distinct().Count() >= 2, "cases of several departments");
        Assert.Contains(cases, c => c.GetAttribute("data-state") == "ready");
        browser.Screenshot("apply-submitted");
        Assert.Empty(Axe.SeriousOrCritical(browser, "a submitted application"));

        // It lists among the applicant's own, by its number.
        browser.Go("/apply");
        var row = browser.Find("#applications tbody tr");
        Assert.Equal("submitted", row.GetAttribute("data-state"));
        Assert.Contains(number, row.Text, StringComparison.Ordinal);
        Assert.Empty(Axe.SeriousOrCritical(browser, "my applications"));

        // Another's application is not found through these pages either: the API's 404 is the page.
        browser.Go($"/apply/t/{Haicang}/applications/{Guid.NewGuid()}");
        Assert.Empty(browser.FindAll("#application"));
        Assert.DoesNotContain("入园入学", browser.Heading, StringComparison.Ordinal);
        Assert.Empty(browser.FindAll("#tracking-number"));
    }

    [Fact]
    public void AWindowOfficerRegistersAWalkInAndAppliesWithThem()
    {
        using var browser = Chromium.Open(server.Address);
        ConsoleSignIn.As(browser, $"/console/t/{Haicang}/window", $"demo-officer@{Haicang}");
        Assert.Equal($"/console/t/{Haicang}/window", browser.Location);

        // A wrong check digit is the API's 422, shown with what was typed.
        browser.Find("#walk-in-name").SendKeys("王丽");
        browser.Find("#walk-in-id-number").SendKeys("350205198503152023");
        browser.Navigating(() => browser.Find("form.walk-in button").Click());
        Assert.Contains("/idNumber", browser.Find("#walk-in-problem").Text, StringComparison.Ordinal);
        Assert.Equal("王丽", browser.Find("#walk-in-name").GetAttribute("value"));
        browser.Find("#walk-in-id-number").Clear();
        browser.Find("#walk-in-id-number").SendKeys("350205198503152022");
        browser.Navigating(() => browser.Find("form.walk-in button").Click());
        var subject = browser.Find("#walk-in-subject").Text;
        Assert.DoesNotContain("350205", subject, StringComparison.Ordinal);

        browser.Follow(browser.Find("#walk-in-bundles li[data-bundle='enrolment'] a"));
        browser.Find("#q-guide-haicang-hukou").Click();
        browser.Navigating(() => browser.Find("#start button").Click());
        Assert.StartsWith($"/console/t/{Haicang}/window/{subject}/applications/", browser.Location, StringComparison.Ordinal);

        foreach (var box in browser.FindAll("#datasets input[name='datasets']"))
        {
            box.Click();
        }

        browser.Find("#as-guardian").Click();
        browser.Navigating(() => browser.Find("#agree").Click());
        Assert.Equal(8, browser.FindAll("#datasets li[data-state='fetched']").Count);
        Assert.Equal("王子涵", browser.Find("#field-child-name").GetAttribute("value"));
        Assert.NotEmpty(browser.FindAll("#nothing-to-bring"));
        browser.Find("#field-phone").SendKeys("13912345678");
        browser.Navigating(() => browser.Find("#save-values").Click());
        browser.Screenshot("window-fetched");

        SignCommitmentsAndSubmit(browser);
        var number = browser.Find("#tracking-number").Text;
        Assert.Matches("^350205[0-9]{14}$", number);
        Assert.True(browser.FindAll("#case-list tbody tr").Count >= 2);
        browser.Screenshot("window-submitted");

        // The walk-in's page lists what the window applied for with them.
        browser.Go($"/console/t/{Haicang}/window/{subject}");
        Assert.Contains(number, browser.Find("#walk-in-applications li[data-state='submitted']").Text, StringComparison.Ordinal);
    }

    private static void SignCommitmentsAndSubmit(Chromium browser)
    {
        foreach (var box in browser.FindAll("#commitments input[type='checkbox']"))
        {
            box.Click();
        }

        browser.Navigating(() => browser.Find("#submit-application").Click());
        Assert.Empty(browser.FindAll("#problem"));
        Assert.Equal("submitted", browser.Find("#application").GetAttribute("data-state"));
    }
}
