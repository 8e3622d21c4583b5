using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;

namespace OneGo.Browser.Tests.Infrastructure;

/// <summary>
/// A person at Debian's Chromium (headless), driven through <c>/usr/bin/chromedriver</c>, with a throwaway profile.
/// When Chromium or its driver is missing the test fails and says how to install them: a browser test never
/// skips itself (<c>./test.sh</c> installs both).
/// </summary>
public sealed class Chromium : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly Uri _site;
    private readonly DirectoryInfo _profile;

    private Chromium(Uri site, int width, int height)
    {
        OneGo.Testing.TestUsage.Record(OneGo.Testing.TestUsage.Chromium);
        if (!File.Exists(ChromiumPath) || !File.Exists(ChromeDriverPath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {ChromiumPath} and its driver at {ChromeDriverPath}: " +
                "apt-get update && apt-get install -y chromium chromium-driver (./test.sh does it when they are missing).");
        }

        _site = site;
        _profile = Directory.CreateTempSubdirectory("onego-chromium-");
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            // Everything Chromium writes stays in the throwaway profile, not in ~/.config or ~/.cache.
            $"--user-data-dir={_profile.FullName}", $"--disk-cache-dir={Path.Combine(_profile.FullName, "cache")}",
            $"--window-size={width},{height}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        // Two cores shared with other builds: starting Chromium and loading a first page can take a while.
        Driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromMinutes(1);
        Driver.Manage().Timeouts().ImplicitWait = TimeSpan.Zero;
    }

    public ChromeDriver Driver { get; }

    /// <summary>A desktop-sized browser window.</summary>
    public static Chromium Open(Uri site) => new(site, 1280, 900);

    /// <summary>
    /// Makes the window a phone's screen (in CSS pixels): a mobile viewport that honours the page's viewport meta
    /// tag, as a phone's browser does. A headless window itself cannot be made narrower than about 500 pixels.
    /// </summary>
    public void EmulatePhone(int width = 390, int height = 844) =>
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 3,
            ["mobile"] = true,
        });

    /// <summary>The path of the page the browser shows.</summary>
    public string Location => new Uri(Driver.Url).AbsolutePath;

    public void Go(string relative) => Driver.Navigate().GoToUrl(new Uri(_site, relative));

    public IWebElement Find(string css) => Driver.FindElement(By.CssSelector(css));

    public IReadOnlyList<IWebElement> FindAll(string css) => Driver.FindElements(By.CssSelector(css));

    public T Script<T>(string script, params object[] arguments) => (T)Driver.ExecuteScript(script, arguments)!;

    public string HtmlLang => Script<string>("return document.documentElement.lang;");

    public string Heading => Find("h1").Text;

    public IWebElement Active => Driver.SwitchTo().ActiveElement();

    public void Press(string key) => new Actions(Driver).SendKeys(key).Perform();

    /// <summary>Presses Tab until the element with <paramref name="id"/> has the focus, as a keyboard user moves through a page.</summary>
    public void TabTo(string id, int most = 100)
    {
        for (var i = 0; i < most; i++)
        {
            Press(Keys.Tab);
            if (Active.GetAttribute("id") == id)
            {
                return;
            }
        }

        throw new InvalidOperationException($"#{id} never got the focus in {most} presses of Tab; the focus is on {Active.GetAttribute("outerHTML")}");
    }

    /// <summary>Does something that loads another page (a click, Enter on a button), and waits until the new page has loaded.</summary>
    public void Navigating(Action action)
    {
        // A mark on the old document: gone once the browser has replaced it.
        Driver.ExecuteScript("document.documentElement.dataset.leaving = 'yes';");
        action();
        Until(() => Script<object?>("return document.readyState === 'complete' && document.documentElement.dataset.leaving !== 'yes';") is true,
            "the next page to load");
    }

    public void Follow(IWebElement link) => Navigating(link.Click);

    /// <summary>The folder the screenshots go to: <c>artifacts/screenshots</c> at the repository's root (git-ignored).</summary>
    public static DirectoryInfo Screenshots { get; } = FindScreenshots();

    private static DirectoryInfo FindScreenshots()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Platform.sln")))
        {
            root = root.Parent;
        }

        return Directory.CreateDirectory(Path.Combine(root?.FullName ?? Path.GetTempPath(), "artifacts", "screenshots"));
    }

    /// <summary>Saves what the window shows, the whole page's height, as <c>{name}.png</c>.</summary>
    public void Screenshot(string name)
    {
        var height = Script<long>("return Math.ceil(document.documentElement.scrollHeight);");
        var width = Script<long>("return window.innerWidth;");
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width, ["height"] = Math.Min(height, 8000), ["deviceScaleFactor"] = 1, ["mobile"] = width < 500,
        });
        try
        {
            Driver.GetScreenshot().SaveAsFile(Path.Combine(Screenshots.FullName, name + ".png"));
        }
        finally
        {
            Driver.ExecuteCdpCommand("Emulation.clearDeviceMetricsOverride", []);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming what it waited for and the page it was on.</summary>
    public void Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                throw new TimeoutException($"Waited {Patience.TotalSeconds} s for {what}; the page is {Driver.Url}:\n{Driver.PageSource[..Math.Min(2000, Driver.PageSource.Length)]}");
            }

            Thread.Sleep(100);
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium's last writes can race its exit; a leftover temp folder is not a test failure.
        }
    }
}
