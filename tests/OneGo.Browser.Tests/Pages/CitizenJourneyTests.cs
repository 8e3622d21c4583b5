using OneGo.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace OneGo.Browser.Tests.Pages;

/// <summary>
/// A citizen in Chromium: from the home page to Haicang's school enrolment (入园入学一件事), its matters and
/// reductions, and the guide answered with the keyboard alone; in English; with a question left unanswered; at an
/// unknown region. What the pages show is checked against the API of the same server.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class CitizenJourneyTestsInChromiumOnSqlite(PagesServer server)
{
    private const string Enrolment = "/regions/fujian.xiamen.haicang/bundles/enrolment";

    [Fact]
    public async Task ACitizenPicksHaicangOpensSchoolEnrolmentAndAnswersItsGuideByKeyboard()
    {
        var bundle = await server.JsonAsync("/api/t/350205/bundles/enrolment");
        // The bundle names departments by code; the page by the names Haicang (or a region above) lists.
        var departments = (await server.JsonAsync("/api/t/350205/departments")).AsArray().ToDictionary(d => (string)d!["code"]!, d => (string)d!["name"]!);
        using var browser = Chromium.Open(server.Address);

        browser.Go("/");
        browser.Screenshot("citizen-home");
        browser.Driver.FindElement(By.XPath("//summary[normalize-space()='福建省']")).Click();
        browser.Driver.FindElement(By.XPath("//summary[normalize-space()='厦门市']")).Click();
        browser.Follow(browser.Driver.FindElement(By.LinkText("海沧区")));
        Assert.Equal("/regions/fujian.xiamen.haicang", browser.Location);
        Assert.Equal("海沧区", browser.Heading);
        browser.Screenshot("citizen-region");

        browser.Follow(browser.Driver.FindElement(By.LinkText("入园入学一件事")));
        Assert.Equal(Enrolment, browser.Location);
        Assert.Equal("入园入学一件事", browser.Heading);

        // Its matters: name, department, promised days and trips alone, as the live bundle has them.
        var matters = bundle["matters"]!.AsArray();
        Assert.Equal(matters.Count, browser.FindAll("#matters tbody tr").Count);
        foreach (var matter in matters)
        {
            var row = browser.Find($"#matters tr[data-matter='{(string)matter!["code"]!}']");
            Assert.Contains((string)matter["name"]!["zh"]!, row.FindElement(By.CssSelector("th")).Text, StringComparison.Ordinal);
            var cells = row.FindElements(By.CssSelector("td")).Select(c => c.Text).ToList();
            Assert.Equal(departments[(string)matter["department"]!], cells[0]);
            Assert.Contains($"{(int)matter["promisedDays"]!} 个工作日", cells[1], StringComparison.Ordinal);
            // A value the matter's file marks illustrative is followed by 示例.
            var example = matter["illustrative"]?.AsArray().Any(f => (string?)f == "tripsAlone") == true ? " 示例" : "";
            Assert.Equal(((int)matter["tripsAlone"]!).ToString(System.Globalization.CultureInfo.InvariantCulture) + example, cells[2]);
        }

        // The reductions chart: the numbers beside the bars are the bundle's computed reductions.
        foreach (var measure in (string[])["steps", "days", "materials", "trips"])
        {
            var figures = browser.Find($"#reductions [data-measure='{measure}']");
            var shown = figures.FindElements(By.CssSelector(".bar-value")).Select(v => v.Text).ToList();
            Assert.Equal([$"{(int)bundle["reductions"]!["before"]![measure]!}", $"{(int)bundle["reductions"]!["after"]![measure]!}"], shown);
            Assert.Equal(2, figures.FindElements(By.CssSelector("svg rect")).Count);
        }

        // 海沧区户籍 with the keyboard alone: Tab to the option, Space to choose it, Tab to the button, Enter.
        browser.TabTo("q-guide-haicang-hukou");
        browser.Press(Keys.Space);
        Assert.True(browser.Find("#q-guide-haicang-hukou").Selected);
        browser.Press(Keys.Tab);
        Assert.Equal("button", browser.Active.TagName);
        browser.Navigating(() => browser.Press(Keys.Enter));

        var hukou = await server.GuideAsync("350205", "enrolment", "guide", "haicang-hukou");
        Assert.Equal("无需提交任何材料。", browser.Find("#bring .none").Text);
        Assert.Empty(browser.FindAll("#bring [data-material]"));
        var trips = browser.Find("dd[data-fact='trips']");
        Assert.Equal("0", trips.GetAttribute("data-value"));
        Assert.StartsWith("0 次", trips.Text, StringComparison.Ordinal);
        var fetched = hukou["fetchedForYou"]!.AsArray();
        Assert.Equal(8, fetched.Count);
        Assert.Equal(fetched.Count, browser.FindAll("#fetched [data-material]").Count);
        foreach (var material in fetched)
        {
            var item = browser.Find($"#fetched [data-material='{(string)material!["code"]!}']");
            var source = item.FindElement(By.CssSelector(".source")).Text;
            Assert.Contains(departments[(string)material["source"]!["department"]!], source, StringComparison.Ordinal);
            Assert.Contains((string)material["source"]!["dataset"]!, source, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(item.FindElement(By.CssSelector(".why")).Text));
        }

        browser.Screenshot("citizen-guide-haicang-hukou");

        // 港澳台侨外籍子女: Tab back into the group (it lands on the chosen option), an arrow key moves the choice.
        browser.TabTo("q-guide-haicang-hukou");
        browser.Press(Keys.ArrowDown);
        Assert.True(browser.Find("#q-guide-hmt-foreign").Selected);
        browser.Press(Keys.Tab);
        browser.Navigating(() => browser.Press(Keys.Enter));

        var foreign = await server.GuideAsync("350205", "enrolment", "guide", "hmt-foreign");
        var bring = foreign["bring"]!.AsArray().Select(m => (string)m!["code"]!).ToList();
        Assert.Contains("travel-permit", bring);
        Assert.Equal(bring, browser.FindAll("#bring [data-material]").Select(e => e.GetAttribute("data-material") ?? "").ToList());
        Assert.Contains("港澳居民来往内地通行证", browser.Find("#bring [data-material='travel-permit']").Text, StringComparison.Ordinal);
        Assert.Equal($"{(int)foreign["trips"]!}", browser.Find("dd[data-fact='trips']").GetAttribute("data-value"));
        Assert.Empty(browser.FindAll("#fetched [data-material='household-register']"));
    }

    [Fact]
    public void TheHomePageSearchesTheNationalZoneInARegionAndBelow()
    {
        using var browser = Chromium.Open(server.Address);
        browser.Go("/");
        browser.Find("#q").SendKeys("入园");
        browser.Find("#region option[value='fujian']").Click();
        browser.Navigating(() => browser.Find(".search button").Click());
        // The regions publish as the server starts; the search shows what the zone holds once their runs are done.
        browser.Until(() =>
        {
            browser.Driver.Navigate().Refresh();
            return browser.FindAll("a[href='/regions/fujian.xiamen.haicang/bundles/enrolment']").Count == 1;
        }, "Haicang's enrolment bundle to be found in the zone");
        Assert.Empty(browser.FindAll(".results a[href^='/regions/national/']"));
    }

    [Fact]
    public void TheLanguageSwitchTurnsThePagesIntoEnglishAndBack()
    {
        using var browser = Chromium.Open(server.Address);
        browser.Go(Enrolment);
        Assert.Equal("zh-CN", browser.HtmlLang);
        Assert.Equal("English", browser.Find("#switch-language").Text);

        browser.Follow(browser.Find("#switch-language"));
        Assert.Equal("en", browser.HtmlLang);
        Assert.Equal("Kindergarten and school enrolment", browser.Heading);
        Assert.Equal("The matters done in one go", browser.Find("#matters-heading").Text);
        Assert.StartsWith("Your situation", browser.Find("#question-guide legend").Text, StringComparison.Ordinal);
        Assert.Equal("Show my guide", browser.Find(".questionnaire button").Text);
        Assert.Equal("School: Haicang household register", browser.Find("label[for='q-guide-haicang-hukou']").Text);

        // The choice is remembered: the next page, reached by a plain link, is English too.
        browser.Follow(browser.Driver.FindElement(By.LinkText("Haicang District")));
        Assert.Equal("en", browser.HtmlLang);
        Assert.Equal("For individuals", browser.Find("#personal-heading").Text);

        browser.Follow(browser.Find("#switch-language"));
        Assert.Equal("zh-CN", browser.HtmlLang);
        Assert.Equal("个人服务", browser.Find("#personal-heading").Text);
    }

    [Fact]
    public void AnUnansweredQuestionIsToldNextToItAndAnUnknownRegionIsANotFoundPage()
    {
        using var browser = Chromium.Open(server.Address);
        browser.Go(Enrolment);
        browser.Follow(browser.Find(".questionnaire button"));

        var error = browser.Find("#error-guide");
        Assert.True(error.Displayed);
        Assert.Equal("请回答这个问题：选择一项。", error.Text);
        Assert.Equal("question-guide", browser.Script<string>("return document.getElementById('error-guide').closest('fieldset').id;"));
        Assert.Equal("error-guide", browser.Find("#question-guide").GetAttribute("aria-describedby"));
        Assert.Equal("alert", browser.Find(".error-summary").GetAttribute("role"));
        Assert.Empty(browser.FindAll("#guide-heading"));

        browser.Go("/regions/nowhere");
        Assert.Equal("没有这个地区", browser.Heading);
        Assert.Contains("“nowhere”", browser.Find(".lead").Text, StringComparison.Ordinal);
        browser.Follow(browser.Driver.FindElement(By.PartialLinkText("回到首页")));
        Assert.Equal("/", browser.Location);
    }
}
