using OneGo.Browser.Tests.Infrastructure;
using OpenQA.Selenium;

namespace OneGo.Browser.Tests.Pages;

/// <summary>What makes the pages usable by everyone: labelled controls, a skip link, a phone's width, a printed guide.</summary>
[Collection(PagesCollection.Name)]
public sealed class AccessibilityTestsInChromiumOnSqlite(PagesServer server)
{
    /// <summary>The main public pages, in Chinese and in English, a search and a guide answered included.</summary>
    internal static readonly string[] Pages =
    [
        "/",
        "/?q=%E5%85%A5%E5%AD%A6",
        "/regions/fujian.xiamen.haicang",
        "/regions/350205?q=%E5%85%A5%E5%9B%AD&audience=personal",
        "/regions/fujian.xiamen.haicang/bundles/enrolment",
        "/regions/fujian.xiamen.haicang/bundles/enrolment?answered=1",
        "/regions/fujian.xiamen.haicang/bundles/enrolment?answered=1&q.guide=hmt-foreign",
        "/regions/zhejiang",
        "/regions/nowhere",
        "/?lang=en",
        "/regions/fujian.xiamen.haicang/bundles/enrolment?answered=1&q.guide=points&lang=en",
    ];

    [Fact]
    public void EveryFormControlHasALabelAndEveryGroupOfOptionsALegend()
    {
        using var browser = Chromium.Open(server.Address);
        var controls = 0;
        foreach (var page in Pages)
        {
            browser.Go(page);
            var unlabelled = browser.Script<IReadOnlyCollection<object>>("""
                return Array.from(document.querySelectorAll('input, select, textarea, button'))
                  .filter(e => e.type !== 'hidden')
                  .filter(e => e.tagName === 'BUTTON'
                    ? e.textContent.trim() === ''
                    : Array.from(e.labels).every(l => l.textContent.trim() === '') && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
                  .map(e => e.outerHTML);
                """);
            Assert.True(unlabelled.Count == 0, $"{page}: controls without a label: {string.Join(", ", unlabelled)}");
            Assert.Equal(0L, browser.Script<long>("return Array.from(document.querySelectorAll('input[type=radio]')).filter(r => !r.closest('fieldset') || !r.closest('fieldset').querySelector('legend')).length;"));
            controls += (int)browser.Script<long>("return document.querySelectorAll('input:not([type=hidden]), select, button').length;");
        }

        Assert.True(controls > 20, $"only {controls} controls on {Pages.Length} pages: the pages did not render their forms");
    }

    [Fact]
    public void TheFirstTabReachesTheSkipLinkWhichLeadsToTheMainContent()
    {
        using var browser = Chromium.Open(server.Address);
        foreach (var page in (string[])["/", "/regions/fujian.xiamen.haicang/bundles/enrolment"])
        {
            browser.Go(page);
            Assert.Equal(-9999L, browser.Script<long>("return Math.round(document.querySelector('.skip').getBoundingClientRect().left);"));
            browser.Press(Keys.Tab);
            Assert.Equal("skip", browser.Active.GetAttribute("class"));
            // Out of sight until it has the focus; then on screen.
            Assert.True(browser.Script<long>("return Math.round(document.activeElement.getBoundingClientRect().left);") >= 0);
            browser.Press(Keys.Enter);
            browser.Until(() => browser.Script<string>("return location.hash;") == "#main", "the skip link to take the reader to #main");
        }
    }

    [Fact]
    public void APhoneWidthNeedsNoHorizontalScrolling()
    {
        using var browser = Chromium.Open(server.Address);
        browser.EmulatePhone(375, 812);
        foreach (var page in Pages)
        {
            browser.Go(page);
            // 375 CSS pixels wide only because the page asks for the device's width (viewport meta): else 980.
            Assert.Equal(375L, browser.Script<long>("return window.innerWidth;"));
            // The stylesheet applied (a page without it would prove nothing about the layout).
            Assert.Equal("solid", browser.Script<string>("return getComputedStyle(document.querySelector('header.site')).borderBottomStyle;"));
            var (scroll, client) = (browser.Script<long>("return document.documentElement.scrollWidth;"), browser.Script<long>("return document.documentElement.clientWidth;"));
            Assert.True(scroll <= client, $"{page}: {scroll} px of content in a {client} px wide window");
        }

        browser.Go("/regions/fujian.xiamen.haicang/bundles/enrolment?answered=1&q.guide=haicang-hukou");
        browser.Screenshot("citizen-guide-phone");
    }

    [Fact]
    public void APrintedGuideLeavesOutTheQuestionsTheSwitchAndTheSkipLink()
    {
        using var browser = Chromium.Open(server.Address);
        browser.Go("/regions/fujian.xiamen.haicang/bundles/enrolment?answered=1&q.guide=haicang-hukou");
        string Display(string css) => browser.Script<string>("return getComputedStyle(document.querySelector(arguments[0])).display;", css);
        Assert.NotEqual("none", Display(".questionnaire"));

        browser.Driver.ExecuteCdpCommand("Emulation.setEmulatedMedia", new Dictionary<string, object?> { ["media"] = "print" });
        foreach (var hidden in (string[])[".questionnaire", ".language", ".skip", ".trail", ".print-note"])
        {
            Assert.Equal("none", Display(hidden));
        }

        foreach (var shown in (string[])["#guide", "#bring", "#fetched", "#where", "#matters"])
        {
            Assert.NotEqual("none", Display(shown));
        }
    }
}
