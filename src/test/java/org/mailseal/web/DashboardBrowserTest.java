// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.keys.DkimKey;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.testing.Waits;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's chromium, driven through its chromedriver by Selenium,
 * against a dashboard over real parts ({@link WebFixture}). The tests run in order and share one
 * browser: the login ones first, then the pages as an admin. Each page's screenshot is written to
 * {@code target/web-screenshots/}. Skips, saying so, when chromium or chromedriver is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DashboardBrowserTest {
  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
  static final Path SHOTS = Paths.get("target", "web-screenshots");

  Path dir;
  WebFixture fixture;
  ChromeDriver browser;
  String base;

  @BeforeAll
  void start(@TempDir Path temp) throws Exception {
    dir = temp;
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "SKIPPED: the browser tests need chromium and chromedriver (Debian: apt-get install"
            + " chromium chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")));
    // The listeners' self-signed certificate; the HTTP tests check TLS against it exactly.
    options.setAcceptInsecureCerts(true);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    // The browser starts while the fixture is built (keys, hashes, certificate): neither needs the
    // other until the first page, and each takes about a second.
    CompletableFuture<ChromeDriver> starting =
        CompletableFuture.supplyAsync(() -> new ChromeDriver(service, options));
    try {
      fixture = new WebFixture(dir);
    } finally {
      browser = starting.join(); // and @AfterAll closes whichever of the two started
    }
    base = "https://localhost:" + fixture.server.address().getPort();
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private void login(String user, String password) {
    browser.get(base + "/login");
    browser.findElement(By.id("user")).clear();
    browser.findElement(By.id("user")).sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    submit(browser.findElement(By.cssSelector("main form button[type=submit]")));
  }

  /**
   * Clicks {@code button} and waits until the page it was on is gone: a click may return before the
   * next page replaces it, and that page may show what {@link #shown} looks for (a flash).
   */
  private void submit(WebElement button) {
    WebElement page = browser.findElement(By.tagName("html"));
    button.click();
    Waits.await("the page after the click").atMost(Duration.ofSeconds(30)).until(() -> gone(page));
  }

  private static boolean gone(WebElement e) {
    try {
      e.isEnabled();
      return false;
    } catch (StaleElementReferenceException replaced) {
      return true;
    } catch (WebDriverException lookup) {
      // Chromium answers this way when the page is swapped while it looks the node up.
      if (String.valueOf(lookup.getMessage()).contains("does not belong to the document")) {
        return true;
      }
      throw lookup;
    }
  }

  /** The element once the page the last click started shows it. */
  private WebElement shown(By by) {
    Waits.await("the page to show " + by)
        .atMost(Duration.ofSeconds(30))
        .until(() -> !browser.findElements(by).isEmpty());
    return browser.findElement(by);
  }

  private void screenshot(String name) throws Exception {
    Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  private String path() {
    return java.net.URI.create(browser.getCurrentUrl()).getPath();
  }

  @Test
  @Order(1)
  void aWrongPasswordFailsAndRepeatedOnesAreThrottled() throws Exception {
    login(WebFixture.ADMIN, "wrong password 1");
    assertThat(shown(By.id("login-error")).getText()).isEqualTo("Wrong user name or password.");
    assertThat(path()).isEqualTo("/login");
    screenshot("login-failed");
    for (int i = 2; i <= org.mailseal.auth.LoginThrottle.ADDRESS.free() + 1; i++) {
      login(WebFixture.ADMIN, "wrong password " + i);
    }
    // The right password now is throttled too: guesses must wait, whatever they are.
    login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD);
    assertThat(shown(By.id("login-error")).getText())
        .startsWith("Too many failed logins")
        .contains("try again in");
    assertThat(path()).isEqualTo("/login");
    fixture.clock.advance(Duration.ofMinutes(1));
  }

  @Test
  @Order(2)
  void aUserWithoutTheAdminRoleIsRefused() {
    login(WebFixture.USER, WebFixture.USER_PASSWORD);
    assertThat(shown(By.id("login-error")).getText())
        .isEqualTo("This user may not use the dashboard.");
    browser.get(base + "/");
    assertThat(path()).isEqualTo("/login");
  }

  @Test
  @Order(3)
  void theOverviewShowsTheDomainWithItsKeySelectors() throws Exception {
    login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD);
    WebElement card = shown(By.cssSelector("section.domain"));
    assertThat(path()).isEqualTo("/");
    assertThat(card.findElement(By.tagName("h2")).getText()).isEqualTo(WebFixture.DOMAIN);
    String dkim = card.findElement(By.cssSelector("[data-concern=DKIM]")).getText();
    assertThat(dkim)
        .contains("OK")
        .contains("ACTIVE s20260901e (ed25519), s20261201r (rsa)")
        .contains("PENDING s20261203e (ed25519)")
        .contains("RETIRED s20260901r (rsa)")
        .contains("next key 2027-01-01");
    assertThat(card.findElement(By.cssSelector("[data-concern=DMARC]")).getText())
        .contains("p=none; no reports read yet");
    assertThat(card.findElement(By.cssSelector("[data-concern=DNS]")).getText())
        .contains("not checked yet");
    assertThat(browser.findElement(By.cssSelector("[data-concern=Queue]")).getText())
        .contains("FAILING")
        .contains("2 waiting")
        .contains("example.org");
    screenshot("overview");
  }

  @Test
  @Order(4)
  void theKeysPageDrawsOneBarPerKeyInTheStoresState() throws Exception {
    browser.get(base + "/keys");
    List<WebElement> bars = browser.findElements(By.cssSelector("svg.timeline g.key"));
    List<DkimKey> stored = fixture.keys.list(WebFixture.DOMAIN);
    assertThat(bars).hasSize(stored.size());
    Map<String, String> drawn = new TreeMap<>();
    for (WebElement bar : bars) {
      String selector = bar.getAttribute("data-selector");
      String label = bar.findElement(By.cssSelector("text.key-label")).getText();
      assertThat(label).isEqualTo(selector + " \u00b7 " + bar.getAttribute("data-state"));
      assertThat(bar.findElements(By.cssSelector("rect.seg"))).isNotEmpty();
      drawn.put(selector, bar.getAttribute("data-state"));
    }
    assertThat(drawn)
        .isEqualTo(
            stored.stream()
                .collect(
                    Collectors.toMap(
                        k -> k.selector().value(),
                        k -> k.state().name(),
                        (a, b) -> a,
                        TreeMap::new)));
    // One lane per algorithm, the scheduled future drawn, and the PENDING key's record to copy.
    assertThat(browser.findElements(By.cssSelector("svg.timeline g.lane"))).hasSize(2);
    assertThat(browser.findElements(By.cssSelector("svg.timeline rect.plan"))).hasSize(4);
    assertThat(browser.findElement(By.cssSelector("svg.timeline .m-next")).getText())
        .isEqualTo("next key 2027-01-01");
    WebElement copy = browser.findElement(By.cssSelector("button.copy"));
    assertThat(copy.isDisplayed()).as("the script unhides the copy button").isTrue();
    String record = browser.findElement(By.id(copy.getAttribute("data-copy"))).getText();
    assertThat(record).startsWith("v=DKIM1; k=ed25519; p=");
    screenshot("keys");
  }

  @Test
  @Order(5)
  void checkNowTurnsAMissingRecordIntoOkOnceTheZoneIsFixed() throws Exception {
    String name = fixture.pendingRecordName();
    browser.get(base + "/dns");
    assertThat(row(name).getAttribute("data-state")).isEqualTo("UNCHECKED");
    submit(browser.findElement(By.cssSelector("button.check-now")));
    assertThat(shown(By.cssSelector("p.flash")).getText())
        .isEqualTo("Checked example.com: 5 of 6 records ok.");
    assertThat(row(name).getAttribute("data-state")).isEqualTo("MISSING");
    assertThat(row(name).findElement(By.cssSelector(".dns")).getText()).isEqualTo("MISSING");
    screenshot("dns-missing");

    fixture.zone.setZone(fixture.zoneText(true));
    submit(browser.findElement(By.cssSelector("button.check-now")));
    assertThat(shown(By.cssSelector("p.flash")).getText())
        .isEqualTo("Checked example.com: 6 of 6 records ok.");
    assertThat(row(name).getAttribute("data-state")).isEqualTo("OK");
    assertThat(browser.findElement(By.cssSelector("pre.zone")).getText()).contains(name);
    screenshot("dns");
    browser.get(base + "/");
    assertThat(browser.findElement(By.cssSelector("[data-concern=DNS]")).getText())
        .contains("OK")
        .contains("6 of 6 records ok");
    assertThat(browser.findElement(By.cssSelector("[data-concern=SPF]")).getText())
        .contains("OK")
        .contains("0 of 10 DNS lookups used");
    assertThat(browser.findElement(By.cssSelector("[data-concern=DKIM]")).getText())
        .contains("OK")
        .doesNotContain("not in DNS yet");
    screenshot("overview-checked");
  }

  private WebElement row(String name) {
    return browser.findElement(By.cssSelector("table.records tr[data-name='" + name + "']"));
  }

  @Test
  @Order(6)
  void theDmarcPageSaysNoReportsWereReadYet() throws Exception {
    browser.get(base + "/dmarc");
    assertThat(browser.findElement(By.cssSelector("p.no-reports")).getText())
        .isEqualTo("No reports read yet.");
    assertThat(browser.findElement(By.cssSelector("main")).getText()).contains("p=none");
    screenshot("dmarc");
  }

  @Test
  @Order(7)
  void queueReplyMarkupIsShownAsTextAndRunsNoScript() throws Exception {
    browser.get(base + "/queue");
    assertThat(browser.findElement(By.cssSelector("table.upstreams td.reply")).getText())
        .isEqualTo(WebFixture.HOSTILE_REPLY);
    assertThat(browser.findElements(By.id("pwned"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("main img, main b"))).isEmpty();
    assertThat(browser.getTitle()).isEqualTo("Queue \u00b7 mailseal");
    screenshot("queue");
  }

  @Test
  @Order(8)
  void aBounceFromTheQueuePageSendsTheDsn() throws Exception {
    QueueId first = fixture.queued.get(0);
    browser.get(base + "/queue");
    submit(
        browser.findElement(
            By.cssSelector("tr[data-id='" + first + "'] button[aria-label^='Bounce']")));
    // A confirmation step first: nothing has happened yet.
    assertThat(shown(By.cssSelector("button.confirm")).isDisplayed()).isTrue();
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Bounce " + first + "?");
    assertThat(fixture.spool.entry(first)).isPresent();
    screenshot("queue-confirm");
    submit(browser.findElement(By.cssSelector("button.confirm")));
    WebElement flash = shown(By.cssSelector("p.flash"));
    assertThat(path()).isEqualTo("/queue");
    assertThat(flash.getText())
        .isEqualTo(
            "Bounced "
                + first
                + ": 2 recipient(s) failed, DSN queued to <"
                + WebFixture.USER
                + ">.");
    assertThat(fixture.spool.entry(first)).isEmpty();
    List<SpoolEntry> dsns =
        fixture.spool.list().stream().filter(SpoolEntry::bounce).collect(Collectors.toList());
    assertThat(dsns).hasSize(1);
    assertThat(dsns.get(0).recipients().get(0).address()).isEqualTo(WebFixture.USER);
    String dsn = new String(fixture.spool.open(dsns.get(0).id()).readAllBytes());
    assertThat(dsn).contains("bob@example.net").contains("carol@example.org");
    assertThat(
            browser.findElement(By.cssSelector("tr[data-id='" + dsns.get(0).id() + "']")).getText())
        .contains("<> (a DSN)");
  }

  @Test
  @Order(9)
  void theOverviewFitsA375PixelWideScreen() throws Exception {
    browser.manage().window().setSize(new Dimension(375, 812));
    try {
      browser.get(base + "/");
      long width =
          (Long)
              ((JavascriptExecutor) browser)
                  .executeScript("return document.documentElement.scrollWidth;");
      long viewport =
          (Long)
              ((JavascriptExecutor) browser)
                  .executeScript("return document.documentElement.clientWidth;");
      assertThat(width).isLessThanOrEqualTo(viewport);
      screenshot("overview-375");
      browser.get(base + "/keys");
      screenshot("keys-375");
    } finally {
      browser.manage().window().setSize(new Dimension(1280, 1000));
    }
  }

  @Test
  @Order(10)
  void everyPageCanBeWalkedWithTheKeyboard() {
    browser.get(base + "/");
    // The first Tab reaches the skip link, the next ones the navigation, in page order.
    WebElement body = browser.findElement(By.tagName("body"));
    body.sendKeys(org.openqa.selenium.Keys.TAB);
    assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");
    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
    assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Overview");
    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
    assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Keys");
    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
    Waits.await("the keys page").atMost(Duration.ofSeconds(10)).until(() -> path().equals("/keys"));
  }

  @Test
  @Order(11)
  void logoutEndsTheSessionInTheBrowser() {
    browser.get(base + "/");
    submit(browser.findElement(By.cssSelector("form.logout button")));
    Waits.await("the login page")
        .atMost(Duration.ofSeconds(30))
        .until(() -> path().equals("/login"));
    browser.get(base + "/queue");
    assertThat(path()).isEqualTo("/login");
  }

  @Test
  @Order(12)
  void markupInADomainOrSelectorIsShownAsTextAndRunsNoScript() throws Exception {
    try (WebServer hostile =
        WebServer.start(
            WebOptions.of(java.net.InetAddress.getLoopbackAddress(), 0),
            java.util.Optional.of(fixture.tls.server()),
            new HostileDashboard(fixture.clock.instant()),
            fixture.login,
            fixture.clock,
            new java.security.SecureRandom())) {
      String saved = base;
      base = "https://localhost:" + hostile.address().getPort();
      try {
        login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD);
        shown(By.cssSelector("section.domain"));
        for (String page : WebSecurityTest.PAGES) {
          browser.get(base + page);
          Object handlers =
              ((JavascriptExecutor) browser)
                  .executeScript(
                      "return document.querySelectorAll('[onload],[onerror],main script').length");
          assertThat(handlers).as(page).isEqualTo(0L);
          assertThat(browser.findElements(By.tagName("script"))).as(page).hasSize(1);
          assertThat(browser.getTitle()).as(page).endsWith(" \u00b7 mailseal");
        }
        browser.get(base + "/keys");
        assertThat(
                browser
                    .findElement(By.cssSelector("svg.timeline g.key"))
                    .getAttribute("data-selector"))
            .isEqualTo(HostileDashboard.SELECTOR);
        browser.get(base + "/");
        assertThat(browser.findElement(By.cssSelector("section.domain h2")).getText())
            .isEqualTo(HostileDashboard.DOMAIN);
        screenshot("hostile-overview");
      } finally {
        base = saved;
      }
    }
  }
}
